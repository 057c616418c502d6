package deploy

import (
	"context"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"github.com/kuzot/kuzot/config"
	"github.com/kuzot/kuzot/pipeline"
)

// TestComposeNATSRequiresAuthAndTLS runs a real NATS server from deploy/nats/nats.conf
// (certificates from scripts/nats-certs.sh, paths and store moved to a temporary
// directory) and checks issue 19 item 9 for the compose deployment: anonymous clients and
// plaintext connections are refused, and kuzot's client options (nats.password,
// nats.tls_ca) connect.
func TestComposeNATSRequiresAuthAndTLS(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl not installed")
	}
	dir := t.TempDir()
	certs := filepath.Join(dir, "certs")
	if out, err := exec.Command("../scripts/nats-certs.sh", certs).CombinedOutput(); err != nil {
		t.Fatalf("nats-certs.sh: %v\n%s", err, out)
	}
	conf, err := os.ReadFile("nats/nats.conf")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.NewReplacer(
		"/etc/nats/certs", certs,
		"/data/jetstream", filepath.Join(dir, "js"),
		"port: 4222", "port: -1",
		"http_port: 8222", "",
		"max_file_store: 50G", "max_file_store: 1G",
	).Replace(string(conf))
	confPath := filepath.Join(dir, "nats.conf")
	if err := os.WriteFile(confPath, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	const password = "compose-test-nats-password-0123456789"
	t.Setenv("KUZOT_NATS_PASSWORD", password)
	opts, err := server.ProcessConfigFile(confPath)
	if err != nil {
		t.Fatalf("nats.conf: %v", err)
	}
	opts.Host, opts.NoSigs = "127.0.0.1", true
	srv, err := server.NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	go srv.Start()
	t.Cleanup(srv.Shutdown)
	if !srv.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats-server did not start")
	}
	addr := srv.Addr().String()
	ca := filepath.Join(certs, "ca.pem")

	connect := func(url string, o ...nats.Option) error {
		nc, err := nats.Connect(url, append(o, nats.Timeout(2*time.Second))...)
		if err == nil {
			nc.Close()
		}
		return err
	}
	if err := connect("tls://"+addr, nats.RootCAs(ca)); err == nil {
		t.Fatal("anonymous client connected")
	}
	if err := connect("tls://"+addr, nats.RootCAs(ca), nats.UserInfo("kuzot", "wrong")); err == nil {
		t.Fatal("wrong password accepted")
	}
	if err := connect("nats://"+addr, nats.UserInfo("kuzot", password), nats.Secure(nil)); err == nil {
		t.Fatal("a client that does not trust the server's CA connected")
	}

	cfg := config.Default().NATS
	cfg.URL = "tls://" + addr
	cfg.Password = config.Secret(password)
	cfg.TLSCA = ca
	cfg.Embedded.StoreDir = dir
	cfg.PostsMaxBytes = 64 << 20 // the test server caps file storage at 1G
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	bus, err := pipeline.Connect(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("kuzot could not connect with nats.password and nats.tls_ca: %v", err)
	}
	defer bus.Close()
	if st, err := bus.NC.TLSConnectionState(); err != nil || !st.HandshakeComplete {
		t.Fatalf("not connected over TLS: %v", err)
	}
	if _, err := bus.JS.AccountInfo(ctx); err != nil {
		t.Fatalf("jetstream over the authenticated connection: %v", err)
	}
}
