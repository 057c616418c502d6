// Command alerts measures how fast an exposing post becomes a verified webhook: posts
// are published to the posts stream as the collector does (collected_at = now), then go
// through the real classify role (exposure classifier with a watchlist) and the alert
// role (incident state, outbox, signed webhook) to a receiver that verifies every
// signature. It reports latency percentiles from collection to receipt, next to two
// baselines measured in the same run: a JetStream publish -> consume round trip alone,
// and a signed webhook POST alone. It prints Markdown for `make bench`.
//
//	go run ./bench/alerts -clickhouse 127.0.0.1:19000 -posts 100
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/kuzot/kuzot/alerts"
	"github.com/kuzot/kuzot/alerts/alertstest"
	"github.com/kuzot/kuzot/alerts/webhook"
	"github.com/kuzot/kuzot/app"
	"github.com/kuzot/kuzot/config"
	"github.com/kuzot/kuzot/pipeline"
	"github.com/kuzot/kuzot/post"
	"github.com/kuzot/kuzot/storage"
)

// Invented member and secret; nothing here is a real person's data.
const (
	secret = "whsec_a3V6b3QtdGVzdC1zZWNyZXQta2V5LTMyLWJ5dGVzISE="
	victim = "Айбек Токтосунов"
	phone  = "+996 700 000 101"
)

func main() {
	chAddr := flag.String("clickhouse", "127.0.0.1:19000", "ClickHouse native address")
	n := flag.Int("posts", 100, "exposing posts to publish")
	rate := flag.Float64("rate", 20, "posts per second")
	flag.Parse()
	if err := run(*chAddr, *n, *rate); err != nil {
		fmt.Fprintln(os.Stderr, "bench alerts:", err)
		os.Exit(1)
	}
}

