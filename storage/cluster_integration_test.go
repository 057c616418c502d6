package storage_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/kuzot/kuzot/config"
	"github.com/kuzot/kuzot/internal/testenv"
	"github.com/kuzot/kuzot/pipeline"
	"github.com/kuzot/kuzot/post"
	"github.com/kuzot/kuzot/storage"
	"github.com/kuzot/kuzot/web"
)

// The ClickHouse cluster tests (issue 18) run when KUZOT_TEST_CLICKHOUSE_CLUSTER is set:
//
//   - "local": the test brings up the local 2x2 cluster of
//     scripts/clickhouse-cluster-local.sh itself (idempotent; it stays up for the next
//     run, `scripts/clickhouse-cluster-local.sh down` stops it) and may kill and restart
//     its servers and ZooKeeper for the fault tests;
//   - a comma-separated list of native addresses of a cluster of 2 shards x 2 replicas,
//     listed shard by shard (shard 1 replica 1, shard 1 replica 2, shard 2 ...), with
//     KUZOT_TEST_CLICKHOUSE_CLUSTER_PASSWORD and KUZOT_TEST_CLICKHOUSE_CLUSTER_NAME
//     (default kuzot_cluster): the fault tests are skipped.
//
// Each test migrates a database of its own and drops it ON CLUSTER at the end.

// chCluster is the cluster under test.
type chCluster struct {
	addrs    []string
	password string
	name     string
	script   string // scripts/clickhouse-cluster-local.sh when the cluster is the local one
}

func clusterUnderTest(t *testing.T) *chCluster {
	t.Helper()
	if testing.Short() {
		t.Skip("integration")
	}
	env := os.Getenv("KUZOT_TEST_CLICKHOUSE_CLUSTER")
	if env == "" {
		t.Skip("KUZOT_TEST_CLICKHOUSE_CLUSTER not set (\"local\" or the servers' addresses)")
	}
	c := &chCluster{name: os.Getenv("KUZOT_TEST_CLICKHOUSE_CLUSTER_NAME")}
	if c.name == "" {
		c.name = "kuzot_cluster"
	}
	if env == "local" {
		script, err := filepath.Abs("../scripts/clickhouse-cluster-local.sh")
		if err != nil {
			t.Fatal(err)
		}
		c.script = script
		c.run(t, "up")
		c.addrs = strings.Split(c.run(t, "addrs"), ",")
		c.password = c.run(t, "password")
	} else {
		c.addrs = strings.Split(env, ",")
		c.password = os.Getenv("KUZOT_TEST_CLICKHOUSE_CLUSTER_PASSWORD")
	}
	if len(c.addrs) != 4 {
		t.Fatalf("cluster addresses %v: want the 4 servers of 2 shards x 2 replicas", c.addrs)
	}
	return c
}

// run runs the local cluster script and returns its trimmed output.
func (c *chCluster) run(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command(c.script, args...)
	out, err := cmd.Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("%s %v: %v\n%s%s", c.script, args, err, out, stderr)
	}
	return strings.TrimSpace(string(out))
}

func (c *chCluster) needLocal(t *testing.T) {
	t.Helper()
	if c.script == "" {
		t.Skip("fault tests need KUZOT_TEST_CLICKHOUSE_CLUSTER=local")
	}
}

// config is kuzot's configuration for the cluster and a fresh database, dropped ON
// CLUSTER when the test ends. addrs defaults to every server, in order.
func (c *chCluster) config(t *testing.T) config.ClickHouse {
	t.Helper()
	cfg := config.Default().CH
	cfg.Addr = strings.Join(c.addrs, ",")
	cfg.Password = config.Secret(c.password)
	cfg.Cluster = c.name
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	cfg.Database = "kuzot_test_cluster_" + hex.EncodeToString(b)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		d := cfg
		d.Database = "default"
		conn, err := storage.Open(ctx, d, testenv.Logger(t))
		if err == nil {
			if err := conn.Exec(ctx, fmt.Sprintf("DROP DATABASE IF EXISTS %s ON CLUSTER %s", cfg.Database, c.name)); err != nil {
				t.Logf("drop %s: %v", cfg.Database, err)
			}
			conn.Close()
		}
	})
	return cfg
}

