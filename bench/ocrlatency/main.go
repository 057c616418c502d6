// Command ocrlatency measures the text path's latency (a post published to the posts
// stream -> its result on the results stream, through the real classify role) with the
// ocr role idle and with it busy reading ID-card photos, in one process (embedded
// JetStream, roles classify and ocr, one ocr worker), alternating idle and busy phases
// so that the spread between the idle phases shows the noise. Issue 16: the text
// path's latency with the ocr role busy must be unchanged within noise. It prints
// Markdown for `make bench`.
//
//	go run ./bench/ocrlatency -posts 100 -rounds 2
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"image/png"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/kuzot/kuzot/app"
	"github.com/kuzot/kuzot/config"
	"github.com/kuzot/kuzot/media/imagegen"
	"github.com/kuzot/kuzot/pipeline"
	"github.com/kuzot/kuzot/post"
)

func main() {
	// -clickhouse is accepted because scripts/bench.sh passes it to every harness; the
	// classify and ocr roles do not use ClickHouse.
	flag.String("clickhouse", "", "ClickHouse native address (unused: the classify and ocr roles do not store)")
	n := flag.Int("posts", 100, "text posts per phase")
	rate := flag.Float64("rate", 20, "text posts per second")
	rounds := flag.Int("rounds", 2, "idle/busy phase pairs")
	photos := flag.Int("photos", 3, "ID-card photos queued for the ocr role before each busy phase")
	nice := flag.Int("nice", -1, "ocr.nice for the tesseract processes (-1: the configuration's default)")
	flag.Parse()
	if err := run(*n, *rate, *rounds, *photos, *nice); err != nil {
		fmt.Fprintln(os.Stderr, "bench ocrlatency:", err)
		os.Exit(1)
	}
}

