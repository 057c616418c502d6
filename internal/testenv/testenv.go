// Package testenv gives integration tests the real services they run against: a
// ClickHouse database of their own on the server `make test` starts (its address in
// KUZOT_TEST_CLICKHOUSE_ADDR), and an embedded JetStream bus in a temporary directory.
package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/kuzot/kuzot/config"
	"github.com/kuzot/kuzot/pipeline"
	"github.com/kuzot/kuzot/storage"
)

// ClickHouseAddrEnv names the native address of the test ClickHouse server.
const ClickHouseAddrEnv = "KUZOT_TEST_CLICKHOUSE_ADDR"

// ClickHousePasswordEnv names the password of the test server's default user (empty when
// the server has none). scripts/test.sh exports the one scripts/clickhouse-local.sh
// generated.
const ClickHousePasswordEnv = "KUZOT_TEST_CLICKHOUSE_PASSWORD"

// ClickHouseGrafanaPasswordEnv names the password of the test server's read-only grafana
// user (scripts/clickhouse-local.sh); tests of the Grafana access skip without it.
const ClickHouseGrafanaPasswordEnv = "KUZOT_TEST_CLICKHOUSE_GRAFANA_PASSWORD"

// RequireEnv makes a missing service a test failure instead of a skip (set by make test,
// so CI can never pass by skipping).
const RequireEnv = "KUZOT_TEST_REQUIRE_SERVICES"

// Logger returns a logger that writes to the test log only when -v is given.
func Logger(t testing.TB) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// ClickHouseConfig returns a config for a fresh, uniquely named database on the test
// server, dropped when the test ends. It skips (or fails under RequireEnv) when no server
// address is set.
func ClickHouseConfig(t testing.TB) config.ClickHouse {
	t.Helper()
	addr := os.Getenv(ClickHouseAddrEnv)
	if addr == "" {
		if os.Getenv(RequireEnv) != "" {
			t.Fatalf("%s is not set but %s is: make test starts ClickHouse and sets it", ClickHouseAddrEnv, RequireEnv)
		}
		t.Skipf("no ClickHouse: set %s (make test does) to run this integration test", ClickHouseAddrEnv)
	}
	cfg := config.Default().CH
	cfg.Addr = addr
	cfg.Password = config.Secret(os.Getenv(ClickHousePasswordEnv))
	cfg.Database = "kuzot_test_" + randomHex(6)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c := cfg
		c.Database = "default"
		conn, err := storage.Open(ctx, c, Logger(t))
		if err == nil {
			_ = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+cfg.Database)
			conn.Close()
		}
	})
	return cfg
}

// ClickHouse opens a migrated fresh database on the test server.
func ClickHouse(t testing.TB) (driver.Conn, config.ClickHouse) {
	t.Helper()
	cfg := ClickHouseConfig(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	conn, err := storage.Open(ctx, cfg, Logger(t))
	if err != nil {
		t.Fatalf("open clickhouse: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	if _, err := storage.Migrate(ctx, conn); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return conn, cfg
}

// NATSConfig returns a config for an embedded JetStream server on a free port with its
// store in dir.
func NATSConfig(dir string) config.NATS {
	c := config.Default().NATS
	c.Embedded.Port = -1
	c.Embedded.StoreDir = dir
	return c
}

// Bus starts an embedded JetStream server for the test, closed when the test ends.
func Bus(t testing.TB) *pipeline.Bus {
	t.Helper()
	return BusAt(t, NATSConfig(t.TempDir()))
}

// BusAt starts a bus with cfg (to restart on the same store directory).
func BusAt(t testing.TB, cfg config.NATS) *pipeline.Bus {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	b, err := pipeline.Connect(ctx, cfg, Logger(t))
	if err != nil {
		t.Fatalf("start embedded NATS: %v", err)
	}
	t.Cleanup(b.Close)
	return b
}

// Eventually polls cond every 50 ms until it holds or timeout passes.
func Eventually(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// EventuallyCtx is Eventually for checks that make requests. Each attempt gets its own
// context, bounded by attempt and by parent: a NATS client that is reconnecting after
// its server was killed holds a request until its context ends, so a check sharing the
// test's long context could hang past the whole wait on one attempt.
func EventuallyCtx(t testing.TB, parent context.Context, timeout, attempt time.Duration, what string, cond func(ctx context.Context) bool) {
	t.Helper()
	try := func() bool {
		ctx, cancel := context.WithTimeout(parent, attempt)
		defer cancel()
		return cond(ctx)
	}
	Eventually(t, timeout, what, try)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// RequireDataEnv makes missing shared data (../shared/datasets, which is not in the
// repository) a test failure instead of a skip. .ci/run sets it, so that CI never passes
// by silently skipping the tests on real labelled data; make test on a fresh clone
// without ../shared still skips them, loudly.
const RequireDataEnv = "KUZOT_TEST_REQUIRE_DATA"

// SkipWithoutData skips a test whose shared data (what) is missing, or fails it under
// RequireDataEnv.
func SkipWithoutData(t testing.TB, what string) {
	t.Helper()
	if os.Getenv(RequireDataEnv) != "" {
		t.Fatalf("%s is missing but %s is set: CI must run the tests on the shared data", what, RequireDataEnv)
	}
	t.Skipf("%s is missing (set %s to make this a failure)", what, RequireDataEnv)
}
