package chaos

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/kuzot/kuzot/alerts/alertstest"
	classifiersall "github.com/kuzot/kuzot/classifiers/all"
	"github.com/kuzot/kuzot/config"
	"github.com/kuzot/kuzot/internal/testenv"
	"github.com/kuzot/kuzot/loadgen"
	"github.com/kuzot/kuzot/pipeline"
	"github.com/kuzot/kuzot/storage"
)

// kuzotBin is the binary under test, built once by TestMain.
var kuzotBin string

// repoRoot is the module root (scripts/ live there).
var repoRoot string

func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() {
		os.Exit(m.Run()) // every test here skips under -short
	}
	dir, err := os.MkdirTemp("", "kuzot-chaos-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, "chaos: temp dir:", err)
		os.Exit(1)
	}
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil || strings.TrimSpace(string(out)) == "" {
		fmt.Fprintln(os.Stderr, "chaos: cannot find the module root:", err)
		os.Exit(1)
	}
	repoRoot = filepath.Dir(strings.TrimSpace(string(out)))
	kuzotBin = filepath.Join(dir, "kuzot")
	build := exec.Command("go", "build", "-o", kuzotBin, "./cmd/kuzot")
	build.Dir = repoRoot
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "chaos: go build ./cmd/kuzot:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// proc is one kuzot process of a test cluster.
type proc struct {
	name    string
	args    []string
	logPath string
	cmd     *exec.Cmd
	// exited is closed when the current incarnation has exited; err is its exit status.
	exited chan struct{}
	err    error
}

// cluster is a set of kuzot processes sharing one JetStream server and one ClickHouse
// database, plus the test's own JetStream client for load and observation.
type cluster struct {
	t        *testing.T
	dir      string
	natsPort int
	natsURL  string
	// natsPassword is the password of the embedded server's user, in every process's config.
	natsPassword string
	ch           config.ClickHouse
	// storeCH is the address the store role uses (a proxy in some tests).
	storeCH string
	// extra YAML appended to every role config (e.g. nats.posts_max_bytes).
	extra string
	// embedded makes role processes run the JetStream server themselves (one process).
	embedded bool
	// sections is top-level YAML appended to every role config (e.g. alerts:).
	sections string
	// env is added to every process's environment.
	env []string
	// chCluster is clickhouse.cluster of every role (a ClickHouse cluster, cluster_test.go).
	chCluster string

	mu    sync.Mutex
	procs []*proc
	nc    *nats.Conn
	js    jetstream.JetStream
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// newCluster prepares a cluster on a fresh database of ch (nothing is started yet).
func newCluster(t *testing.T, ch config.ClickHouse) *cluster {
	t.Helper()
	c := &cluster{t: t, dir: t.TempDir(), ch: ch, storeCH: ch.Addr}
	c.natsPort = freePort(t)
	c.natsURL = fmt.Sprintf("nats://127.0.0.1:%d", c.natsPort)
	c.natsPassword = "chaos-nats-password-" + fmt.Sprint(c.natsPort) + "-0123456789abcdef"
	t.Cleanup(c.shutdown)
	return c
}

// config writes the YAML for one process and returns its path.
func (c *cluster) config(name string, httpPort int, chAddr string, embedded bool) string {
	natsSection := fmt.Sprintf("  url: %q\n", c.natsURL)
	if embedded {
		natsSection = fmt.Sprintf("  embedded: {host: 127.0.0.1, port: %d, store_dir: %q}\n", c.natsPort, filepath.Join(c.dir, "jetstream"))
	}
	natsSection += fmt.Sprintf("  password: %q\n", c.natsPassword)
	chCluster, dataDir := "", filepath.Join(c.dir, "data")
	if c.chCluster != "" {
		// Replicas of one role on a cluster each have their own data directory, as on
		// separate machines.
		chCluster, dataDir = fmt.Sprintf(", cluster: %q", c.chCluster), filepath.Join(dataDir, name)
	}
	y := fmt.Sprintf(`data_dir: %q
log: {level: info}
http: {listen: "127.0.0.1:%d", metrics_listen: shared}
nats:
%s  max_deliver: 20
%s
clickhouse: {addr: %q, database: %q, password: %q, dial_timeout: 2s%s}
store: {batch_rows: 500, flush_interval: 100ms, retry_max: 1s}
%s`, dataDir, httpPort, natsSection, c.extra, chAddr, c.ch.Database, string(c.ch.Password), chCluster, c.sections)
	p := filepath.Join(c.dir, name+".yaml")
	if err := os.WriteFile(p, []byte(y), 0o600); err != nil {
		c.t.Fatal(err)
	}
	return p
}

// start runs `kuzot <args>` with its output in a log file and waits until its HTTP
// listener (or, for the JetStream server, the NATS port) answers.
func (c *cluster) start(name string, args ...string) *proc {
	c.t.Helper()
	p := &proc{name: name, args: args, logPath: filepath.Join(c.dir, name+".log")}
	c.launch(p)
	c.mu.Lock()
	c.procs = append(c.procs, p)
	c.mu.Unlock()
	return p
}

func (c *cluster) launch(p *proc) {
	c.t.Helper()
	f, err := os.OpenFile(p.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		c.t.Fatal(err)
	}
	fmt.Fprintf(f, "=== start %s %s\n", p.name, time.Now().Format(time.RFC3339Nano))
	cmd := exec.Command(kuzotBin, p.args...)
	cmd.Stdout, cmd.Stderr = f, f
	cmd.Env = append(os.Environ(), "KUZOT_NATS_URL=", "KUZOT_CLICKHOUSE_ADDR=", "KUZOT_HTTP_LISTEN=", "KUZOT_HTTP_METRICS_LISTEN=", "KUZOT_CONFIG=")
	cmd.Env = append(cmd.Env, c.env...)
	if err := cmd.Start(); err != nil {
		f.Close()
		c.t.Fatalf("start %s: %v", p.name, err)
	}
	p.cmd = cmd
	exited := make(chan struct{})
	p.exited = exited
	go func() { p.err = cmd.Wait(); f.Close(); close(exited) }()
}

// kill sends SIGKILL (no drain, no final flush) and waits for the process to exit.
func (c *cluster) kill(p *proc) {
	c.t.Helper()
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.exited
	c.t.Logf("SIGKILL %s at %s", p.name, time.Now().Format("15:04:05.000"))
}

// stop sends SIGTERM and waits up to 30 s for a clean drain.
func (c *cluster) stop(p *proc) {
	c.t.Helper()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(30 * time.Second):
		_ = p.cmd.Process.Signal(syscall.SIGKILL)
		<-p.exited
		c.t.Errorf("%s did not stop within 30 s of SIGTERM", p.name)
	}
}

