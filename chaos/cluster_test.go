package chaos

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/kuzot/kuzot/alerts/alertstest"
	"github.com/kuzot/kuzot/config"
	"github.com/kuzot/kuzot/internal/testenv"
	"github.com/kuzot/kuzot/loadgen"
	"github.com/kuzot/kuzot/pipeline"
	"github.com/kuzot/kuzot/storage"
)

// The cluster scenarios (issue 18) run the whole multi-node layout on loopback: three
// `kuzot jetstream` nodes with every stream, consumer and bucket at R3, ZooKeeper and
// four ClickHouse 18.16 servers (2 shards x 2 replicas, scripts/clickhouse-cluster-local.sh,
// in a temporary directory on free ports), and two `kuzot run` processes, each running
// every role but ocr, so that every role has two replicas sharing its work. One fault is
// injected under load from package loadgen, then the ledger checks: every acknowledged
// post stored exactly once after FINAL across the shards with one classification per
// classifier, and every expected alert delivered exactly once.

// clusterRoles are the roles of each replica process (ocr is left out: loadgen posts
// carry no images, and Tesseract would only cost memory).
const clusterRoles = "store,classify,alert,collect,coordinate,report,serve,tipline"

// chClusterName is the remote_servers cluster of scripts/clickhouse-cluster-local.sh.
const chClusterName = "kuzot_cluster"

// wholeCluster is a started local cluster.
type wholeCluster struct {
	*cluster
	chScript string
	chEnv    []string
	chLog    string
	nats     []*proc
	// replicas are the two role processes; addrs their HTTP addresses.
	replicas []*proc
	addrs    []string
}

// needClusterServers skips (or fails under KUZOT_TEST_REQUIRE_SERVICES, which make test
// sets after installing them) when clickhouse-server or ZooKeeper is missing.
func needClusterServers(t *testing.T) {
	t.Helper()
	var missing []string
	if _, err := exec.LookPath("clickhouse-server"); err != nil {
		if _, err := os.Stat("/usr/sbin/clickhouse-server"); err != nil {
			missing = append(missing, "clickhouse-server")
		}
	}
	if _, err := os.Stat("/usr/share/java/zookeeper.jar"); err != nil {
		missing = append(missing, "zookeeper")
	}
	if len(missing) == 0 {
		return
	}
	if os.Getenv(testenv.RequireEnv) != "" {
		t.Fatalf("%v not installed but %s is set (make test installs them)", missing, testenv.RequireEnv)
	}
	t.Skipf("%v not installed (make test installs them)", missing)
}

// freeCHBase finds a base port for scripts/clickhouse-cluster-local.sh whose ports
// (base+1..4 native, base+11..14 interserver, base+81 ZooKeeper) are all free.
func freeCHBase(t *testing.T) int {
	t.Helper()
	for range 100 {
		base := 30000 + 100*rand.IntN(250)
		ok := true
		for _, off := range []int{1, 2, 3, 4, 11, 12, 13, 14, 81} {
			ln, err := netListen(base + off)
			if err != nil {
				ok = false
				break
			}
			ln.Close()
		}
		if ok {
			return base
		}
	}
	t.Fatal("no free port range for the ClickHouse cluster")
	return 0
}

// chctl runs scripts/clickhouse-cluster-local.sh with args; its output goes to a log
// file (the servers it starts in the background must not hold a pipe of ours).
func (w *wholeCluster) chctl(args ...string) string {
	w.t.Helper()
	f, err := os.OpenFile(w.chLog, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		w.t.Fatal(err)
	}
	defer f.Close()
	var out strings.Builder
	cmd := exec.Command(w.chScript, args...)
	cmd.Env = append(os.Environ(), w.chEnv...)
	cmd.Stderr = f
	cmd.Stdout = &out
	started := time.Now()
	err = cmd.Run()
	fmt.Fprintf(f, "=== %v (%s):\n%s", args, time.Since(started).Round(time.Millisecond), out.String())
	if err != nil {
		w.t.Fatalf("clickhouse-cluster-local.sh %v: %v\n%s", args, err, tail(w.chLog, 30))
	}
	return strings.TrimSpace(out.String())
}

