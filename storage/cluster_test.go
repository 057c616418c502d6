package storage

import (
	"regexp"
	"strings"
	"testing"
)

// rewriteAll rewrites every embedded migration for a cluster, as MigrateLayout does.
func rewriteAll(t *testing.T) (map[string][]string, *migrationRewriter) {
	t.Helper()
	ms, err := Migrations()
	if err != nil {
		t.Fatal(err)
	}
	rw := newMigrationRewriter(Layout{Database: "kz", Cluster: "c1"})
	out := map[string][]string{}
	for _, m := range ms {
		stmts, err := rw.Rewrite(m.SQL)
		if err != nil {
			t.Fatalf("%s: %v", m.Version, err)
		}
		out[m.Version] = stmts
	}
	return out, rw
}

func TestClusterRewriteOfEveryMigration(t *testing.T) {
	got, rw := rewriteAll(t)
	cases := []struct {
		version string
		want    []string // substrings, one per statement, in order
	}{
		{"0001_posts", []string{
			"CREATE TABLE IF NOT EXISTS kz.posts_local ON CLUSTER c1 (",
			"CREATE TABLE IF NOT EXISTS kz.posts ON CLUSTER c1 AS kz.posts_local ENGINE = Distributed(c1, kz, posts_local, cityHash64(id))",
		}},
		{"0003_schema_info", []string{"ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/kz/retention_log_local', '{replica}')", "Distributed(c1, kz, retention_log_local"}},
		{"0013_alert_deliveries_cancelled", []string{
			"ALTER TABLE kz.alert_deliveries_local ON CLUSTER c1 MODIFY COLUMN state",
			"DROP TABLE IF EXISTS kz.alert_deliveries ON CLUSTER c1",
			"CREATE TABLE kz.alert_deliveries ON CLUSTER c1 AS kz.alert_deliveries_local ENGINE = Distributed(c1, kz, alert_deliveries_local, cityHash64(id))",
		}},
		{"0023_narrative_daily", []string{"ENGINE = ReplicatedAggregatingMergeTree('/clickhouse/tables/{shard}/kz/narrative_daily_local', '{replica}')", "Distributed("}},
		{"0024_narrative_daily_mv", []string{"CREATE MATERIALIZED VIEW IF NOT EXISTS kz.narrative_daily_mv ON CLUSTER c1 TO kz.narrative_daily_local AS SELECT"}},
		{"0025_narrative_daily_backfill", []string{"INSERT INTO kz.narrative_daily (day"}},
		{"0027_narrative_posts_backfill", []string{"INSERT INTO kz.narrative_posts ("}},
		{"0053_grafana_coordination_clusters", []string{"length(posts) AS post_count"}},
	}
	for _, tc := range cases {
		stmts := got[tc.version]
		if len(stmts) != len(tc.want) {
			t.Errorf("%s: %d statements, want %d:\n%s", tc.version, len(stmts), len(tc.want), strings.Join(stmts, "\n"))
			continue
		}
		for i, w := range tc.want {
			if !strings.Contains(stmts[i], w) {
				t.Errorf("%s statement %d:\n%s\nwant it to contain %q", tc.version, i, stmts[i], w)
			}
		}
	}
	if s := got["0001_posts"][0]; !strings.Contains(s, "ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/kz/posts_local', '{replica}', version)") ||
		!strings.Contains(s, "PARTITION BY toYYYYMM(published_at)") || !strings.Contains(s, "ORDER BY (source, id)") {
		t.Errorf("posts local table:\n%s", s)
	}
	// The materialized view reads the local table (it fires where each block lands); the
	// views and back-fills read the Distributed tables; nothing is left unqualified.
	if s := got["0024_narrative_daily_mv"][0]; !strings.Contains(s, "FROM kz.classifications_local") {
		t.Errorf("materialized view does not read the local table:\n%s", s)
	}
	for _, v := range []string{"0027_narrative_posts_backfill"} {
		s := got[v][0]
		for _, w := range []string{"FROM kz.exposures", "FROM kz.classifications", "FROM kz.posts"} {
			if !strings.Contains(s, w) {
				t.Errorf("%s lacks %q:\n%s", v, w, s)
			}
		}
	}
	unqualified := regexp.MustCompile(`(?i)\b(FROM|JOIN|INTO|TABLE|TO)\s+([a-z_]+)\b`)
	for v, stmts := range got {
		for _, s := range stmts {
			for _, m := range unqualified.FindAllStringSubmatch(s, -1) {
				if rw.sharded[m[2]] || rw.views[m[2]] {
					t.Errorf("%s: %s %s left unqualified:\n%s", v, m[1], m[2], s)
				}
			}
		}
	}
}

