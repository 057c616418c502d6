package scripts

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// TestLocalClickHouseLockedDown is the ClickHouse half of issue 19 item 2: the server that
// make run and make test start refuses kuzot's user without the generated password,
// keeps the password and its configuration 0600, and serves no HTTP interface (the port a
// hostile redirect used) unless asked for.
func TestLocalClickHouseLockedDown(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a ClickHouse server")
	}
	if _, err := exec.LookPath("clickhouse-client"); err != nil {
		if os.Getenv("KUZOT_TEST_REQUIRE_SERVICES") != "" {
			t.Fatal("clickhouse-client not installed (make test installs it)")
		}
		t.Skip("clickhouse-client not installed")
	}
	dir := filepath.Join(t.TempDir(), "ch")
	tcp := freePort(t)
	// Output to a file: the server inherits the script's stdout for its lifetime.
	logf, err := os.Create(filepath.Join(t.TempDir(), "script.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	script := func(args ...string) error {
		cmd := exec.Command("./clickhouse-local.sh", args...)
		cmd.Env = append(os.Environ(), "HTTP_PORT=", "INTERSERVER_PORT=")
		cmd.Stdout, cmd.Stderr = logf, logf
		return cmd.Run()
	}
	if err := script("start", dir, fmt.Sprint(tcp)); err != nil {
		b, _ := os.ReadFile(logf.Name())
		t.Fatalf("start: %v\n%s", err, b)
	}
	t.Cleanup(func() {
		_ = script("stop", dir)
		// Make sure no server of this directory outlives the test.
		out, _ := exec.Command("pgrep", "-f", "--", "--config-file="+filepath.Join(dir, "config.xml")).Output()
		for _, pid := range strings.Fields(string(out)) {
			_ = exec.Command("kill", "-9", pid).Run()
		}
	})

	for _, f := range []string{"password", "grafana_password", "config.xml", "users.xml"} {
		st, err := os.Stat(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600", f, st.Mode().Perm())
		}
	}
	pw, _ := os.ReadFile(filepath.Join(dir, "password"))
	client := func(args ...string) (string, error) {
		out, err := exec.Command("clickhouse-client", append([]string{"--host", "127.0.0.1", "--port", fmt.Sprint(tcp)}, args...)...).CombinedOutput()
		return string(out), err
	}
	if out, err := client("-q", "SELECT 1"); err == nil {
		t.Fatalf("kuzot's user connected without the password: %s", out)
	}
	if out, err := client("--password", "not-the-password", "-q", "SELECT 1"); err == nil {
		t.Fatalf("a wrong password was accepted: %s", out)
	}
	if out, err := client("--password", string(pw), "-q", "SELECT 1"); err != nil || strings.TrimSpace(out) != "1" {
		t.Fatalf("the generated password was refused: %v %s", err, out)
	}
	// No HTTP interface: not configured, and nothing answers on the ports the script
	// used to open (TCP+1, TCP+2).
	conf, _ := os.ReadFile(filepath.Join(dir, "config.xml"))
	if strings.Contains(string(conf), "<http_port>") || strings.Contains(string(conf), "<interserver_http_port>") {
		t.Fatal("config.xml opens an HTTP port")
	}
	for _, p := range []int{tcp + 1, tcp + 2} {
		if c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", p), time.Second); err == nil {
			c.Close()
			t.Errorf("something listens on 127.0.0.1:%d", p)
		}
	}
	// The grafana user exists, read-only.
	gpw, _ := os.ReadFile(filepath.Join(dir, "grafana_password"))
	if out, err := client("--user", "grafana", "--password", string(gpw), "-q", "CREATE DATABASE loot"); err == nil || !strings.Contains(out, "readonly") {
		t.Fatalf("grafana could create a database: %v %s", err, out)
	}
}