// startWholeCluster brings up ZooKeeper and the 2x2 ClickHouse cluster, migrates a
// database on it, and starts three JetStream nodes. Roles are started separately
// (startReplicas), after any load whose watchlist they need.
func startWholeCluster(t *testing.T) *wholeCluster {
	t.Helper()
	skipShort(t)
	needClusterServers(t)
	started := time.Now()
	w := &wholeCluster{chScript: filepath.Join(repoRoot, "scripts", "clickhouse-cluster-local.sh")}
	chDir := filepath.Join(t.TempDir(), "clickhouse-cluster")
	w.chLog = filepath.Join(t.TempDir(), "clickhouse-cluster.log")
	w.chEnv = []string{"KUZOT_CH_CLUSTER_DIR=" + chDir, fmt.Sprintf("KUZOT_CH_CLUSTER_PORT=%d", freeCHBase(t)), "GRAFANA_DATABASES=kuzot_chaos_grafana"}
	w.cluster = &cluster{t: t} // for chctl's t until newCluster below
	// Registered before newCluster's shutdown, so it runs after the role processes died.
	// The data is thrown away, so SIGKILL (the script's down waits for each server to
	// flush, sequentially); down afterwards removes whatever is left.
	t.Cleanup(func() {
		for _, n := range []string{"1", "2", "3", "4", "zk"} {
			cmd := exec.Command(w.chScript, "kill", n)
			cmd.Env = append(os.Environ(), w.chEnv...)
			_ = cmd.Run()
		}
		cmd := exec.Command(w.chScript, "down")
		cmd.Env = append(os.Environ(), w.chEnv...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("clickhouse-cluster-local.sh down: %v\n%s", err, out)
		}
		if t.Failed() {
			t.Logf("--- clickhouse cluster script log:\n%s", tail(w.chLog, 40))
		}
	})
	w.chctl("up")
	ch := config.Default().CH
	ch.Addr = w.chctl("addrs")
	ch.Password = config.Secret(w.chctl("password"))
	ch.Cluster = chClusterName
	ch.Database = "kuzot_chaos"
	t.Logf("ClickHouse cluster up after %s: %s", time.Since(started).Round(time.Millisecond), ch.Addr)

	w.cluster = newCluster(t, ch)
	w.chCluster = chClusterName
	w.extra = "  replicas: 3\n  leases: {ttl: 4s, renew: 1s}\n"
	w.startNATS()
	t.Logf("JetStream cluster up after %s", time.Since(started).Round(time.Millisecond))

	// Migrate once, before the replicas start (each would otherwise race to apply the
	// ON CLUSTER statements).
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	conn := w.conn(ctx)
	defer conn.Close()
	if _, err := storage.MigrateLayout(ctx, conn, storage.LayoutOf(ch)); err != nil {
		t.Fatalf("migrate on the ClickHouse cluster: %v", err)
	}
	t.Logf("schema migrated ON CLUSTER after %s", time.Since(started).Round(time.Millisecond))
	return w
}