// restart launches a stopped process again with the same arguments.
func (c *cluster) restart(p *proc) { c.t.Helper(); c.launch(p) }

func (c *cluster) shutdown() {
	c.mu.Lock()
	procs := c.procs
	c.mu.Unlock()
	for _, p := range procs {
		select {
		case <-p.exited:
			continue
		default:
		}
		_ = p.cmd.Process.Signal(syscall.SIGKILL)
		<-p.exited
	}
	if c.nc != nil {
		c.nc.Close()
	}
	if c.t.Failed() {
		for _, p := range procs {
			c.t.Logf("--- last lines of %s:\n%s", p.name, tail(p.logPath, 40))
		}
	}
}

func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// startJetStream runs `kuzot jetstream` on the cluster's port.
func (c *cluster) startJetStream() *proc {
	c.t.Helper()
	cfg := c.config("jetstream", freePort(c.t), c.ch.Addr, true)
	p := c.start("jetstream", "jetstream", "--config", cfg)
	c.waitTCP(fmt.Sprintf("127.0.0.1:%d", c.natsPort))
	return p
}

// startRoles runs `kuzot run --roles <roles>` and waits for /readyz. It returns the
// process and its HTTP address.
func (c *cluster) startRoles(name, roles string) (*proc, string) {
	c.t.Helper()
	port := freePort(c.t)
	chAddr := c.ch.Addr
	if strings.Contains(roles, "store") {
		chAddr = c.storeCH
	}
	cfg := c.config(name, port, chAddr, c.embedded)
	p := c.start(name, "run", "--roles", roles, "--config", cfg)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	c.waitReady(p, addr)
	return p, addr
}

func (c *cluster) waitTCP(addr string) {
	c.t.Helper()
	testenv.Eventually(c.t, 30*time.Second, "listener on "+addr, func() bool {
		conn, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			conn.Close()
		}
		return err == nil
	})
}

func (c *cluster) waitReady(p *proc, addr string) {
	c.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case <-p.exited:
			c.t.Fatalf("%s exited during start: %v\n%s", p.name, p.err, tail(p.logPath, 30))
		default:
		}
		resp, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("%s not ready on %s within 60 s\n%s", p.name, addr, tail(p.logPath, 30))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// client connects the test's own JetStream client (reconnecting forever).
func (c *cluster) client() jetstream.JetStream {
	c.t.Helper()
	if c.js != nil {
		return c.js
	}
	nc, err := nats.Connect(c.natsURL, nats.MaxReconnects(-1), nats.ReconnectWait(200*time.Millisecond),
		nats.RetryOnFailedConnect(true), nats.UserInfo("kuzot", c.natsPassword))
	if err != nil {
		c.t.Fatal(err)
	}
	js, err := jetstream.New(nc, jetstream.WithPublishAsyncTimeout(5*time.Second), jetstream.WithPublishAsyncMaxPending(512))
	if err != nil {
		c.t.Fatal(err)
	}
	c.nc, c.js = nc, js
	return js
}

