// Command e2e measures kuzot end to end: synthetic posts (package loadgen) published
// into a real `kuzot run --roles store,classify,coordinate,alert` process (embedded
// JetStream with fsync on every write, every registered classifier and the coordination
// detector on, ClickHouse, alerts to a webhook receiver in this process), until every
// post and its classifications are stored and every expected alert arrived. It reports
// posts/s, latency from publish to stored and to alert, the process's peak memory, and
// the ledger checks (posts and alerts), next to two raw baselines measured in the same
// run on the same posts: JetStream publish+consume alone and ClickHouse insert alone. It
// prints Markdown for docs/benchmarks.md; it is a harness, not a test.
//
//	go build -o bin/kuzot ./cmd/kuzot && go run ./bench/e2e -clickhouse 127.0.0.1:19000
//	go run ./bench/e2e -clickhouse 127.0.0.1:19000 -duration 5m -rate 5000   # sustained run
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/kuzot/kuzot/alerts/alertstest"
	classifiersall "github.com/kuzot/kuzot/classifiers/all"
	"github.com/kuzot/kuzot/config"
	"github.com/kuzot/kuzot/loadgen"
	"github.com/kuzot/kuzot/pipeline"
	"github.com/kuzot/kuzot/post"
	"github.com/kuzot/kuzot/storage"
)

type options struct {
	clickhouse string
	kuzot      string
	posts      uint64
	duration   time.Duration
	rate       float64
	window     int
	batch      int
	baseline   uint64
	profile    string
}

func main() {
	var o options
	flag.StringVar(&o.clickhouse, "clickhouse", "127.0.0.1:19000", "ClickHouse native address")
	flag.StringVar(&o.kuzot, "kuzot", "bin/kuzot", "kuzot binary to run the roles with (make bench builds it)")
	flag.Uint64Var(&o.posts, "posts", 50000, "posts to publish end to end (ignored with -duration)")
	flag.DurationVar(&o.duration, "duration", 0, "publish for this long instead of -posts (the sustained run)")
	flag.Float64Var(&o.rate, "rate", 0, "target posts/s (0 = as fast as JetStream acknowledges)")
	flag.IntVar(&o.window, "window", 4096, "publishes awaiting their PubAck at once")
	flag.IntVar(&o.batch, "batch", 100, "publish posts in atomic batches of this many (0 = one by one)")
	flag.Uint64Var(&o.baseline, "baseline-posts", 50000, "posts for each raw baseline")
	flag.StringVar(&o.profile, "profile", "", "write a 30 s CPU profile (taken two thirds into publishing) and a heap profile (at the end of publishing) of the kuzot process to this directory")
	flag.Parse()
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "bench e2e:", err)
		os.Exit(1)
	}
}