// Every sharding key hashes columns of its table's ORDER BY key, so rows that
// ReplacingMergeTree must collapse always land on the same shard, and every table about
// one post hashes the post id.
func TestShardingKeysFollowTheSortingKeys(t *testing.T) {
	ms, _ := Migrations()
	orderBy := map[string]string{}
	re := regexp.MustCompile(`(?is)^CREATE TABLE IF NOT EXISTS ([a-z_]+).*ORDER BY (.*)$`)
	for _, m := range ms {
		if g := re.FindStringSubmatch(m.SQL); g != nil {
			orderBy[g[1]] = g[2]
		}
	}
	orderBy["schema_migrations"] = "version"
	for table, key := range ShardingKeys {
		ob, ok := orderBy[table]
		if !ok {
			t.Errorf("ShardingKeys has %s, which no migration creates", table)
			continue
		}
		args := strings.TrimSuffix(strings.TrimPrefix(key, "cityHash64("), ")")
		for _, col := range strings.Split(args, ",") {
			col = strings.TrimSpace(col)
			if !regexp.MustCompile(`\b` + col + `\b`).MatchString(ob) {
				t.Errorf("%s: sharding key %s uses %s, not in ORDER BY %s", table, key, col, ob)
			}
		}
	}
	for table := range orderBy {
		if _, ok := ShardingKeys[table]; !ok {
			t.Errorf("table %s has no sharding key", table)
		}
	}
	for _, table := range []string{"classifications", "exposures", "narrative_posts", "narrative_labels"} {
		if ShardingKeys[table] != "cityHash64(post_id)" {
			t.Errorf("%s sharded by %s, not by the post id like posts", table, ShardingKeys[table])
		}
	}
}

func TestClusterRewriteRefusesUnknownStatements(t *testing.T) {
	rw := newMigrationRewriter(Layout{Database: "kz", Cluster: "c1"})
	for _, sql := range []string{
		"CREATE TABLE IF NOT EXISTS unknown_table (a String) ENGINE = ReplacingMergeTree ORDER BY a",
		"ALTER TABLE posts ADD COLUMN x String",
		"CREATE TABLE IF NOT EXISTS posts (a String) ENGINE = Log",
		"DROP TABLE posts",
	} {
		if _, err := rw.Rewrite(sql); err == nil {
			t.Errorf("%q rewritten without error", sql)
		}
	}
	if err := (Layout{Database: "kz", Cluster: "c1; DROP"}).validate(); err == nil {
		t.Error("cluster name with SQL accepted")
	}
}

func TestMutationTarget(t *testing.T) {
	for _, c := range []struct {
		layout Layout
		want   string
	}{
		{Layout{Database: "kuzot"}, "sessions"},
		{Layout{Database: "kuzot", Cluster: "kuzot_cluster"}, "kuzot.sessions_local ON CLUSTER kuzot_cluster"},
	} {
		got, err := c.layout.MutationTarget("sessions")
		if err != nil || got != c.want {
			t.Errorf("%+v: %q, %v; want %q", c.layout, got, err, c.want)
		}
	}
	for _, bad := range []Layout{{Database: "kuzot", Cluster: "c; DROP"}, {Database: "a-b", Cluster: "c"}} {
		if got, err := bad.MutationTarget("sessions"); err == nil {
			t.Errorf("%+v: %q accepted", bad, got)
		}
	}
	if _, err := (Layout{Database: "kuzot"}).MutationTarget("sessions WHERE 1"); err == nil {
		t.Error("a table name with SQL accepted")
	}
}
