// Command capacity runs one step of a like-for-like baseline of the capacity search of
// scripts/capacity.sh (issue 18): the same real-length posts of package loadgen, at the
// same offered rate for the same time, through one part of the pipeline alone. It prints
// the same two lines as `kuzot loadgen` (acknowledged posts/s, then the latency
// percentiles), so that the script judges every path by one rule. A harness, not a test.
//
//	go run ./bench/capacity --config store1.yaml --baseline jetstream --rate 1000 --duration 20s
//
// Baselines:
//
//   - jetstream: batched JetStream publish+consume. The posts are published exactly as
//     `kuzot loadgen` publishes them (loadgen.Publish, atomic batches of --batch, the same
//     window and retries) onto a stream of their own whose configuration is the posts
//     stream's (same replicas, storage, limits, duplicate window, atomic publish), and
//     consumed by the store stage's own loop (pipeline.RunStage with the store's batch
//     options, pipeline.DecodePost) whose writer writes nothing: the full path minus
//     ClickHouse and classification. Latency is publish -> acknowledged by the consumer,
//     from the consumer's ack floor as loadgen measures publish -> stored.
//   - clickhouse: ClickHouse insert alone. The same posts arrive at the offered rate
//     (generated in process, no NATS) and --writers loops batch them as the store stage
//     does (up to store.batch_rows rows or store.batch_bytes bytes, or store.flush_interval
//     after a batch's first post) and insert them with storage.InsertPosts into the posts
//     table of the configured database (the same engine as the full path: ReplacingMergeTree
//     on one server, Distributed over ReplicatedReplacingMergeTree on a cluster). Latency is
//     arrival -> insert committed.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/kuzot/kuzot/app"
	"github.com/kuzot/kuzot/config"
	"github.com/kuzot/kuzot/loadgen"
	"github.com/kuzot/kuzot/pipeline"
	"github.com/kuzot/kuzot/post"
	"github.com/kuzot/kuzot/storage"
)

// baselineStream and baselineSubject hold the jetstream baseline's posts, apart from the
// pipeline's; baselineConsumer is its durable consumer.
const (
	baselineStream   = "KUZOT_CAPACITY_BASELINE"
	baselineSubject  = "kuzot.capacity"
	baselineConsumer = "capacity-baseline"
)

type options struct {
	configPath string
	baseline   string
	rate       float64
	duration   time.Duration
	batch      int
	window     int
	writers    int
	run        string
	seed       uint64
	wait       time.Duration
}