func run(o options) error {
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)
	if _, err := os.Stat(o.kuzot); err != nil {
		return fmt.Errorf("kuzot binary %s: %w (run `make build` or pass -kuzot)", o.kuzot, err)
	}
	work, err := os.MkdirTemp("", "kuzot-bench-e2e")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	run := strconv.FormatInt(time.Now().Unix(), 36)
	gen, err := loadgen.NewGenerator(run, 1, loadgen.DefaultMix, time.Now().Add(-48*time.Hour).Truncate(time.Hour))
	if err != nil {
		return err
	}
	chCfg := config.Default().CH
	chCfg.Password = config.Secret(os.Getenv(config.ClickHousePasswordEnv)) // scripts/bench.sh exports it
	chCfg.Addr = o.clickhouse
	chCfg.Database = "kuzot_bench_e2e"

	chRate, err := baselineClickHouse(ctx, chCfg, gen, o.baseline, log)
	if err != nil {
		return fmt.Errorf("ClickHouse baseline: %w", err)
	}
	jsRate, jsMem, err := baselineJetStream(ctx, work, gen, o.baseline, o.window, log)
	if err != nil {
		return fmt.Errorf("JetStream baseline: %w", err)
	}
	atomicRate, err := baselineAtomicBatches(ctx, work, gen, o.baseline, 100, log)
	if err != nil {
		return fmt.Errorf("JetStream atomic-batch experiment: %w", err)
	}
	res, err := endToEnd(ctx, o, work, chCfg, gen, log)
	if err != nil {
		return fmt.Errorf("end to end: %w", err)
	}

	slower := min(chRate, jsRate)
	what := fmt.Sprintf("%d posts", res.posts)
	if o.duration > 0 {
		what = fmt.Sprintf("%s at target %.0f posts/s (%d posts)", o.duration, o.rate, res.posts)
	}
	how := "one by one (async, window " + strconv.Itoa(o.window) + ")"
	if o.batch > 1 {
		how = fmt.Sprintf("in atomic batches of %d (as a collector publishing a fetched page)", o.batch)
	}
	fmt.Printf("Run: %s, mixed ru/ky/en/uz (20%% narratives, 3%% exposures of which one in ten names a protected member, 2%% coordinated), published %s, GOMAXPROCS=%d, classifiers: %s; roles %s in one `kuzot run` process with the embedded JetStream (fsync always); alerts to a signed-webhook receiver in the harness.\n\n",
		what, how, runtime.GOMAXPROCS(0), strings.Join(classifiersall.Registry().Names(), ", "), e2eRoles)
	fmt.Println("| measurement | posts/s | p50 | p99 | peak memory |")
	fmt.Println("|---|---:|---:|---:|---:|")
	fmt.Printf("| baseline: ClickHouse insert alone (batches of 5,000, %d posts) | %.0f | | | |\n", o.baseline, chRate)
	fmt.Printf("| baseline: JetStream publish + consume alone (embedded, fsync always, %d posts) | %.0f | | | %s (harness process) |\n", o.baseline, jsRate, mib(jsMem))
	fmt.Printf("| experiment: JetStream atomic batches of 100 (one fsync per batch), publish alone | %.0f | | | |\n", atomicRate)
	fmt.Printf("| publish -> PubAck (end-to-end run) | %.0f | %s | %s | |\n", res.ackRate, ms(res.ack.P50), ms(res.ack.P99))
	fmt.Printf("| **end to end: publish -> stored in ClickHouse** | **%.0f** | %s | %s | %s (kuzot process) |\n", res.storedRate, ms(res.stored.P50), ms(res.stored.P99), mib(res.peakRSS))
	fmt.Printf("| end to end: publish -> every classification stored | %.0f | | | |\n", res.classifiedRate)
	fmt.Printf("| end to end: publish -> alert delivered (%d alerts) | | %s | %s | |\n", res.alerted.N, ms(res.alerted.P50), ms(res.alerted.P99))
	fmt.Printf("| end to end / slower baseline | %.0f%% | | | |\n", 100*res.storedRate/slower)
	fmt.Printf("\nCheck after the run: %s; %s.\n", res.report, res.alertReport)
	fmt.Println("\nLatencies are from the first publish attempt; \"stored\" is when the store-posts consumer's ack floor (the store acks only after the ClickHouse commit) passed the post, sampled every 50 ms; \"alert delivered\" is when the receiver verified the alert's signature.")
	return nil
}

func ms(d time.Duration) string { return fmt.Sprintf("%d ms", d.Milliseconds()) }
func mib(b uint64) string       { return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20)) }

func baselineClickHouse(ctx context.Context, cfg config.ClickHouse, gen *loadgen.Generator, n uint64, log *slog.Logger) (float64, error) {
	conn, err := storage.Open(ctx, cfg, log)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	for _, t := range []string{"posts", "classifications", "schema_migrations"} {
		if err := conn.Exec(ctx, "DROP TABLE IF EXISTS "+t); err != nil {
			return 0, err
		}
	}
	if _, err := storage.Migrate(ctx, conn); err != nil {
		return 0, err
	}
	posts := make([]post.Post, 0, 5000)
	start := time.Now()
	for i := uint64(0); i < n; i++ {
		posts = append(posts, gen.Post(1<<40+i))
		if len(posts) == cap(posts) || i == n-1 {
			if err := storage.InsertPosts(ctx, conn, posts); err != nil {
				return 0, err
			}
			posts = posts[:0]
		}
	}
	rate := float64(n) / time.Since(start).Seconds()
	for _, t := range []string{"posts", "classifications", "schema_migrations"} {
		if err := conn.Exec(ctx, "DROP TABLE IF EXISTS "+t); err != nil {
			return 0, err
		}
	}
	return rate, nil
}

