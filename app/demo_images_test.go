package app_test

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kuzot/kuzot/alerts/alertstest"
	"github.com/kuzot/kuzot/app"
	"github.com/kuzot/kuzot/config"
	"github.com/kuzot/kuzot/demosite"
	"github.com/kuzot/kuzot/internal/testenv"
)

// TestIntegrationDemoImagesRaiseIncidents runs `make run`'s pipeline (configs/demo.yaml's
// sources on the demo site, the demo watchlist, every role that takes part) and waits
// for what issue 16 promises the demo shows: an incident from the demo channel's
// ID-card mock-up (member m-001) and one from its list screenshot (m-002), whose texts
// name nobody, within two minutes.
func TestIntegrationDemoImagesRaiseIncidents(t *testing.T) {
	if testing.Short() {
		t.Skip("integration")
	}
	requireTesseract(t)
	start := time.Now()
	site, err := demosite.New(demosite.Options{Seed: 1, Epoch: start.UTC().Truncate(time.Second)})
	if err != nil {
		t.Fatal(err)
	}
	demo := httptest.NewServer(site)
	defer demo.Close()
	rcv := alertstest.NewWebhookReceiver([]string{e2eHook}, 0)
	defer rcv.Close()
	t.Setenv("KUZOT_WATCHLIST_KEY", "demo-images-watchlist-key-0123456789ab")
	t.Setenv("KUZOT_E2E_HOOK_SECRET", e2eHook)
	wl, err := filepath.Abs("../configs/demo-watchlist.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse(strings.NewReader(demosite.SourcesYAML(demo.URL) + `
classifiers:
  exposure:
    watchlist_file: ` + wl + `
alerts:
  group_window: 10s
  channels:
    - name: demo-org-webhook
      kind: webhook
      url: ` + rcv.URL + `
      secret_envs: [KUZOT_E2E_HOOK_SECRET]
  orgs:
    - id: demo-org
      min_severity: high
      channels: [demo-org-webhook]
`))
	if err != nil {
		t.Fatal(err)
	}
	base := testConfig(t)
	cfg.DataDir, cfg.HTTP, cfg.NATS, cfg.CH, cfg.Store = base.DataDir, base.HTTP, base.NATS, base.CH, base.Store
	roles, err := app.SelectRoles("store,collect,classify,ocr,alert")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	run, err := app.Start(ctx, cfg, roles, testenv.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	fromPicture := func(member, post string) bool {
		for _, r := range rcv.Received() {
			if r.Message.Member != member {
				continue
			}
			for _, w := range r.Message.Where {
				if strings.HasSuffix(w.URL, post) {
					return true
				}
			}
		}
		return false
	}
	testenv.Eventually(t, 2*time.Minute-time.Since(start), "incidents from the ID card (m-001) and the list (m-002)", func() bool {
		return fromPicture("m-001", "demo_sliv_kg/11") && fromPicture("m-002", "demo_sliv_kg/12")
	})
	t.Logf("both picture incidents alerted %.1fs after the demo site started", time.Since(start).Seconds())
	cancel()
	if err := run.Wait(); err != nil {
		t.Fatal(err)
	}
}
