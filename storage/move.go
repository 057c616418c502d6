package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/kuzot/kuzot/config"
	"github.com/kuzot/kuzot/internal/wait"
)

// Moving a single-node database into a cluster (issue 18, docs/scaling.md "Moving a
// single-node deployment to the cluster without losing data"). CopyToCluster copies
// every table of ShardingKeys except the ones below from the old database into the
// cluster's Distributed tables, so every row is re-sharded by its sharding key, one month
// partition at a time, then checks per table that count() (FINAL) matches.

// notCopied are the tables a move leaves out: schema_migrations belongs to the new
// database's own migrations, and narrative_daily is fed by its materialized view from the
// copied classifications (its distinct-post states make a repeated month harmless).
var notCopied = map[string]bool{"schema_migrations": true, "narrative_daily": true}

// CopySource is the single-node database a move copies from.
type CopySource struct {
	// Database is the old database.
	Database string
	// Addr is the old server's native address (host:port), read through the remote()
	// table function. Empty: the old database is on the server the cluster connection
	// reaches (the first reachable address of clickhouse.addr), read directly.
	Addr string
	// User and Password are the old server's account (remote() only). The password
	// travels in the query text to the cluster server, which may log it: use a temporary
	// account and drop it after the move.
	User     string
	Password config.Secret
}

// TableCopy is one table's line of the move's report.
type TableCopy struct {
	Table string
	// Final is true when the counts are count() FINAL (ReplacingMergeTree tables).
	Final bool
	// Months is the number of month partitions (or 1 for an unpartitioned table) read;
	// Copied of them were inserted, the others were already complete (plain MergeTree
	// only: a ReplacingMergeTree month is always copied again and collapses).
	Months, Copied int
	// SourceRows and ClusterRows are the final counts on both sides.
	SourceRows, ClusterRows uint64
	// Absent is true when the old database has no such table (an older schema).
	Absent  bool
	Elapsed time.Duration
}

// OK reports whether the table's counts match.
func (t TableCopy) OK() bool { return t.Absent || t.SourceRows == t.ClusterRows }

// CopyReport is the outcome of a move, one line per table in copy order.
type CopyReport struct {
	Tables  []TableCopy
	Elapsed time.Duration
}

// ErrCountMismatch is returned (wrapped) when a table's counts differ after the copy.
var ErrCountMismatch = errors.New("row counts differ between the old database and the cluster")

// Print writes the report as an aligned table.
func (r CopyReport) Print(w io.Writer) {
	fmt.Fprintf(w, "%-24s %8s %8s %14s %14s %8s  %s\n", "table", "months", "copied", "old rows", "cluster rows", "seconds", "check")
	for _, t := range r.Tables {
		check := "ok"
		switch {
		case t.Absent:
			check = "absent in the old database (skipped)"
		case !t.OK():
			check = "MISMATCH"
		}
		if t.Final && !t.Absent {
			check += " (count FINAL)"
		}
		fmt.Fprintf(w, "%-24s %8d %8d %14d %14d %8.1f  %s\n", t.Table, t.Months, t.Copied, t.SourceRows, t.ClusterRows,
			t.Elapsed.Seconds(), check)
	}
	fmt.Fprintf(w, "total %.1f s\n", r.Elapsed.Seconds())
}

// MoveTables returns the tables a move copies, in copy order: posts, classifications and
// exposures first, then the others by name.
func MoveTables() []string {
	first := []string{"posts", "classifications", "exposures"}
	out := append([]string(nil), first...)
	var rest []string
	for t := range ShardingKeys {
		if notCopied[t] || t == "posts" || t == "classifications" || t == "exposures" {
			continue
		}
		rest = append(rest, t)
	}
	sort.Strings(rest)
	return append(out, rest...)
}

var monthKeyRe = regexp.MustCompile(`^toYYYYMM\(([A-Za-z_][A-Za-z0-9_]*)\)$`)

// source is a validated CopySource with the SQL pieces that read it. Values are bound
// by the driver (named parameters); identifiers cannot be and are validated.
type source struct {
	CopySource
}