// startNATS starts three `kuzot jetstream` nodes routed to each other and waits until
// each says it listens (the cluster has a meta leader and kuzot's streams are declared).
func (w *wholeCluster) startNATS() {
	w.t.Helper()
	ports := testenv.FreePorts(w.t, 6)
	var routes, urls []string
	for i := range 3 {
		routes = append(routes, fmt.Sprintf("%q", fmt.Sprintf("nats-route://127.0.0.1:%d", ports[3+i])))
		urls = append(urls, fmt.Sprintf("nats://127.0.0.1:%d", ports[i]))
	}
	w.natsURL = strings.Join(urls, ",")
	for i := range 3 {
		name := fmt.Sprintf("nats%d", i+1)
		y := fmt.Sprintf(`data_dir: %q
log: {level: info}
http: {listen: "127.0.0.1:0", metrics_listen: "127.0.0.1:0"}
nats:
  replicas: 3
  password: %q
  embedded:
    host: 127.0.0.1
    port: %d
    store_dir: %q
    server_name: kuzot-n%d
    cluster: {name: kuzot-chaos, host: 127.0.0.1, port: %d, routes: [%s]}
`, filepath.Join(w.dir, name), w.natsPassword, ports[i], filepath.Join(w.dir, name, "jetstream"), i+1, ports[3+i], strings.Join(routes, ", "))
		cfg := filepath.Join(w.dir, name+".yaml")
		if err := os.WriteFile(cfg, []byte(y), 0o600); err != nil {
			w.t.Fatal(err)
		}
		w.nats = append(w.nats, w.start(name, "jetstream", "--config", cfg))
	}
	for _, p := range w.nats {
		testenv.Eventually(w.t, 2*time.Minute, p.name+" listening", func() bool {
			b, _ := os.ReadFile(p.logPath)
			return strings.Contains(string(b), "listening")
		})
	}
}

// startReplicas starts the two role processes and waits until both are ready.
func (w *wholeCluster) startReplicas() {
	w.t.Helper()
	for i := range 2 {
		p, addr := w.startRoles(fmt.Sprintf("replica%d", i+1), clusterRoles)
		w.replicas = append(w.replicas, p)
		w.addrs = append(w.addrs, addr)
	}
}

// natsNode returns the index of the JetStream node named name (kuzot-nN).
func (w *wholeCluster) natsNode(name string) int {
	var n int
	if _, err := fmt.Sscanf(name, "kuzot-n%d", &n); err != nil || n < 1 || n > len(w.nats) {
		w.t.Fatalf("unknown JetStream node %q", name)
	}
	return n - 1
}

// postsLeader is the index of the node leading the posts stream.
func (w *wholeCluster) postsLeader() int {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := w.client().Stream(ctx, pipeline.PostsStream)
	if err != nil {
		w.t.Fatal(err)
	}
	ci := s.CachedInfo().Cluster
	if ci == nil || ci.Leader == "" {
		w.t.Fatal("the posts stream has no leader")
	}
	return w.natsNode(ci.Leader)
}

// checkBothReplicasWorked fails unless each replica acknowledged messages of the store
// and classify consumers: the durable consumers are shared, not duplicated or idle.
func (w *wholeCluster) checkBothReplicasWorked() {
	w.t.Helper()
	for i, addr := range w.addrs {
		if w.replicas[i].cmd.ProcessState != nil {
			continue // killed by the scenario; its counters are gone
		}
		for _, consumer := range []string{pipeline.StorePostsConsumer, pipeline.ClassifyConsumer} {
			v, ok := metric(w.t, addr, "kuzot_consumer_messages_total", fmt.Sprintf("consumer=%q", consumer), `outcome="acked"`)
			if !ok || v == 0 {
				w.t.Fatalf("replica %d acknowledged no %s message (%v, %v): the consumer is not shared", i+1, consumer, v, ok)
			}
			w.t.Logf("replica %d: %s acked %.0f", i+1, consumer, v)
		}
	}
}

// alertingReplicas prepares the load of a cluster scenario (scale.clusterPosts posts, in
// which every exposure names a protected member, so each may alert), the alert receiver,
// and starts the two replicas (after the watchlist they need).
func (w *wholeCluster) alertingReplicas(run string) (*load, *alertstest.WebhookReceiver) {
	w.t.Helper()
	mix := loadgen.DefaultMix
	mix.WatchedPermille = 1000
	l := w.newLoad(run, scale.clusterPosts, mix)
	rcv := w.enableAlerts(l, scale.clusterPosts)
	w.startReplicas()
	return l, rcv
}

// runToAThird starts the load at scale.clusterRate and returns once a third of it is
// acknowledged: the moment the scenarios inject their fault.
func (w *wholeCluster) runToAThird(l *load) {
	w.t.Helper()
	w.run(context.Background(), l, scale.clusterPosts, scale.clusterRate)
	testenv.Eventually(w.t, time.Minute, "a third of the posts acknowledged", func() bool { return uint64(l.ledger.Len()) > scale.clusterPosts/3 })
}