// baselineJetStream publishes n posts through an embedded server configured exactly as
// kuzot's (fsync always) while a pull consumer fetches and acks them concurrently.
func baselineJetStream(ctx context.Context, work string, gen *loadgen.Generator, n uint64, window int, log *slog.Logger) (float64, uint64, error) {
	cfg := config.Default().NATS
	cfg.Embedded.Port = -1
	cfg.Embedded.StoreDir = filepath.Join(work, "js-baseline")
	bus, err := pipeline.Connect(ctx, cfg, log)
	if err != nil {
		return 0, 0, err
	}
	defer bus.Close()
	js, err := jetstream.New(bus.NC, jetstream.WithPublishAsyncTimeout(10*time.Second), jetstream.WithPublishAsyncMaxPending(window))
	if err != nil {
		return 0, 0, err
	}
	cons, err := bus.EnsureConsumer(ctx, pipeline.ConsumerSpec{Stream: pipeline.PostsStream, Durable: "bench-raw"})
	if err != nil {
		return 0, 0, err
	}
	bgen, _ := loadgen.NewGenerator(gen.Run()+"b", 1, loadgen.DefaultMix, time.Now().Add(-48*time.Hour))
	start := time.Now()
	got := make(chan error, 1)
	go func() {
		for seen := uint64(0); seen < n; {
			b, err := cons.Fetch(1000, jetstream.FetchMaxWait(time.Second))
			if err != nil {
				got <- err
				return
			}
			for m := range b.Messages() {
				var p post.Post
				if err := json.Unmarshal(m.Data(), &p); err != nil {
					got <- err
					return
				}
				_ = m.Ack()
				seen++
			}
		}
		got <- nil
	}()
	st, err := loadgen.Publish(ctx, js, bgen, loadgen.NewLedger(int(n)), loadgen.Options{Posts: n, Window: window})
	if err != nil {
		return 0, 0, err
	}
	if st.Acked != n {
		return 0, 0, fmt.Errorf("only %d of %d acknowledged", st.Acked, n)
	}
	if err := <-got; err != nil {
		return 0, 0, err
	}
	return float64(n) / time.Since(start).Seconds(), selfHWM(), nil
}

