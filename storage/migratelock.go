package storage

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/kuzot/kuzot/internal/wait"
)

// Two kuzot processes started at once against one ClickHouse (every replica of a
// deployment migrates at startup) must not apply the same migrations side by side: on a
// cluster one's re-creation of a Distributed table after an ALTER can drop the table the
// other is back-filling through, and a back-fill run twice writes its rows twice.
// ClickHouse has no transactions or advisory locks, so the lock is a table:
// CREATE TABLE without IF NOT EXISTS succeeds for exactly one of the processes racing to
// create it (a DDL guard per table name on one server; on a cluster the ON CLUSTER
// statements run in the one order of the distributed DDL queue on every server). The
// holder drops it when done. A lock older than migrationLockStale is taken to be left by
// a migrator that died, and broken.

// MigrationLockTable is the table whose existence is the migration lock.
const MigrationLockTable = "schema_migrations_lock"

// migrationLockStale is the age after which a lock is broken. A full migration ON
// CLUSTER of the local 2x2 cluster takes ~15 s; back-fills of a large database take
// longer, so a lock is trusted for a good while.
var migrationLockStale = 30 * time.Minute

// lockMigrations takes the migration lock, waiting (until ctx ends) while another
// process holds it. The returned function releases it.
func lockMigrations(ctx context.Context, conn driver.Conn, layout Layout) (func(), error) {
	name, onCluster, dbExpr := MigrationLockTable, "", "currentDatabase()"
	if layout.Database != "" {
		name = layout.Database + "." + MigrationLockTable
		dbExpr = "'" + layout.Database + "'" // validated identifier (Layout.validate)
	}
	if layout.Clustered() {
		onCluster = " ON CLUSTER " + layout.Cluster
	}
	create := "CREATE TABLE " + name + onCluster + " (at DateTime) ENGINE = TinyLog"
	drop := "DROP TABLE IF EXISTS " + name + onCluster
	age := "SELECT toUInt64(greatest(0, now() - metadata_modification_time)) FROM system.tables WHERE database = " + dbExpr + " AND name = '" + MigrationLockTable + "'"
	delay := 200 * time.Millisecond
	for vanished := 0; ; {
		err := conn.Exec(ctx, create)
		if err == nil {
			release := func() {
				// The lock must go even when ctx has ended (a failed migration).
				rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
				defer cancel()
				_ = conn.Exec(rctx, drop)
			}
			return release, nil
		}
		// Held by another process, or a real error: the table tells.
		var secs uint64
		rows, qerr := conn.Query(ctx, age)
		if qerr != nil {
			return nil, fmt.Errorf("migrate: lock: %w (and reading its age: %v)", err, qerr)
		}
		held := rows.Next()
		if held {
			qerr = rows.Scan(&secs)
		}
		rows.Close()
		if qerr != nil {
			return nil, fmt.Errorf("migrate: lock age: %w", qerr)
		}
		if !held {
			if ctx.Err() != nil {
				return nil, fmt.Errorf("migrate: lock: %w", errors.Join(err, ctx.Err()))
			}
			// Created and dropped by another process between our CREATE and the read:
			// try again at once — a few times, since a CREATE refused for another
			// reason (a read-only user) looks the same.
			if vanished++; vanished > 5 {
				return nil, fmt.Errorf("migrate: lock: %w", err)
			}
			continue
		}
		if time.Duration(secs)*time.Second > migrationLockStale {
			if derr := conn.Exec(ctx, drop); derr != nil {
				return nil, fmt.Errorf("migrate: break a stale lock (%d s old): %w", secs, derr)
			}
			continue
		}
		if !wait.Sleep(ctx, delay) {
			return nil, fmt.Errorf("migrate: another process holds the migration lock (table %s, %d s old; drop it if no migrator runs): %w", name, secs, ctx.Err())
		}
		delay = min(delay*2, 2*time.Second)
	}
}
