// Command pipeline measures posts/s through publish -> JetStream -> storage writer ->
// ClickHouse, next to two raw baselines measured in the same run on the same rows:
// JetStream publish+consume alone, and ClickHouse batch insert alone. It prints a
// Markdown table. It is a harness for `make bench`, not a test.
//
//	go run ./bench/pipeline -clickhouse 127.0.0.1:19000 -posts 200000
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/kuzot/kuzot/config"
	"github.com/kuzot/kuzot/pipeline"
	"github.com/kuzot/kuzot/post"
	"github.com/kuzot/kuzot/storage"
)

func main() {
	chAddr := flag.String("clickhouse", "127.0.0.1:19000", "ClickHouse native address")
	n := flag.Int("posts", 200000, "posts per measurement")
	batch := flag.Int("batch", 5000, "rows per ClickHouse batch (all three measurements)")
	flag.Parse()
	if err := run(*chAddr, *n, *batch); err != nil {
		fmt.Fprintln(os.Stderr, "bench pipeline:", err)
		os.Exit(1)
	}
}

// makePosts builds n realistic ~300-character posts.
func makePosts(n int) []post.Post {
	base := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	texts := []string{
		"Депутаттар бүгүн жаңы мыйзам долбоорун талкуулашты, жарандык коом өкүлдөрү каршы чыгышты. ",
		"В Бишкеке прошёл круглый стол о правах человека и свободе слова, участники обсудили новые поправки. ",
		"Local activists met journalists to discuss online harassment and how platforms respond to reports. ",
	}
	out := make([]post.Post, n)
	for i := range out {
		t := texts[i%len(texts)]
		out[i] = post.Post{
			ID: fmt.Sprintf("rss:bench-%d", i), Source: "rss", Channel: fmt.Sprintf("channel-%d", i%50),
			Author: fmt.Sprintf("author-%d", i%1000), URL: fmt.Sprintf("https://news.example.kg/%d", i),
			Text: t + t + fmt.Sprintf(" #%d", i), PublishedAt: base.Add(time.Duration(i) * time.Second),
			CollectedAt: base.Add(48 * time.Hour), Lang: []string{"ky", "ru", "en"}[i%3], Media: []post.Media{},
		}
	}
	return out
}

