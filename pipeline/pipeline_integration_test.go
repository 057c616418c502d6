package pipeline_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/nats-io/nats.go"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/kuzot/kuzot/internal/testenv"
	"github.com/kuzot/kuzot/pipeline"
	"github.com/kuzot/kuzot/post"
	"github.com/kuzot/kuzot/storage"
)

func samplePosts(n int, prefix string) []post.Post {
	base := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	out := make([]post.Post, n)
	for i := range out {
		out[i] = post.Post{
			ID: fmt.Sprintf("rss:%s-%d", prefix, i), Source: "rss", Channel: "demo-news", Author: "Редакция",
			URL: fmt.Sprintf("http://127.0.0.1/news/%d", i), Text: fmt.Sprintf("Жаңылык %d: ң ө ү", i),
			PublishedAt: base.Add(time.Duration(i) * time.Minute), CollectedAt: base.Add(time.Hour), Lang: "ky",
		}
	}
	return out
}

func countFinal(t *testing.T, conn driver.Conn, query string) uint64 {
	t.Helper()
	var n uint64
	if err := conn.QueryRow(context.Background(), query).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// runStorePosts runs the store-posts stage in the background until the returned stop. The
// short AckWait makes messages held by a stopped worker come back quickly.
func runStorePosts(t *testing.T, b *pipeline.Bus, conn driver.Conn, m *pipeline.Metrics) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		err := pipeline.RunStage(ctx, b, pipeline.ConsumerSpec{Stream: pipeline.PostsStream, Durable: pipeline.StorePostsConsumer, AckWait: 2 * time.Second},
			m, testenv.Logger(t), pipeline.StageOptions{Batch: pipeline.BatchOptions{MaxRows: 50, MaxWait: 100 * time.Millisecond,
				RetryMax: 200 * time.Millisecond, DrainTimeout: 2 * time.Second}},
			pipeline.DecodePost, func(ctx context.Context, rows []post.Post) error { return storage.InsertPosts(ctx, conn, rows) })
		if err != nil {
			t.Errorf("stage: %v", err)
		}
	}()
	return func() { cancel(); <-done }
}

