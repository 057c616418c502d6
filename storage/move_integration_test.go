package storage_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/kuzot/kuzot/internal/testenv"
	"github.com/kuzot/kuzot/post"
	"github.com/kuzot/kuzot/storage"
)

// The move of a single-node database into the cluster (docs/scaling.md, `kuzot migrate
// --copy-from`), rehearsed: the old database on the single test server
// (KUZOT_TEST_CLICKHOUSE_ADDR, read through remote()) or on one of the cluster's servers.

// fillOldDatabase writes n invented posts over several months into a single-node
// database, a second version of every tenth post, two classifications per post, an
// exposure for every sixth post and audit rows (a plain MergeTree table).
func fillOldDatabase(t *testing.T, conn driver.Conn, prefix string, n int) (posts, updated, exposures, audit int) {
	t.Helper()
	ctx := context.Background()
	at := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	ps := clusterPosts(prefix, n, at)
	for i := range ps {
		// Spread over about eight months: i*2 hours back.
		ps[i].PublishedAt = at.Add(-time.Duration(2*i) * time.Hour)
	}
	for start := 0; start < len(ps); start += 1000 {
		if err := storage.InsertPosts(ctx, conn, ps[start:min(start+1000, len(ps))]); err != nil {
			t.Fatal(err)
		}
	}
	var v2 []post.Post
	for i := 0; i < len(ps); i += 10 {
		p := ps[i]
		p.Text += " (v2, отредактирован)"
		p.Views = 1000 + int64(i)
		p.CollectedAt = at.Add(time.Hour) // a later version
		v2 = append(v2, p)
	}
	if err := storage.InsertPosts(ctx, conn, v2); err != nil {
		t.Fatal(err)
	}
	cls := clusterClassifications(ps, at)
	for i := range cls {
		if cls[i].Classifier == "narrative" && i%3 == 0 {
			cls[i].Labels = []string{"conspiracy"}
		}
	}
	if err := storage.InsertClassifications(ctx, conn, cls); err != nil {
		t.Fatal(err)
	}
	var exps []storage.Exposure
	for i := 0; i < len(ps); i += 6 {
		p := ps[i]
		exps = append(exps, storage.Exposure{PostID: p.ID, Source: p.Source, Channel: p.Channel, Severity: "low",
			PublishedAt: p.PublishedAt, CollectedAt: at, ClassifiedAt: at, Exposed: true, RedactedText: "[phone]"})
	}
	if err := storage.InsertExposures(ctx, conn, exps); err != nil {
		t.Fatal(err)
	}
	b, err := conn.PrepareBatch(ctx, "INSERT INTO audit_log (at, user, role, org, action, object_type, object_id, ip, detail)")
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n/20; i++ {
		if err := b.Append(at.Add(-time.Duration(40*i)*time.Hour), fmt.Sprintf("analyst%d", i%3), "analyst", "org-a",
			"view", "post", ps[i].ID, "127.0.0.1", ""); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Send(); err != nil {
		t.Fatal(err)
	}
	return n, len(v2), len(exps), n / 20
}

// narrativeDaily is narrative_daily as day/frame -> distinct posts.
func narrativeDaily(t *testing.T, conn driver.Conn) map[string]uint64 {
	t.Helper()
	rows, err := conn.Query(context.Background(),
		"SELECT toString(day), frame, uniqExactMerge(posts) FROM narrative_daily GROUP BY day, frame")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]uint64{}
	for rows.Next() {
		var day, frame string
		var n uint64
		if err := rows.Scan(&day, &frame, &n); err != nil {
			t.Fatal(err)
		}
		out[day+"/"+frame] = n
	}
	return out
}

func reportCounts(rep storage.CopyReport) map[string]uint64 {
	out := map[string]uint64{}
	for _, tc := range rep.Tables {
		out[tc.Table] = tc.ClusterRows
	}
	return out
}