// checkLedger waits for the load and the pipeline to finish, then runs the ledger
// checks: every post acknowledged (the publisher retries until acked) and stored once
// after FINAL with its classifications, every expected alert delivered once (at most
// maxRepeats repeats of a delivery under its idempotency key).
func (w *wholeCluster) checkLedger(l *load, rcv *alertstest.WebhookReceiver, maxRepeats int) {
	w.t.Helper()
	posts := scale.clusterPosts
	l.wait(w.t, 3*time.Minute)
	w.waitDrained(scale.drainTimeout, storePosts, classify, storeResults)
	rep := w.check(l, classifierNames(), 4*2*storeBatchRows)
	if rep.MustAppear != int(posts) {
		w.t.Fatalf("%d posts acknowledged, want all %d (the publisher retries until acked)", rep.MustAppear, posts)
	}
	w.checkAlerts(l, rcv, posts, maxRepeats, scale.drainTimeout)
}

// TestChaosClusterNATSNodeKill is the short cluster test of make test: the whole
// cluster, two replicas of every role, load, and SIGKILL of the JetStream node leading
// the posts stream when a third of the posts are acknowledged.
func TestChaosClusterNATSNodeKill(t *testing.T) {
	started := time.Now()
	w := startWholeCluster(t)
	l, rcv := w.alertingReplicas("clnats")
	t.Logf("two replicas of every role ready after %s", time.Since(started).Round(time.Millisecond))

	loadStart := time.Now()
	w.runToAThird(l)
	leader := w.postsLeader()
	w.kill(w.nats[leader])
	killed := time.Now()
	t.Logf("killed JetStream node %d (posts stream leader) after %d posts", leader+1, l.ledger.Len())
	w.checkLedger(l, rcv, 2)
	if loadEnd := loadStart.Add(l.stats.Elapsed); !killed.Before(loadEnd) {
		t.Fatalf("the node was killed at %s, after the load ended at %s", killed.Format(time.StampMilli), loadEnd.Format(time.StampMilli))
	}
	w.checkBothReplicasWorked()
	if n := w.dlqCount(); n != 0 {
		t.Fatalf("%d messages dead-lettered after a node loss", n)
	}
	t.Logf("cluster scenario done in %s", time.Since(started).Round(time.Millisecond))
}

func needAllClusterScenarios(t *testing.T) {
	t.Helper()
	if !scale.clusterAll {
		t.Skip("make chaos runs this cluster scenario; make test runs only the JetStream node loss")
	}
}

// TestChaosClusterClickHouseReplicaKill SIGKILLs ClickHouse server 1 under load — a
// replica of shard 1 and the first address of every role's list, so the replicas'
// connections to it break mid-insert — and starts it again after a while. Inserts go on
// through the other replica of the shard; the restarted replica catches up.
func TestChaosClusterClickHouseReplicaKill(t *testing.T) {
	skipShort(t)
	needAllClusterScenarios(t)
	w := startWholeCluster(t)
	l, rcv := w.alertingReplicas("clch")

	w.runToAThird(l)
	w.chctl("kill", "1")
	t.Logf("SIGKILL ClickHouse server 1 (shard 01, replica ch1) after %d posts", l.ledger.Len())
	time.Sleep(loadDurationOf(scale.clusterPosts, scale.clusterRate) / 3)
	w.chctl("start", "1")
	t.Logf("ClickHouse server 1 restarted")
	w.checkLedger(l, rcv, 0)
	w.checkBothReplicasWorked()
	// The restarted replica caught up: every post of the run is on it too.
	w.checkReplicaCaughtUp(l, 1)
	if n := w.dlqCount(); n != 0 {
		t.Fatalf("%d messages dead-lettered after a ClickHouse replica loss", n)
	}
}

