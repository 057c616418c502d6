package app_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"

	"github.com/kuzot/kuzot/app"
	"github.com/kuzot/kuzot/internal/testenv"
	"github.com/kuzot/kuzot/storage"
	"github.com/kuzot/kuzot/web"
	"github.com/kuzot/kuzot/web/auth"
	"github.com/kuzot/kuzot/web/demodata"
)

// TestIntegrationServeRole starts the real app with the serve role, logs in through the
// API and reads the overview; /metrics and pprof are on their own listener, not the UI's.
func TestIntegrationServeRole(t *testing.T) {
	if testing.Short() {
		t.Skip("integration")
	}
	cfg := testConfig(t)
	cfg.HTTP.Pprof = true
	if err := cfg.Web.Encode(map[string]any{"secure_cookies": false, "session_ttl": "1h"}); err != nil {
		t.Fatal(err)
	}
	roles, err := app.SelectRoles("serve")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	run, err := app.Start(ctx, cfg, roles, testenv.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	conn, err := storage.Open(ctx, cfg.CH, testenv.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := demodata.Seed(ctx, conn, time.Now()); err != nil {
		t.Fatal(err)
	}
	cheap := auth.Params{Time: 1, MemKiB: 64, Threads: 1, KeyLen: 32, SaltLen: 16}
	if err := web.CreateUser(ctx, &web.DB{Conn: conn}, web.User{Name: "ana", Role: web.RoleAnalyst}, "analyst-password-1", cheap, time.Now()); err != nil {
		t.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar}
	base := "http://" + run.HTTPAddr
	var resp *http.Response
	testenv.Eventually(t, 10*time.Second, "web UI mounted", func() bool {
		resp, err = hc.Post(base+"/api/login", "application/json", strings.NewReader(`{"name":"ana","password":"analyst-password-1"}`))
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode != http.StatusNotFound
	})
	if resp.StatusCode != 200 {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	resp, err = hc.Get(base + "/api/overview")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"flagged"`) {
		t.Fatalf("overview %d %s", resp.StatusCode, body)
	}
	// Alert rules go through the alert engine: listed (none configured here), and a rule
	// naming a channel that is not configured is refused as a client error.
	resp, err = hc.Get(base + "/api/me")
	if err != nil {
		t.Fatal(err)
	}
	var me struct {
		CSRF string `json:"csrf_token"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&me)
	resp.Body.Close()
	resp, err = hc.Get(base + "/api/alert-rules")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"rules": []`) {
		t.Fatalf("alert rules %d %s", resp.StatusCode, body)
	}
	if err := web.CreateUser(ctx, &web.DB{Conn: conn}, web.User{Name: "boss", Role: web.RoleAdmin}, "admin-password-12", cheap, time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err = hc.Post(base+"/api/login", "application/json", strings.NewReader(`{"name":"boss","password":"admin-password-12"}`))
	if err != nil {
		t.Fatal(err)
	}
	_ = json.NewDecoder(resp.Body).Decode(&me)
	resp.Body.Close()
	req, _ := http.NewRequest("POST", base+"/api/alert-rules", strings.NewReader(`{"org":"org-alpha","min_severity":"high","channels":["nope"]}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", me.CSRF)
	resp, err = hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 400 || !strings.Contains(string(body), "nope") {
		t.Fatalf("rule with an unknown channel: %d %s", resp.StatusCode, body)
	}
	// /metrics and the profiler are not on the UI's listener, which a reverse proxy
	// publishes, but on their own loopback listener (issue 19, item 16).
	for _, path := range []string{"/metrics", "/debug/pprof/", "/debug/pprof/cmdline"} {
		resp, err = hc.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == 200 || strings.Contains(string(b), "kuzot_") || strings.Contains(string(b), "goroutine") {
			t.Fatalf("%s on the UI listener: %d", path, resp.StatusCode)
		}
	}
	if run.MetricsAddr == run.HTTPAddr || !strings.HasPrefix(run.MetricsAddr, "127.0.0.1:") {
		t.Fatalf("metrics listener %s, UI listener %s", run.MetricsAddr, run.HTTPAddr)
	}
	resp, err = hc.Get("http://" + run.MetricsAddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), "kuzot_") {
		t.Fatalf("/metrics on the metrics listener: %d", resp.StatusCode)
	}
	cancel()
	if err := run.Wait(); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
}