// baselineAtomicBatches publishes n posts as atomic batches of size messages into a
// stream that allows them (nats-server >= 2.12). On a single node with fsync always, the
// server writes a whole batch and fsyncs once before acknowledging the commit, so this
// measures what group commit would buy without giving up durability. Every message keeps
// its Nats-Msg-Id; note that one duplicate id fails the whole batch.
func baselineAtomicBatches(ctx context.Context, work string, gen *loadgen.Generator, n uint64, size int, log *slog.Logger) (float64, error) {
	cfg := config.Default().NATS
	cfg.Embedded.Port = -1
	cfg.Embedded.StoreDir = filepath.Join(work, "js-atomic")
	bus, err := pipeline.Connect(ctx, cfg, log)
	if err != nil {
		return 0, err
	}
	defer bus.Close()
	if _, err := bus.JS.CreateStream(ctx, jetstream.StreamConfig{Name: "BENCH_ATOMIC", Subjects: []string{"bench.atomic.>"},
		Storage: jetstream.FileStorage, AllowAtomicPublish: true, Duplicates: 10 * time.Minute}); err != nil {
		return 0, err
	}
	agen, _ := loadgen.NewGenerator(gen.Run()+"a", 1, loadgen.DefaultMix, time.Now().Add(-48*time.Hour))
	start := time.Now()
	for first := uint64(0); first < n; first += uint64(size) {
		last := min(first+uint64(size), n) - 1
		batchID := fmt.Sprintf("%s-%d", agen.Run(), first)
		for i := first; i <= last; i++ {
			p := agen.Post(i)
			data, err := json.Marshal(p)
			if err != nil {
				return 0, err
			}
			m := &nats.Msg{Subject: "bench.atomic." + p.Source, Data: data, Header: nats.Header{}}
			m.Header.Set(pipeline.HeaderSchema, post.SchemaVersion)
			m.Header.Set(jetstream.MsgIDHeader, p.MsgID())
			m.Header.Set("Nats-Batch-Id", batchID)
			m.Header.Set("Nats-Batch-Sequence", strconv.FormatUint(i-first+1, 10))
			if i < last {
				if err := bus.NC.PublishMsg(m); err != nil {
					return 0, err
				}
				continue
			}
			m.Header.Set("Nats-Batch-Commit", "1")
			resp, err := bus.NC.RequestMsgWithContext(ctx, m)
			if err != nil {
				return 0, fmt.Errorf("commit batch %s: %w", batchID, err)
			}
			var ack struct {
				Error *struct {
					Description string `json:"description"`
				} `json:"error"`
				BatchSize int `json:"count"`
			}
			if err := json.Unmarshal(resp.Data, &ack); err != nil {
				return 0, fmt.Errorf("commit batch %s: %w", batchID, err)
			}
			if ack.Error != nil {
				return 0, fmt.Errorf("commit batch %s: %s", batchID, ack.Error.Description)
			}
			if ack.BatchSize != int(last-first+1) {
				return 0, fmt.Errorf("commit batch %s: server committed %d of %d messages", batchID, ack.BatchSize, last-first+1)
			}
		}
	}
	return float64(n) / time.Since(start).Seconds(), nil
}

// e2eRoles are the roles of the measured process: everything that consumes posts.
const e2eRoles = "store,classify,coordinate,alert"

// Invented secrets of the harness's own webhook receiver and watchlist key.
const (
	hookSecret   = "whsec_a3V6b3QtYmVuY2gtZTJlLXNlY3JldC0zMi1ieXRlcyE="
	watchlistKey = "bench-e2e-watchlist-key-0123456789abcdef"
	// natsPassword authenticates the harness to the kuzot process's embedded server.
	natsPassword = "bench-e2e-nats-password-0123456789abcdef"
)

