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

// Migrate applies the migrations not yet recorded in schema_migrations and returns the
// versions it applied. Every statement is idempotent (IF NOT EXISTS), so a crash between
// a statement and its record is repaired by running Migrate again.
func Migrate(ctx context.Context, conn driver.Conn) ([]string, error) {
	if err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
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
			continue
		}
		if err := conn.Exec(ctx, m.SQL); err != nil && !columnAlreadyAdded(m.SQL, err) {
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