// system returns the FROM expression of a system table of the old server.
func (s source) system(table string) string {
	if s.Addr == "" {
		return "system." + table
	}
	return "remote(@from_addr, system, " + table + ", @from_user, @from_password)"
}

// table returns the FROM expression of a table of the old database.
func (s source) table(name string) string {
	if s.Addr == "" {
		return s.Database + "." + name
	}
	return "remote(@from_addr, @from_db, '" + name + "', @from_user, @from_password)"
}

// args are the bound parameters of every query reading the old server.
func (s source) args(extra ...any) []any {
	a := []any{clickhouse.Named("from_db", s.Database)}
	if s.Addr != "" {
		a = append(a, clickhouse.Named("from_addr", s.Addr), clickhouse.Named("from_user", s.User),
			clickhouse.Named("from_password", string(s.Password)))
	}
	return append(a, extra...)
}

// CopyToCluster copies the old single-node database src into the cluster database of
// layout through conn (a connection to the cluster, opened with ClusterSettings, so every
// INSERT into a Distributed table returns when each shard has its part), then compares
// count() — with FINAL for ReplacingMergeTree tables — per table, waiting up to
// checkWait for replicas to catch up. Every row goes through the Distributed tables,
// so it lands on the shard of its sharding key, and copying classifications feeds
// narrative_daily through its materialized view.
//
// It is idempotent: a ReplacingMergeTree month copied again collapses with the first
// copy; a plain MergeTree month (audit_log, narrative_labels, retention_log) whose
// cluster count already equals the old one is skipped, and one with a partial copy is
// deleted on the cluster (mutation ON CLUSTER) and copied again. Run it with the writers
// stopped, after MigrateLayout: the counts of a database still being written differ.
// It returns ErrCountMismatch (wrapped) with the report when a table's counts differ.
func CopyToCluster(ctx context.Context, conn driver.Conn, layout Layout, src CopySource, checkWait time.Duration, log *slog.Logger) (CopyReport, error) {
	start := time.Now()
	var rep CopyReport
	if !layout.Clustered() {
		return rep, fmt.Errorf("move: the target is not a cluster (set clickhouse.cluster)")
	}
	if err := layout.validate(); err != nil {
		return rep, err
	}
	if err := validIdent(src.Database); err != nil {
		return rep, err
	}
	if src.Addr == "" && src.Database == layout.Database {
		return rep, fmt.Errorf("move: the old database %s is the cluster database", src.Database)
	}
	s := source{src}
	ctx = clickhouse.Context(ctx, clickhouse.WithSettings(ClusterSettings()))
	var n uint64
	if err := conn.QueryRow(ctx, "SELECT count() FROM "+s.system("tables")+" WHERE database = @from_db", s.args()...).Scan(&n); err != nil {
		return rep, fmt.Errorf("move: read the old server's tables: %w", err)
	}
	if n == 0 {
		where := "the server the cluster connection reached (the first reachable of clickhouse.addr); give its server's address"
		if src.Addr != "" {
			where = src.Addr
		}
		return rep, fmt.Errorf("move: no table in database %s on %s", src.Database, where)
	}
	for _, table := range MoveTables() {
		tc, err := copyTable(ctx, conn, layout, s, table, log)
		rep.Tables = append(rep.Tables, tc)
		if err != nil {
			rep.Elapsed = time.Since(start)
			return rep, fmt.Errorf("move: %s: %w", table, err)
		}
	}
	// The check: a Distributed read queries one replica per shard, which may not have
	// fetched every part yet; wait for the replicas until checkWait.
	deadline := time.Now().Add(checkWait)
	for {
		bad := 0
		for i := range rep.Tables {
			t := &rep.Tables[i]
			if t.Absent {
				continue
			}
			var err error
			if t.SourceRows, err = countRows(ctx, conn, s.table(t.Table), t.Final, "", s.args()); err != nil {
				return rep, fmt.Errorf("move: count %s in the old database: %w", t.Table, err)
			}
			if t.ClusterRows, err = countRows(ctx, conn, layout.Database+"."+t.Table, t.Final, "", nil); err != nil {
				return rep, fmt.Errorf("move: count %s on the cluster: %w", t.Table, err)
			}
			if !t.OK() {
				bad++
			}
		}
		if bad == 0 || time.Now().After(deadline) {
			rep.Elapsed = time.Since(start)
			if bad > 0 {
				var names []string
				for _, t := range rep.Tables {
					if !t.OK() {
						names = append(names, fmt.Sprintf("%s (old %d, cluster %d)", t.Table, t.SourceRows, t.ClusterRows))
					}
				}
				return rep, fmt.Errorf("move: %w: %s", ErrCountMismatch, strings.Join(names, ", "))
			}
			return rep, nil
		}
		if !wait.Sleep(ctx, 2*time.Second) {
			return rep, ctx.Err()
		}
	}
}