func run(chAddr string, n, batch int) error {
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	posts := makePosts(n)

	chCfg := config.Default().CH
	chCfg.Password = config.Secret(os.Getenv(config.ClickHousePasswordEnv)) // scripts/bench.sh exports it
	chCfg.Addr = chAddr
	chCfg.Database = "kuzot_bench"
	conn, err := storage.Open(ctx, chCfg, log)
	if err != nil {
		return err
	}
	defer conn.Close()
	reset := func() error {
		if err := conn.Exec(ctx, "DROP TABLE IF EXISTS posts"); err != nil {
			return err
		}
		if err := conn.Exec(ctx, "DROP TABLE IF EXISTS schema_migrations"); err != nil {
			return err
		}
		_, err := storage.Migrate(ctx, conn)
		return err
	}

	// Baseline 1: ClickHouse batch insert alone.
	if err := reset(); err != nil {
		return err
	}
	start := time.Now()
	for i := 0; i < n; i += batch {
		if err := storage.InsertPosts(ctx, conn, posts[i:min(i+batch, n)]); err != nil {
			return err
		}
	}
	chRate := float64(n) / time.Since(start).Seconds()

	// Baseline 2: JetStream publish + consume (ack) alone.
	dir, _ := os.MkdirTemp("", "kuzot-bench-js")
	defer os.RemoveAll(dir)
	natsCfg := config.Default().NATS
	natsCfg.Embedded.Port = -1
	natsCfg.Embedded.StoreDir = dir
	bus, err := pipeline.Connect(ctx, natsCfg, log)
	if err != nil {
		return err
	}
	defer bus.Close()
	payloads := make([][]byte, n)
	for i := range posts {
		payloads[i], _ = json.Marshal(posts[i])
	}
	start = time.Now()
	if err := publishAll(ctx, bus.JS, posts, payloads, "a"); err != nil {
		return err
	}
	cons, err := bus.EnsureConsumer(ctx, pipeline.ConsumerSpec{Stream: pipeline.PostsStream, Durable: "bench-raw"})
	if err != nil {
		return err
	}
	for got := 0; got < n; {
		b, err := cons.Fetch(batch, jetstream.FetchMaxWait(time.Second))
		if err != nil {
			return err
		}
		for m := range b.Messages() {
			var p post.Post
			if err := json.Unmarshal(m.Data(), &p); err != nil {
				return err
			}
			_ = m.Ack()
			got++
		}
	}
	jsRate := float64(n) / time.Since(start).Seconds()
	_ = bus.JS.DeleteConsumer(ctx, pipeline.PostsStream, "bench-raw")
	stream, err := bus.JS.Stream(ctx, pipeline.PostsStream)
	if err != nil {
		return err
	}
	if err := stream.Purge(ctx); err != nil {
		return err
	}

	// Full path: publish -> JetStream -> storage writer -> ClickHouse, until all rows committed.
	if err := reset(); err != nil {
		return err
	}
	m := pipeline.NewMetrics(prometheus.NewRegistry())
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	start = time.Now()
	go func() {
		done <- pipeline.RunStage(sctx, bus, pipeline.ConsumerSpec{Stream: pipeline.PostsStream, Durable: pipeline.StorePostsConsumer},
			m, log, pipeline.StageOptions{Batch: pipeline.BatchOptions{MaxRows: batch, MaxWait: 500 * time.Millisecond}},
			pipeline.DecodePost, func(ctx context.Context, rows []post.Post) error { return storage.InsertPosts(ctx, conn, rows) })
	}()
	if err := publishAll(ctx, bus.JS, posts, payloads, "b"); err != nil {
		return err
	}
	publishDone := time.Since(start)
	for {
		var c uint64
		if err := conn.QueryRow(ctx, "SELECT count() FROM posts").Scan(&c); err != nil {
			return err
		}
		if c >= uint64(n) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	fullRate := float64(n) / time.Since(start).Seconds()
	cancel()
	<-done
	var final uint64
	_ = conn.QueryRow(ctx, "SELECT count() FROM posts FINAL").Scan(&final)

	slower := min(chRate, jsRate)
	fmt.Printf("| measurement (%d posts of ~300 chars, batches of %d, GOMAXPROCS=%d) | posts/s |\n|---|---:|\n", n, batch, runtime.GOMAXPROCS(0))
	fmt.Printf("| baseline: ClickHouse batch insert alone | %.0f |\n", chRate)
	fmt.Printf("| baseline: JetStream publish + consume alone | %.0f |\n", jsRate)
	fmt.Printf("| full path: publish -> JetStream -> storage writer -> ClickHouse | %.0f |\n", fullRate)
	fmt.Printf("| full path / slower baseline | %.0f%% |\n", 100*fullRate/slower)
	fmt.Printf("\n(full path: publishing took %s; rows after FINAL: %d)\n", publishDone.Round(time.Millisecond), final)
	return nil
}

// publishAll publishes posts asynchronously with their deduplication ids, with a bounded
// number of outstanding acks, and waits for every ack.
func publishAll(ctx context.Context, js jetstream.JetStream, posts []post.Post, payloads [][]byte, tag string) error {
	for i := range posts {
		msg := &nats.Msg{Subject: pipeline.PostSubject(&posts[i]), Data: payloads[i], Header: nats.Header{}}
		msg.Header.Set(pipeline.HeaderSchema, post.SchemaVersion)
		if _, err := js.PublishMsgAsync(msg, jetstream.WithMsgID(posts[i].MsgID()+tag)); err != nil {
			return err
		}
		if i%2000 == 1999 {
			if err := waitAcks(ctx, js); err != nil {
				return err
			}
		}
	}
	return waitAcks(ctx, js)
}

func waitAcks(ctx context.Context, js jetstream.JetStream) error {
	select {
	case <-js.PublishAsyncComplete():
		return nil
	case <-time.After(2 * time.Minute):
		return fmt.Errorf("publish acks did not complete")
	case <-ctx.Done():
		return ctx.Err()
	}
}