// load is a running load generator.
type load struct {
	gen    *loadgen.Generator
	ledger *loadgen.Ledger
	done   chan error
	stats  loadgen.Stats
}

// startLoad publishes posts at rate posts/s in the background.
func (c *cluster) startLoad(ctx context.Context, run string, posts uint64, rate float64) *load {
	c.t.Helper()
	l := c.newLoad(run, posts, loadgen.DefaultMix)
	c.run(ctx, l, posts, rate)
	return l
}

// newLoad prepares a load generator (so that its watchlist can be written before the
// roles start) without publishing anything.
func (c *cluster) newLoad(run string, posts uint64, mix loadgen.Mix) *load {
	c.t.Helper()
	gen, err := loadgen.NewGenerator(run, uint64(time.Now().UnixNano()), mix, time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		c.t.Fatal(err)
	}
	return &load{gen: gen, ledger: loadgen.NewLedger(int(posts)), done: make(chan error, 1)}
}

// run publishes l's posts at rate posts/s in the background.
func (c *cluster) run(ctx context.Context, l *load, posts uint64, rate float64) {
	c.t.Helper()
	gen := l.gen
	ctx, cancel := context.WithCancel(ctx)
	c.t.Cleanup(cancel) // a test that fails early must not leave its publisher retrying
	js := c.client()
	go func() {
		st, err := loadgen.Publish(ctx, js, gen, l.ledger, loadgen.Options{Posts: posts, Rate: rate, Window: 256, RetryMax: time.Second,
			Log: testenv.Logger(c.t)})
		l.stats = st
		l.done <- err
	}()
}

// alertingLoad prepares a load in which every exposure names a protected member and
// turns alerts on for every role process started afterwards (start them after this).
func (c *cluster) alertingLoad(run string) (*load, *alertstest.WebhookReceiver) {
	c.t.Helper()
	mix := loadgen.DefaultMix
	mix.WatchedPermille = 1000
	l := c.newLoad(run, scale.posts, mix)
	return l, c.enableAlerts(l, scale.posts)
}

// Invented secrets for the alert tests' webhook receiver and watchlist key.
const (
	hookSecret   = "whsec_a3V6b3QtY2hhb3MtdGVzdC1zZWNyZXQtMzItYnl0ZSE="
	watchlistKey = "chaos-watchlist-key-0123456789abcdef"
)

// enableAlerts makes every later role process alert about l's protected members: it
// writes l's watchlist (every watched post below upTo) for the classify role, routes
// the organisation's alerts to a webhook receiver in the test, and returns it.
func (c *cluster) enableAlerts(l *load, upTo uint64) *alertstest.WebhookReceiver {
	c.t.Helper()
	path := filepath.Join(c.dir, "watchlist.yaml")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		c.t.Fatal(err)
	}
	members, err := l.gen.Watchlist(f, upTo)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		c.t.Fatal(err)
	}
	if members == 0 {
		c.t.Fatal("the load names no protected member: the alert check would be vacuous")
	}
	rcv := alertstest.NewWebhookReceiver([]string{hookSecret}, 0)
	c.t.Cleanup(rcv.Close)
	c.sections += loadgen.AlertsConfig(path, "chaos-hook", rcv.URL, "KUZOT_CHAOS_HOOK_SECRET")
	c.env = append(c.env, "KUZOT_WATCHLIST_KEY="+watchlistKey, "KUZOT_CHAOS_HOOK_SECRET="+hookSecret)
	return rcv
}

// checkAlerts waits until rcv has an alert for every acknowledged exposure of a
// protected member (then two seconds more, to see any extra one) and fails the test
// unless every expected alert arrived exactly once and nothing else did; at most
// maxRepeats receipts may repeat an alert id (a sender killed between the receiver's
// answer and recording "sent").
func (c *cluster) checkAlerts(l *load, rcv *alertstest.WebhookReceiver, upTo uint64, maxRepeats int, timeout time.Duration) {
	c.t.Helper()
	expected := 0
	for n, r := range l.ledger.Snapshot() {
		if (r.Outcome == loadgen.Acked || r.Outcome == loadgen.Duplicate) && uint64(n) < upTo && l.gen.Watched(uint64(n)) {
			expected++
		}
	}
	if expected == 0 {
		c.t.Fatal("no acknowledged exposure of a protected member: the alert check is vacuous")
	}
	testenv.Eventually(c.t, timeout, fmt.Sprintf("%d alerts at the receiver", expected), func() bool {
		ids := map[string]bool{}
		for _, r := range rcv.Received() {
			ids[r.ID] = true
		}
		return len(ids) >= expected
	})
	time.Sleep(2 * time.Second)
	if err := rcv.Rejected(); err != nil {
		c.t.Fatalf("the receiver rejected deliveries (bad signature or body): %v", err)
	}
	var ds []loadgen.Delivery
	for _, r := range rcv.Received() {
		ds = append(ds, loadgen.DeliveryOf(r.ID, &r.Message, r.At))
	}
	rep := loadgen.CheckAlerts(l.gen, l.ledger, ds, loadgen.AlertCheckOptions{UpTo: upTo, Channels: 1, MaxRedeliveries: maxRepeats})
	c.t.Log("alert check:", rep)
	if err := rep.Err(); err != nil {
		c.t.Fatalf("alert check failed:\n%v", err)
	}
}