type e2eResult struct {
	posts                               int
	ackRate, storedRate, classifiedRate float64
	ack, stored, alerted                loadgen.Latency
	peakRSS                             uint64
	report, alertReport                 string
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func endToEnd(ctx context.Context, o options, work string, chCfg config.ClickHouse, gen *loadgen.Generator, log *slog.Logger) (*e2eResult, error) {
	natsPort, err := freePort()
	if err != nil {
		return nil, err
	}
	httpPort, err := freePort()
	if err != nil {
		return nil, err
	}
	// Every exposure of a protected member below upTo must alert: the watchlist holds one
	// invented member per such post.
	upTo := o.posts
	if o.duration > 0 {
		rate := o.rate
		if rate <= 0 {
			rate = 30000
		}
		upTo = uint64(rate*o.duration.Seconds()*1.2) + 1000
	}
	wlPath := filepath.Join(work, "watchlist.yaml")
	wl, err := os.OpenFile(wlPath, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, err
	}
	if _, err := gen.Watchlist(wl, upTo); err != nil {
		wl.Close()
		return nil, err
	}
	if err := wl.Close(); err != nil {
		return nil, err
	}
	rcv := alertstest.NewWebhookReceiver([]string{hookSecret}, 0)
	defer rcv.Close()

	cfgPath := filepath.Join(work, "kuzot.yaml")
	y := fmt.Sprintf(`data_dir: %q
log: {level: warn}
http: {listen: "127.0.0.1:%d", metrics_listen: shared, pprof: %t}
nats:
  embedded: {host: 127.0.0.1, port: %d, store_dir: %q}
  password: %q
  posts_max_bytes: 17179869184
clickhouse: {addr: %q, database: %q, password: %q}
%s`, filepath.Join(work, "data"), httpPort, o.profile != "", natsPort, filepath.Join(work, "js"), natsPassword, chCfg.Addr, chCfg.Database, string(chCfg.Password),
		loadgen.AlertsConfig(wlPath, "bench-hook", rcv.URL, "KUZOT_BENCH_HOOK_SECRET"))
	if err := os.WriteFile(cfgPath, []byte(y), 0o600); err != nil {
		return nil, err
	}
	logPath := filepath.Join(work, "kuzot.log")
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	defer reportLog(logPath)
	cmd := exec.Command(o.kuzot, "run", "--roles", e2eRoles, "--config", cfgPath)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.Env = append(os.Environ(), "KUZOT_NATS_URL=", "KUZOT_CLICKHOUSE_ADDR=", "KUZOT_HTTP_LISTEN=", "KUZOT_HTTP_METRICS_LISTEN=",
		"KUZOT_WATCHLIST_KEY="+watchlistKey, "KUZOT_BENCH_HOOK_SECRET="+hookSecret)
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	var stopOnce sync.Once
	stop := func() {
		stopOnce.Do(func() {
			_ = cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-exited:
			case <-time.After(30 * time.Second):
				_ = cmd.Process.Kill()
			}
		})
	}
	defer stop()
	if err := waitReady(fmt.Sprintf("127.0.0.1:%d", httpPort), exited, filepath.Join(work, "kuzot.log")); err != nil {
		return nil, err
	}
	peak := make(chan uint64, 1)
	pctx, pstop := context.WithCancel(ctx)
	defer pstop()
	go func() { peak <- watchHWM(pctx, cmd.Process.Pid) }()

	nc, err := nats.Connect(fmt.Sprintf("nats://127.0.0.1:%d", natsPort), nats.MaxReconnects(-1), nats.UserInfo("kuzot", natsPassword))
	if err != nil {
		return nil, err
	}
	defer nc.Close()
	js, err := jetstream.New(nc, jetstream.WithPublishAsyncTimeout(10*time.Second), jetstream.WithPublishAsyncMaxPending(o.window))
	if err != nil {
		return nil, err
	}
	tracker := loadgen.NewFloorTracker(js, pipeline.PostsStream, pipeline.StorePostsConsumer)
	tctx, tstop := context.WithCancel(ctx)
	defer tstop()
	go tracker.Run(tctx, 50*time.Millisecond)

	ledger := loadgen.NewLedger(int(o.posts))
	opt := loadgen.Options{Posts: o.posts, Rate: o.rate, Window: o.window, Batch: o.batch}
	if o.duration > 0 {
		opt.Posts, opt.Duration = 0, o.duration
	}
	profiled := make(chan error, 1)
	if o.profile != "" {
		go func() {
			wait := 20 * time.Second
			if o.duration > 0 {
				wait = o.duration * 2 / 3
			}
			time.Sleep(wait)
			profiled <- fetchProfile(httpPort, "profile?seconds=30", filepath.Join(o.profile, "cpu.pprof"))
		}()
	}
	start := time.Now()
	st, err := loadgen.Publish(ctx, js, gen, ledger, opt)
	if err != nil {
		return nil, err
	}
	if o.profile != "" {
		if err := fetchProfile(httpPort, "heap", filepath.Join(o.profile, "heap.pprof")); err != nil {
			return nil, err
		}
		if err := <-profiled; err != nil {
			return nil, err
		}
	}
	wctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	if err := loadgen.WaitFloor(wctx, tracker, ledger.MaxSeq(), 20*time.Millisecond); err != nil {
		return nil, err
	}
	storedAt := time.Since(start)
	time.Sleep(100 * time.Millisecond)
	tstop()
	drainedAt, err := waitDrained(wctx, js)
	if err != nil {
		return nil, err
	}
	classifiedAt := drainedAt.Sub(start)
	alertRep, err := waitAlerts(wctx, rcv, gen, ledger, upTo)
	if err != nil {
		return nil, err
	}
	pstop()
	res := &e2eResult{posts: ledger.Len(), peakRSS: <-peak, alertReport: alertRep.String()}
	ledger.ApplyStored(tracker.Samples())
	recs := ledger.Snapshot()
	res.ack, res.stored, res.alerted = loadgen.AckLatency(recs), loadgen.StoredLatency(recs), loadgen.AlertedLatency(recs)
	slowAlerts(recs, start)
	n := float64(st.Acked + st.Duplicates)
	res.ackRate = st.Rate()
	res.storedRate = n / storedAt.Seconds()
	res.classifiedRate = n / classifiedAt.Seconds()

	conn, err := storage.Open(ctx, chCfg, log)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	rep, err := loadgen.Check(ctx, conn, gen, ledger, loadgen.CheckOptions{Classifiers: classifiersall.Registry().Names(), MaxRawDuplicates: 0})
	if err != nil {
		return nil, err
	}
	res.report = rep.String()
	if rep.Err() != nil {
		return res, fmt.Errorf("check failed: %w", rep.Err())
	}
	if err := alertRep.Err(); err != nil {
		return res, fmt.Errorf("alert check failed: %s", alertRep)
	}
	stop() // the roles write on shutdown (the coordination detector's last clusters)
	_ = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+chCfg.Database)
	return res, nil
}