// copySettings are the settings of the copying INSERTs: ClusterSettings and no block
// deduplication.
func copySettings() clickhouse.Settings {
	st := ClusterSettings()
	st["insert_deduplicate"] = 0
	return st
}

// countRows counts the rows of from (FINAL when final) matching where (empty: all).
func countRows(ctx context.Context, conn driver.Conn, from string, final bool, where string, args []any) (uint64, error) {
	q := "SELECT count() FROM " + from
	if final {
		q += " FINAL"
	}
	if where != "" {
		q += " WHERE " + where
	}
	var n uint64
	err := conn.QueryRow(ctx, q, args...).Scan(&n)
	return n, err
}

// copyTable copies one table month by month.
func copyTable(ctx context.Context, conn driver.Conn, layout Layout, s source, table string, log *slog.Logger) (tc TableCopy, err error) {
	start := time.Now()
	tc = TableCopy{Table: table}
	defer func() { tc.Elapsed = time.Since(start) }()
	// The old table: engine and partition key.
	var engine, partKey string
	err = conn.QueryRow(ctx, "SELECT engine, partition_key FROM "+s.system("tables")+" WHERE database = @from_db AND name = @table",
		s.args(clickhouse.Named("table", table))...).Scan(&engine, &partKey)
	if errors.Is(err, sql.ErrNoRows) {
		tc.Absent = true
		log.Warn("move: table absent in the old database; skipped", "table", table)
		return tc, nil
	}
	if err != nil {
		return tc, fmt.Errorf("read the old table's engine: %w", err)
	}
	switch engine {
	case "ReplacingMergeTree":
		tc.Final = true
	case "MergeTree":
	default:
		return tc, fmt.Errorf("old table engine %s: only ReplacingMergeTree and MergeTree can be copied", engine)
	}
	monthCol := ""
	if partKey != "" {
		m := monthKeyRe.FindStringSubmatch(partKey)
		if m == nil {
			return tc, fmt.Errorf("partition key %q: only toYYYYMM(column) is supported", partKey)
		}
		monthCol = m[1]
	}
	// Columns: those of the old table (an older schema has fewer; the cluster's defaults
	// fill the rest), each of which the cluster table must have.
	srcCols, err := columns(ctx, conn, s.system("columns"), s.args(clickhouse.Named("table", table)))
	if err != nil {
		return tc, fmt.Errorf("old columns: %w", err)
	}
	dstCols, err := columns(ctx, conn, "system.columns",
		[]any{clickhouse.Named("from_db", layout.Database), clickhouse.Named("table", table)})
	if err != nil {
		return tc, fmt.Errorf("cluster columns: %w", err)
	}
	have := map[string]bool{}
	for _, c := range dstCols {
		have[c] = true
	}
	for _, c := range srcCols {
		if !have[c] {
			return tc, fmt.Errorf("column %s of the old table is missing on the cluster (migrate the cluster database first)", c)
		}
		if !identRe.MatchString(c) {
			return tc, fmt.Errorf("column name %q is not a plain identifier", c)
		}
	}
	if len(srcCols) == 0 {
		return tc, fmt.Errorf("the old table has no columns")
	}
	cols := strings.Join(srcCols, ", ")
	// The units: month partitions of the old table, or the whole table.
	type unit struct {
		month uint32 // 0: whole table
	}
	units := []unit{{0}}
	if monthCol != "" {
		rows, err := conn.Query(ctx, fmt.Sprintf("SELECT DISTINCT toYYYYMM(%s) AS m FROM %s ORDER BY m", monthCol, s.table(table)), s.args()...)
		if err != nil {
			return tc, fmt.Errorf("list months: %w", err)
		}
		units = units[:0]
		for rows.Next() {
			var m uint32
			if err := rows.Scan(&m); err != nil {
				rows.Close()
				return tc, err
			}
			units = append(units, unit{m})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return tc, err
		}
	}
	dst := layout.Database + "." + table
	for _, u := range units {
		tc.Months++
		where, extra := "1", []any(nil)
		if u.month != 0 {
			where = fmt.Sprintf("toYYYYMM(%s) = @month", monthCol)
			extra = []any{clickhouse.Named("month", u.month)}
		}
		if !tc.Final {
			// A plain MergeTree keeps every copy: skip a complete month, clear a partial one.
			old, err := countRows(ctx, conn, s.table(table), false, where, s.args(extra...))
			if err != nil {
				return tc, fmt.Errorf("count month %d in the old table: %w", u.month, err)
			}
			have, err := countRows(ctx, conn, dst, false, where, extra)
			if err != nil {
				return tc, fmt.Errorf("count month %d on the cluster: %w", u.month, err)
			}
			if have == old {
				continue
			}
			if have != 0 {
				log.Warn("move: partial copy of a month on the cluster; deleting it before copying again",
					"table", table, "month", u.month, "cluster_rows", have, "old_rows", old)
				if err := clearMonth(ctx, conn, layout, table, where, extra); err != nil {
					return tc, fmt.Errorf("clear month %d on the cluster: %w", u.month, err)
				}
			}
		}
		q := fmt.Sprintf("INSERT INTO %s (%s) SELECT %s FROM %s WHERE %s", dst, cols, cols, s.table(table), where)
		t0 := time.Now()
		// insert_deduplicate=0: a replicated table remembers the hashes of its last
		// blocks even after a DELETE mutation, so a month cleared above and copied again
		// in identical blocks would be dropped as a duplicate. A repeated
		// ReplacingMergeTree month collapses without the block deduplication.
		ictx := clickhouse.Context(ctx, clickhouse.WithSettings(copySettings()))
		if err := conn.Exec(ictx, q, s.args(extra...)...); err != nil {
			return tc, fmt.Errorf("copy month %d (rerun the move: it is idempotent): %w", u.month, err)
		}
		tc.Copied++
		log.Info("move: copied", "table", table, "month", u.month, "seconds", time.Since(t0).Seconds())
	}
	return tc, nil
}

