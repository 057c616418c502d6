package alerts_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/kuzot/kuzot/alerts/webhook"
	"github.com/kuzot/kuzot/internal/testenv"
	"github.com/kuzot/kuzot/pipeline"
)

// kuzotBinary builds cmd/kuzot (or uses KUZOT_TEST_BINARY).
func kuzotBinary(t *testing.T) string {
	t.Helper()
	if b := os.Getenv("KUZOT_TEST_BINARY"); b != "" {
		return b
	}
	bin := filepath.Join(t.TempDir(), "kuzot")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/kuzot/kuzot/cmd/kuzot")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build cmd/kuzot: %v\n%s", err, out)
	}
	return bin
}

// hangingReceiver hangs on the first request (the process is then killed mid-send) and
// records every later, verified one.
type hangingReceiver struct {
	*httptest.Server
	inFlight chan struct{}
	mu       sync.Mutex
	first    bool
	ids      []string
	bad      []error
}

func newHangingReceiver() *hangingReceiver {
	r := &hangingReceiver{inFlight: make(chan struct{}), first: true}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		first := r.first
		r.first = false
		r.mu.Unlock()
		if first {
			close(r.inFlight)
			<-req.Context().Done() // until the sender's process dies
			return
		}
		r.mu.Lock()
		defer r.mu.Unlock()
		if err := webhook.Verify([]string{hookSecret}, req.Header, body, time.Now()); err != nil {
			r.bad = append(r.bad, err)
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		r.ids = append(r.ids, req.Header.Get(webhook.HeaderID))
		w.WriteHeader(http.StatusNoContent)
	}))
	return r
}

func (r *hangingReceiver) received() ([]string, []error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.ids...), append([]error(nil), r.bad...)
}

// TestIntegrationKillProcessBetweenQueuedAndSent is issue 6's acceptance check with a
// real process: `kuzot run --roles alert` is SIGKILLed while its webhook request is in
// flight, restarted on the same JetStream store, and the alert arrives exactly once.
func TestIntegrationKillProcessBetweenQueuedAndSent(t *testing.T) {
	if testing.Short() {
		t.Skip("integration")
	}
	ch := testenv.ClickHouseConfig(t)
	bin := kuzotBinary(t)
	dir := t.TempDir()
	rcv := newHangingReceiver()
	defer rcv.Close()
	port := freePort(t)
	cfgPath := filepath.Join(dir, "kuzot.yaml")
	if err := os.WriteFile(cfgPath, []byte(fmt.Sprintf(`data_dir: %s
log: {level: warn}
http: {listen: "127.0.0.1:0", metrics_listen: "127.0.0.1:0"}
nats:
  embedded: {port: %d, store_dir: %s}
clickhouse: {addr: "%s", database: %s}
alerts:
  send_timeout: 2s
  ack_wait: 3s
  retry_initial: 100ms
  retry_max: 500ms
  channels:
    - {name: hook, kind: webhook, url: "%s", secret_envs: [KUZOT_TEST_HOOK_SECRET]}
  orgs:
    - {id: org-a, min_severity: high, channels: [hook]}
`, dir, port, filepath.Join(dir, "js"), ch.Addr, ch.Database, rcv.URL)), 0o600); err != nil {
		t.Fatal(err)
	}
	startProc := func() *exec.Cmd {
		cmd := exec.Command(bin, "run", "--config", cfgPath, "--roles", "alert")
		cmd.Env = append(os.Environ(), "KUZOT_TEST_HOOK_SECRET="+hookSecret)
		if testing.Verbose() {
			cmd.Stderr = os.Stderr
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		return cmd
	}
	connect := func() jetstream.JetStream {
		var nc *nats.Conn
		testenv.Eventually(t, 60*time.Second, "the process's JetStream", func() bool {
			c, err := nats.Connect(fmt.Sprintf("nats://127.0.0.1:%d", port), nats.Timeout(time.Second))
			if err != nil {
				return false
			}
			js, _ := jetstream.New(c)
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			if _, err := js.Consumer(ctx, pipeline.ResultsStream, "alert"); err != nil {
				c.Close()
				return false
			}
			nc = c
			return true
		})
		t.Cleanup(nc.Close)
		js, _ := jetstream.New(nc)
		return js
	}

	p1 := startProc()
	js := connect()
	c := exposing("telegram:kill/1", "telegram", "https://t.me/kill/1", "", "critical")
	data, _ := jsonMarshal(c)
	msg := &nats.Msg{Subject: pipeline.ResultsSubject + ".telegram", Data: data, Header: nats.Header{}}
	msg.Header.Set(pipeline.HeaderSchema, pipeline.ResultsSchemaVersion)
	if _, err := js.PublishMsg(context.Background(), msg, jetstream.WithMsgID(c.MsgID())); err != nil {
		t.Fatal(err)
	}
	select {
	case <-rcv.inFlight:
	case <-time.After(60 * time.Second):
		t.Fatal("the alert never reached the receiver")
	}
	if err := p1.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = p1.Wait()

	p2 := startProc()
	testenv.Eventually(t, 60*time.Second, "delivery by the restarted process", func() bool {
		ids, _ := rcv.received()
		return len(ids) > 0
	})
	time.Sleep(5 * time.Second) // longer than ack_wait: a second delivery would show now
	ids, bad := rcv.received()
	if len(ids) != 1 || len(bad) != 0 {
		t.Fatalf("deliveries after the restart: %v (rejected %v), want exactly one", ids, bad)
	}
	if err := p2.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- p2.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("restarted process exited with %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("restarted process did not stop on SIGTERM")
	}
}