// TestChaosClusterRoleReplicaKill SIGKILLs one of the two role processes (a replica of
// every role: store, classify, alert, collect, coordinate, report, serve) under load. The
// other takes over its unacknowledged messages after the ack wait and, if the killed one
// led coordination, the coordinate leader lease.
func TestChaosClusterRoleReplicaKill(t *testing.T) {
	skipShort(t)
	needAllClusterScenarios(t)
	w := startWholeCluster(t)
	l, rcv := w.alertingReplicas("clrole")
	leader := -1
	testenv.Eventually(t, time.Minute, "a coordinate leader", func() bool {
		for i, p := range w.replicas {
			b, _ := os.ReadFile(p.logPath)
			if strings.Contains(string(b), "coordinate leader: this replica runs the detector") {
				leader = i
				return true
			}
		}
		return false
	})

	w.runToAThird(l)
	w.kill(w.replicas[leader])
	t.Logf("SIGKILL replica %d (the coordinate leader) after %d posts", leader+1, l.ledger.Len())
	other := w.replicas[1-leader]
	testenv.Eventually(t, time.Minute, "the standby taking the coordinate lease", func() bool {
		b, _ := os.ReadFile(other.logPath)
		return strings.Contains(string(b), "coordinate leader: this replica runs the detector")
	})
	// The killed replica's unacknowledged messages come back after the ack wait (30 s).
	w.checkLedger(l, rcv, 2)
	if n := w.dlqCount(); n != 0 {
		t.Fatalf("%d messages dead-lettered after a role replica loss", n)
	}
}

func loadDurationOf(posts uint64, rate float64) time.Duration {
	return time.Duration(float64(posts) / rate * float64(time.Second))
}

// checkReplicaCaughtUp checks that ClickHouse server n (1-based) holds, in its local
// posts table, as many of the run's posts after FINAL as the rest of its shard: the
// replica fetched what was written while it was down.
func (w *wholeCluster) checkReplicaCaughtUp(l *load, n int) {
	w.t.Helper()
	addrs := strings.Split(w.ch.Addr, ",")
	peer := map[int]int{1: 2, 2: 1, 3: 4, 4: 3}[n]
	count := func(i int) uint64 {
		cfg := w.ch
		cfg.Addr = addrs[i-1]
		cfg.Cluster = "" // the server's own local table
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := storage.Open(ctx, cfg, testenv.Logger(w.t))
		if err != nil {
			w.t.Fatal(err)
		}
		defer conn.Close()
		var c uint64
		if err := conn.QueryRow(ctx, `SELECT count() FROM posts_local FINAL WHERE position(id, ?) > 0`, ":"+l.gen.IDPrefix()).Scan(&c); err != nil {
			w.t.Fatal(err)
		}
		return c
	}
	testenv.Eventually(w.t, 2*time.Minute, fmt.Sprintf("ClickHouse server %d caught up with its shard", n), func() bool {
		a, b := count(n), count(peer)
		w.t.Logf("server %d: %d posts of the run, server %d: %d", n, a, peer, b)
		return a == b && a > 0
	})
}

// storeAcks sums the store-posts acknowledgements and failed batch writes of the live
// replicas (a killed replica's counters are gone).
func (w *wholeCluster) storeAcks() (acked, writeErrors float64) {
	w.t.Helper()
	for i, addr := range w.addrs {
		if w.replicas[i].cmd.ProcessState != nil {
			continue
		}
		v, _ := metric(w.t, addr, "kuzot_consumer_messages_total", fmt.Sprintf("consumer=%q", pipeline.StorePostsConsumer), `outcome="acked"`)
		acked += v
		e, _ := metric(w.t, addr, "kuzot_consumer_write_errors_total", fmt.Sprintf("consumer=%q", pipeline.StorePostsConsumer))
		writeErrors += e
	}
	return acked, writeErrors
}

