package pipeline_test

import (
	"context"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/kuzot/kuzot/config"
	"github.com/kuzot/kuzot/internal/testenv"
	"github.com/kuzot/kuzot/pipeline"
)

// refused reports whether connecting to url with opts fails authentication.
func refused(t *testing.T, url string, opts ...nats.Option) bool {
	t.Helper()
	nc, err := nats.Connect(url, append(opts, nats.Timeout(2*time.Second))...)
	if err == nil {
		nc.Close()
		return false
	}
	if !errors.Is(err, nats.ErrAuthorization) && !strings.Contains(strings.ToLower(err.Error()), "authorization") {
		t.Fatalf("connect failed, but not on authorization: %v", err)
	}
	return true
}

// TestEmbeddedServerRequiresCredentials is issue 19 item 9: the embedded JetStream server
// refuses unauthenticated clients and wrong passwords; kuzot's own roles, with the
// password generated into the data directory, connect and use JetStream.
func TestEmbeddedServerRequiresCredentials(t *testing.T) {
	dir := t.TempDir()
	cfg := testenv.NATSConfig(dir)
	bus := testenv.BusAt(t, cfg)
	url := bus.ClientURL()

	if !refused(t, url) {
		t.Fatal("an unauthenticated client connected to the embedded server")
	}
	if !refused(t, url, nats.UserInfo("kuzot", "guessed-password")) {
		t.Fatal("a wrong password was accepted")
	}
	if !refused(t, url, nats.Token("anything")) {
		t.Fatal("a token was accepted")
	}

	// The generated password: 32 random bytes (hex) in the data directory, 0600.
	file := filepath.Join(dir, "kuzot-nats.password")
	st, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("password file mode %v, want 0600", st.Mode().Perm())
	}
	pw, _ := os.ReadFile(file)
	if raw, err := hex.DecodeString(string(pw)); err != nil || len(raw) != 32 {
		t.Fatalf("password %d bytes (%v), want 32 random bytes", len(raw), err)
	}

	// A role in another process on the same data directory connects through nats.url
	// with no credentials of its own, and JetStream works for it.
	other := cfg
	other.URL = url
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	role, err := pipeline.Connect(ctx, other, testenv.Logger(t))
	if err != nil {
		t.Fatalf("a kuzot role could not connect: %v", err)
	}
	defer role.Close()
	if _, err := role.JS.AccountInfo(ctx); err != nil {
		t.Fatalf("jetstream for the role: %v", err)
	}
	nc, err := nats.Connect(url, bus.ClientOptions()...)
	if err != nil {
		t.Fatalf("the bus's own client options: %v", err)
	}
	nc.Close()

	// A restart keeps the password (roles that remember it still connect).
	bus.Close()
	again := testenv.BusAt(t, cfg)
	if again.ClientURL() == "" || !refused(t, again.ClientURL()) {
		t.Fatal("restarted server accepts anonymous clients")
	}
	if pw2, _ := os.ReadFile(file); string(pw2) != string(pw) {
		t.Fatal("the password changed on restart")
	}
}

// TestEmbeddedServerConfiguredPassword: with nats.password set, that password (and no
// generated one) is the only way in.
func TestEmbeddedServerConfiguredPassword(t *testing.T) {
	dir := t.TempDir()
	cfg := testenv.NATSConfig(dir)
	cfg.User, cfg.Password = "kuzot-roles", config.Secret("configured-nats-password-0123456789")
	bus := testenv.BusAt(t, cfg)
	if _, err := os.Stat(filepath.Join(dir, "kuzot-nats.password")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a password file was generated although nats.password is set: %v", err)
	}
	if !refused(t, bus.ClientURL()) || !refused(t, bus.ClientURL(), nats.UserInfo("kuzot", "configured-nats-password-0123456789")) {
		t.Fatal("anonymous or wrong-user client accepted")
	}
	nc, err := nats.Connect(bus.ClientURL(), nats.UserInfo("kuzot-roles", "configured-nats-password-0123456789"))
	if err != nil {
		t.Fatalf("configured credentials refused: %v", err)
	}
	nc.Close()
}
