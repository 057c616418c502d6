package storage

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/kuzot/kuzot/config"
)

// Cluster mode (issue 18). With clickhouse.cluster set, Migrate applies the same
// migrations, rewritten for a cluster of shards of replicas:
//
//   - CREATE TABLE t ... ENGINE = XMergeTree(args) becomes a replicated local table
//     db.t_local ON CLUSTER with ReplicatedXMergeTree('/clickhouse/tables/{shard}/db/t_local',
//     '{replica}', args), plus a Distributed table db.t ON CLUSTER over it, sharded by
//     ShardingKeys[t]. The rest of kuzot keeps reading and writing t.
//   - ALTER TABLE t ... alters db.t_local ON CLUSTER, then re-creates the Distributed
//     table db.t (it holds no data: writers insert synchronously) with the new columns.
//     ClickHouse 18.16 refuses ALTER ... ON CLUSTER of a Distributed table when the
//     cluster has internal_replication (code 371), so it cannot be altered in place.
//   - CREATE MATERIALIZED VIEW mv TO target AS SELECT ... FROM source reads and writes
//     the local tables: it fires on the replica that receives each block, and its target
//     is replicated too.
//   - CREATE VIEW and INSERT ... SELECT read (and write) the Distributed tables.
//
// Every table name is qualified with the database, because ON CLUSTER statements run on
// the other servers in their default database (18.16 does not qualify them itself).

// LocalSuffix names the replicated local table behind a Distributed table.
const LocalSuffix = "_local"

// ShardingKeys is the Distributed sharding expression of every table the migrations
// create. The rule: a table's rows that must collapse together (same ORDER BY key of a
// ReplacingMergeTree) must land on the same shard, so each key is a hash of columns of
// the table's ORDER BY key; every table about one post (posts, classifications,
// exposures, narrative_posts, narrative_labels) hashes the post id, so a post and all
// its rows live on one shard, FINAL collapses within a shard, and joins on post id can
// stay local. Keys are deterministic (never rand()), so a retried block is split the
// same way and each shard deduplicates its part. Cluster mode refuses a migration that
// creates a table missing here.
var ShardingKeys = map[string]string{
	"schema_migrations":     "cityHash64(version)",
	"posts":                 "cityHash64(id)",
	"classifications":       "cityHash64(post_id)",
	"exposures":             "cityHash64(post_id)",
	"narrative_posts":       "cityHash64(post_id)",
	"narrative_labels":      "cityHash64(post_id)",
	"retention_log":         "cityHash64(table_name)",
	"coordination_clusters": "cityHash64(id)",
	"coordination_members":  "cityHash64(cluster_id)",
	"coordination_evidence": "cityHash64(cluster_id)",
	"coordination_labels":   "cityHash64(cluster_id)",
	"coordination_rhythm":   "cityHash64(cluster_id)",
	"incidents":             "cityHash64(id)",
	"alert_deliveries":      "cityHash64(id)",
	"users":                 "cityHash64(name)",
	"sessions":              "cityHash64(token_hash)",
	"audit_log":             "cityHash64(user)",
	"narrative_daily":       "cityHash64(day, frame, source, channel)",
	"reports":               "cityHash64(id)",
	"tip_campaigns":         "cityHash64(fingerprint)",
}

// Layout is how Migrate lays the schema out: on one server (Cluster empty) or over a
// cluster of shards of replicas.
type Layout struct {
	// Database is the database of the tables; it is part of the replicated tables'
	// ZooKeeper paths, so two kuzot databases on one cluster never share replicas.
	Database string
	// Cluster is the remote_servers cluster; empty for one server.
	Cluster string
}

// LayoutOf returns the layout configured in cfg.
func LayoutOf(cfg config.ClickHouse) Layout {
	return Layout{Database: cfg.Database, Cluster: cfg.Cluster}
}

// Clustered reports whether the layout is a cluster.
func (l Layout) Clustered() bool { return l.Cluster != "" }

// MutationTarget is what follows ALTER TABLE in a mutation (ALTER ... DELETE) of table:
// the table itself on one server; on a cluster <database>.<table>_local ON CLUSTER
// <cluster>, because a Distributed table refuses mutations (code 48, "Mutations are not
// supported by storage Distributed", on 18.16 and current versions) and the replicated
// local tables carry the rows. TTL, the other way to expire rows, does not exist on 18.16.
func (l Layout) MutationTarget(table string) (string, error) {
	if !identRe.MatchString(table) {
		return "", fmt.Errorf("clickhouse: table name %q may hold only letters, digits and _", table)
	}
	if !l.Clustered() {
		return table, nil
	}
	if err := l.validate(); err != nil {
		return "", err
	}
	return l.Database + "." + table + LocalSuffix + " ON CLUSTER " + l.Cluster, nil
}

func (l Layout) validate() error {
	if !l.Clustered() {
		return nil
	}
	if !identRe.MatchString(l.Cluster) {
		return fmt.Errorf("clickhouse: cluster name %q may hold only letters, digits and _", l.Cluster)
	}
	return validIdent(l.Database)
}

// migrationRewriter turns the single-node migrations into cluster statements. It keeps
// the names of the tables, views and materialized views created so far, to qualify
// every reference to them.
type migrationRewriter struct {
	layout  Layout
	sharded map[string]bool // Distributed table over <name>_local
	views   map[string]bool // plain and materialized views
}

func newMigrationRewriter(l Layout) *migrationRewriter {
	return &migrationRewriter{layout: l, sharded: map[string]bool{}, views: map[string]bool{}}
}