func TestIntegrationPublishStoreRow(t *testing.T) {
	if testing.Short() {
		t.Skip("integration")
	}
	conn, _ := testenv.ClickHouse(t)
	b := testenv.Bus(t)
	m := pipeline.NewMetrics(prometheus.NewRegistry())
	pub := pipeline.NewPublisher(b.JS, m)
	ctx := context.Background()
	posts := samplePosts(120, "a")
	for _, p := range posts {
		if err := pub.PublishPost(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	// Publishing the same posts again is deduplicated by Nats-Msg-Id.
	for _, p := range posts[:10] {
		if err := pub.PublishPost(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	if got := testutil.ToFloat64(m.Published.WithLabelValues(pipeline.PostsStream, "duplicate")); got != 10 {
		t.Fatalf("duplicates counted %v, want 10", got)
	}
	stop := runStorePosts(t, b, conn, m)
	defer stop()
	testenv.Eventually(t, 20*time.Second, "120 posts in ClickHouse", func() bool {
		return countFinal(t, conn, "SELECT count() FROM posts FINAL") == 120
	})
	var text, lang string
	if err := conn.QueryRow(ctx, "SELECT text, lang FROM posts FINAL WHERE id = 'rss:a-7'").Scan(&text, &lang); err != nil {
		t.Fatal(err)
	}
	if text != "Жаңылык 7: ң ө ү" || lang != "ky" {
		t.Fatalf("stored row text=%q lang=%q", text, lang)
	}
}

func TestIntegrationInsertRetriedUntilClickHouseBack(t *testing.T) {
	if testing.Short() {
		t.Skip("integration")
	}
	_, cfg := testenv.ClickHouse(t)
	proxy := testenv.NewProxy(t, cfg.Addr)
	viaProxy := cfg
	viaProxy.Addr = proxy.Addr()
	ctx := context.Background()
	conn, err := storage.Open(ctx, viaProxy, testenv.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	b := testenv.Bus(t)
	reg := prometheus.NewRegistry()
	m := pipeline.NewMetrics(reg)
	pub := pipeline.NewPublisher(b.JS, m)
	proxy.SetDown(true)
	for _, p := range samplePosts(40, "r") {
		if err := pub.PublishPost(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	stop := runStorePosts(t, b, conn, m)
	defer stop()
	testenv.Eventually(t, 10*time.Second, "failed inserts", func() bool {
		return testutil.ToFloat64(m.WriteErrors.WithLabelValues(pipeline.StorePostsConsumer)) >= 2
	})
	if acked := testutil.ToFloat64(m.Processed.WithLabelValues(pipeline.StorePostsConsumer, "acked")); acked != 0 {
		t.Fatalf("%v messages acked while ClickHouse was down", acked)
	}
	proxy.SetDown(false)
	direct, _ := storage.Open(ctx, cfg, testenv.Logger(t))
	defer direct.Close()
	testenv.Eventually(t, 20*time.Second, "40 posts after ClickHouse came back", func() bool {
		return countFinal(t, direct, "SELECT count() FROM posts FINAL") == 40
	})
	if got := countFinal(t, direct, "SELECT uniqExact(id) FROM posts"); got != 40 {
		t.Fatalf("distinct ids %d, want 40", got)
	}
}

func TestIntegrationMalformedGoesToDLQ(t *testing.T) {
	if testing.Short() {
		t.Skip("integration")
	}
	conn, _ := testenv.ClickHouse(t)
	b := testenv.Bus(t)
	m := pipeline.NewMetrics(prometheus.NewRegistry())
	pub := pipeline.NewPublisher(b.JS, m)
	ctx := context.Background()
	bad := []*nats.Msg{
		{Subject: pipeline.PostsSubject + ".rss", Data: []byte("{not json")},
		{Subject: pipeline.PostsSubject + ".rss", Data: []byte(`{"id":"","source":"rss"}`)},
		{Subject: pipeline.PostsSubject + ".rss", Data: []byte(`{"id":"rss:x","source":"rss","published_at":"2026-01-01T00:00:00Z"}`),
			Header: nats.Header{pipeline.HeaderSchema: []string{"post.v99"}}},
	}
	for _, msg := range bad {
		if _, err := b.JS.PublishMsg(ctx, msg); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range samplePosts(5, "ok") {
		if err := pub.PublishPost(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	stop := runStorePosts(t, b, conn, m)
	defer stop()
	testenv.Eventually(t, 20*time.Second, "good posts stored", func() bool {
		return countFinal(t, conn, "SELECT count() FROM posts FINAL") == 5
	})
	dlq, err := b.JS.Stream(ctx, pipeline.DLQStream)
	if err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, 10*time.Second, "3 DLQ messages", func() bool {
		info, err := dlq.Info(ctx)
		return err == nil && info.State.Msgs == 3
	})
	wantReasons := []string{"malformed post JSON", "empty id", "unknown schema"}
	for i, want := range wantReasons {
		raw, err := dlq.GetMsg(ctx, uint64(i+1))
		if err != nil {
			t.Fatal(err)
		}
		reason := raw.Header.Get(pipeline.HeaderDLQReason)
		if !strings.Contains(reason, want) {
			t.Errorf("DLQ message %d reason %q, want it to mention %q", i+1, reason, want)
		}
		if raw.Header.Get(pipeline.HeaderDLQConsumer) != pipeline.StorePostsConsumer {
			t.Errorf("DLQ message %d consumer header %q", i+1, raw.Header.Get(pipeline.HeaderDLQConsumer))
		}
	}
}

func TestIntegrationRestartLosesNoUnacked(t *testing.T) {
	if testing.Short() {
		t.Skip("integration")
	}
	conn, _ := testenv.ClickHouse(t)
	natsCfg := testenv.NATSConfig(t.TempDir())
	b := testenv.BusAt(t, natsCfg)
	m := pipeline.NewMetrics(prometheus.NewRegistry())
	pub := pipeline.NewPublisher(b.JS, m)
	ctx := context.Background()
	posts := samplePosts(60, "u")
	for _, p := range posts {
		if err := pub.PublishPost(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	// A writer that always fails: the stage holds messages unacked, then is stopped.
	var attempts atomic.Int64
	sctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = pipeline.RunStage(sctx, b, pipeline.ConsumerSpec{Stream: pipeline.PostsStream, Durable: pipeline.StorePostsConsumer,
			AckWait: 2 * time.Second}, m, testenv.Logger(t),
			pipeline.StageOptions{Batch: pipeline.BatchOptions{MaxRows: 25, MaxWait: 50 * time.Millisecond, DrainTimeout: 100 * time.Millisecond}},
			pipeline.DecodePost, func(context.Context, []post.Post) error { attempts.Add(1); return fmt.Errorf("simulated outage") })
	}()
	testenv.Eventually(t, 10*time.Second, "write attempts", func() bool { return attempts.Load() >= 2 })
	cancel()
	<-done
	b.Close()

	// Restart JetStream on the same store: every post is still there, unacked.
	b2 := testenv.BusAt(t, natsCfg)
	stop := runStorePosts(t, b2, conn, pipeline.NewMetrics(prometheus.NewRegistry()))
	defer stop()
	testenv.Eventually(t, 30*time.Second, "60 posts after restart", func() bool {
		return countFinal(t, conn, "SELECT count() FROM posts FINAL") == 60
	})
	info, err := b2.JS.Stream(ctx, pipeline.PostsStream)
	if err != nil {
		t.Fatal(err)
	}
	si, _ := info.Info(ctx)
	if si.State.Msgs != 60 {
		t.Fatalf("stream holds %d messages after restart, want 60", si.State.Msgs)
	}
}