func run(chAddr string, n int, rate float64) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var logw io.Writer = io.Discard
	if os.Getenv("KUZOT_BENCH_DEBUG") != "" {
		logw = os.Stderr
	}
	log := slog.New(slog.NewTextHandler(logw, nil))
	dir, err := os.MkdirTemp("", "kuzot-bench-alerts")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	rcv := alertstest.NewWebhookReceiver([]string{secret}, 0)
	defer rcv.Close()
	cfg, err := benchConfig(dir, chAddr, rcv.URL)
	if err != nil {
		return err
	}
	if err := dropDatabase(ctx, cfg.CH, log); err != nil {
		return fmt.Errorf("clickhouse: %w", err)
	}
	defer func() { _ = dropDatabase(context.Background(), cfg.CH, log) }()
	roles, err := app.SelectRoles("store,classify,alert")
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

	// Baseline 1: JetStream publish -> consume round trip alone, on the same server.
	jsLat, err := jetstreamRoundTrip(ctx, running.Bus, n)
	if err != nil {
		return fmt.Errorf("jetstream baseline: %w", err)
	}
	// Baseline 2: a signed webhook POST alone, to the same receiver.
	hookLat, err := webhookAlone(ctx, rcv, n)
	if err != nil {
		return fmt.Errorf("webhook baseline: %w", err)
	}

	// Full path.
	var mu sync.Mutex
	collected := map[string]time.Time{}
	var lat []time.Duration
	rcv.OnReceive(func(r alertstest.Received) {
		if r.Message.Kind != alerts.KindNew || len(r.Message.Where) == 0 {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if at, ok := collected[r.Message.Where[0].PostID]; ok {
			lat = append(lat, r.At.Sub(at))
		}
	})
	pub := pipeline.NewPublisher(running.Bus.JS, running.Metrics)
	rng := rand.New(rand.NewPCG(6, 1))
	tick := time.NewTicker(time.Duration(float64(time.Second) / rate))
	defer tick.Stop()
	for i := range n {
		<-tick.C
		p := exposingPost(i, rng)
		mu.Lock()
		collected[p.ID] = p.CollectedAt
		mu.Unlock()
		if err := pub.PublishPost(ctx, p); err != nil {
			return fmt.Errorf("publish: %w", err)
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		mu.Lock()
		got := len(lat)
		mu.Unlock()
		if got >= n || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	mu.Lock()
	full := slices.Clone(lat)
	mu.Unlock()

	fmt.Printf("%d exposing posts at %.0f/s, each a new incident of one watch-listed member; roles store, classify, alert in one process "+
		"(embedded JetStream, ClickHouse mirror on). Latency is from the post's collected_at to the verified webhook at the receiver.\n\n", n, rate)
	fmt.Println("| path | webhooks | p50 | p95 | p99 | max |")
	fmt.Println("|---|---|---|---|---|---|")
	row := func(name string, d []time.Duration, of int) {
		fmt.Printf("| %s | %d/%d | %s | %s | %s | %s |\n", name, len(d), of, pct(d, 50), pct(d, 95), pct(d, 99), pct(d, 100))
	}
	row("baseline: JetStream publish -> consume alone", jsLat, n)
	row("baseline: signed webhook POST alone", hookLat, n)
	row("full path: posts stream -> classify (exposure+narrative) -> alert -> webhook", full, n)
	fmt.Println()
	if len(full) < n {
		return fmt.Errorf("only %d of %d webhooks arrived within 30 s", len(full), n)
	}
	if p := pctDur(full, 99); p > 2*time.Second {
		fmt.Printf("**p99 %s exceeds the 2 s target.**\n", p.Round(time.Millisecond))
	} else {
		fmt.Printf("p99 %s is within the 2 s target.\n", p.Round(time.Millisecond))
	}
	return nil
}

func benchConfig(dir, chAddr, hookURL string) (*config.Config, error) {
	wl := filepath.Join(dir, "watchlist.yaml")
	if err := os.WriteFile(wl, []byte("orgs:\n  - id: org-a\n    name: Bench Org\n    members:\n      - id: m-001\n        names: [\""+
		victim+"\"]\n        phones: [\""+phone+"\"]\n"), 0o600); err != nil {
		return nil, err
	}
	// The harness is its own process: these variables exist only for it.
	_ = os.Setenv("KUZOT_WATCHLIST_KEY", "bench-watchlist-key-0123456789abcdef")
	_ = os.Setenv("KUZOT_BENCH_HOOK_SECRET", secret)
	text := `
classifiers:
  exposure:
    watchlist_file: ` + wl + `
alerts:
  retry_initial: 100ms
  retry_max: 1s
  channels:
    - {name: bench-hook, kind: webhook, url: "` + hookURL + `", secret_envs: [KUZOT_BENCH_HOOK_SECRET]}
  orgs:
    - {id: org-a, min_severity: high, channels: [bench-hook]}
`
	cfg, err := config.Parse(strings.NewReader(text))
	if err != nil {
		return nil, err
	}
	cfg.DataDir = dir
	cfg.HTTP.Listen, cfg.HTTP.MetricsListen = "127.0.0.1:0", "127.0.0.1:0"
	cfg.NATS.Embedded.Port = -1
	cfg.NATS.Embedded.StoreDir = filepath.Join(dir, "jetstream")
	cfg.CH.Addr = chAddr
	cfg.CH.Password = config.Secret(os.Getenv(config.ClickHousePasswordEnv)) // scripts/bench.sh exports it
	cfg.CH.Database = "kuzot_bench_alerts"
	cfg.Store.FlushInterval = 200 * time.Millisecond
	return cfg, nil
}

func dropDatabase(ctx context.Context, c config.ClickHouse, log *slog.Logger) error {
	c.Database = "default"
	conn, err := storage.Open(ctx, c, log)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Exec(ctx, "DROP DATABASE IF EXISTS kuzot_bench_alerts")
}

var words = strings.Fields(`сегодня вчера город район школа рынок базар дорога автобус парк площадь театр музей
кафе магазин работа офис улица двор соседи друзья родители семья праздник собрание встреча разговор новости
видео фото канал группа пост комментарий ссылка сообщение вопрос ответ мнение слух история правда ложь шум
позор стыд гнев страх тревога вечер утро ночь неделя месяц весна лето осень зима дождь снег ветер солнце`)

// exposingPost is an invented doxxing post about the invented member; the surrounding
// random sentence makes each post a different content, hence a new incident and an
// immediate "new" alert.
func exposingPost(i int, rng *rand.Rand) post.Post {
	var b strings.Builder
	for range 40 {
		b.WriteString(words[rng.IntN(len(words))])
		b.WriteByte(' ')
	}
	now := time.Now().UTC()
	return post.Post{
		ID: fmt.Sprintf("telegram:bench_channel/%d", i), Source: "telegram", Channel: "bench_channel", Author: "bench",
		URL:         fmt.Sprintf("https://t.me/bench_channel/%d", i),
		Text:        b.String() + ". Знакомьтесь: " + victim + ", тел. " + phone + ". Он гей. Распространите!",
		PublishedAt: now.Add(-time.Minute), CollectedAt: now, Lang: "ru", Media: []post.Media{},
	}
}

func jetstreamRoundTrip(ctx context.Context, b *pipeline.Bus, n int) ([]time.Duration, error) {
	if _, err := b.JS.CreateOrUpdateStream(ctx, jetstream.StreamConfig{Name: "BENCH_RTT", Subjects: []string{"bench.rtt"},
		Storage: jetstream.FileStorage}); err != nil {
		return nil, err
	}
	defer func() { _ = b.JS.DeleteStream(context.Background(), "BENCH_RTT") }()
	cons, err := b.JS.CreateOrUpdateConsumer(ctx, "BENCH_RTT", jetstream.ConsumerConfig{Durable: "rtt", AckPolicy: jetstream.AckExplicitPolicy})
	if err != nil {
		return nil, err
	}
	it, err := cons.Messages()
	if err != nil {
		return nil, err
	}
	defer it.Stop()
	var out []time.Duration
	for i := range n {
		start := time.Now()
		if _, err := b.JS.Publish(ctx, "bench.rtt", []byte(fmt.Sprint(i))); err != nil {
			return nil, err
		}
		m, err := it.Next()
		if err != nil {
			return nil, err
		}
		_ = m.Ack()
		out = append(out, time.Since(start))
	}
	return out, nil
}

func webhookAlone(ctx context.Context, rcv *alertstest.WebhookReceiver, n int) ([]time.Duration, error) {
	key, err := webhook.ParseSecret(secret)
	if err != nil {
		return nil, err
	}
	ch := webhook.New(&webhook.Config{URL: rcv.URL}, [][]byte{key}, rcv.Client(), nil)
	var out []time.Duration
	for i := range n {
		start := time.Now()
		if err := ch.Send(ctx, &alerts.Alert{ID: fmt.Sprintf("baseline.%d", i), Message: alerts.Message{Kind: "baseline"}}); err != nil {
			return nil, err
		}
		out = append(out, time.Since(start))
	}
	return out, nil
}

func pctDur(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	i := int(float64(len(s))*p/100+0.5) - 1
	return s[min(max(i, 0), len(s)-1)]
}

func pct(d []time.Duration, p float64) string {
	if len(d) == 0 {
		return "–"
	}
	return pctDur(d, p).Round(10 * time.Microsecond).String()
}