// slowAlerts prints to stderr when the slowest alerts' posts were published, to tell a
// stall at one moment from a slowdown over the whole run.
func slowAlerts(recs []loadgen.Record, start time.Time) {
	type slow struct {
		at  time.Duration
		lat time.Duration
	}
	var all []slow
	for _, r := range recs {
		if r.Alerted != 0 {
			all = append(all, slow{time.Duration(r.Published - start.UnixNano()), time.Duration(r.Alerted - r.Published)})
		}
	}
	slices.SortFunc(all, func(a, b slow) int { return int(b.lat - a.lat) })
	for i := range min(len(all), 10) {
		fmt.Fprintf(os.Stderr, "slow alert: published at +%s, delivered after %s\n", all[i].at.Round(time.Second), all[i].lat.Round(time.Millisecond))
	}
}

// reportLog copies the kuzot process's warnings and errors (it logs at level warn) to
// stderr, at most 20 lines, so that a slow or failed run says what went wrong.
func reportLog(path string) {
	f, err := os.Open(path)
	if err != nil {
		return
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	n := 0
	for sc.Scan() {
		if line := sc.Text(); strings.Contains(line, "level=WARN") || strings.Contains(line, "level=ERROR") {
			if n < 20 {
				fmt.Fprintln(os.Stderr, "kuzot:", line)
			}
			n++
		}
	}
	if n > 0 {
		fmt.Fprintf(os.Stderr, "kuzot logged %d warnings and errors during the run\n", n)
	}
}

// fetchProfile saves one /debug/pprof/ profile of the kuzot process.
func fetchProfile(httpPort int, what, path string) error {
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/debug/pprof/%s", httpPort, what))
	if err != nil {
		return fmt.Errorf("profile %s: %w", what, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("profile %s: %s", what, resp.Status)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return fmt.Errorf("profile %s: %w", what, err)
	}
	return f.Close()
}

// waitAlerts waits until the receiver has a distinct alert for every acknowledged
// exposure of a protected member (and one second more, so that an extra alert would be
// seen), then checks the alerts and fills in each post's alert time.
func waitAlerts(ctx context.Context, rcv *alertstest.WebhookReceiver, gen *loadgen.Generator, ledger *loadgen.Ledger, upTo uint64) (*loadgen.AlertReport, error) {
	expected := 0
	for n, r := range ledger.Snapshot() {
		if (r.Outcome == loadgen.Acked || r.Outcome == loadgen.Duplicate) && uint64(n) < upTo && gen.Watched(uint64(n)) {
			expected++
		}
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		ids := map[string]bool{}
		for _, r := range rcv.Received() {
			ids[r.ID] = true
		}
		if len(ids) >= expected || time.Now().After(deadline) || ctx.Err() != nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(time.Second)
	if err := rcv.Rejected(); err != nil {
		return nil, fmt.Errorf("the webhook receiver rejected deliveries: %w", err)
	}
	return loadgen.CheckAlerts(gen, ledger, deliveries(rcv.Received()), loadgen.AlertCheckOptions{UpTo: upTo, Channels: 1}), nil
}

// deliveries converts what the receiver verified into the checker's form.
func deliveries(rs []alertstest.Received) []loadgen.Delivery {
	out := make([]loadgen.Delivery, 0, len(rs))
	for _, r := range rs {
		out = append(out, loadgen.DeliveryOf(r.ID, &r.Message, r.At))
	}
	return out
}

// waitDrained returns when classify and store-results have nothing pending or unacked.
func waitDrained(ctx context.Context, js jetstream.JetStream) (time.Time, error) {
	for {
		done := true
		for _, sc := range [][2]string{{pipeline.PostsStream, pipeline.ClassifyConsumer}, {pipeline.ResultsStream, pipeline.StoreResultsConsumer}} {
			c, err := js.Consumer(ctx, sc[0], sc[1])
			if err != nil {
				done = false
				break
			}
			if i := c.CachedInfo(); i.NumPending != 0 || i.NumAckPending != 0 {
				done = false
				break
			}
		}
		if done {
			return time.Now(), nil
		}
		select {
		case <-ctx.Done():
			return time.Time{}, fmt.Errorf("classifications not drained: %w", ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func waitReady(addr string, exited <-chan error, logPath string) error {
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			b, _ := os.ReadFile(logPath)
			return fmt.Errorf("kuzot exited during start: %v\n%s", err, b)
		default:
		}
		if resp, err := http.Get("http://" + addr + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return errors.New("kuzot not ready within 60 s")
}

// watchHWM returns the process's peak resident memory (VmHWM) when ctx ends. Every 30 s
// it prints the process's resident memory and CPU use to stderr, so that a run shows
// whether memory levels off.
func watchHWM(ctx context.Context, pid int) uint64 {
	var peak uint64
	t := time.NewTicker(500 * time.Millisecond)
	defer t.Stop()
	start, lastCPU, lastAt := time.Now(), cpuSeconds(pid), time.Now()
	for {
		if v, err := vmHWM(fmt.Sprintf("/proc/%d/status", pid)); err == nil {
			peak = max(peak, v)
		}
		if time.Since(lastAt) >= 30*time.Second {
			cpu := cpuSeconds(pid)
			rss, _ := procField(fmt.Sprintf("/proc/%d/status", pid), "VmRSS:")
			fmt.Fprintf(os.Stderr, "kuzot at +%s: resident %s, CPU %.0f%%\n", time.Since(start).Round(time.Second), mib(rss),
				100*(cpu-lastCPU)/time.Since(lastAt).Seconds())
			lastCPU, lastAt = cpu, time.Now()
		}
		select {
		case <-ctx.Done():
			return peak
		case <-t.C:
		}
	}
}

func selfHWM() uint64 {
	v, _ := vmHWM("/proc/self/status")
	return v
}

// cpuSeconds is the user+system CPU time of a process (from /proc/<pid>/stat).
func cpuSeconds(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// Fields after the command name (which may contain spaces) start after ") ".
	i := strings.LastIndexByte(string(b), ')')
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (ut + st) / 100 // clock ticks (USER_HZ = 100 on Linux)
}

func vmHWM(path string) (uint64, error) { return procField(path, "VmHWM:") }

// procField reads a "kB" field of /proc/<pid>/status.
func procField(path, field string) (uint64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(io.LimitReader(f, 64<<10))
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), field); ok {
			kb, err := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10, err
		}
	}
	return 0, errors.New("no " + field)
}
