package storage

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/kuzot/kuzot/config"
)

// Grafana used to query ClickHouse as kuzot itself, so any Grafana user could read raw
// post texts, password hashes, sessions, the audit log and every organisation's incidents
// (issue 19, item 4). Now the dashboards read a database of their own (GrafanaAccess.
// Database, default kuzot_grafana) holding one table per aggregate the dashboards need,
// each backed by a fixed view of the kuzot database (migrations 0050-0054) that leaves
// out texts and personal data; the grafana user, readonly=1, may read that database and
// nothing else.
//
// How the database is filled depends on the server:
//
//   - ClickHouse 18.16 has no SQL users or GRANT, and a user restricted to one database
//     with allow_databases cannot read a view over another one (the view runs with the
//     user's rights). The grafana user is defined in users.xml (scripts/clickhouse-local.sh
//     generates it with readonly=1 and allow_databases of the Grafana database only), and
//     each Grafana table is a Distributed table over a loopback cluster of the server
//     itself as kuzot's user (GrafanaAccess.Cluster): it can run that one view and
//     nothing else. readonly=1 also forbids table functions (remote, url...) and SET.
//   - A server with SQL access management (the current LTS of docker-compose.yml) gets
//     the user from SQL: CREATE USER ... SETTINGS readonly = 1, views with SQL SECURITY
//     DEFINER in the Grafana database, and GRANT SELECT on that database only.
//
// Neither is used when the server offers neither; migrate then warns and Grafana gets
// no access at all (never kuzot's).

// ErrGrafanaUnsupported means the server has neither SQL users nor the loopback cluster,
// so no read-only Grafana access could be provisioned.
var ErrGrafanaUnsupported = errors.New("no way to provision a read-only Grafana user on this server")

// GrafanaTable is one table of the Grafana database and the object of the kuzot database
// it serves.
type GrafanaTable struct {
	Name   string
	Source string
}

// GrafanaTables are the tables the dashboards read, in the Grafana database.
var GrafanaTables = []GrafanaTable{
	{Name: "classifications", Source: "grafana_classifications"},
	{Name: "incidents", Source: "grafana_incidents"},
	{Name: "exposures", Source: "grafana_exposures"},
	{Name: "coordination_clusters", Source: "grafana_coordination_clusters"},
	{Name: "alert_deliveries", Source: "grafana_alert_deliveries"},
	// Distinct-post states of flagged narratives per day, frame, source and channel: no
	// personal data (post ids only as hashes inside the states), so no view is needed.
	{Name: "narrative_daily", Source: "narrative_daily"},
}

var identRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// GrafanaMode is how ProvisionGrafana served the Grafana database.
type GrafanaMode string

// The modes of ProvisionGrafana.
const (
	GrafanaSkipped     GrafanaMode = "skipped"
	GrafanaDistributed GrafanaMode = "distributed"
	GrafanaSQLUsers    GrafanaMode = "sql-users"
)

// ProvisionGrafana creates (or brings up to date) the Grafana database of cfg.Grafana
// over the migrated kuzot database cfg.Database, through conn (kuzot's own user). It is
// idempotent; run it after Migrate.
func ProvisionGrafana(ctx context.Context, conn driver.Conn, cfg config.ClickHouse) (GrafanaMode, error) {
	g := cfg.Grafana
	if g.Database == "-" || g.Database == "" {
		return GrafanaSkipped, nil
	}
	for _, id := range []string{cfg.Database, g.Database, g.User, g.Cluster} {
		if !identRe.MatchString(id) {
			return GrafanaSkipped, fmt.Errorf("grafana access: %q is not a plain identifier", id)
		}
	}
	if g.Database == cfg.Database {
		return GrafanaSkipped, errors.New("grafana access: clickhouse.grafana.database must not be kuzot's own database")
	}
	var clusters uint64
	if err := conn.QueryRow(ctx, "SELECT count() FROM system.clusters WHERE cluster = ?", g.Cluster).Scan(&clusters); err != nil {
		return GrafanaSkipped, fmt.Errorf("grafana access: read system.clusters: %w", err)
	}
	var sqlUsers uint64
	if err := conn.QueryRow(ctx, "SELECT count() FROM system.tables WHERE database = 'system' AND name = 'users'").Scan(&sqlUsers); err != nil {
		return GrafanaSkipped, fmt.Errorf("grafana access: read system.tables: %w", err)
	}
	switch {
	case sqlUsers > 0:
		if g.Password == "" {
			return GrafanaSkipped, errors.New("grafana access: set clickhouse.grafana.password (KUZOT_CLICKHOUSE_GRAFANA_PASSWORD) so that kuzot migrate can create the read-only grafana user")
		}
		return GrafanaSQLUsers, provisionSQLUsers(ctx, conn, cfg)
	case clusters > 0:
		return GrafanaDistributed, provisionDistributed(ctx, conn, cfg)
	}
	return GrafanaSkipped, fmt.Errorf("%w: define the remote_servers cluster %q (scripts/clickhouse-local.sh does) or use a server with SQL users", ErrGrafanaUnsupported, g.Cluster)
}

