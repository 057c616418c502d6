package app_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kuzot/kuzot/alerts/alertstest"
	"github.com/kuzot/kuzot/app"
	"github.com/kuzot/kuzot/config"
	"github.com/kuzot/kuzot/internal/testenv"
	"github.com/kuzot/kuzot/media/imagegen"
	"github.com/kuzot/kuzot/pipeline"
	"github.com/kuzot/kuzot/post"
)

// imageServer serves, from memory, an ID-card mock-up of the invented watch-listed
// member (/card.png), a re-upload of it (/reupload.jpg: cropped 3%, rotated, JPEG) and
// the refusals of issue 16: an image bomb (/bomb.png, a PNG header claiming
// 100000×100000), a truncated JPEG (/trunc.jpg), a page served as an image
// (/page.png, text/html) and a 50 MB image (/huge.jpg).
func imageServer(t *testing.T) *httptest.Server {
	t.Helper()
	fonts, err := imagegen.LoadFonts()
	if err != nil {
		t.Fatal(err)
	}
	g := &imagegen.Generator{Fonts: fonts, Seed: imagegen.DefaultSeed, Now: time.Now().UTC()}
	card, _ := g.IDCardOf("ocr-e2e-card", imagegen.Person{Given: "Айбек", Family: "Токтосунов", Male: true,
		Birth: time.Date(1995, 3, 12, 0, 0, 0, 0, time.UTC)}, "ky")
	var cardPNG, reJPEG, small bytes.Buffer
	if err := png.Encode(&cardPNG, card); err != nil {
		t.Fatal(err)
	}
	re := imagegen.Rotate(imagegen.Crop(card, 0.03, 0.4), 1.5, color.White)
	if err := jpeg.Encode(&reJPEG, re, &jpeg.Options{Quality: 60}); err != nil {
		t.Fatal(err)
	}
	tiny := image.NewRGBA(image.Rect(0, 0, 8, 8))
	if err := png.Encode(&small, tiny); err != nil {
		t.Fatal(err)
	}
	bomb := append([]byte(nil), small.Bytes()...)
	binary.BigEndian.PutUint32(bomb[16:], 100_000)
	binary.BigEndian.PutUint32(bomb[20:], 100_000)
	binary.BigEndian.PutUint32(bomb[29:], crc32.ChecksumIEEE(bomb[12:29]))
	var full bytes.Buffer
	if err := jpeg.Encode(&full, card, &jpeg.Options{Quality: 80}); err != nil {
		t.Fatal(err)
	}
	trunc := full.Bytes()[:full.Len()/2]
	mux := http.NewServeMux()
	serve := func(path, ctype string, body []byte) {
		mux.HandleFunc("GET "+path, func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", ctype)
			_, _ = w.Write(body)
		})
	}
	serve("/card.png", "image/png", cardPNG.Bytes())
	serve("/reupload.jpg", "image/jpeg", reJPEG.Bytes())
	serve("/bomb.png", "image/png", bomb)
	serve("/trunc.jpg", "image/jpeg", trunc)
	serve("/page.png", "text/html; charset=utf-8", []byte("<!doctype html><title>login</title>"))
	mux.HandleFunc("GET /huge.jpg", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "image/jpeg")
		_, _ = w.Write(full.Bytes()[:2])
		chunk := make([]byte, 1<<20)
		for range 50 {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// TestIntegrationOCRRole is issue 16's acceptance test of the ocr role: a post whose
// photo is an ID-card mock-up of a watch-listed (invented) member raises an exposure
// incident through the alert role, with nothing of the card in what is kept; a post
// whose images are an image bomb, a truncated file, a page and a 50 MB file gives one
// failure metric per reason while its text is classified as usual.
func TestIntegrationOCRRole(t *testing.T) {
	if testing.Short() {
		t.Skip("integration")
	}
	requireTesseract(t)
	imgs := imageServer(t)
	rcv := alertstest.NewWebhookReceiver([]string{e2eHook}, 0)
	defer rcv.Close()
	dir := t.TempDir()
	wl := filepath.Join(dir, "watchlist.yaml")
	if err := os.WriteFile(wl, []byte(`orgs:
  - id: org-a
    members:
      - id: m-001
        names: ["`+e2eName+`", "Aibek Toktosunov"]
`), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("KUZOT_WATCHLIST_KEY", "ocr-e2e-watchlist-key-0123456789abcdef")
	t.Setenv("KUZOT_E2E_HOOK_SECRET", e2eHook)
	cfg, err := config.Parse(strings.NewReader(`
classifiers:
  exposure:
    watchlist_file: ` + wl + `
ocr:
  workers: 2
  allow_endpoints: [` + imgs.URL + `]
collect:
  host_rules: [{pattern: "127.0.0.1:*", delay: 10ms}]
alerts:
  group_window: 1s
  channels:
    - name: org-a-hook
      kind: webhook
      url: ` + rcv.URL + `
      secret_envs: [KUZOT_E2E_HOOK_SECRET]
  orgs:
    - id: org-a
      min_severity: high
      channels: [org-a-hook]
`))
	if err != nil {
		t.Fatal(err)
	}
	base := testConfig(t)
	cfg.DataDir, cfg.HTTP, cfg.NATS, cfg.CH, cfg.Store = base.DataDir, base.HTTP, base.NATS, base.CH, base.Store
	if err := app.CheckConfig(cfg); err != nil {
		t.Fatal(err)
	}
	roles, err := app.SelectRoles("store,classify,ocr,alert")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	run, err := app.Start(ctx, cfg, roles, testenv.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	pub := pipeline.NewPublisher(run.Bus.JS, run.Metrics)
	now := time.Now().UTC()
	card := post.Post{ID: "telegram:leaks_kg/101", Source: "telegram", Channel: "leaks_kg", Author: "leaks_kg",
		URL: "https://t.me/leaks_kg/101", Text: "Вот кто ходит по клубам. Распространите.", PublishedAt: now, CollectedAt: now,
		Media: []post.Media{{Kind: "photo", URL: imgs.URL + "/card.png"}}}
	broken := post.Post{ID: "telegram:weather_kg/7", Source: "telegram", Channel: "weather_kg", Author: "weather_kg",
		URL: "https://t.me/weather_kg/7", Text: "Завтра в Бишкеке солнечно, +24.", PublishedAt: now, CollectedAt: now,
		Media: []post.Media{{Kind: "photo", URL: imgs.URL + "/bomb.png"}, {Kind: "photo", URL: imgs.URL + "/trunc.jpg"},
			{Kind: "photo", URL: imgs.URL + "/page.png"}, {Kind: "photo", URL: imgs.URL + "/huge.jpg"}}}
	for _, p := range []post.Post{broken, card} {
		if err := pub.PublishPost(ctx, p); err != nil {
			t.Fatal(err)
		}
	}

	testenv.Eventually(t, 120*time.Second, "a webhook about m-001 from the ID-card photo", func() bool {
		return len(rcv.Received()) > 0
	})
	first := rcv.Received()[0]
	m := first.Message
	if m.Org != "org-a" || m.Member != "m-001" || m.Kind != "new" || (m.Severity != "high" && m.Severity != "critical") ||
		len(m.Where) == 0 || m.Where[0].URL != card.URL {
		t.Fatalf("alert %+v", m)
	}
	if !strings.Contains(strings.Join(m.Categories, ","), "national_id") {
		t.Errorf("categories %v lack national_id", m.Categories)
	}
	assertNoWatchlistValue(t, "webhook", string(first.Body))
	t.Logf("alert: severity %s categories %v evidence %q", m.Severity, m.Categories, m.Evidence)

	// A re-upload of the card (cropped, rotated, recompressed) on another channel with
	// another caption joins the incident as a new place: one update.
	reup := post.Post{ID: "telegram:gossip_kg/9", Source: "telegram", Channel: "gossip_kg", Author: "gossip_kg",
		URL: "https://t.me/gossip_kg/9", Text: "Ха-ха, узнаёте?", PublishedAt: now, CollectedAt: time.Now().UTC(),
		Media: []post.Media{{Kind: "photo", URL: imgs.URL + "/reupload.jpg"}}}
	if err := pub.PublishPost(ctx, reup); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, 120*time.Second, "an update of the incident from the re-upload", func() bool {
		return len(rcv.Received()) >= 2
	})
	up := rcv.Received()[1].Message
	if up.IncidentID != m.IncidentID || up.Kind != "update" || up.Copies != 2 {
		t.Fatalf("re-upload alert %+v", up)
	}
	assertNoWatchlistValue(t, "update webhook", string(rcv.Received()[1].Body))

	// ClickHouse: the image's verdict and redacted text, and the broken post's text
	// classified like any post.
	testenv.Eventually(t, 60*time.Second, "image results and the broken post's text results in ClickHouse", func() bool {
		var img, text uint64
		if err := run.CH.QueryRow(ctx, "SELECT count() FROM classifications FINAL WHERE post_id = ? AND classifier = 'image' AND flagged = 1",
			card.ID+"#img0").Scan(&img); err != nil {
			return false
		}
		if err := run.CH.QueryRow(ctx, "SELECT count() FROM classifications FINAL WHERE post_id = ?", broken.ID).Scan(&text); err != nil {
			return false
		}
		return img == 1 && text >= 2
	})
	var result, redacted string
	if err := run.CH.QueryRow(ctx, "SELECT result FROM classifications FINAL WHERE post_id = ? AND classifier = 'image'", card.ID+"#img0").Scan(&result); err != nil {
		t.Fatal(err)
	}
	if err := run.CH.QueryRow(ctx, "SELECT redacted_text FROM exposures FINAL WHERE post_id = ?", card.ID+"#img0").Scan(&redacted); err != nil {
		t.Fatal(err)
	}
	var ir struct {
		Parent string `json:"parent_post_id"`
		Kind   string `json:"kind"`
		Hash   struct {
			P uint64 `json:"phash"`
		} `json:"hash"`
		Entities []struct {
			Type string         `json:"type"`
			Box  map[string]int `json:"box"`
		} `json:"entities"`
	}
	if err := json.Unmarshal([]byte(result), &ir); err != nil || ir.Parent != card.ID || ir.Kind != "id_card" || ir.Hash.P == 0 || len(ir.Entities) == 0 {
		t.Errorf("image result %s (%v)", result, err)
	}
	for _, e := range ir.Entities {
		if e.Box["w"] <= 0 || e.Box["h"] <= 0 {
			t.Errorf("entity %+v without a box", e)
		}
	}
	assertNoWatchlistValue(t, "image result", result)
	assertNoWatchlistValue(t, "exposures.redacted_text", redacted)
	if !strings.Contains(redacted, "[MRZ]") || !strings.Contains(redacted, "[person]") {
		t.Errorf("redacted OCR text:\n%s", redacted)
	}
	var stored uint64
	if err := run.CH.QueryRow(ctx, "SELECT count() FROM posts WHERE id LIKE '%#img%'").Scan(&stored); err != nil || stored != 0 {
		t.Errorf("derived image posts in the posts table: %d (%v)", stored, err)
	}

	resp, err := http.Get("http://" + run.MetricsAddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{
		`kuzot_ocr_images_failed_total{reason="too_many_pixels"} 1`,
		`kuzot_ocr_images_failed_total{reason="truncated"} 1`,
		`kuzot_ocr_images_failed_total{reason="unsupported"} 1`,
		`kuzot_ocr_images_failed_total{reason="too_many_bytes"} 1`,
		`kuzot_ocr_images_fetched_total 2`,
		`kuzot_ocr_images_exposing_total 2`,
		`kuzot_ocr_posts_total{outcome="read"} 3`,
		`kuzot_ocr_seconds_count 2`,
		`kuzot_ocr_available 1`,
		`kuzot_ocr_queue_depth`,
	} {
		if !strings.Contains(string(metrics), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	checkMetricsWithPromtool(t, metrics)
	cancel()
	if err := run.Wait(); err != nil {
		t.Fatal(err)
	}
}

// requireTesseract skips without tesseract, or fails when make test requires services
// (scripts/test.sh installs it).
func requireTesseract(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("tesseract"); err != nil {
		if os.Getenv(testenv.RequireEnv) != "" {
			t.Fatalf("tesseract is not installed but %s is set (scripts/test.sh installs it)", testenv.RequireEnv)
		}
		t.Skip("tesseract is not installed (scripts/test.sh installs it)")
	}
}