func run(n int, rate float64, rounds, photos, nice int) error {
	if _, err := exec.LookPath("tesseract"); err != nil {
		return fmt.Errorf("tesseract is not installed (make test installs it): %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	var logw io.Writer = io.Discard
	if os.Getenv("KUZOT_BENCH_DEBUG") != "" {
		logw = os.Stderr
	}
	log := slog.New(slog.NewTextHandler(logw, nil))
	dir, err := os.MkdirTemp("", "kuzot-bench-ocrlatency")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	card, err := cardPNG()
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /card.png", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		_, _ = w.Write(card)
	})
	imgs := httptest.NewServer(mux)
	defer imgs.Close()

	niceLine, niceDesc := "", fmt.Sprintf("default `ocr.nice` %d", app.DefaultOCRNice)
	if nice >= 0 {
		niceLine, niceDesc = fmt.Sprintf("  nice: %d\n", nice), fmt.Sprintf("`ocr.nice: %d`", nice)
	}
	cfg, err := config.Parse(strings.NewReader("ocr:\n  workers: 1\n" + niceLine + "  allow_endpoints: [" + imgs.URL +
		"]\ncollect:\n  host_rules: [{pattern: '127.0.0.1:*', delay: 1ms}]\n"))
	if err != nil {
		return err
	}
	cfg.DataDir = dir
	cfg.HTTP.Listen, cfg.HTTP.MetricsListen = "127.0.0.1:0", "127.0.0.1:0"
	cfg.NATS.Embedded.Port = -1
	cfg.NATS.Embedded.StoreDir = filepath.Join(dir, "jetstream")
	roles, err := app.SelectRoles("classify,ocr")
	if err != nil {
		return err
	}
	actx, stop := context.WithCancel(ctx)
	running, err := app.Start(actx, cfg, roles, log)
	if err != nil {
		stop()
		return fmt.Errorf("start roles: %w", err)
	}
	defer func() { stop(); _ = running.Wait() }()
	// The ocr role checks tesseract and its language data as it starts.
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(100 * time.Millisecond) {
		if v, err := gauge(running.MetricsAddr, "kuzot_ocr_available"); err == nil && v == 1 {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the ocr role found no tesseract with its language data within a minute")
		}
	}

	var mu sync.Mutex
	seen := map[string]time.Time{}
	cons, err := running.Bus.JS.OrderedConsumer(ctx, pipeline.ResultsStream, jetstream.OrderedConsumerConfig{})
	if err != nil {
		return err
	}
	cc, err := cons.Consume(func(m jetstream.Msg) {
		var c struct {
			Post struct{ ID string } `json:"post"`
		}
		if json.Unmarshal(m.Data(), &c) == nil {
			mu.Lock()
			if _, ok := seen[c.Post.ID]; !ok {
				seen[c.Post.ID] = time.Now()
			}
			mu.Unlock()
		}
	})
	if err != nil {
		return err
	}
	defer cc.Stop()
	pub := pipeline.NewPublisher(running.Bus.JS, running.Metrics)

	// measure publishes n text posts at rate and returns their latencies, and the share
	// of samples (every 100 ms while publishing) in which an ocr worker was reading.
	measure := func(phase string, n int) ([]time.Duration, float64, error) {
		sent := map[string]time.Time{}
		samples, busy := 0, 0
		tick := time.NewTicker(time.Duration(float64(time.Second) / rate))
		defer tick.Stop()
		lastSample := time.Time{}
		for i := range n {
			<-tick.C
			now := time.Now().UTC()
			p := post.Post{ID: fmt.Sprintf("telegram:lat/%s-%d", phase, i), Source: "telegram", Channel: "lat", Author: "lat",
				Text: fmt.Sprintf("Обычный пост номер %d про погоду в Бишкеке.", i), PublishedAt: now, CollectedAt: now}
			sent[p.ID] = time.Now()
			if err := pub.PublishPost(ctx, p); err != nil {
				return nil, 0, err
			}
			if time.Since(lastSample) >= 100*time.Millisecond {
				lastSample = time.Now()
				samples++
				if v, _ := gauge(running.MetricsAddr, "kuzot_ocr_in_flight_posts"); v >= 1 {
					busy++
				}
			}
		}
		deadline := time.Now().Add(60 * time.Second)
		for {
			mu.Lock()
			missing := 0
			for id := range sent {
				if _, ok := seen[id]; !ok {
					missing++
				}
			}
			mu.Unlock()
			if missing == 0 {
				break
			}
			if time.Now().After(deadline) {
				return nil, 0, fmt.Errorf("%s: %d of %d results missing after 60 s", phase, missing, n)
			}
			time.Sleep(20 * time.Millisecond)
		}
		var out []time.Duration
		mu.Lock()
		for id, at := range sent {
			out = append(out, seen[id].Sub(at))
		}
		mu.Unlock()
		slices.Sort(out)
		return out, float64(busy) / float64(max(1, samples)), nil
	}
	waitGauge := func(name string, ok func(float64) bool, within time.Duration) error {
		deadline := time.Now().Add(within)
		for time.Now().Before(deadline) {
			if v, err := gauge(running.MetricsAddr, name); err == nil && ok(v) {
				return nil
			}
			time.Sleep(50 * time.Millisecond)
		}
		return fmt.Errorf("%s did not reach the expected value within %v", name, within)
	}

	if _, _, err := measure("warmup", 20); err != nil {
		return err
	}
	type row struct {
		phase string
		lat   []time.Duration
		busy  float64
	}
	var rows []row
	var idleAll, busyAll []time.Duration
	for r := range rounds {
		if err := waitGauge("kuzot_ocr_queue_depth", func(v float64) bool { return v == 0 }, 10*time.Minute); err != nil {
			return err
		}
		lat, b, err := measure(fmt.Sprintf("idle%d", r+1), n)
		if err != nil {
			return err
		}
		rows = append(rows, row{fmt.Sprintf("ocr idle (round %d)", r+1), lat, b})
		idleAll = append(idleAll, lat...)
		for i := range photos {
			now := time.Now().UTC()
			p := post.Post{ID: fmt.Sprintf("telegram:latimg/%d-%d", r, i), Source: "telegram", Channel: "latimg", Text: "фото",
				PublishedAt: now, CollectedAt: now, Media: []post.Media{{Kind: "photo", URL: fmt.Sprintf("%s/card.png?r=%d&n=%d", imgs.URL, r, i)}}}
			if err := pub.PublishPost(ctx, p); err != nil {
				return err
			}
		}
		if err := waitGauge("kuzot_ocr_in_flight_posts", func(v float64) bool { return v >= 1 }, 2*time.Minute); err != nil {
			return err
		}
		lat, b, err = measure(fmt.Sprintf("busy%d", r+1), n)
		if err != nil {
			return err
		}
		rows = append(rows, row{fmt.Sprintf("ocr busy (round %d, %d ID-card photos queued)", r+1, photos), lat, b})
		busyAll = append(busyAll, lat...)
	}
	slices.Sort(idleAll)
	slices.Sort(busyAll)

	fmt.Printf("%d text posts per phase at %.0f/s through the classify role (exposure + narrative), roles classify and ocr "+
		"in one process (embedded JetStream, `ocr.workers: 1`, %s); latency is publish -> result on the results stream. "+
		"Busy phases start once an ocr worker is reading; \"ocr reading\" is the share of 100 ms samples during the phase "+
		"in which it was.\n\n", n, rate, niceDesc)
	fmt.Println("| phase | posts | p50 | p95 | p99 | max | ocr reading |")
	fmt.Println("|---|---|---|---|---|---|---|")
	for _, r := range rows {
		fmt.Printf("| %s | %d | %s | %s | %s | %s | %.0f%% |\n", r.phase, len(r.lat), pct(r.lat, 50), pct(r.lat, 95), pct(r.lat, 99), pct(r.lat, 100), 100*r.busy)
	}
	fmt.Printf("| all idle | %d | %s | %s | %s | %s | |\n", len(idleAll), pct(idleAll, 50), pct(idleAll, 95), pct(idleAll, 99), pct(idleAll, 100))
	fmt.Printf("| all busy | %d | %s | %s | %s | %s | |\n", len(busyAll), pct(busyAll, 50), pct(busyAll, 95), pct(busyAll, 99), pct(busyAll, 100))
	fmt.Println()
	// Noise: the spread of the idle phases' medians; the busy median is "unchanged
	// within noise" when it lies within the idle medians widened by that spread.
	lo, hi := time.Duration(1<<62), time.Duration(0)
	for _, r := range rows {
		if strings.HasPrefix(r.phase, "ocr idle") {
			m := pctDur(r.lat, 50)
			lo, hi = min(lo, m), max(hi, m)
		}
	}
	spread := hi - lo
	bm := pctDur(busyAll, 50)
	verdict := "within"
	if bm > hi+spread+time.Millisecond || bm < lo-spread-time.Millisecond {
		verdict = "**outside**"
	}
	fmt.Printf("Busy median %s vs idle medians %s–%s (spread %s, widened by it and 1 ms): %s noise.\n",
		bm.Round(10*time.Microsecond), lo.Round(10*time.Microsecond), hi.Round(10*time.Microsecond), spread.Round(10*time.Microsecond), verdict)
	return nil
}

