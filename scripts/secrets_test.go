// Package scripts holds the shell scripts behind make run, make test and make bench; its
// tests run them.
package scripts

import (
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func localSecret(t *testing.T, file string) string {
	t.Helper()
	out, err := exec.Command("./local-secret.sh", file).Output()
	if err != nil {
		t.Fatalf("local-secret.sh %s: %v", file, err)
	}
	return string(out)
}

// TestLocalSecret is issue 19 item 10 (and the generated NATS and ClickHouse passwords):
// make run's secrets are 32 random bytes, generated once into the data directory with
// mode 0600, and stable across runs; two data directories never share one.
func TestLocalSecret(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	file := filepath.Join(dir, "watchlist.key")
	key := localSecret(t, file)
	raw, err := hex.DecodeString(key)
	if err != nil || len(raw) != 32 {
		t.Fatalf("key %q: %d bytes (%v), want 32 random bytes in hex", key, len(raw), err)
	}
	st, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, want 0600", st.Mode().Perm())
	}
	if st, err := os.Stat(dir); err != nil || st.Mode().Perm()&0o077 != 0 {
		t.Fatalf("data directory created with mode %v (%v), want no group/other access", st.Mode().Perm(), err)
	}
	if again := localSecret(t, file); again != key {
		t.Fatalf("second run gave another key")
	}
	// A secret loosened by hand is tightened again.
	if err := os.Chmod(file, 0o644); err != nil {
		t.Fatal(err)
	}
	localSecret(t, file)
	if st, _ := os.Stat(file); st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v after a run, want 0600", st.Mode().Perm())
	}
	other := localSecret(t, filepath.Join(t.TempDir(), "watchlist.key"))
	if other == key || strings.Count(key, key[:8]) > 1 {
		t.Fatalf("two data directories got the same or a repetitive key")
	}
}

// TestRunLocalHasNoPublicKey: make run must not fall back to a key printed here.
func TestRunLocalHasNoPublicKey(t *testing.T) {
	b, err := os.ReadFile("run-local.sh")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "demo-only-watchlist-key") || !strings.Contains(string(b), "local-secret.sh \"$DATA/watchlist.key\"") {
		t.Fatal("run-local.sh must generate the watchlist key into the data directory")
	}
}
