package app_test

import (
	"context"
	"io"
	"mime/quotedprintable"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kuzot/kuzot/alerts"
	"github.com/kuzot/kuzot/alerts/alertstest"
	"github.com/kuzot/kuzot/app"
	"github.com/kuzot/kuzot/config"
	"github.com/kuzot/kuzot/demosite"
	"github.com/kuzot/kuzot/internal/testenv"
)

// The demo site's invented victim, registered by org-a. These strings must never leave
// the classifier: not in a webhook, not in a mail.
const (
	e2eName  = "Айбек Токтосунов"
	e2ePhone = "+996 700 000 101"
	e2eHook  = "whsec_a3V6b3QtdGVzdC1zZWNyZXQta2V5LTMyLWJ5dGVzISE="
)

// TestIntegrationAlertEndToEnd is issue 6's acceptance test: demo site -> collector ->
// JetStream -> exposure classifier with org-a's watchlist -> alert role -> a webhook
// receiver that verifies signatures and a real SMTP server with STARTTLS.
func TestIntegrationAlertEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("integration")
	}
	site, err := demosite.New(demosite.Options{Seed: 1, Epoch: time.Now().UTC().Truncate(time.Second)})
	if err != nil {
		t.Fatal(err)
	}
	demo := httptest.NewServer(site)
	defer demo.Close()
	rcv := alertstest.NewWebhookReceiver([]string{e2eHook}, 2)
	defer rcv.Close()
	smtpSrv, err := alertstest.NewSMTPServer(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer smtpSrv.Close()

	dir := t.TempDir()
	wl := filepath.Join(dir, "watchlist.yaml")
	if err := os.WriteFile(wl, []byte(`orgs:
  - id: org-a
    name: Demo Org A
    members:
      - id: m-001
        names: ["`+e2eName+`", "Aibek Toktosunov"]
        phones: ["`+e2ePhone+`"]
`), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("KUZOT_WATCHLIST_KEY", "e2e-watchlist-key-0123456789abcdef")
	t.Setenv("KUZOT_E2E_HOOK_SECRET", e2eHook)
	yaml := demosite.SourcesYAML(demo.URL) + `
classifiers:
  exposure:
    watchlist_file: ` + wl + `
alerts:
  group_window: 2s
  retry_initial: 100ms
  retry_max: 500ms
  channels:
    - name: org-a-hook
      kind: webhook
      url: ` + rcv.URL + `
      secret_envs: [KUZOT_E2E_HOOK_SECRET]
    - name: org-a-mail
      kind: email
      host: ` + smtpSrv.Host + `
      port: ` + itoa(smtpSrv.Port) + `
      from: "kuzot <alerts@kuzot.example>"
      to: ["security@org-a.example"]
      ca_file: ` + smtpSrv.CAFile + `
  orgs:
    - id: org-a
      min_severity: high
      channels: [org-a-hook, org-a-mail]
`
	cfg, err := config.Parse(strings.NewReader(yaml))
	if err != nil {
		t.Fatal(err)
	}
	base := testConfig(t)
	cfg.DataDir, cfg.HTTP, cfg.NATS, cfg.CH, cfg.Store = base.DataDir, base.HTTP, base.NATS, base.CH, base.Store
	roles, err := app.SelectRoles("collect,classify,alert")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	run, err := app.Start(ctx, cfg, roles, testenv.Logger(t))
	if err != nil {
		t.Fatal(err)
	}

	testenv.Eventually(t, 60*time.Second, "a signed webhook and a mail about m-001", func() bool {
		return len(rcv.Received()) > 0 && len(smtpSrv.Mails()) > 0
	})
	time.Sleep(4 * time.Second) // let updates after the group window arrive, if any
	got := rcv.Received()
	if err := rcv.Rejected(); err != nil {
		t.Fatalf("receiver rejected deliveries: %v", err)
	}
	seen := map[string]bool{}
	for _, r := range got {
		if seen[r.ID] {
			t.Fatalf("webhook %s delivered twice", r.ID)
		}
		seen[r.ID] = true
		m := r.Message
		if m.Org != "org-a" || m.Member != "m-001" || (m.Severity != "critical" && m.Severity != "high") || len(m.Where) == 0 ||
			m.Where[0].URL == "" || len(m.NextSteps["en"]) == 0 || len(m.NextSteps["ru"]) == 0 {
			t.Fatalf("webhook message %+v", m)
		}
		assertNoWatchlistValue(t, "webhook "+r.ID, string(r.Body))
	}
	for _, r := range got {
		t.Logf("webhook %s: %s severity=%s copies=%d platforms=%v changes=%v", r.ID, r.Message.Kind, r.Message.Severity,
			r.Message.Copies, r.Message.Platforms, r.Message.Changes)
	}
	first := got[0].Message
	if !strings.Contains(strings.Join(first.Categories, ","), "phone") && !strings.Contains(strings.Join(first.Categories, ","), "sogi") {
		t.Fatalf("categories %v", first.Categories)
	}
	for _, m := range smtpSrv.Mails() {
		if !m.TLS {
			t.Fatal("mail delivered without STARTTLS")
		}
		msg, err := mail.ReadMessage(strings.NewReader(string(m.Data)))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(quotedprintable.NewReader(msg.Body))
		for _, want := range []string{"member m-001", "Next steps", "Что делать", "Access Now Digital Security Helpline", "[person]"} {
			if !strings.Contains(string(body), want) {
				t.Errorf("mail lacks %q:\n%s", want, body)
			}
		}
		assertNoWatchlistValue(t, "mail", string(m.Data)+string(body))
	}

	// Delivery state and latency are on /metrics.
	resp, err := http.Get("http://" + run.MetricsAddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`kuzot_alert_deliveries_total{channel="org-a-hook",state="sent"}`,
		`kuzot_alert_delivery_latency_seconds_bucket{channel="org-a-mail"`, `kuzot_alert_delivery_attempts_total{channel="org-a-hook",result="retry"} 2`} {
		if !strings.Contains(string(metrics), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	checkMetricsWithPromtool(t, metrics)
	assertNoWatchlistValue(t, "/metrics", string(metrics))

	// Acknowledging through the API adapter stops updates.
	ack, err := app.AlertAcker(ctx, run.App)
	if err != nil {
		t.Fatal(err)
	}
	if err := ack.Acknowledge(ctx, webScope("org-b"), first.IncidentID, "intruder", time.Now()); err == nil {
		t.Fatal("org-b acknowledged org-a's incident")
	}
	if err := ack.Acknowledge(ctx, webScope("org-a"), first.IncidentID, "coordinator", time.Now()); err != nil {
		t.Fatal(err)
	}
	admin, err := app.AlertAdmin(ctx, run.App)
	if err != nil {
		t.Fatal(err)
	}
	in, err := admin.Incident(ctx, "org-a", first.IncidentID)
	if err != nil || in.Status != alerts.StatusAcknowledged {
		t.Fatalf("incident %+v %v", in, err)
	}
	// ClickHouse mirrors incidents and deliveries for the dashboards.
	testenv.Eventually(t, 20*time.Second, "incident and deliveries in ClickHouse", func() bool {
		var status string
		var sent uint64
		if err := run.CH.QueryRow(ctx, "SELECT toString(status) FROM incidents FINAL WHERE id = ?", first.IncidentID).Scan(&status); err != nil {
			return false
		}
		if err := run.CH.QueryRow(ctx, "SELECT count() FROM alert_deliveries FINAL WHERE state = 'sent'").Scan(&sent); err != nil {
			return false
		}
		return status == "acknowledged" && sent >= 2
	})
	cancel()
	if err := run.Wait(); err != nil {
		t.Fatal(err)
	}
}

func assertNoWatchlistValue(t *testing.T, what, s string) {
	t.Helper()
	for _, v := range []string{e2eName, "Токтосунов", "Toktosunov", e2ePhone, "700 000 101", "700000101"} {
		if strings.Contains(s, v) {
			t.Fatalf("%s contains the watch-listed value %q", what, v)
		}
	}
}

func itoa(n int) string { return fmtInt(n) }
