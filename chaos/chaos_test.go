// Package chaos holds kuzot's fault-injection tests: real `kuzot` processes (built once
// by TestMain) running the store, classify and alert roles against one JetStream server
// and a real ClickHouse, a load generator publishing synthetic posts, faults injected
// while it runs, and afterwards the ledger checkers of package loadgen: every
// acknowledged post is in ClickHouse exactly once after FINAL, with one row per
// classifier, and nothing else; where alerts are on, every expected alert reached the
// organisation's webhook exactly once (by idempotency key) and no other alert did.
//
// `make test` runs the short version of every scenario (scale_short_test.go); `make
// chaos` runs the long one (build tag chaos, scale_long_test.go). -short skips them all.
package chaos

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kuzot/kuzot/config"
	"github.com/kuzot/kuzot/internal/testenv"
)

// storeBatchRows is store.batch_rows in the role configs: a SIGKILL between a ClickHouse
// commit and the acks re-inserts at most one batch per consumer.
const storeBatchRows = 500

func skipShort(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("chaos: real processes, ClickHouse and JetStream")
	}
}

func loadDuration() time.Duration {
	return time.Duration(float64(scale.posts) / scale.rate * float64(time.Second))
}

// TestChaosKillRoles SIGKILLs the store, classify and alert processes at random moments
// under load and restarts them. While the store is down its lag must show on /metrics.
// Every exposure in the load names a protected member, so the alert role is busy when
// it dies; afterwards every expected alert must have arrived exactly once.
func TestChaosKillRoles(t *testing.T) {
	skipShort(t)
	c := newCluster(t, testenv.ClickHouseConfig(t))
	l, rcv := c.alertingLoad("kill")
	c.startJetStream()
	store, _ := c.startRoles("store", "store")
	cls, clsAddr := c.startRoles("classify", "classify")
	alert, _ := c.startRoles("alert", "alert")

	c.run(context.Background(), l, scale.posts, scale.rate)
	per := loadDuration() / time.Duration(3*scale.kills+1)
	sawLag := false
	for i := range scale.kills {
		time.Sleep(jitter(per/4, per))
		c.kill(store)
		if i == 0 {
			// Back pressure is visible: the classify process reports the store's lag.
			testenv.Eventually(t, 15*time.Second, "store-posts lag on /metrics", func() bool {
				v, ok := metric(t, clsAddr, "kuzot_consumer_lag_messages", `consumer="store-posts"`)
				return ok && v > 0
			})
			sawLag = true
		}
		c.restart(store)
		time.Sleep(jitter(per/4, per))
		c.kill(cls)
		c.restart(cls)
		time.Sleep(jitter(per/4, per))
		c.kill(alert)
		c.restart(alert)
	}
	l.wait(t, loadDuration()+2*time.Minute)
	c.waitDrained(scale.drainTimeout, storePosts, classify, storeResults)
	c.check(l, classifierNames(), (scale.kills+1)*2*storeBatchRows)
	c.checkAlerts(l, rcv, scale.posts, scale.kills, scale.drainTimeout)
	if !sawLag {
		t.Fatal("lag never observed")
	}
	if n := c.dlqCount(); n != 0 {
		t.Fatalf("%d messages dead-lettered by crashes; a crash must only cause redelivery", n)
	}
}

// TestChaosClickHouseLinkCut cuts the store's connection to ClickHouse mid-batch (a TCP
// proxy closes every connection and refuses new ones), repeatedly and once for longer.
func TestChaosClickHouseLinkCut(t *testing.T) {
	skipShort(t)
	ch := testenv.ClickHouseConfig(t)
	c := newCluster(t, ch)
	proxy := testenv.NewProxy(t, ch.Addr)
	c.storeCH = proxy.Addr()
	c.startJetStream()
	_, storeAddr := c.startRoles("store", "store")
	c.startRoles("classify", "classify")

	l := c.startLoad(context.Background(), "cut", scale.posts, scale.rate)
	time.Sleep(loadDuration() / 5)
	for range 5 { // short cuts land in the middle of batches
		proxy.SetDown(true)
		time.Sleep(jitter(50*time.Millisecond, 300*time.Millisecond))
		proxy.SetDown(false)
		time.Sleep(jitter(100*time.Millisecond, 400*time.Millisecond))
	}
	proxy.SetDown(true)
	time.Sleep(scale.cutDuration)
	proxy.SetDown(false)
	l.wait(t, loadDuration()+2*time.Minute)
	c.waitDrained(scale.drainTimeout, storePosts, classify, storeResults)
	c.check(l, classifierNames(), 7*2*storeBatchRows)
	if v, ok := metric(t, storeAddr, "kuzot_consumer_write_errors_total", `consumer="store-posts"`); !ok || v == 0 {
		t.Fatalf("the cuts never failed a write (write errors %v, %v): the fault did not hit a batch", v, ok)
	}
	if n := c.dlqCount(); n != 0 {
		t.Fatalf("%d messages dead-lettered by a transient ClickHouse fault", n)
	}
}