var (
	createTableRe = regexp.MustCompile(`(?is)^CREATE\s+TABLE\s+IF\s+NOT\s+EXISTS\s+([A-Za-z_][A-Za-z0-9_]*)\s*\((.*)\)\s*ENGINE\s*=\s*(MergeTree|ReplacingMergeTree|SummingMergeTree|AggregatingMergeTree)\s*(?:\(([^)]*)\))?(.*)$`)
	createMVRe    = regexp.MustCompile(`(?is)^CREATE\s+MATERIALIZED\s+VIEW\s+IF\s+NOT\s+EXISTS\s+([A-Za-z_][A-Za-z0-9_]*)\s+TO\s+([A-Za-z_][A-Za-z0-9_]*)\s+AS\s+(.*)$`)
	createViewRe  = regexp.MustCompile(`(?is)^CREATE\s+VIEW\s+IF\s+NOT\s+EXISTS\s+([A-Za-z_][A-Za-z0-9_]*)\s+AS\s+(.*)$`)
	alterRe       = regexp.MustCompile(`(?is)^ALTER\s+TABLE\s+([A-Za-z_][A-Za-z0-9_]*)\s+(.*)$`)
	insertRe      = regexp.MustCompile(`(?is)^INSERT\s+INTO\s+`)
	tableRefRe    = regexp.MustCompile(`(?i)\b(FROM|JOIN|INTO)(\s+)([A-Za-z_][A-Za-z0-9_]*)\b`)
)

// Rewrite returns the cluster statements of one migration statement, in order.
func (r *migrationRewriter) Rewrite(sql string) ([]string, error) {
	db, c := r.layout.Database, r.layout.Cluster
	sql = strings.TrimSpace(sql)
	switch {
	case createTableRe.MatchString(sql):
		m := createTableRe.FindStringSubmatch(sql)
		name, cols, engine, args, rest := m[1], m[2], m[3], strings.TrimSpace(m[4]), m[5]
		if _, ok := ShardingKeys[name]; !ok {
			return nil, fmt.Errorf("table %s has no sharding key in storage.ShardingKeys", name)
		}
		zkArgs := fmt.Sprintf("'/clickhouse/tables/{shard}/%s/%s%s', '{replica}'", db, name, LocalSuffix)
		if args != "" {
			zkArgs += ", " + args
		}
		local := fmt.Sprintf("CREATE TABLE IF NOT EXISTS %s.%s%s ON CLUSTER %s (%s) ENGINE = Replicated%s(%s)%s",
			db, name, LocalSuffix, c, cols, engine, zkArgs, rest)
		r.sharded[name] = true
		return []string{local, r.distributed(name, "CREATE TABLE IF NOT EXISTS")}, nil
	case createMVRe.MatchString(sql):
		m := createMVRe.FindStringSubmatch(sql)
		name, target, sel := m[1], m[2], m[3]
		if !r.sharded[target] {
			return nil, fmt.Errorf("materialized view %s: target %s is not a table of the migrations", name, target)
		}
		r.views[name] = true
		return []string{fmt.Sprintf("CREATE MATERIALIZED VIEW IF NOT EXISTS %s.%s ON CLUSTER %s TO %s.%s%s AS %s",
			db, name, c, db, target, LocalSuffix, r.qualify(sel, true))}, nil
	case createViewRe.MatchString(sql):
		m := createViewRe.FindStringSubmatch(sql)
		r.views[m[1]] = true
		return []string{fmt.Sprintf("CREATE VIEW IF NOT EXISTS %s.%s ON CLUSTER %s AS %s", db, m[1], c, r.qualify(m[2], false))}, nil
	case alterRe.MatchString(sql):
		m := alterRe.FindStringSubmatch(sql)
		name, ops := m[1], m[2]
		if !r.sharded[name] {
			return nil, fmt.Errorf("ALTER TABLE %s: not a table of the migrations", name)
		}
		return []string{
			fmt.Sprintf("ALTER TABLE %s.%s%s ON CLUSTER %s %s", db, name, LocalSuffix, c, ops),
			fmt.Sprintf("DROP TABLE IF EXISTS %s.%s ON CLUSTER %s", db, name, c),
			r.distributed(name, "CREATE TABLE"),
		}, nil
	case insertRe.MatchString(sql):
		// INSERT ... SELECT back-fills: into the Distributed table (split by its sharding
		// key), reading the Distributed tables.
		return []string{r.qualify(sql, false)}, nil
	}
	return nil, fmt.Errorf("cluster mode cannot apply this statement (CREATE TABLE/VIEW/MATERIALIZED VIEW IF NOT EXISTS, ALTER TABLE or INSERT expected): %.80s", sql)
}

// distributed is the statement creating the Distributed table name over name_local.
func (r *migrationRewriter) distributed(name, create string) string {
	db, c := r.layout.Database, r.layout.Cluster
	return fmt.Sprintf("%s %s.%s ON CLUSTER %s AS %s.%s%s ENGINE = Distributed(%s, %s, %s%s, %s)",
		create, db, name, c, db, name, LocalSuffix, c, db, name, LocalSuffix, ShardingKeys[name])
}

// qualify prefixes the database to every table or view of the migrations named after
// FROM, JOIN or INTO; local points sharded tables to their local table instead.
func (r *migrationRewriter) qualify(sql string, local bool) string {
	return tableRefRe.ReplaceAllStringFunc(sql, func(s string) string {
		m := tableRefRe.FindStringSubmatch(s)
		name := m[3]
		switch {
		case r.sharded[name] && local:
			return m[1] + m[2] + r.layout.Database + "." + name + LocalSuffix
		case r.sharded[name] || r.views[name]:
			return m[1] + m[2] + r.layout.Database + "." + name
		}
		return s
	})
}
