package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/kuzot/kuzot/app"
	classifiersall "github.com/kuzot/kuzot/classifiers/all"
	"github.com/kuzot/kuzot/loadgen"
	"github.com/kuzot/kuzot/pipeline"
	"github.com/kuzot/kuzot/storage"
)

// runLoadgen publishes synthetic posts into a running pipeline, waits until the store
// role has written them, prints throughput and latency, and optionally checks ClickHouse.
func runLoadgen(ctx context.Context, args []string, s stdio) error {
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	fs.SetOutput(s.err)
	cfgPath := configFlag(fs)
	url := fs.String("nats", "", "NATS URL of the running pipeline (default: nats.url, else the embedded server's address from the config)")
	posts := fs.Uint64("posts", 10000, "posts to publish (0 = until --duration)")
	duration := fs.Duration("duration", 0, "stop publishing after this long (0 = no limit)")
	rate := fs.Float64("rate", 0, "target posts/s (0 = as fast as JetStream acknowledges)")
	window := fs.Int("window", 2048, "publishes awaiting their PubAck at once")
	batch := fs.Int("batch", 100, "publish in atomic batches of this many posts, as the collect role does (one fsync per batch; nats-server >= 2.12); 0 = one by one")
	seed := fs.Uint64("seed", 1, "generator seed")
	run := fs.String("run", strconv.FormatInt(time.Now().Unix(), 36), "run id, part of every post id (letters and digits)")
	wait := fs.Duration("wait", 2*time.Minute, "after publishing, wait this long at most for the store role to write everything (0 = do not wait)")
	check := fs.Bool("check", false, "after waiting, check ClickHouse: every acknowledged post exactly once, with one row per classifier")
	realLengths := fs.Bool("real-lengths", false, "pad posts to the length distribution of real ones (median 300 characters, up to 8,000) instead of one sentence")
	ledgerPath := fs.String("ledger", "", "write the ledger (one JSON line per post) to this file")
	fs.Usage = func() {
		fmt.Fprintln(s.err, `Usage: kuzot loadgen [--config FILE] [--posts N | --duration D] [--rate R] [--check]

Publishes synthetic posts (ru/ky/en/uz; neutral, narrative, exposure of invented people, coordinated
bursts) into the posts stream of a running pipeline, retrying rejected publishes, and reports
acknowledged posts/s and publish->stored latency (from the store-posts consumer's ack floor).
With --check it then verifies in ClickHouse that every acknowledged post is stored exactly once.`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *posts == 0 && *duration == 0 {
		return errors.New("set --posts or --duration")
	}
	cfg, err := app.LoadConfig(*cfgPath)
	if err != nil {
		return err
	}
	log := app.NewLogger(cfg.Log, os.Stderr)
	addr := *url
	if addr == "" {
		addr = cfg.NATS.URL
	}
	if addr == "" {
		addr = fmt.Sprintf("nats://%s:%d", cfg.NATS.Embedded.Host, cfg.NATS.Embedded.Port)
	}
	mix := loadgen.DefaultMix
	mix.RealLengths = *realLengths
	gen, err := loadgen.NewGenerator(*run, *seed, mix, time.Now().Add(-24*time.Hour).Truncate(time.Hour))
	if err != nil {
		return err
	}
	opts := []nats.Option{nats.Name("kuzot-loadgen"), nats.MaxReconnects(-1), nats.ReconnectWait(500 * time.Millisecond)}
	auth, err := pipeline.ClientOptions(cfg.NATS)
	if err != nil {
		return err
	}
	opts = append(opts, auth...)
	nc, err := nats.Connect(addr, opts...)
	if err != nil {
		return fmt.Errorf("connect %s: %w", addr, err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc, jetstream.WithPublishAsyncTimeout(10*time.Second), jetstream.WithPublishAsyncMaxPending(max(*window, 1)))
	if err != nil {
		return fmt.Errorf("jetstream: %w", err)
	}
	tracker := loadgen.NewFloorTracker(js, pipeline.PostsStream, pipeline.StorePostsConsumer)
	tctx, tstop := context.WithCancel(ctx)
	defer tstop()
	go tracker.Run(tctx, 50*time.Millisecond)

	ledger := loadgen.NewLedger(int(min(*posts, 10_000_000)))
	st, err := loadgen.Publish(ctx, js, gen, ledger, loadgen.Options{Posts: *posts, Duration: *duration, Rate: *rate, Window: *window,
		Batch: *batch, Log: log})
	if err != nil {
		return err
	}
	fmt.Fprintf(s.out, "run %s: attempted %d, acked %d, duplicates %d, unanswered %d, retries %d in %s: %.0f posts/s acknowledged\n",
		gen.Run(), st.Attempted, st.Acked, st.Duplicates, st.Indeterminate, st.Retries, st.Elapsed.Round(time.Millisecond), st.Rate())
	if *wait > 0 {
		wctx, cancel := context.WithTimeout(ctx, *wait)
		err := loadgen.WaitFloor(wctx, tracker, ledger.MaxSeq(), 50*time.Millisecond)
		cancel()
		if err != nil {
			return fmt.Errorf("not everything was stored (is `kuzot run --roles store` running?): %w", err)
		}
		time.Sleep(100 * time.Millisecond) // one more sample past the floor
		tstop()
		ledger.ApplyStored(tracker.Samples())
		recs := ledger.Snapshot()
		ack, stored := loadgen.AckLatency(recs), loadgen.StoredLatency(recs)
		fmt.Fprintf(s.out, "publish->ack    p50 %s p99 %s max %s (n=%d)\n", ack.P50.Round(time.Millisecond), ack.P99.Round(time.Millisecond), ack.Max.Round(time.Millisecond), ack.N)
		fmt.Fprintf(s.out, "publish->stored p50 %s p99 %s max %s (n=%d; ack-floor samples every 50 ms)\n", stored.P50.Round(time.Millisecond), stored.P99.Round(time.Millisecond), stored.Max.Round(time.Millisecond), stored.N)
	}
	if *ledgerPath != "" {
		f, err := os.Create(*ledgerPath)
		if err != nil {
			return fmt.Errorf("ledger: %w", err)
		}
		if _, err := ledger.WriteTo(f); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return fmt.Errorf("ledger: %w", err)
		}
	}
	if !*check {
		return nil
	}
	conn, err := storage.Open(ctx, cfg.CH, log)
	if err != nil {
		return err
	}
	defer conn.Close()
	names := classifiersall.Registry().Names()
	// Classifications trail the posts: wait (bounded) until each stored post has them.
	var rep *loadgen.Report
	deadline := time.Now().Add(max(*wait, 10*time.Second))
	for {
		rep, err = loadgen.Check(ctx, conn, gen, ledger, loadgen.CheckOptions{Classifiers: names, MaxRawDuplicates: -1})
		if err != nil {
			return err
		}
		if rep.Err() == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Second)
	}
	fmt.Fprintln(s.out, "check:", rep)
	return rep.Err()
}