// TestChaosNATSRestartExternal SIGKILLs the JetStream server process (kuzot jetstream,
// fsync on every write) under load and restarts it on the same store directory.
func TestChaosNATSRestartExternal(t *testing.T) {
	skipShort(t)
	c := newCluster(t, testenv.ClickHouseConfig(t))
	l, rcv := c.alertingLoad("natsext")
	js := c.startJetStream()
	c.startRoles("store", "store")
	c.startRoles("classify", "classify")
	c.startRoles("alert", "alert")

	loadStart := time.Now()
	c.run(context.Background(), l, scale.posts, scale.rate)
	kills := 0
	var firstKill time.Time
	for range max(1, scale.kills/2) {
		time.Sleep(jitter(loadDuration()/5, loadDuration()/2))
		c.kill(js)
		kills++
		if firstKill.IsZero() {
			firstKill = time.Now()
		}
		time.Sleep(jitter(500*time.Millisecond, 2*time.Second))
		c.restart(js)
	}
	l.wait(t, loadDuration()+2*time.Minute)
	// The fault must land while posts are being published. Publisher retries are not a
	// reliable sign of that: the client buffers publishes across a quick reconnect and
	// gets their acks from the restarted server without an error.
	if loadEnd := loadStart.Add(l.stats.Elapsed); !firstKill.Before(loadEnd) {
		t.Errorf("the server was killed at %s, after the load ended at %s: the fault missed the load",
			firstKill.Format(time.StampMilli), loadEnd.Format(time.StampMilli))
	}
	t.Logf("publisher retries across the restart: %d", l.stats.Retries)
	c.waitDrained(scale.drainTimeout, storePosts, classify, storeResults)
	c.check(l, classifierNames(), 4*2*storeBatchRows)
	c.checkAlerts(l, rcv, scale.posts, kills, scale.drainTimeout)
}

// TestChaosNATSRestartEmbedded SIGKILLs a process that runs the embedded JetStream
// server together with the store, classify and alert roles, and starts it again.
func TestChaosNATSRestartEmbedded(t *testing.T) {
	skipShort(t)
	c := newCluster(t, testenv.ClickHouseConfig(t))
	c.embedded = true
	l, rcv := c.alertingLoad("natsemb")
	all, _ := c.startRoles("all", "store,classify,alert")

	c.run(context.Background(), l, scale.posts, scale.rate)
	kills := max(1, scale.kills/2)
	for range kills {
		time.Sleep(jitter(loadDuration()/5, loadDuration()/2))
		c.kill(all)
		time.Sleep(jitter(200*time.Millisecond, time.Second))
		c.restart(all)
	}
	l.wait(t, loadDuration()+2*time.Minute)
	c.waitDrained(scale.drainTimeout, storePosts, classify, storeResults)
	c.check(l, classifierNames(), 4*2*storeBatchRows)
	c.checkAlerts(l, rcv, scale.posts, kills, scale.drainTimeout)
}

