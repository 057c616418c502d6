package storage_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/kuzot/kuzot/config"
	"github.com/kuzot/kuzot/internal/testenv"
	"github.com/kuzot/kuzot/storage"
)

// TestIntegrationConcurrentMigrations starts two migrators at once on a fresh database,
// each on its own connection, as two kuzot processes starting together: both succeed,
// every migration is applied by exactly one of them and recorded once, and the lock is
// gone afterwards.
func TestIntegrationConcurrentMigrations(t *testing.T) {
	if testing.Short() {
		t.Skip("integration")
	}
	concurrentMigrations(t, testenv.ClickHouseConfig(t))
}

// The same on the 2x2 cluster: the lock table is created ON CLUSTER, in the one order of
// the distributed DDL queue on every server.
func TestIntegrationClickHouseClusterConcurrentMigrations(t *testing.T) {
	c := clusterUnderTest(t)
	concurrentMigrations(t, c.config(t))
}

func concurrentMigrations(t *testing.T, cfg config.ClickHouse) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var conns []driver.Conn
	for i := range 2 {
		one := cfg
		if i == 1 {
			// On a cluster, the second migrator on another server first, as a process
			// whose address list starts elsewhere.
			addrs := strings.Split(cfg.Addr, ",")
			slices.Reverse(addrs)
			one.Addr = strings.Join(addrs, ",")
		}
		conn, err := storage.Open(ctx, one, testenv.Logger(t))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		conns = append(conns, conn)
	}
	applied := make([][]string, 2)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range 2 {
		wg.Go(func() {
			<-start
			applied[i], errs[i] = storage.MigrateLayout(ctx, conns[i], storage.LayoutOf(cfg))
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("migrator %d: %v", i+1, err)
		}
	}
	ms, _ := storage.Migrations()
	all := append(slices.Clone(applied[0]), applied[1]...)
	slices.Sort(all)
	t.Logf("migrator 1 applied %d, migrator 2 applied %d", len(applied[0]), len(applied[1]))
	if len(all) != len(ms) || len(slices.Compact(all)) != len(ms) {
		t.Fatalf("applied %d + %d migrations (some twice?), want each of %d once", len(applied[0]), len(applied[1]), len(ms))
	}
	var n uint64
	if err := conns[0].QueryRow(ctx, "SELECT count() FROM schema_migrations").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if int(n) != len(ms) {
		t.Fatalf("%d rows in schema_migrations (without FINAL), want %d: a migration was recorded twice", n, len(ms))
	}
	if err := conns[0].QueryRow(ctx, "SELECT count() FROM system.tables WHERE database = currentDatabase() AND name = ?", storage.MigrationLockTable).Scan(&n); err != nil || n != 0 {
		t.Fatalf("the lock table is still there (%d, %v)", n, err)
	}
}

// TestIntegrationMigrationWaitsForTheLock: while another process holds the lock, a
// migrator waits (here until its context ends) and applies nothing.
func TestIntegrationMigrationWaitsForTheLock(t *testing.T) {
	if testing.Short() {
		t.Skip("integration")
	}
	conn, cfg := testenv.ClickHouse(t)
	ctx := context.Background()
	if err := conn.Exec(ctx, "CREATE TABLE "+storage.MigrationLockTable+" (at DateTime) ENGINE = TinyLog"); err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	started := time.Now()
	_, err := storage.MigrateLayout(wctx, conn, storage.LayoutOf(cfg))
	if err == nil || !strings.Contains(err.Error(), "holds the migration lock") {
		t.Fatalf("migrate with the lock held: %v, want a wait until the context ended", err)
	}
	if d := time.Since(started); d < 1500*time.Millisecond {
		t.Fatalf("gave up after %s, before its context ended", d)
	}
	if err := conn.Exec(ctx, "DROP TABLE "+storage.MigrationLockTable); err != nil {
		t.Fatal(err)
	}
	if _, err := storage.MigrateLayout(ctx, conn, storage.LayoutOf(cfg)); err != nil {
		t.Fatalf("migrate after the lock was released: %v", err)
	}
}