func (l *load) wait(t *testing.T, timeout time.Duration) {
	t.Helper()
	select {
	case err := <-l.done:
		if err != nil {
			t.Fatalf("load: %v", err)
		}
		t.Logf("load: %+v (%.0f posts/s acknowledged)", l.stats, l.stats.Rate())
	case <-time.After(timeout):
		t.Fatalf("load did not finish within %s (acked so far: %v)", timeout, l.ledger.Counts())
	}
}

// waitDrained waits until every consumer of the pipeline has nothing pending and
// nothing unacknowledged, in pipeline order, twice in a row.
func (c *cluster) waitDrained(timeout time.Duration, consumers ...[2]string) {
	c.t.Helper()
	js := c.client()
	ok := 0
	testenv.EventuallyCtx(c.t, context.Background(), timeout, 3*time.Second, "pipeline drained", func(ctx context.Context) bool {
		for _, sc := range consumers {
			cons, err := js.Consumer(ctx, sc[0], sc[1])
			if err != nil {
				ok = 0
				return false
			}
			info := cons.CachedInfo()
			if info.NumPending != 0 || info.NumAckPending != 0 {
				ok = 0
				return false
			}
		}
		ok++
		return ok >= 2
	})
}

var (
	storePosts   = [2]string{pipeline.PostsStream, pipeline.StorePostsConsumer}
	classify     = [2]string{pipeline.PostsStream, pipeline.ClassifyConsumer}
	storeResults = [2]string{pipeline.ResultsStream, pipeline.StoreResultsConsumer}
)

// check runs the ledger checker against ClickHouse and fails the test on any violation.
func (c *cluster) check(l *load, classifiers []string, maxRawDup int) *loadgen.Report {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	conn := c.conn(ctx)
	defer conn.Close()
	rep, err := loadgen.Check(ctx, conn, l.gen, l.ledger, loadgen.CheckOptions{Classifiers: classifiers, MaxRawDuplicates: maxRawDup})
	if err != nil {
		c.t.Fatal(err)
	}
	c.t.Log("check:", rep)
	if err := rep.Err(); err != nil {
		c.t.Fatalf("end-to-end check failed:\n%v", err)
	}
	if rep.MustAppear == 0 {
		c.t.Fatal("nothing was acknowledged: the check is vacuous")
	}
	return rep
}

func (c *cluster) conn(ctx context.Context) driver.Conn {
	c.t.Helper()
	conn, err := storage.Open(ctx, c.ch, testenv.Logger(c.t))
	if err != nil {
		c.t.Fatal(err)
	}
	return conn
}

// dlqCount is how many messages the dead-letter stream holds (a transient fault must
// never dead-letter anything).
func (c *cluster) dlqCount() uint64 {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s, err := c.client().Stream(ctx, pipeline.DLQStream)
	if err != nil {
		c.t.Fatal(err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		c.t.Fatal(err)
	}
	return info.State.Msgs
}

var metricLine = regexp.MustCompile(`^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{([^}]*)\})? ([0-9.eE+-]+)$`)

// metric reads one sample from a process's /metrics (labels as `k="v"` substrings).
func metric(t *testing.T, addr, name string, labels ...string) (float64, bool) {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		return 0, false
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(io.LimitReader(resp.Body, 8<<20))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		m := metricLine.FindStringSubmatch(sc.Text())
		if m == nil || m[1] != name {
			continue
		}
		all := true
		for _, l := range labels {
			all = all && strings.Contains(m[2], l)
		}
		if all {
			v, err := strconv.ParseFloat(m[3], 64)
			return v, err == nil
		}
	}
	return 0, false
}

// classifierNames are the classifiers the classify role runs (one classifications row
// each); the binary is built from the same tree as this test.
func classifierNames() []string { return classifiersall.Registry().Names() }

// jitter returns a random duration in [lo, hi).
func jitter(lo, hi time.Duration) time.Duration {
	return lo + time.Duration(rand.Int64N(int64(hi-lo)))
}

func netListen(port int) (net.Listener, error) {
	return net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
}