// TestChaosClickHouseStopped stops a dedicated ClickHouse server under load (30 s in the
// long suite), starts it again on the same data, and expects the stores to catch up
// without dead-lettering anything.
func TestChaosClickHouseStopped(t *testing.T) {
	skipShort(t)
	chDir := filepath.Join(t.TempDir(), "clickhouse")
	port := freeTriple(t)
	script := filepath.Join(repoRoot, "scripts", "clickhouse-local.sh")
	chLog := filepath.Join(t.TempDir(), "clickhouse-local.log")
	chctl := func(args ...string) {
		t.Helper()
		// Output goes to a file, not a pipe: the script's background subshell keeps its
		// stdout open for the server's lifetime, so reading a pipe would never end.
		f, err := os.OpenFile(chLog, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		cmd := exec.Command(script, args...)
		cmd.Stdout, cmd.Stderr = f, f
		if err := cmd.Run(); err != nil {
			t.Fatalf("clickhouse-local.sh %v: %v\n%s", args, err, tail(chLog, 20))
		}
	}
	if _, err := exec.LookPath("clickhouse-server"); err != nil {
		if _, err := os.Stat("/usr/sbin/clickhouse-server"); err != nil {
			t.Skip("clickhouse-server is not installed (make test installs it)")
		}
	}
	chctl("start", chDir, fmt.Sprint(port))
	t.Cleanup(func() { stopClickHouse(t, chDir) })
	ch := config.Default().CH
	ch.Addr = fmt.Sprintf("127.0.0.1:%d", port)
	pw, err := os.ReadFile(filepath.Join(chDir, "password")) // generated by the script, 0600
	if err != nil {
		t.Fatal(err)
	}
	ch.Password = config.Secret(strings.TrimSpace(string(pw)))
	ch.Database = "kuzot_chaos"

	c := newCluster(t, ch)
	l, rcv := c.alertingLoad("chstop")
	c.startJetStream()
	_, storeAddr := c.startRoles("store", "store")
	c.startRoles("classify", "classify")
	c.startRoles("alert", "alert")

	c.run(context.Background(), l, scale.posts, scale.rate)
	time.Sleep(jitter(loadDuration()/5, loadDuration()/2))
	stopClickHouse(t, chDir)
	t.Logf("ClickHouse stopped at %s for %s", time.Now().Format("15:04:05.000"), scale.chOutage)
	time.Sleep(scale.chOutage)
	chctl("start", chDir, fmt.Sprint(port))
	l.wait(t, loadDuration()+2*time.Minute)
	c.waitDrained(scale.drainTimeout, storePosts, classify, storeResults)
	c.check(l, classifierNames(), 4*2*storeBatchRows)
	// Alerts do not wait for ClickHouse (it only mirrors their state).
	c.checkAlerts(l, rcv, scale.posts, 0, scale.drainTimeout)
	if v, ok := metric(t, storeAddr, "kuzot_consumer_write_errors_total", `consumer="store-posts"`); !ok || v == 0 {
		t.Fatalf("no write failed while ClickHouse was down (%v, %v): the fault missed the load", v, ok)
	}
	if n := c.dlqCount(); n != 0 {
		t.Fatalf("%d messages dead-lettered during a ClickHouse outage", n)
	}
}

// stopClickHouse stops the server started by scripts/clickhouse-local.sh with dir.
// The script's own stop cannot: its server.pid holds the pid of the subshell that
// launched the server, not the server's, so it kills the subshell and leaves the server
// running. The server is found by its --config-file argument instead.
func stopClickHouse(t *testing.T, dir string) {
	t.Helper()
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := exec.Command("pgrep", "-f", "--", "--config-file="+filepath.Join(abs, "config.xml")).Output()
	var pids []int
	for _, f := range strings.Fields(string(out)) {
		if pid, err := strconv.Atoi(f); err == nil {
			pids = append(pids, pid)
		}
	}
	for _, pid := range pids {
		_ = syscall.Kill(pid, syscall.SIGTERM)
	}
	deadline := time.Now().Add(20 * time.Second)
	for _, pid := range pids {
		for syscall.Kill(pid, 0) == nil {
			if time.Now().After(deadline) {
				_ = syscall.Kill(pid, syscall.SIGKILL)
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	_ = os.Remove(filepath.Join(abs, "server.pid"))
}

// freeTriple finds a port p with p+1 and p+2 free too (ClickHouse's TCP, HTTP and
// interserver ports).
func freeTriple(t *testing.T) int {
	t.Helper()
	for range 50 {
		p := freePort(t)
		if p+2 > 65535 {
			continue
		}
		ok := true
		for _, q := range []int{p + 1, p + 2} {
			if ln, err := netListen(q); err != nil {
				ok = false
			} else {
				ln.Close()
			}
		}
		if ok {
			return p
		}
	}
	t.Fatal("no three consecutive free ports")
	return 0
}