func TestIntegrationClickHouseClusterMove(t *testing.T) {
	c := clusterUnderTest(t)
	ctx := context.Background()
	old, oldCfg := testenv.ClickHouse(t)
	const n = 3000
	posts, updated, exposures, audit := fillOldDatabase(t, old, "moved", n)

	cfg := c.config(t)
	conn, err := storage.Open(ctx, cfg, testenv.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	src := storage.CopySource{Database: oldCfg.Database, Addr: oldCfg.Addr, User: oldCfg.Username, Password: oldCfg.Password}

	// What `kuzot migrate --copy-from` does: migrate the cluster database, then copy.
	start := time.Now()
	if _, err := storage.MigrateLayout(ctx, conn, storage.LayoutOf(cfg)); err != nil {
		t.Fatal(err)
	}
	migrated := time.Since(start)
	rep, err := storage.CopyToCluster(ctx, conn, storage.LayoutOf(cfg), src, 2*time.Minute, testenv.Logger(t))
	var out strings.Builder
	rep.Print(&out)
	t.Logf("first move (migrate %.1f s, copy %.1f s):\n%s", migrated.Seconds(), rep.Elapsed.Seconds(), out.String())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]uint64{"posts": uint64(posts), "classifications": uint64(2 * posts),
		"exposures": uint64(exposures), "audit_log": uint64(audit)}
	got := reportCounts(rep)
	for table, w := range want {
		if got[table] != w {
			t.Errorf("%s: %d rows on the cluster, want %d", table, got[table], w)
		}
	}
	var total uint64
	for _, tc := range rep.Tables {
		total += tc.SourceRows
		if tc.Table == "posts" && (tc.Months < 8 || tc.Copied != tc.Months) {
			t.Errorf("posts copied %d of %d months, want every one of at least 8", tc.Copied, tc.Months)
		}
	}
	t.Logf("moved %d rows (after FINAL) of %d posts (%d with two versions) in %.1f s", total, posts, updated, rep.Elapsed.Seconds())

	// The newer version of a post with two is the one on the cluster.
	if v := count(t, conn, "SELECT count() FROM posts FINAL WHERE text LIKE '%(v2,%' AND views >= 1000"); v != uint64(updated) {
		t.Errorf("%d posts at their second version on the cluster, want %d", v, updated)
	}
	// Every row of a post on the post's shard; both shards used.
	c.syncReplicas(t, cfg, "posts", "classifications", "exposures", "narrative_daily")
	perShard := [2]uint64{}
	for i := range c.addrs {
		s := c.server(t, cfg, i)
		orphans := count(t, s, `SELECT count() FROM classifications_local WHERE post_id NOT IN (SELECT id FROM posts_local)`)
		orphans += count(t, s, `SELECT count() FROM exposures_local WHERE post_id NOT IN (SELECT id FROM posts_local)`)
		if orphans != 0 {
			t.Errorf("server %d: %d classification/exposure rows whose post is on another shard", i+1, orphans)
		}
		perShard[i/2] = count(t, s, "SELECT count() FROM posts_local FINAL")
	}
	if perShard[0]+perShard[1] != uint64(posts) || perShard[0] < uint64(posts)/4 || perShard[1] < uint64(posts)/4 {
		t.Errorf("posts per shard %v: want %d split over both shards", perShard, posts)
	}
	// narrative_daily was fed by the materialized view from the copied classifications:
	// the same distinct-post counts per day and frame as on the old server.
	oldDaily, newDaily := narrativeDaily(t, old), narrativeDaily(t, conn)
	if len(oldDaily) == 0 {
		t.Fatal("old narrative_daily empty: the fixture flags no narrative")
	}
	if fmt.Sprint(oldDaily) != fmt.Sprint(newDaily) {
		t.Errorf("narrative_daily differs: %d day/frame rows on the old server, %d on the cluster", len(oldDaily), len(newDaily))
	}

	// A failed earlier attempt left a partial month of the plain MergeTree audit_log
	// (simulated: two rows of a month inserted again; the whole month again would be
	// dropped by the replicas' block deduplication), then the move is run again: the
	// month is cleared and copied again, and nothing else changes — the same counts after
	// FINAL, no duplicate in audit_log, the same daily counts.
	if err := conn.Exec(ctx, "INSERT INTO audit_log (at, user, role, org, action, object_type, object_id, ip, detail) "+
		"SELECT at, user, role, org, action, object_type, object_id, ip, detail FROM audit_log WHERE toYYYYMM(at) = 202611 LIMIT 2"); err != nil {
		t.Fatal(err)
	}
	if a := count(t, conn, "SELECT count() FROM audit_log"); a != uint64(audit)+2 {
		t.Fatalf("audit_log holds %d rows after the simulated partial copy, want %d", a, audit+2)
	}
	again, err := storage.CopyToCluster(ctx, conn, storage.LayoutOf(cfg), src, 2*time.Minute, testenv.Logger(t))
	out.Reset()
	again.Print(&out)
	t.Logf("second move:\n%s", out.String())
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(reportCounts(again)) != fmt.Sprint(reportCounts(rep)) {
		t.Errorf("second move changed the counts: %v, first %v", reportCounts(again), reportCounts(rep))
	}
	for _, tc := range again.Tables {
		if tc.Table == "audit_log" && tc.Copied != 1 {
			t.Errorf("audit_log: second move copied %d months, want only the partial one", tc.Copied)
		}
	}
	if a := count(t, conn, "SELECT count() FROM audit_log"); a != uint64(audit) {
		t.Errorf("audit_log holds %d rows after the second move, want %d", a, audit)
	}
	if d := narrativeDaily(t, conn); fmt.Sprint(d) != fmt.Sprint(oldDaily) {
		t.Errorf("narrative_daily changed by the second move")
	}
	if v := count(t, conn, "SELECT count() FROM posts FINAL WHERE text LIKE '%(v2,%'"); v != uint64(updated) {
		t.Errorf("%d posts at their second version after the second move, want %d", v, updated)
	}

	// A database that is not there is a clear failure.
	if _, err := storage.CopyToCluster(ctx, conn, storage.LayoutOf(cfg), storage.CopySource{Database: "no_such_db", Addr: oldCfg.Addr,
		User: oldCfg.Username, Password: oldCfg.Password}, 0, testenv.Logger(t)); err == nil || !strings.Contains(err.Error(), "no table in database no_such_db") {
		t.Errorf("move from a missing database: %v", err)
	}
}