func main() {
	var o options
	flag.StringVar(&o.configPath, "config", "", "kuzot configuration (NATS, ClickHouse, store batching; KUZOT_* variables apply)")
	flag.StringVar(&o.baseline, "baseline", "", "jetstream or clickhouse")
	flag.Float64Var(&o.rate, "rate", 500, "offered posts/s")
	flag.DurationVar(&o.duration, "duration", 20*time.Second, "how long posts are offered")
	flag.IntVar(&o.batch, "batch", 100, "jetstream: atomic publish batch, as kuzot loadgen's --batch")
	flag.IntVar(&o.window, "window", 2048, "jetstream: publishes awaiting their PubAck at once, as kuzot loadgen's --window")
	flag.IntVar(&o.writers, "writers", 1, "consumer loops (jetstream) or insert loops (clickhouse): one per store process of the full path")
	flag.StringVar(&o.run, "run", strconv.FormatInt(time.Now().Unix(), 36), "run id, part of every post id (letters and digits)")
	flag.Uint64Var(&o.seed, "seed", 1, "generator seed")
	flag.DurationVar(&o.wait, "wait", 2*time.Minute, "after offering, wait this long at most for everything to be consumed or inserted")
	flag.Parse()
	if err := run(context.Background(), o, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bench capacity:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options, out io.Writer) error {
	cfg, err := app.LoadConfig(o.configPath)
	if err != nil {
		return err
	}
	mix := loadgen.DefaultMix
	mix.RealLengths = true
	gen, err := loadgen.NewGenerator(o.run, o.seed, mix, time.Now().Add(-24*time.Hour).Truncate(time.Hour))
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	switch o.baseline {
	case "jetstream":
		return runJetStream(ctx, cfg, gen, o, log, out)
	case "clickhouse":
		return runClickHouse(ctx, cfg, gen, o, log, out)
	default:
		return fmt.Errorf("--baseline %q: want jetstream or clickhouse", o.baseline)
	}
}

// runJetStream publishes onto a copy of the posts stream and consumes with the store
// stage's loop and a writer that writes nothing.
func runJetStream(ctx context.Context, cfg *config.Config, gen *loadgen.Generator, o options, log *slog.Logger, out io.Writer) error {
	bus, err := pipeline.Connect(ctx, cfg.NATS, log)
	if err != nil {
		return err
	}
	defer bus.Close()
	sctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	posts, err := bus.JS.Stream(sctx, pipeline.PostsStream)
	if err != nil {
		return fmt.Errorf("posts stream: %w", err)
	}
	sc := posts.CachedInfo().Config
	sc.Name, sc.Description = baselineStream, "capacity baseline (bench/capacity): a copy of the posts stream's configuration"
	sc.Subjects = []string{baselineSubject + ".>"}
	if err := bus.JS.DeleteStream(sctx, baselineStream); err != nil && !errors.Is(err, jetstream.ErrStreamNotFound) {
		return fmt.Errorf("delete the previous baseline stream: %w", err)
	}
	if err := bus.RetryDeclare(sctx, "stream "+baselineStream, func(ctx context.Context) error {
		_, err := bus.JS.CreateStream(ctx, sc)
		return err
	}); err != nil {
		return err
	}
	defer func() {
		dctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = bus.JS.DeleteStream(dctx, baselineStream)
	}()

	// The consumer: the store stage's loop, its batch options, and no write.
	cctx, stopConsumer := context.WithCancel(ctx)
	defer stopConsumer()
	consumed := make(chan error, 1)
	batch := pipeline.BatchOptions{Name: baselineConsumer, MaxRows: cfg.Store.BatchRows, MaxBytes: cfg.Store.BatchBytes,
		MaxWait: cfg.Store.FlushInterval, RetryMax: cfg.Store.RetryMax}
	go func() {
		consumed <- pipeline.RunStage(cctx, bus, pipeline.ConsumerSpec{Stream: baselineStream, Durable: baselineConsumer},
			pipeline.NewMetrics(prometheus.NewRegistry()), log, pipeline.StageOptions{Batch: batch, Workers: max(o.writers, 1)},
			pipeline.DecodePost, func(context.Context, []post.Post) error { return nil })
	}()

	// The publisher: kuzot loadgen's, on its own connection, as the loadgen process has.
	nc, err := nats.Connect(bus.ClientURL(), append(bus.ClientOptions(), nats.Name("kuzot-capacity-baseline"), nats.MaxReconnects(-1))...)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc, jetstream.WithPublishAsyncTimeout(10*time.Second), jetstream.WithPublishAsyncMaxPending(max(o.window, 1)))
	if err != nil {
		return fmt.Errorf("jetstream: %w", err)
	}
	tracker := loadgen.NewFloorTracker(js, baselineStream, baselineConsumer)
	tctx, tstop := context.WithCancel(ctx)
	defer tstop()
	go tracker.Run(tctx, 50*time.Millisecond)

	ledger := loadgen.NewLedger(int(o.rate*o.duration.Seconds()) + 1024)
	st, err := loadgen.Publish(ctx, js, gen, ledger, loadgen.Options{Duration: o.duration, Rate: o.rate, Window: o.window, Batch: o.batch, Log: log,
		Subject: func(p *post.Post) string {
			return baselineSubject + strings.TrimPrefix(pipeline.PostSubject(p), pipeline.PostsSubject)
		}})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "run %s: attempted %d, acked %d, duplicates %d, unanswered %d, retries %d in %s: %.0f posts/s acknowledged\n",
		gen.Run(), st.Attempted, st.Acked, st.Duplicates, st.Indeterminate, st.Retries, st.Elapsed.Round(time.Millisecond), st.Rate())
	wctx, cancelWait := context.WithTimeout(ctx, o.wait)
	err = loadgen.WaitFloor(wctx, tracker, ledger.MaxSeq(), 50*time.Millisecond)
	cancelWait()
	if err != nil {
		return fmt.Errorf("not everything was consumed: %w", err)
	}
	time.Sleep(100 * time.Millisecond) // one more sample past the floor
	tstop()
	stopConsumer()
	if err := <-consumed; err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("consumer: %w", err)
	}
	ledger.ApplyStored(tracker.Samples())
	recs := ledger.Snapshot()
	ack, done := loadgen.AckLatency(recs), loadgen.StoredLatency(recs)
	fmt.Fprintf(out, "publish->ack      p50 %s p99 %s max %s (n=%d)\n", ack.P50.Round(time.Millisecond), ack.P99.Round(time.Millisecond), ack.Max.Round(time.Millisecond), ack.N)
	fmt.Fprintf(out, "publish->consumed p50 %s p99 %s max %s (n=%d; ack-floor samples every 50 ms)\n", done.P50.Round(time.Millisecond), done.P99.Round(time.Millisecond), done.Max.Round(time.Millisecond), done.N)
	printMemory(out)
	return nil
}

// arrival is one post handed over at a time.
type arrival struct {
	p    post.Post
	at   time.Time
	size int
}

