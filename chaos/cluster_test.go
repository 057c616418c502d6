package chaos

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

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

// TestChaosClusterNATSNodeKill is the short cluster test of make test: the whole
// cluster, two replicas of every role, load, and SIGKILL of the JetStream node leading
// the posts stream when a third of the posts are acknowledged.
func TestChaosClusterNATSNodeKill(t *testing.T) {
	started := time.Now()
	w := startWholeCluster(t)
	posts, rate := scale.clusterPosts, scale.clusterRate
	mix := loadgen.DefaultMix
	mix.WatchedPermille = 1000
	l := w.newLoad("clnats", posts, mix)
	rcv := w.enableAlerts(l, posts)
	w.startReplicas()
	t.Logf("two replicas of every role ready after %s", time.Since(started).Round(time.Millisecond))

	loadStart := time.Now()
	w.run(context.Background(), l, posts, rate)
	testenv.Eventually(t, time.Minute, "a third of the posts acknowledged", func() bool { return uint64(l.ledger.Len()) > posts/3 })
	leader := w.postsLeader()
	w.kill(w.nats[leader])
	killed := time.Now()
	t.Logf("killed JetStream node %d (posts stream leader) after %d posts", leader+1, l.ledger.Len())
	l.wait(t, 3*time.Minute)
	if loadEnd := loadStart.Add(l.stats.Elapsed); !killed.Before(loadEnd) {
		t.Fatalf("the node was killed at %s, after the load ended at %s", killed.Format(time.StampMilli), loadEnd.Format(time.StampMilli))
	}
	w.waitDrained(scale.drainTimeout, storePosts, classify, storeResults)
	rep := w.check(l, classifierNames(), 4*2*storeBatchRows)
	if rep.MustAppear != int(posts) {
		t.Fatalf("%d posts acknowledged, want all %d (the publisher retries until acked)", rep.MustAppear, posts)
	}
	w.checkAlerts(l, rcv, posts, 2, scale.drainTimeout)
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
	posts, rate := scale.clusterPosts, scale.clusterRate
	mix := loadgen.DefaultMix
	mix.WatchedPermille = 1000
	l := w.newLoad("clch", posts, mix)
	rcv := w.enableAlerts(l, posts)
	w.startReplicas()

	w.run(context.Background(), l, posts, rate)
	testenv.Eventually(t, time.Minute, "a third of the posts acknowledged", func() bool { return uint64(l.ledger.Len()) > posts/3 })
	w.chctl("kill", "1")
	t.Logf("SIGKILL ClickHouse server 1 (shard 01, replica ch1) after %d posts", l.ledger.Len())
	time.Sleep(loadDurationOf(posts, rate) / 3)
	w.chctl("start", "1")
	t.Logf("ClickHouse server 1 restarted")
	l.wait(t, 3*time.Minute)
	w.waitDrained(scale.drainTimeout, storePosts, classify, storeResults)
	rep := w.check(l, classifierNames(), 4*2*storeBatchRows)
	if rep.MustAppear != int(posts) {
		t.Fatalf("%d posts acknowledged, want %d", rep.MustAppear, posts)
	}
	w.checkAlerts(l, rcv, posts, 0, scale.drainTimeout)
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
	posts, rate := scale.clusterPosts, scale.clusterRate
	mix := loadgen.DefaultMix
	mix.WatchedPermille = 1000
	l := w.newLoad("clrole", posts, mix)
	rcv := w.enableAlerts(l, posts)
	w.startReplicas()
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

	w.run(context.Background(), l, posts, rate)
	testenv.Eventually(t, time.Minute, "a third of the posts acknowledged", func() bool { return uint64(l.ledger.Len()) > posts/3 })
	w.kill(w.replicas[leader])
	t.Logf("SIGKILL replica %d (the coordinate leader) after %d posts", leader+1, l.ledger.Len())
	other := w.replicas[1-leader]
	testenv.Eventually(t, time.Minute, "the standby taking the coordinate lease", func() bool {
		b, _ := os.ReadFile(other.logPath)
		return strings.Contains(string(b), "coordinate leader: this replica runs the detector")
	})
	l.wait(t, 3*time.Minute)
	// The killed replica's unacknowledged messages come back after the ack wait (30 s).
	w.waitDrained(scale.drainTimeout, storePosts, classify, storeResults)
	rep := w.check(l, classifierNames(), 4*2*storeBatchRows)
	if rep.MustAppear != int(posts) {
		t.Fatalf("%d posts acknowledged, want %d", rep.MustAppear, posts)
	}
	w.checkAlerts(l, rcv, posts, 2, scale.drainTimeout)
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
	posts, rate := scale.clusterPosts, scale.clusterRate
	mix := loadgen.DefaultMix
	mix.WatchedPermille = 1000
	l := w.newLoad("clzk", posts, mix)
	rcv := w.enableAlerts(l, posts)
	w.startReplicas()

	w.run(context.Background(), l, posts, rate)
	testenv.Eventually(t, time.Minute, "a third of the posts acknowledged", func() bool { return uint64(l.ledger.Len()) > posts/3 })
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
	l.wait(t, 3*time.Minute)
	w.waitDrained(scale.drainTimeout, storePosts, classify, storeResults)
	rep := w.check(l, classifierNames(), 4*2*storeBatchRows)
	if rep.MustAppear != int(posts) {
		t.Fatalf("%d posts acknowledged, want %d", rep.MustAppear, posts)
	}
	w.checkAlerts(l, rcv, posts, 2, scale.drainTimeout)
	w.checkBothReplicasWorked()
	if n := w.dlqCount(); n != 0 {
		t.Fatalf("%d messages dead-lettered while ZooKeeper was down", n)
	}
	t.Logf("cluster scenario done in %s", time.Since(started).Round(time.Millisecond))
}