func provisionDistributed(ctx context.Context, conn driver.Conn, cfg config.ClickHouse) error {
	g := cfg.Grafana
	if err := conn.Exec(ctx, "CREATE DATABASE IF NOT EXISTS "+g.Database); err != nil {
		return fmt.Errorf("grafana access: %w", err)
	}
	for _, t := range GrafanaTables {
		want, err := describe(ctx, conn, cfg.Database, t.Source)
		if err != nil {
			return err
		}
		have, err := describe(ctx, conn, g.Database, t.Name)
		if err != nil {
			return err
		}
		var engine string
		_ = conn.QueryRow(ctx, "SELECT engine_full FROM system.tables WHERE database = ? AND name = ?", g.Database, t.Name).Scan(&engine)
		target := fmt.Sprintf("Distributed(%s, %s, %s)", g.Cluster, cfg.Database, t.Source)
		if have == want && strings.ReplaceAll(engine, "'", "") == target {
			continue
		}
		if err := conn.Exec(ctx, fmt.Sprintf("DROP TABLE IF EXISTS %s.%s", g.Database, t.Name)); err != nil {
			return fmt.Errorf("grafana access: %s: %w", t.Name, err)
		}
		// IF NOT EXISTS: two migrates at once must not fail each other.
		ddl := fmt.Sprintf("CREATE TABLE IF NOT EXISTS %s.%s (%s) ENGINE = %s", g.Database, t.Name, want, target)
		if err := conn.Exec(ctx, ddl); err != nil {
			return fmt.Errorf("grafana access: %s: %w", t.Name, err)
		}
	}
	return nil
}

func provisionSQLUsers(ctx context.Context, conn driver.Conn, cfg config.ClickHouse) error {
	g := cfg.Grafana
	// The identifiers (database, user, view names) were checked against identRe by
	// ProvisionGrafana and come from config and the fixed GrafanaTables list: ClickHouse
	// cannot bind identifiers. The password is a value and is bound by the driver (@password).
	password := clickhouse.Named("password", string(g.Password))
	type stmt struct {
		sql  string
		args []any
	}
	stmts := []stmt{
		{sql: "CREATE DATABASE IF NOT EXISTS " + g.Database},
		{sql: fmt.Sprintf("CREATE USER IF NOT EXISTS %s IDENTIFIED WITH sha256_password BY @password DEFAULT DATABASE %s SETTINGS readonly = 1", g.User, g.Database), args: []any{password}},
		// Rotation: the password is set again on every migrate.
		{sql: fmt.Sprintf("ALTER USER %s IDENTIFIED WITH sha256_password BY @password DEFAULT DATABASE %s SETTINGS readonly = 1", g.User, g.Database), args: []any{password}},
	}
	for _, t := range GrafanaTables {
		stmts = append(stmts, stmt{sql: fmt.Sprintf("CREATE OR REPLACE VIEW %s.%s DEFINER = CURRENT_USER SQL SECURITY DEFINER AS SELECT * FROM %s.%s",
			g.Database, t.Name, cfg.Database, t.Source)})
	}
	stmts = append(stmts,
		stmt{sql: fmt.Sprintf("REVOKE ALL ON *.* FROM %s", g.User)},
		stmt{sql: fmt.Sprintf("GRANT SELECT ON %s.* TO %s", g.Database, g.User)})
	for _, s := range stmts {
		if err := conn.Exec(ctx, s.sql, s.args...); err != nil {
			// A server error quotes the statement as bound (the password escaped): never
			// pass the password on.
			pw := string(g.Password)
			escaped := strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(pw)
			if msg := err.Error(); strings.Contains(msg, pw) || strings.Contains(msg, escaped) {
				msg = strings.ReplaceAll(strings.ReplaceAll(msg, escaped, "<secret>"), pw, "<secret>")
				return fmt.Errorf("grafana access: %s: %s", s.sql, msg)
			}
			return fmt.Errorf("grafana access: %s: %w", s.sql, err)
		}
	}
	return nil
}

// describe returns the column list of db.table as DDL ("a String, b UInt8"), or "" when
// the table does not exist.
func describe(ctx context.Context, conn driver.Conn, db, table string) (string, error) {
	rows, err := conn.Query(ctx, "SELECT name, type FROM system.columns WHERE database = ? AND table = ? ORDER BY position", db, table)
	if err != nil {
		// 18.16's system.columns has no position column.
		rows, err = conn.Query(ctx, "SELECT name, type FROM system.columns WHERE database = ? AND table = ?", db, table)
		if err != nil {
			return "", fmt.Errorf("grafana access: describe %s.%s: %w", db, table, err)
		}
	}
	defer rows.Close()
	var cols []string
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			return "", err
		}
		cols = append(cols, "`"+name+"` "+typ)
	}
	return strings.Join(cols, ", "), rows.Err()
}