// runClickHouse offers the posts at the rate to writer loops that batch and insert them.
func runClickHouse(ctx context.Context, cfg *config.Config, gen *loadgen.Generator, o options, log *slog.Logger, out io.Writer) error {
	cctx, cancel := context.WithTimeout(ctx, time.Minute)
	conn, err := storage.Open(cctx, cfg.CH, log)
	cancel()
	if err != nil {
		return err
	}
	defer conn.Close()

	capacity := int(o.rate*o.duration.Seconds()) + 1024
	queue := make(chan arrival, capacity)
	var (
		mu        sync.Mutex
		latencies = make([]time.Duration, 0, capacity)
		errs      int
	)
	var wg sync.WaitGroup
	wctx, cancelWriters := context.WithCancel(ctx)
	defer cancelWriters()
	for range max(o.writers, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				// As the store stage's Fetch: up to MaxRows (or MaxBytes) rows, returning as
				// soon as they are there or MaxWait after the fetch began, whichever is first;
				// rows already waiting are taken at once, so a writer that fell behind
				// inserts full batches.
				var batch []arrival
				bytes := 0
				closed := false
				deadline := time.NewTimer(cfg.Store.FlushInterval)
			fill:
				for len(batch) < cfg.Store.BatchRows && bytes < cfg.Store.BatchBytes {
					select {
					case a, ok := <-queue:
						if !ok {
							closed = true
							break fill
						}
						batch = append(batch, a)
						bytes += a.size
						continue
					default:
					}
					select {
					case a, ok := <-queue:
						if !ok {
							closed = true
							break fill
						}
						batch = append(batch, a)
						bytes += a.size
					case <-deadline.C:
						break fill
					case <-wctx.Done():
						deadline.Stop()
						return
					}
				}
				deadline.Stop()
				if len(batch) == 0 {
					if closed {
						return
					}
					continue
				}
				rows := make([]post.Post, len(batch))
				for i := range batch {
					rows[i] = batch[i].p
				}
				// Retried as the store stage retries a failed write (the batch is idempotent).
				delay := 100 * time.Millisecond
				for {
					err := storage.InsertPosts(wctx, conn, rows)
					if err == nil {
						break
					}
					if wctx.Err() != nil {
						return
					}
					mu.Lock()
					errs++
					mu.Unlock()
					log.Warn("insert failed; retrying", "rows", len(rows), "err", err)
					time.Sleep(delay)
					delay = min(2*delay, cfg.Store.RetryMax)
				}
				now := time.Now()
				mu.Lock()
				for _, a := range batch {
					latencies = append(latencies, now.Sub(a.at))
				}
				mu.Unlock()
				if closed {
					return
				}
			}
		}()
	}

	// Arrivals at the offered rate, generated as loadgen generates them (the JSON encoding
	// a publisher does is done too, so that the arrival side costs what it costs there).
	start := time.Now()
	var offered uint64
	var encodeErr error
	for n := uint64(0); ; n++ {
		due := start.Add(time.Duration(float64(n) / o.rate * float64(time.Second)))
		if due.Sub(start) >= o.duration {
			break
		}
		if d := time.Until(due); d > time.Millisecond {
			time.Sleep(d)
		}
		p := gen.Post(n)
		p.CollectedAt = time.Now().UTC()
		data, err := json.Marshal(p)
		if err != nil {
			encodeErr = fmt.Errorf("encode post %d: %w", n, err)
			break
		}
		queue <- arrival{p: p, at: time.Now(), size: len(data)}
		offered++
	}
	elapsed := time.Since(start)
	close(queue)
	fmt.Fprintf(out, "run %s: attempted %d, acked %d, duplicates 0, unanswered 0, retries 0 in %s: %.0f posts/s acknowledged\n",
		gen.Run(), offered, offered, elapsed.Round(time.Millisecond), float64(offered)/elapsed.Seconds())
	if encodeErr != nil {
		return encodeErr
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(o.wait):
		cancelWriters()
		<-done
		return fmt.Errorf("not everything was inserted within %s", o.wait)
	}
	sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
	pct := func(q float64) time.Duration {
		if len(latencies) == 0 {
			return 0
		}
		return latencies[min(len(latencies)-1, int(q*float64(len(latencies))))]
	}
	fmt.Fprintf(out, "arrival->inserted p50 %s p99 %s max %s (n=%d; %d failed inserts retried)\n",
		pct(0.50).Round(time.Millisecond), pct(0.99).Round(time.Millisecond), pct(1).Round(time.Millisecond), len(latencies), errs)
	printMemory(out)
	return nil
}

// printMemory prints this process's peak resident memory (VmHWM).
func printMemory(out io.Writer) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			fmt.Fprintf(out, "harness %s\n", strings.Join(strings.Fields(line), " "))
		}
	}
}
