package storage

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migration is one versioned schema change: exactly one SQL statement per file, named
// NNNN_description.sql, applied in name order. Statements use unqualified table names;
// they run with the configured database as the default.
type Migration struct {
	Version string
	SQL     string
}

// Migrations returns the embedded migrations in order.
func Migrations() ([]Migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		b, err := migrationFiles.ReadFile("migrations/" + e.Name())
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: strings.TrimSuffix(e.Name(), ".sql"), SQL: stripComments(string(b))})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, nil
}

// columnAlreadyAdded reports whether err is ClickHouse's "column with this name already
// exists" (code 44) answering an ADD COLUMN migration. 18.16 has no ADD COLUMN IF NOT
// EXISTS, so this is how such a migration stays idempotent: a crash between the ALTER and
// its record in schema_migrations leaves the columns in place, and the rerun accepts them.
func columnAlreadyAdded(sql string, err error) bool {
	var ex *clickhouse.Exception
	return strings.Contains(strings.ToUpper(sql), "ADD COLUMN") && errors.As(err, &ex) && ex.Code == 44
}

func stripComments(sql string) string {
	var b strings.Builder
	for _, line := range strings.Split(sql, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "--") {
			continue
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	return strings.TrimRight(strings.TrimSpace(b.String()), ";")
}

// Migrate applies the migrations not yet recorded in schema_migrations to one server
// and returns the versions it applied. Every statement is idempotent (IF NOT EXISTS), so
// a crash between a statement and its record is repaired by running Migrate again.
func Migrate(ctx context.Context, conn driver.Conn) ([]string, error) {
	return MigrateLayout(ctx, conn, Layout{})
}

// MigrateLayout is Migrate for a layout: one server (Cluster empty, exactly Migrate) or a
// cluster, where every migration is rewritten into replicated local tables and
// Distributed tables ON CLUSTER (see ShardingKeys). In a cluster, schema_migrations is
// itself replicated and distributed, so every server sees the same record, and the ON
// CLUSTER statements wait for every server (distributed_ddl_task_timeout, 180 s by
// default): migrate with all of them up. Processes migrating at once take turns
// through a lock table (lockMigrations); the later ones find the migrations applied.
func MigrateLayout(ctx context.Context, conn driver.Conn, layout Layout) ([]string, error) {
	if err := layout.validate(); err != nil {
		return nil, err
	}
	exec := func(sql string) error { return conn.Exec(ctx, sql) }
	var rw *migrationRewriter
	if layout.Clustered() {
		// Writes go through the Distributed tables synchronously.
		ctx = clickhouse.Context(ctx, clickhouse.WithSettings(ClusterSettings()))
		rw = newMigrationRewriter(layout)
		exec = func(sql string) error {
			stmts, err := rw.Rewrite(sql)
			if err != nil {
				return err
			}
			for _, st := range stmts {
				// An ADD COLUMN of a rerun finds its columns on the local tables; the
				// Distributed table is re-created after it all the same.
				if err := conn.Exec(ctx, st); err != nil && !columnAlreadyAdded(st, err) {
					return err
				}
			}
			return nil
		}
		if err := conn.Exec(ctx, fmt.Sprintf("CREATE DATABASE IF NOT EXISTS %s ON CLUSTER %s", layout.Database, layout.Cluster)); err != nil {
			return nil, fmt.Errorf("migrate: create database on cluster %s: %w", layout.Cluster, err)
		}
	}
	release, err := lockMigrations(ctx, conn, layout)
	if err != nil {
		return nil, err
	}
	defer release()
	if err := exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
		version String, applied_at DateTime) ENGINE = ReplacingMergeTree ORDER BY version`); err != nil {
		return nil, fmt.Errorf("migrate: create schema_migrations: %w", err)
	}
	done := map[string]bool{}
	rows, err := conn.Query(ctx, "SELECT version FROM schema_migrations")
	if err != nil {
		return nil, fmt.Errorf("migrate: read schema_migrations: %w", err)
	}
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return nil, err
		}
		done[v] = true
	}
	rows.Close()
	ms, err := Migrations()
	if err != nil {
		return nil, err
	}
	var applied []string
	for _, m := range ms {
		if done[m.Version] {
			if rw != nil {
				// Learn the tables the applied migrations created, to rewrite later ones.
				if _, err := rw.Rewrite(m.SQL); err != nil {
					return applied, fmt.Errorf("migrate %s: %w", m.Version, err)
				}
			}
			continue
		}
		if err := exec(m.SQL); err != nil && !columnAlreadyAdded(m.SQL, err) {
			return applied, fmt.Errorf("migrate %s: %w", m.Version, err)
		}
		b, err := conn.PrepareBatch(ctx, "INSERT INTO schema_migrations (version, applied_at)")
		if err != nil {
			return applied, fmt.Errorf("migrate %s: record: %w", m.Version, err)
		}
		if err := b.Append(m.Version, time.Now().UTC()); err != nil {
			return applied, err
		}
		if err := b.Send(); err != nil {
			return applied, fmt.Errorf("migrate %s: record: %w", m.Version, err)
		}
		applied = append(applied, m.Version)
	}
	return applied, nil
}
