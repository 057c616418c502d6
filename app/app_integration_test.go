package app_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/kuzot/kuzot/app"
	"github.com/kuzot/kuzot/classifiers"
	"github.com/kuzot/kuzot/config"
	"github.com/kuzot/kuzot/internal/testenv"
	"github.com/kuzot/kuzot/pipeline"
	"github.com/kuzot/kuzot/post"
	"github.com/kuzot/kuzot/storage"
)

// testConfig is a config with an embedded NATS on a free port, a fresh ClickHouse
// database and the HTTP listener on a free port.
func testConfig(t *testing.T) *config.Config {
	t.Helper()
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	cfg.HTTP.Listen, cfg.HTTP.MetricsListen = "127.0.0.1:0", "127.0.0.1:0"
	cfg.NATS = testenv.NATSConfig(t.TempDir())
	cfg.CH = testenv.ClickHouseConfig(t)
	cfg.Store.FlushInterval = 100 * time.Millisecond
	return cfg
}

func TestIntegrationClassifyAndStoreRoles(t *testing.T) {
	if testing.Short() {
		t.Skip("integration")
	}
	cfg := testConfig(t)
	roles, err := app.SelectRoles("store,classify")
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
	base := time.Date(2026, 4, 2, 9, 0, 0, 0, time.UTC)
	for i := range 30 {
		p := post.Post{ID: fmt.Sprintf("telegram:demo/%d", i), Source: "telegram", Channel: "demo", Author: "Канал",
			Text: fmt.Sprintf("Пост номер %d", i), PublishedAt: base.Add(time.Duration(i) * time.Minute), CollectedAt: base.Add(time.Hour)}
		if err := pub.PublishPost(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	exposing := post.Post{ID: "telegram:demo/exp1", Source: "telegram", Channel: "demo", Author: "Аноним",
		Text:        "Вот он: Айбек Токтосунов, родился 12 марта 1995, тел. +996 555 123 456, живёт на улице Фиктивная 7. Он гей!",
		PublishedAt: base, CollectedAt: base.Add(time.Hour), URL: "https://t.me/demo/9001"}
	if err := pub.PublishPost(ctx, exposing); err != nil {
		t.Fatal(err)
	}
	conn, err := storage.Open(ctx, cfg.CH, testenv.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	cs, err := app.BuildClassifiersFor(ctx, cfg, testenv.Logger(t), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	count := func(q string) uint64 {
		var n uint64
		if err := conn.QueryRow(ctx, q).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	testenv.Eventually(t, 30*time.Second, "posts and their classifications stored", func() bool {
		return count("SELECT count() FROM posts FINAL") == 31 &&
			count("SELECT count() FROM classifications FINAL") == uint64(31*len(cs))
	})
	if hasClassifier(cs, "exposure") {
		var severity, redacted string
		var types []string
		if err := conn.QueryRow(ctx, "SELECT toString(severity), redacted_text, entity_types FROM exposures FINAL WHERE post_id = 'telegram:demo/exp1'").
			Scan(&severity, &redacted, &types); err != nil {
			t.Fatalf("exposure row: %v", err)
		}
		if severity != "critical" || strings.Contains(redacted, "555 123") || strings.Contains(redacted, "1995") || len(types) < 3 {
			t.Fatalf("exposure row severity=%s types=%v redacted=%q", severity, types, redacted)
		}
		if n := count("SELECT count() FROM exposures FINAL"); n != 1 {
			t.Fatalf("%d exposure rows, want only the exposing post", n)
		}
	}

	// /readyz answers 200 once roles run; /metrics passes promtool's lint.
	get := func(path string) (int, []byte) {
		addr := run.HTTPAddr
		if path == "/metrics" {
			addr = run.MetricsAddr
		}
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	if code, body := get("/readyz"); code != 200 {
		t.Fatalf("/readyz %d %s", code, body)
	}
	// The acked counter moves just after the insert commits: poll for it.
	testenv.Eventually(t, 10*time.Second, "acked messages counted", func() bool {
		_, m := get("/metrics")
		return bytes.Contains(m, []byte(`kuzot_consumer_messages_total{consumer="store-posts",outcome="acked"} 31`))
	})
	code, metrics := get("/metrics")
	if code != 200 || !bytes.Contains(metrics, []byte("kuzot_consumer_messages_total")) ||
		!bytes.Contains(metrics, []byte(`kuzot_publish_total{result="ok",stream="KUZOT_POSTS"} 31`)) {
		t.Fatalf("/metrics %d missing kuzot metrics:\n%s", code, metrics)
	}
	checkMetricsWithPromtool(t, metrics)

	// Cancelling (what SIGTERM does) drains and stops cleanly.
	cancel()
	select {
	case err := <-waitErr(run):
		if err != nil {
			t.Fatalf("shutdown: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("app did not stop within 30 s")
	}
}

func hasClassifier(cs []classifiers.Classifier, name string) bool {
	for _, c := range cs {
		if c.Name() == name {
			return true
		}
	}
	return false
}

func waitErr(r *app.Running) <-chan error {
	ch := make(chan error, 1)
	go func() { ch <- r.Wait() }()
	return ch
}

// checkMetricsWithPromtool runs `promtool check metrics` (the distribution's prometheus
// package; make test installs it) on the exposition.
func checkMetricsWithPromtool(t *testing.T, metrics []byte) {
	t.Helper()
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		if os.Getenv(testenv.RequireEnv) != "" {
			t.Fatal("promtool not installed (make test installs the prometheus package)")
		}
		t.Log("promtool not installed; skipping the metrics lint")
		return
	}
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = bytes.NewReader(metrics)
	out, err := cmd.CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "" {
		t.Fatalf("promtool check metrics: %v\n%s", err, out)
	}
}

func TestSelectRolesRejectsUnknown(t *testing.T) {
	if _, err := app.SelectRoles("store,bogus"); err == nil || !strings.Contains(err.Error(), `unknown role "bogus"`) {
		t.Fatalf("err = %v", err)
	}
	all, err := app.SelectRoles("")
	if err != nil || len(all) != len(app.Roles()) {
		t.Fatalf("all roles: %v %v", all, err)
	}
}

func TestIntegrationUnreachableClickHouseRetriesThenGivesUp(t *testing.T) {
	if testing.Short() {
		t.Skip("integration")
	}
	cfg := config.Default()
	cfg.CH.Addr = "127.0.0.1:1" // nothing listens there
	cfg.CH.DialTimeout = 200 * time.Millisecond
	var logs bytes.Buffer
	log := slogTo(&logs)
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	_, err := storage.Open(ctx, cfg.CH, log)
	if err == nil || !strings.Contains(err.Error(), "unreachable") {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(logs.String(), "ClickHouse not reachable; retrying") || !strings.Contains(logs.String(), "clickhouse-local.sh start") {
		t.Fatalf("log does not say what to do:\n%s", logs.String())
	}
}