// TestChaosClusterZooKeeperDown SIGKILLs ZooKeeper under load and starts it again
// scale.chOutage later (30 s in make chaos). Without ZooKeeper every Replicated table is
// read-only, so every insert of every role fails (code 242); the store role must keep
// the posts unacknowledged and retry, acking nothing it has not stored, and once
// ZooKeeper is back (and the servers have re-opened their sessions) store everything.
func TestChaosClusterZooKeeperDown(t *testing.T) {
	skipShort(t)
	needAllClusterScenarios(t)
	started := time.Now()
	w := startWholeCluster(t)
	l, rcv := w.alertingReplicas("clzk")

	w.runToAThird(l)
	w.chctl("kill", "zk")
	killed := time.Now()
	t.Logf("SIGKILL ZooKeeper after %d posts", l.ledger.Len())
	// The servers notice the lost session within seconds; a batch already past the
	// ZooKeeper step may still commit. From then on, nothing may be acknowledged.
	grace := 10 * time.Second
	if grace > scale.chOutage/2 {
		grace = scale.chOutage / 2
	}
	time.Sleep(grace)
	ackedBefore, errsBefore := w.storeAcks()
	time.Sleep(scale.chOutage - grace)
	ackedAfter, errsAfter := w.storeAcks()
	t.Logf("ZooKeeper down %s: store-posts acked %.0f -> %.0f, failed batch writes %.0f -> %.0f", time.Since(killed).Round(time.Millisecond), ackedBefore, ackedAfter, errsBefore, errsAfter)
	if ackedAfter != ackedBefore {
		t.Fatalf("the store role acknowledged %.0f posts while every replicated table was read-only", ackedAfter-ackedBefore)
	}
	if errsAfter <= errsBefore {
		t.Fatalf("no failed batch write while ZooKeeper was down (%.0f -> %.0f): the fault did not bite", errsBefore, errsAfter)
	}
	w.chctl("start", "zk")
	t.Logf("ZooKeeper restarted after %s", time.Since(killed).Round(time.Millisecond))
	testenv.Eventually(t, 3*time.Minute, "store-posts acknowledging again", func() bool {
		a, _ := w.storeAcks()
		return a > ackedAfter
	})
	t.Logf("store-posts acknowledging again %s after the kill", time.Since(killed).Round(time.Millisecond))
	w.checkLedger(l, rcv, 2)
	w.checkBothReplicasWorked()
	if n := w.dlqCount(); n != 0 {
		t.Fatalf("%d messages dead-lettered while ZooKeeper was down", n)
	}
	t.Logf("cluster scenario done in %s", time.Since(started).Round(time.Millisecond))
}

// liveFeed is an RSS feed whose items appear one every step from its start, as a news
// site's would. It records every request: how many were in flight at once (two collector
// replicas polling the one source together), and the If-None-Match each carried (the
// validator the poller loaded from the collector state).
type liveFeed struct {
	start time.Time
	step  time.Duration
	total int

	mu          sync.Mutex
	inFlight    int
	maxInFlight int
	requests    []feedRequest
	served      chan int // the number of items of each response, after it is written
}

type feedRequest struct {
	at          time.Time
	ifNoneMatch string
	items       int
}

func (f *liveFeed) visible(now time.Time) int {
	return min(f.total, int(now.Sub(f.start)/f.step))
}

func (f *liveFeed) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/feed.xml" { // robots.txt: none, everything allowed
		http.NotFound(w, r)
		return
	}
	f.mu.Lock()
	f.inFlight++
	f.maxInFlight = max(f.maxInFlight, f.inFlight)
	f.mu.Unlock()
	n := f.visible(time.Now())
	defer func() {
		f.mu.Lock()
		f.inFlight--
		f.requests = append(f.requests, feedRequest{at: time.Now(), ifNoneMatch: r.Header.Get("If-None-Match"), items: n})
		f.mu.Unlock()
		select {
		case f.served <- n:
		default:
		}
	}()
	etag := fmt.Sprintf(`"items-%d"`, n)
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>chaos live feed</title>`)
	for i := n - 1; i >= 0; i-- {
		at := f.start.Add(time.Duration(i) * f.step).UTC()
		fmt.Fprintf(&b, `<item><guid>chaos-live-%d</guid><title>Item %d</title><link>http://news.invalid/%d</link><description>Live item %d of the collector replica kill scenario</description><pubDate>%s</pubDate></item>`,
			i, i, i, i, at.Format(time.RFC1123Z))
	}
	b.WriteString(`</channel></rss>`)
	w.Header().Set("Content-Type", "application/rss+xml")
	w.Header().Set("ETag", etag)
	_, _ = io.WriteString(w, b.String())
}