// TestIntegrationClickHouseClusterMoveFromAClusterServer: the old single server became
// server 1 of the cluster, its database still there; the move reads it directly.
func TestIntegrationClickHouseClusterMoveFromAClusterServer(t *testing.T) {
	c := clusterUnderTest(t)
	ctx := context.Background()
	cfg := c.config(t)
	oldCfg := cfg
	oldCfg.Cluster = ""
	oldCfg.Addr = c.addrs[0]
	oldCfg.Database = cfg.Database + "_old"
	old, err := storage.Open(ctx, oldCfg, testenv.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = old.Exec(context.Background(), "DROP DATABASE IF EXISTS "+oldCfg.Database)
		old.Close()
	})
	if _, err := storage.Migrate(ctx, old); err != nil {
		t.Fatal(err)
	}
	posts, updated, exposures, _ := fillOldDatabase(t, old, "onserver1", 400)

	conn, err := storage.Open(ctx, cfg, testenv.Logger(t)) // server 1 first
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := storage.MigrateLayout(ctx, conn, storage.LayoutOf(cfg)); err != nil {
		t.Fatal(err)
	}
	rep, err := storage.CopyToCluster(ctx, conn, storage.LayoutOf(cfg), storage.CopySource{Database: oldCfg.Database},
		2*time.Minute, testenv.Logger(t))
	var out strings.Builder
	rep.Print(&out)
	t.Logf("move from server 1:\n%s", out.String())
	if err != nil {
		t.Fatal(err)
	}
	got := reportCounts(rep)
	if got["posts"] != uint64(posts) || got["classifications"] != uint64(2*posts) || got["exposures"] != uint64(exposures) {
		t.Errorf("cluster counts %v, want %d posts, %d classifications, %d exposures", got, posts, 2*posts, exposures)
	}
	if v := count(t, conn, "SELECT count() FROM posts FINAL WHERE text LIKE '%(v2,%'"); v != uint64(updated) {
		t.Errorf("%d posts at their second version, want %d", v, updated)
	}
	// The same database name as the cluster's is refused.
	_, err = storage.CopyToCluster(ctx, conn, storage.LayoutOf(cfg), storage.CopySource{Database: cfg.Database}, 0, testenv.Logger(t))
	if err == nil || errors.Is(err, storage.ErrCountMismatch) {
		t.Errorf("copy of the cluster database onto itself: %v", err)
	}
}