// columns lists the insertable columns (not MATERIALIZED or ALIAS) of @from_db.@table in
// the system.columns expression from.
func columns(ctx context.Context, conn driver.Conn, from string, args []any) ([]string, error) {
	rows, err := conn.Query(ctx, "SELECT name FROM "+from+
		" WHERE database = @from_db AND table = @table AND default_kind NOT IN ('MATERIALIZED', 'ALIAS')", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// clearMonth deletes rows of a plain MergeTree table on every shard with a mutation and
// waits until they are gone (18.16 has no synchronous mutations; DROP PARTITION from a
// follower replica fails there, see DropPartitionsBeforeLayout).
func clearMonth(ctx context.Context, conn driver.Conn, layout Layout, table, where string, args []any) error {
	if err := conn.Exec(ctx, fmt.Sprintf("ALTER TABLE %s.%s%s ON CLUSTER %s DELETE WHERE %s",
		layout.Database, table, LocalSuffix, layout.Cluster, where), args...); err != nil {
		return err
	}
	for deadline := time.Now().Add(10 * time.Minute); ; {
		n, err := countRows(ctx, conn, layout.Database+"."+table, false, where, args)
		if err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%d rows still there 10 minutes after the delete mutation", n)
		}
		if !wait.Sleep(ctx, time.Second) {
			return ctx.Err()
		}
	}
}