// migrated opens cfg's database through every server and migrates it on the cluster.
func (c *chCluster) migrated(t *testing.T) (driver.Conn, config.ClickHouse) {
	t.Helper()
	cfg := c.config(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	conn, err := storage.Open(ctx, cfg, testenv.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if _, err := storage.MigrateLayout(ctx, conn, storage.LayoutOf(cfg)); err != nil {
		t.Fatalf("migrate on cluster: %v", err)
	}
	return conn, cfg
}

// server opens cfg's database on server i (0-3) alone, to read its local tables.
func (c *chCluster) server(t *testing.T, cfg config.ClickHouse, i int) driver.Conn {
	t.Helper()
	one := cfg
	one.Addr = c.addrs[i]
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	conn, err := storage.Open(ctx, one, testenv.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func count(t *testing.T, conn driver.Conn, query string, args ...any) uint64 {
	t.Helper()
	var n uint64
	if err := conn.QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// syncReplicas waits until every replica of table_local on every server has fetched
// what its shard holds.
func (c *chCluster) syncReplicas(t *testing.T, cfg config.ClickHouse, tables ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	for i := range c.addrs {
		conn := c.server(t, cfg, i)
		for _, tb := range tables {
			if err := conn.Exec(ctx, "SYSTEM SYNC REPLICA "+cfg.Database+"."+tb+storage.LocalSuffix); err != nil {
				t.Fatalf("server %d: sync %s: %v", i+1, tb, err)
			}
		}
	}
}

func clusterPosts(prefix string, n int, at time.Time) []post.Post {
	out := make([]post.Post, n)
	for i := range out {
		out[i] = post.Post{
			ID: fmt.Sprintf("telegram:%s/%d", prefix, i), Source: "telegram", Channel: prefix,
			Author: fmt.Sprintf("author%d", i%17), Text: fmt.Sprintf("пост номер %d канала %s", i, prefix), Lang: "ru",
			PublishedAt: at.Add(-time.Duration(i) * time.Hour), CollectedAt: at,
		}
	}
	return out
}

func clusterClassifications(ps []post.Post, at time.Time) []storage.Classification {
	out := make([]storage.Classification, 0, 2*len(ps))
	for _, p := range ps {
		for _, c := range []string{"narrative", "exposure"} {
			out = append(out, storage.Classification{PostID: p.ID, Classifier: c, ClassifierVersion: "v1",
				Flagged: len(p.ID)%2 == 0, Score: 0.5, Source: p.Source, Channel: p.Channel, Author: p.Author,
				Lang: p.Lang, PublishedAt: p.PublishedAt, ClassifiedAt: at})
		}
	}
	return out
}

// insertRetrying writes like the store role (pipeline.RunBatch): the same batch again
// after every failure, until it is written or the deadline passes. It returns the
// failures it saw.
func insertRetrying(t *testing.T, deadline time.Duration, write func(ctx context.Context) error) []error {
	t.Helper()
	var errs []error
	end := time.Now().Add(deadline)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		err := write(ctx)
		cancel()
		if err == nil {
			return errs
		}
		errs = append(errs, err)
		if time.Now().After(end) {
			t.Fatalf("insert still failing after %s: %v", deadline, err)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

func TestIntegrationClickHouseClusterMigrate(t *testing.T) {
	c := clusterUnderTest(t)
	conn, cfg := c.migrated(t)
	ctx := context.Background()
	ms, _ := storage.Migrations()
	if n := count(t, conn, "SELECT count() FROM schema_migrations FINAL"); int(n) != len(ms) {
		t.Fatalf("recorded %d migrations, embedded %d", n, len(ms))
	}
	// Again through another server: nothing left to apply.
	other := cfg
	other.Addr = c.addrs[3]
	conn4, err := storage.Open(ctx, other, testenv.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn4.Close()
	applied, err := storage.MigrateLayout(ctx, conn4, storage.LayoutOf(other))
	if err != nil || len(applied) != 0 {
		t.Fatalf("second migrate applied %v, %v", applied, err)
	}
	// Every server holds the same layout: a Distributed table over a replicated local
	// table for every table, with the same columns (the ALTERs of 0013, 0041, 0070, 0071
	// and 0100 reached both).
	wantEngine := map[string]string{
		"posts_local": "ReplicatedReplacingMergeTree", "posts": "Distributed",
		"classifications_local": "ReplicatedReplacingMergeTree", "classifications": "Distributed",
		"narrative_daily_local": "ReplicatedAggregatingMergeTree", "narrative_daily": "Distributed",
		"audit_log_local": "ReplicatedMergeTree", "audit_log": "Distributed",
		"narrative_daily_mv": "MaterializedView", "grafana_classifications": "View",
	}
	for i := range c.addrs {
		s := c.server(t, cfg, i)
		for table, engine := range wantEngine {
			var got string
			if err := s.QueryRow(ctx, "SELECT engine FROM system.tables WHERE database = currentDatabase() AND name = ?", table).Scan(&got); err != nil || got != engine {
				t.Errorf("server %d: %s engine %q (%v), want %s", i+1, table, got, err, engine)
			}
		}
		for table := range storage.ShardingKeys {
			var local, dist string
			q := "SELECT arrayStringConcat(groupArray(concat(name, ' ', type)), ', ') FROM (SELECT name, type FROM system.columns WHERE database = currentDatabase() AND table = ? ORDER BY name)"
			if err := s.QueryRow(ctx, q, table+storage.LocalSuffix).Scan(&local); err != nil {
				t.Fatal(err)
			}
			if err := s.QueryRow(ctx, q, table).Scan(&dist); err != nil {
				t.Fatal(err)
			}
			if local == "" || local != dist {
				t.Errorf("server %d: %s columns %q, its local table %q", i+1, table, dist, local)
			}
		}
	}
}

func TestIntegrationClickHouseClusterPostRowsShareAShard(t *testing.T) {
	c := clusterUnderTest(t)
	conn, cfg := c.migrated(t)
	ctx := context.Background()
	at := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	ps := clusterPosts("colocated", 400, at)
	if err := storage.InsertPosts(ctx, conn, ps); err != nil {
		t.Fatal(err)
	}
	if err := storage.InsertClassifications(ctx, conn, clusterClassifications(ps, at)); err != nil {
		t.Fatal(err)
	}
	exps := make([]storage.Exposure, 0, len(ps))
	for _, p := range ps[:100] {
		exps = append(exps, storage.Exposure{PostID: p.ID, Source: p.Source, Channel: p.Channel, Severity: "low",
			PublishedAt: p.PublishedAt, CollectedAt: at, ClassifiedAt: at, Exposed: true, RedactedText: "[phone]"})
	}
	if err := storage.InsertExposures(ctx, conn, exps); err != nil {
		t.Fatal(err)
	}
	c.syncReplicas(t, cfg, "posts", "classifications", "exposures", "narrative_daily")
	if n := count(t, conn, "SELECT count() FROM posts FINAL"); n != 400 {
		t.Fatalf("posts FINAL %d, want 400", n)
	}
	if n := count(t, conn, "SELECT count() FROM classifications FINAL"); n != 800 {
		t.Fatalf("classifications FINAL %d, want 800", n)
	}
	// Each server's local tables: every classification and exposure of a post on the
	// post's shard, both shards used, both replicas of a shard identical.
	perShard := [2]uint64{}
	for i := range c.addrs {
		s := c.server(t, cfg, i)
		posts := count(t, s, "SELECT count() FROM posts_local")
		orphans := count(t, s, `SELECT count() FROM classifications_local WHERE post_id NOT IN (SELECT id FROM posts_local)`)
		orphans += count(t, s, `SELECT count() FROM exposures_local WHERE post_id NOT IN (SELECT id FROM posts_local)`)
		if orphans != 0 {
			t.Errorf("server %d: %d classification/exposure rows whose post is on another shard", i+1, orphans)
		}
		if i%2 == 1 && posts != perShard[i/2] {
			t.Errorf("server %d holds %d posts, its shard's other replica %d", i+1, posts, perShard[i/2])
		}
		perShard[i/2] = posts
	}
	if perShard[0]+perShard[1] != 400 || perShard[0] < 100 || perShard[1] < 100 {
		t.Fatalf("posts per shard %v: want 400 split over both shards", perShard)
	}
	// A join on the post id through the Distributed tables (distributed_product_mode).
	if n := count(t, conn, `SELECT count() FROM posts FINAL WHERE id IN (SELECT post_id FROM exposures FINAL WHERE exposed = 1)`); n != 100 {
		t.Fatalf("posts with an exposure: %d, want 100", n)
	}
	// The materialized view wrote the daily narrative counts on the post's shard.
	if n := count(t, conn, "SELECT uniqExactMerge(posts) FROM narrative_daily"); n == 0 {
		t.Fatal("narrative_daily empty: the materialized view did not fire on the local tables")
	}
}

func TestIntegrationClickHouseClusterRetriedBatchIsDeduplicated(t *testing.T) {
	c := clusterUnderTest(t)
	conn, cfg := c.migrated(t)
	ctx := context.Background()
	at := time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC)
	ps := clusterPosts("retried", 300, at)
	// The same batch three times (a store role that crashed after the insert and before
	// the ack, redelivered): Replicated* block deduplication drops the copies at insert,
	// on each shard, even when the retry reaches the shard's other replica.
	for range 3 {
		if err := storage.InsertPosts(ctx, conn, ps); err != nil {
			t.Fatal(err)
		}
	}
	other := cfg
	other.Addr = c.addrs[1] + "," + c.addrs[3] // the other replica of each shard first
	second, err := storage.Open(ctx, other, testenv.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	if err := storage.InsertPosts(ctx, second, ps); err != nil {
		t.Fatal(err)
	}
	c.syncReplicas(t, cfg, "posts")
	if n := count(t, conn, "SELECT count() FROM posts"); n != 300 {
		t.Fatalf("posts without FINAL after 4 identical inserts: %d, want 300 (block deduplication)", n)
	}
	// Regrouped rows (a redelivery that batches differently) are new blocks: stored
	// again, collapsed by ReplacingMergeTree, so FINAL still counts each post once.
	rev := make([]post.Post, len(ps))
	for i := range ps {
		rev[i] = ps[len(ps)-1-i]
	}
	if err := storage.InsertPosts(ctx, conn, rev[:150]); err != nil {
		t.Fatal(err)
	}
	c.syncReplicas(t, cfg, "posts")
	if n := count(t, conn, "SELECT count() FROM posts"); n <= 300 {
		t.Fatalf("posts without FINAL after a regrouped batch: %d, want more than 300 (not a block duplicate)", n)
	}
	if n := count(t, conn, "SELECT count() FROM posts FINAL"); n != 300 {
		t.Fatalf("posts FINAL %d, want 300", n)
	}
}

func TestIntegrationClickHouseClusterReplicaKilled(t *testing.T) {
	c := clusterUnderTest(t)
	c.needLocal(t)
	conn, cfg := c.migrated(t)
	defer c.run(t, "start", "1")
	at := time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)
	const batches, per = 12, 250
	var all []post.Post
	var failures []error
	for b := range batches {
		ps := clusterPosts(fmt.Sprintf("killed%d", b), per, at)
		all = append(all, ps...)
		if b == 4 {
			// SIGKILL server 1: shard 1's first replica, and the first address of the
			// writer's connection, mid-stream.
			c.run(t, "kill", "1")
		}
		failures = append(failures, insertRetrying(t, 2*time.Minute, func(ctx context.Context) error {
			if err := storage.InsertPosts(ctx, conn, ps); err != nil {
				return err
			}
			return storage.InsertClassifications(ctx, conn, clusterClassifications(ps, at))
		})...)
		if b == 8 {
			c.run(t, "start", "1")
		}
	}
	t.Logf("inserts failed %d times while a replica was down (each retried): %v", len(failures), failures)
	c.syncReplicas(t, cfg, "posts", "classifications")
	want := uint64(batches * per)
	if n := count(t, conn, "SELECT count() FROM posts FINAL"); n != want {
		t.Fatalf("posts FINAL %d, want %d", n, want)
	}
	if n := count(t, conn, "SELECT uniqExact(id) FROM posts"); n != want {
		t.Fatalf("distinct posts %d, want %d", n, want)
	}
	if n := count(t, conn, "SELECT count() FROM classifications FINAL"); n != 2*want {
		t.Fatalf("classifications FINAL %d, want %d", n, 2*want)
	}
	// The restarted replica caught up with what its shard took while it was down.
	s1, s2 := c.server(t, cfg, 0), c.server(t, cfg, 1)
	if a, b := count(t, s1, "SELECT count() FROM posts_local FINAL"), count(t, s2, "SELECT count() FROM posts_local FINAL"); a != b || a == 0 {
		t.Fatalf("shard 1 replicas hold %d and %d posts", a, b)
	}
}

func TestIntegrationClickHouseClusterZooKeeperDown(t *testing.T) {
	c := clusterUnderTest(t)
	c.needLocal(t)
	conn, cfg := c.migrated(t)
	defer c.run(t, "start", "zk")
	ctx := context.Background()
	at := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	before := clusterPosts("zk-before", 200, at)
	if err := storage.InsertPosts(ctx, conn, before); err != nil {
		t.Fatal(err)
	}
	c.run(t, "kill", "zk")
	down := time.Now()
	// While ZooKeeper is away: reads go on (from the local parts), inserts are refused
	// (replicated tables turn read-only) and the writer keeps retrying the same batch
	// without acking anything; ZooKeeper comes back after 30 s.
	go func() {
		time.Sleep(30 * time.Second)
		c.run(t, "start", "zk")
	}()
	rctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	var read uint64
	err := conn.QueryRow(rctx, "SELECT count() FROM posts FINAL").Scan(&read)
	cancel()
	if err != nil || read != 200 {
		t.Fatalf("read while ZooKeeper is down: %d, %v", read, err)
	}
	during := clusterPosts("zk-during", 200, at)
	failures := insertRetrying(t, 3*time.Minute, func(ctx context.Context) error {
		return storage.InsertPosts(ctx, conn, during)
	})
	took := time.Since(down)
	t.Logf("insert during the ZooKeeper outage: %d failed attempts, written %s after ZooKeeper was killed; first error: %v",
		len(failures), took.Round(time.Second), first(failures))
	if len(failures) == 0 {
		t.Fatal("an insert succeeded while ZooKeeper was down: expected the replicated tables to refuse it")
	}
	if took < 30*time.Second {
		t.Fatalf("insert written %s after ZooKeeper was killed, before it came back", took)
	}
	c.syncReplicas(t, cfg, "posts")
	if n := count(t, conn, "SELECT count() FROM posts FINAL"); n != 400 {
		t.Fatalf("posts FINAL %d, want 400", n)
	}
	if n := count(t, conn, "SELECT count() FROM posts"); n != 400 {
		t.Fatalf("posts without FINAL %d, want 400 (no retry stored twice)", n)
	}
}

func first(errs []error) error {
	if len(errs) == 0 {
		return nil
	}
	return errs[0]
}

func TestIntegrationClickHouseClusterRetention(t *testing.T) {
	c := clusterUnderTest(t)
	conn, cfg := c.migrated(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	old := clusterPosts("old", 60, time.Date(2024, 2, 10, 0, 0, 0, 0, time.UTC))
	recent := clusterPosts("recent", 60, time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC))
	if err := storage.InsertPosts(ctx, conn, append(old, recent...)); err != nil {
		t.Fatal(err)
	}
	c.syncReplicas(t, cfg, "posts")
	dropped, err := storage.DropPartitionsBeforeLayout(ctx, conn, storage.LayoutOf(cfg), now.Add(-365*24*time.Hour), now)
	if err != nil {
		t.Fatal(err)
	}
	if len(dropped) != 1 || dropped[0] != "posts:202402" {
		t.Fatalf("dropped %v, want posts:202402", dropped)
	}
	// On 18.16 the drop may have become a mutation (see DropPartitionsBeforeLayout),
	// applied in the background on every replica.
	deadline := time.Now().Add(2 * time.Minute)
	for i := range c.addrs {
		s := c.server(t, cfg, i)
		for {
			n := count(t, s, "SELECT count() FROM posts_local WHERE published_at < '2025-01-01 00:00:00'")
			if n == 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("server %d still holds %d posts of the dropped month", i+1, n)
			}
			time.Sleep(500 * time.Millisecond)
		}
	}
	if n := count(t, conn, "SELECT count() FROM posts FINAL"); n != 60 {
		t.Fatalf("posts FINAL %d after retention, want the 60 recent", n)
	}
}

// The store role itself (pipeline.RunStage with the posts writer, as app's store role
// runs it) through a 30 s ZooKeeper outage: nothing acked while inserts are refused,
// every published post stored once after ZooKeeper returns.
func TestIntegrationClickHouseClusterStoreRoleZooKeeperDown(t *testing.T) {
	c := clusterUnderTest(t)
	c.needLocal(t)
	conn, _ := c.migrated(t)
	defer c.run(t, "start", "zk")
	ctx := context.Background()
	b := testenv.Bus(t)
	m := pipeline.NewMetrics(prometheus.NewRegistry())
	pub := pipeline.NewPublisher(b.JS, m)
	at := time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)
	ps := clusterPosts("store-zk", 600, at)
	for _, p := range ps[:300] {
		if err := pub.PublishPost(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	c.run(t, "kill", "zk")
	sctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		err := pipeline.RunStage(sctx, b, pipeline.ConsumerSpec{Stream: pipeline.PostsStream, Durable: pipeline.StorePostsConsumer, AckWait: 30 * time.Second},
			m, testenv.Logger(t), pipeline.StageOptions{Batch: pipeline.BatchOptions{MaxRows: 100, MaxWait: 200 * time.Millisecond,
				RetryMax: time.Second, DrainTimeout: 5 * time.Second}},
			pipeline.DecodePost, func(ctx context.Context, rows []post.Post) error { return storage.InsertPosts(ctx, conn, rows) })
		if err != nil {
			t.Errorf("store stage: %v", err)
		}
	}()
	defer func() { cancel(); <-done }()
	testenv.Eventually(t, 30*time.Second, "refused inserts", func() bool {
		return testutil.ToFloat64(m.WriteErrors.WithLabelValues(pipeline.StorePostsConsumer)) >= 2
	})
	for _, p := range ps[300:] {
		if err := pub.PublishPost(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(20 * time.Second)
	if acked := testutil.ToFloat64(m.Processed.WithLabelValues(pipeline.StorePostsConsumer, "acked")); acked != 0 {
		t.Fatalf("%v messages acked while ZooKeeper was down", acked)
	}
	c.run(t, "start", "zk")
	testenv.Eventually(t, 2*time.Minute, "600 posts stored after ZooKeeper came back", func() bool {
		return count(t, conn, "SELECT count() FROM posts FINAL") == 600
	})
	// (A message redelivered while its first copy was being written is acked twice.)
	testenv.Eventually(t, 60*time.Second, "every message acked", func() bool {
		return testutil.ToFloat64(m.Processed.WithLabelValues(pipeline.StorePostsConsumer, "acked")) >= 600
	})
	if n := count(t, conn, "SELECT uniqExact(id) FROM posts"); n != 600 {
		t.Fatalf("distinct posts %d, want 600", n)
	}
	t.Logf("store role: %v failed batch writes during the outage, %v rows stored without FINAL (before merges)",
		testutil.ToFloat64(m.WriteErrors.WithLabelValues(pipeline.StorePostsConsumer)), count(t, conn, "SELECT count() FROM posts"))
}

// TestIntegrationClickHouseClusterFinalListWithoutVersion is the query of `kuzot user
// list` and the web UI's lists: FINAL over a Distributed ReplacingMergeTree with ORDER BY
// and LIMIT, without the version column. 18.16 fails it on the server holding a replica
// of a shard ("Cannot find column version in source stream") unless
// prefer_localhost_replica is 0, which storage.ClusterSettings sets.
func TestIntegrationClickHouseClusterFinalListWithoutVersion(t *testing.T) {
	c := clusterUnderTest(t)
	conn, _ := c.migrated(t)
	ctx := context.Background()
	batch, err := conn.PrepareBatch(ctx, `INSERT INTO users (name, role, org, can_unredact, password_hash, disabled, created_at, updated_at, version)`)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Second)
	for i, name := range []string{"bob", "alice", "carol", "alice"} {
		if err := batch.Append(name, "analyst", "", uint8(0), "x", uint8(0), now, now, uint64(i+1)); err != nil {
			t.Fatal(err)
		}
	}
	if err := batch.Send(); err != nil {
		t.Fatal(err)
	}
	rows, err := conn.Query(ctx, `SELECT name, created_at FROM users FINAL ORDER BY name LIMIT 10`)
	if err != nil {
		t.Fatalf("FINAL list over the Distributed table: %v", err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var name string
		var at time.Time
		if err := rows.Scan(&name, &at); err != nil {
			t.Fatal(err)
		}
		names = append(names, name)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(names, ","); got != "alice,bob,carol" {
		t.Fatalf("users after FINAL: %s, want alice,bob,carol", got)
	}
}

// The web role's hourly cleanup of expired sessions on a cluster: sessions is a
// Distributed table, which refuses ALTER ... DELETE, so web.DB with the cluster layout
// sends the mutation to sessions_local ON CLUSTER. Sessions on both shards: the expired
// ones go, the live ones stay, on every replica.
func TestIntegrationClickHouseClusterDeleteExpiredSessions(t *testing.T) {
	c := clusterUnderTest(t)
	conn, cfg := c.migrated(t)
	ctx := context.Background()
	// What the cleanup used to send fails on the Distributed table.
	if err := conn.Exec(ctx, `ALTER TABLE sessions DELETE WHERE expires_at < now()`); err == nil {
		t.Fatal("ALTER TABLE sessions DELETE on the Distributed table succeeded; the cluster form is not needed")
	} else {
		t.Logf("ALTER ... DELETE on the Distributed table: %v", err)
	}
	db := &web.DB{Conn: conn, Layout: storage.LayoutOf(cfg)}
	now := time.Now().UTC().Truncate(time.Second)
	for i := range 20 {
		exp := now.Add(24 * time.Hour)
		if i%2 == 0 {
			exp = now.Add(-24 * time.Hour)
		}
		s := web.Session{TokenHash: fmt.Sprintf("token-%02d", i), User: "ana", CreatedAt: now.Add(-48 * time.Hour), ExpiresAt: exp, IP: "127.0.0.1"}
		if err := db.PutSession(ctx, s, now); err != nil {
			t.Fatal(err)
		}
	}
	c.syncReplicas(t, cfg, "sessions")
	for i := range c.addrs {
		if n := count(t, c.server(t, cfg, i), "SELECT count() FROM sessions_local"); n == 0 {
			t.Fatalf("server %d holds no session: the test does not cover both shards", i+1)
		}
	}
	if err := db.DeleteExpiredSessions(ctx, now.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for i := range c.addrs {
		s := c.server(t, cfg, i)
		for count(t, s, "SELECT count() FROM sessions_local WHERE expires_at < now()") != 0 {
			if time.Now().After(deadline) {
				t.Fatalf("server %d still holds expired sessions", i+1)
			}
			time.Sleep(500 * time.Millisecond)
		}
	}
	if n := count(t, conn, "SELECT count() FROM sessions FINAL"); n != 10 {
		t.Fatalf("%d sessions after the cleanup, want the 10 live ones", n)
	}
}