// cardPNG renders an invented person's Kyrgyz ID card (media/imagegen).
func cardPNG() ([]byte, error) {
	fonts, err := imagegen.LoadFonts()
	if err != nil {
		return nil, err
	}
	g := &imagegen.Generator{Fonts: fonts, Seed: imagegen.DefaultSeed, Now: time.Now().UTC()}
	card, _ := g.IDCardOf("bench-ocrlatency-card", imagegen.Person{Given: "Айбек", Family: "Токтосунов", Male: true,
		Birth: time.Date(1995, 3, 12, 0, 0, 0, 0, time.UTC)}, "ky")
	var buf bytes.Buffer
	if err := png.Encode(&buf, card); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// gauge reads one unlabelled metric from the /metrics endpoint.
func gauge(addr, name string) (float64, error) {
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + ` (\S+)$`).FindSubmatch(b)
	if m == nil {
		return 0, fmt.Errorf("metric %s not found", name)
	}
	return strconv.ParseFloat(string(m[1]), 64)
}

func pctDur(d []time.Duration, p int) time.Duration {
	if len(d) == 0 {
		return 0
	}
	i := (len(d) - 1) * p / 100
	return d[i]
}

func pct(d []time.Duration, p int) string {
	if len(d) == 0 {
		return "-"
	}
	return pctDur(d, p).Round(100 * time.Microsecond).String()
}
