package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/kuzot/kuzot/app"
	"github.com/kuzot/kuzot/config"
	"github.com/kuzot/kuzot/internal/testenv"
	"github.com/kuzot/kuzot/pipeline"
	"github.com/kuzot/kuzot/post"
)

// TestIntegrationTextLatencyWithOCRBusy measures the classify role's latency (post
// published -> its result on the results stream) on text posts, first with the ocr role
// idle, then while it reads a queue of ID-card photos. The ocr role has its own
// consumer, so text posts never wait behind pictures: the busy median must stay far
// below one picture's reading time. Figures are logged (docs/benchmarks.md).
func TestIntegrationTextLatencyWithOCRBusy(t *testing.T) {
	if testing.Short() {
		t.Skip("integration")
	}
	requireTesseract(t)
	imgs := imageServer(t)
	parsed, err := config.Parse(strings.NewReader("ocr:\n  workers: 1\n  allow_endpoints: [" + imgs.URL +
		"]\ncollect:\n  host_rules: [{pattern: '127.0.0.1:*', delay: 1ms}]\n"))
	if err != nil {
		t.Fatal(err)
	}
	base := testConfig(t)
	parsed.DataDir, parsed.HTTP, parsed.NATS, parsed.Store = base.DataDir, base.HTTP, base.NATS, base.Store
	roles, err := app.SelectRoles("classify,ocr")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	run, err := app.Start(ctx, parsed, roles, testenv.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	seen := map[string]time.Time{}
	cons, err := run.Bus.JS.OrderedConsumer(ctx, pipeline.ResultsStream, jetstream.OrderedConsumerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	cc, err := cons.Consume(func(m jetstream.Msg) {
		var c struct {
			Post struct{ ID string } `json:"post"`
		}
		if json.Unmarshal(m.Data(), &c) == nil {
			mu.Lock()
			seen[c.Post.ID] = time.Now()
			mu.Unlock()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Stop()
	pub := pipeline.NewPublisher(run.Bus.JS, run.Metrics)
	measure := func(phase string, n int) []time.Duration {
		sent := map[string]time.Time{}
		for i := range n {
			now := time.Now().UTC()
			p := post.Post{ID: fmt.Sprintf("telegram:lat/%s-%d", phase, i), Source: "telegram", Channel: "lat", Author: "lat",
				Text: fmt.Sprintf("Обычный пост номер %d про погоду в Бишкеке.", i), PublishedAt: now, CollectedAt: now}
			sent[p.ID] = time.Now()
			if err := pub.PublishPost(ctx, p); err != nil {
				t.Fatal(err)
			}
			time.Sleep(50 * time.Millisecond)
		}
		testenv.Eventually(t, 60*time.Second, phase+" results", func() bool {
			mu.Lock()
			defer mu.Unlock()
			for id := range sent {
				if _, ok := seen[id]; !ok {
					return false
				}
			}
			return true
		})
		var out []time.Duration
		mu.Lock()
		for id, at := range sent {
			out = append(out, seen[id].Sub(at))
		}
		mu.Unlock()
		slices.Sort(out)
		return out
	}
	q := func(d []time.Duration, f float64) time.Duration { return d[int(f*float64(len(d)-1))] }
	measure("warmup", 10)
	idle := measure("idle", 60)
	for i := range 12 {
		now := time.Now().UTC()
		p := post.Post{ID: fmt.Sprintf("telegram:latimg/%d", i), Source: "telegram", Channel: "latimg", Text: "фото",
			PublishedAt: now, CollectedAt: now, Media: []post.Media{{Kind: "photo", URL: imgs.URL + "/card.png?n=" + fmt.Sprint(i)}}}
		if err := pub.PublishPost(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	testenv.Eventually(t, 60*time.Second, "the ocr role busy", func() bool {
		return strings.Contains(metricsText(t, run.MetricsAddr), "kuzot_ocr_in_flight_posts 1")
	})
	busy := measure("busy", 60)
	if !strings.Contains(metricsText(t, run.MetricsAddr), "kuzot_ocr_in_flight_posts 1") {
		t.Log("the ocr role finished its queue during the busy phase: the busy figures are partly idle")
	}
	t.Logf("text latency, ocr idle: p50 %v p95 %v; ocr busy (1 worker, 12 ID-card photos queued): p50 %v p95 %v",
		q(idle, 0.5).Round(time.Millisecond), q(idle, 0.95).Round(time.Millisecond), q(busy, 0.5).Round(time.Millisecond), q(busy, 0.95).Round(time.Millisecond))
	if q(busy, 0.5) > 2*time.Second {
		t.Errorf("text posts waited for pictures: busy p50 %v", q(busy, 0.5))
	}
	cancel()
	if err := run.Wait(); err != nil {
		t.Fatal(err)
	}
}

func metricsText(t *testing.T, addr string) string {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}
