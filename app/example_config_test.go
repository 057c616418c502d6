package app_test

import (
	"path/filepath"
	"testing"

	"github.com/kuzot/kuzot/alerts"
	alertsall "github.com/kuzot/kuzot/alerts/all"
	"github.com/kuzot/kuzot/app"
	collectorsall "github.com/kuzot/kuzot/collectors/all"
	"github.com/kuzot/kuzot/config"
	"github.com/kuzot/kuzot/coordination"
	"github.com/kuzot/kuzot/reports"
	"github.com/kuzot/kuzot/web"
)

// Every shipped configuration decodes completely: top level, every source entry with its
// kind's strict decoder, and the sections owned by roles.
func TestShippedConfigsDecode(t *testing.T) {
	t.Setenv("KUZOT_ALERT_ORG_A_WEBHOOK_SECRET", "whsec_ZXhhbXBsZS1zZWNyZXQtZm9yLXRlc3Rz")
	for _, path := range []string{"../kuzot.example.yaml", "../configs/demo.yaml"} {
		t.Run(filepath.Base(path), func(t *testing.T) {
			cfg, err := config.Load(path)
			if err != nil {
				t.Fatal(err)
			}
			sources, err := app.DecodeSources(collectorsall.Registry(), cfg.Sources)
			if err != nil {
				t.Fatalf("sources: %v", err)
			}
			if len(sources) == 0 {
				t.Fatal("no sources")
			}
			if _, err := alerts.Decode(&cfg.Alerts, alertsall.Registry()); err != nil {
				t.Fatalf("alerts: %v", err)
			}
			cc, err := coordination.LoadConfig(&cfg.Coordination)
			if err != nil {
				t.Fatalf("coordination: %v", err)
			}
			if _, err := cc.Params(); err != nil {
				t.Fatalf("coordination params: %v", err)
			}
			if _, err := web.LoadConfig(&cfg.Web, cfg.DataDir); err != nil {
				t.Fatalf("web: %v", err)
			}
			if _, err := reports.ParseConfig(&cfg.Reports, filepath.Join(cfg.DataDir, "reports")); err != nil {
				t.Fatalf("reports: %v", err)
			}
		})
	}
}