// TestChaosClusterCollectorReplicaKill SIGKILLs the replica holding the lease of a live
// RSS source right after it fetched a page of new items, while it publishes them. The
// other replica takes the lease when it expires, loads the collector state the killed
// one saved after its last complete poll (the ETag it sends proves it), and re-emits
// what the killed poll may have published already: the posts stream's duplicate window
// drops those by message id, so every item is in the stream and in ClickHouse once.
func TestChaosClusterCollectorReplicaKill(t *testing.T) {
	skipShort(t)
	needAllClusterScenarios(t)
	started := time.Now()
	w := startWholeCluster(t)
	feed := &liveFeed{start: time.Now(), step: 20 * time.Millisecond, total: 1500, served: make(chan int, 1)}
	srv := httptest.NewServer(feed)
	defer srv.Close()
	const source = "rss:chaos-live"
	w.sections = fmt.Sprintf("sources:\n  - kind: rss\n    name: %s\n    url: %s/feed.xml\n    interval: 1s\n    jitter: 200ms\n", source, srv.URL)
	w.startReplicas()
	t.Logf("two replicas of every role ready after %s", time.Since(started).Round(time.Millisecond))

	// A replica holds the source when its log's last lease event for it is an
	// acquisition (the first holder may hand the source over to the replica the
	// rendezvous hash prefers once both are members).
	acquired := func(p *proc) (holds bool, acquisitions int) {
		b, _ := os.ReadFile(p.logPath)
		for _, line := range strings.Split(string(b), "\n") {
			if !strings.Contains(line, "source="+source+" ") {
				continue
			}
			switch {
			case strings.Contains(line, "source lease acquired"):
				holds = true
				acquisitions++
			case strings.Contains(line, "handing the source over"), strings.Contains(line, "source lease lost"):
				holds = false
			}
		}
		return holds, acquisitions
	}
	// Kill the holder right after it fetched a page with new items (it is publishing
	// them), once a third of the feed is out and it completed earlier polls.
	testenv.Eventually(t, 2*time.Minute, "a third of the feed published", func() bool {
		return feed.visible(time.Now()) > feed.total/3
	})
	leader := -1
	testenv.Eventually(t, 30*time.Second, "one replica holding the source", func() bool {
		a, _ := acquired(w.replicas[0])
		b, _ := acquired(w.replicas[1])
		if a == b {
			return false
		}
		leader = map[bool]int{true: 0, false: 1}[a]
		return true
	})
	select { // a response served before now does not count
	case <-feed.served:
	default:
	}
	for n := range feed.served {
		if n > 0 {
			break
		}
	}
	w.kill(w.replicas[leader])
	killed := time.Now()
	feed.mu.Lock()
	before := len(feed.requests)
	// The killed replica saved the state of its last complete poll: the one before the
	// poll it was killed in, or that one if it had finished publishing.
	lastETag := fmt.Sprintf(`"items-%d"`, feed.requests[before-1].items)
	savedETag := fmt.Sprintf(`"items-%d"`, feed.requests[before-2].items)
	feed.mu.Unlock()
	t.Logf("SIGKILL replica %d (holder of %s) after it fetched %d items; %d polls so far", leader+1, source, feed.visible(killed), before)
	other := w.replicas[1-leader]
	_, otherBefore := acquired(other)
	testenv.Eventually(t, time.Minute, "the standby taking the source lease", func() bool {
		holds, n := acquired(other)
		return holds && n > otherBefore
	})
	var resumed *feedRequest
	t.Logf("standby holds the lease %s after the kill", time.Since(killed).Round(time.Millisecond))
	testenv.Eventually(t, time.Minute, "the standby polling", func() bool {
		feed.mu.Lock()
		defer feed.mu.Unlock()
		if len(feed.requests) > before {
			r := feed.requests[before]
			resumed = &r
			return true
		}
		return false
	})
	t.Logf("first poll after the kill %s after it, If-None-Match %q (the killed replica's last response: %s)", resumed.at.Sub(killed).Round(time.Millisecond), resumed.ifNoneMatch, lastETag)
	if resumed.ifNoneMatch != savedETag && resumed.ifNoneMatch != lastETag {
		feed.mu.Lock()
		for _, r := range feed.requests {
			t.Logf("poll at %s: %d items, If-None-Match %q", r.at.Format("15:04:05.000"), r.items, r.ifNoneMatch)
		}
		feed.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if kv, err := w.client().KeyValue(ctx, pipeline.StateBucket); err == nil {
			st, err := (&pipeline.KVState{KV: kv, NC: w.nc}).Get(ctx, "collector/"+source)
			t.Logf("saved state: %.300s (%v)", st, err)
		}
		t.Fatalf("the standby polled with If-None-Match %q, not the validator of the killed replica's last polls (%s or %s): it did not resume from the latest collector state", resumed.ifNoneMatch, savedETag, lastETag)
	}

	// Every item out, then polled once more.
	end := feed.start.Add(time.Duration(feed.total) * feed.step)
	time.Sleep(time.Until(end))
	testenv.Eventually(t, time.Minute, "a poll of the complete feed", func() bool {
		feed.mu.Lock()
		defer feed.mu.Unlock()
		return feed.requests[len(feed.requests)-1].items == feed.total
	})
	subject := pipeline.PostsSubject + ".rss"
	testenv.EventuallyCtx(t, context.Background(), time.Minute, 5*time.Second, "every item in the posts stream", func(ctx context.Context) bool {
		s, err := w.client().Stream(ctx, pipeline.PostsStream)
		if err != nil {
			return false
		}
		info, err := s.Info(ctx, jetstream.WithSubjectFilter(subject))
		if err != nil {
			return false
		}
		n := info.State.Subjects[subject]
		if n > uint64(feed.total) {
			t.Fatalf("%d messages on %s for %d items: a post was published twice", n, subject, feed.total)
		}
		return n == uint64(feed.total)
	})
	w.waitDrained(scale.drainTimeout, storePosts, classify, storeResults)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn := w.conn(ctx)
	defer conn.Close()
	var rows, ids uint64
	if err := conn.QueryRow(ctx, `SELECT count(), uniqExact(id) FROM posts FINAL WHERE id LIKE 'rss:%'`).Scan(&rows, &ids); err != nil {
		t.Fatal(err)
	}
	var classified uint64
	if err := conn.QueryRow(ctx, `SELECT count() FROM classifications FINAL WHERE post_id LIKE 'rss:%'`).Scan(&classified); err != nil {
		t.Fatal(err)
	}
	t.Logf("ClickHouse: %d rows, %d posts after FINAL, %d classifications", rows, ids, classified)
	if rows != uint64(feed.total) || ids != uint64(feed.total) {
		t.Fatalf("posts after FINAL: %d rows of %d ids, want %d each", rows, ids, feed.total)
	}
	if want := uint64(feed.total * len(classifierNames())); classified != want {
		t.Fatalf("%d classifications after FINAL, want %d", classified, want)
	}
	feed.mu.Lock()
	overlap := feed.maxInFlight
	polls := len(feed.requests)
	feed.mu.Unlock()
	if overlap > 1 {
		t.Fatalf("%d polls of the one source in flight at once", overlap)
	}
	if n := w.dlqCount(); n != 0 {
		t.Fatalf("%d messages dead-lettered after a collector replica loss", n)
	}
	t.Logf("%d polls, never two at once; cluster scenario done in %s", polls, time.Since(started).Round(time.Millisecond))
}
