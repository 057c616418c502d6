package alerts_test

import (
	"context"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/kuzot/kuzot/alerts"
	"github.com/kuzot/kuzot/alerts/alertstest"
	"github.com/kuzot/kuzot/internal/testenv"
	"github.com/kuzot/kuzot/pipeline"
)

func TestIntegrationMirrorToClickHouse(t *testing.T) {
	if testing.Short() {
		t.Skip("integration")
	}
	conn, _ := testenv.ClickHouse(t)
	b := testenv.Bus(t)
	rcv := alertstest.NewWebhookReceiver([]string{hookSecret}, 2)
	defer rcv.Close()
	r := start(t, b, settings(time.Second, "hook"), map[string]alerts.Channel{"hook": hook(t, rcv)}, 0)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	mdone := make(chan error, 1)
	go func() {
		mdone <- alerts.RunMirror(ctx, b, conn, pipeline.NewMetrics(prometheus.NewRegistry()), testenv.Logger(t))
	}()
	publish(t, b, exposing("telegram:a/1", "telegram", "https://t.me/a/1", "", "critical"))
	testenv.Eventually(t, 10*time.Second, "alert", func() bool { return len(rcv.Received()) == 1 })
	id := rcv.Received()[0].Message.IncidentID
	if err := r.svc.Acknowledge(ctx, "org-a", id, "coordinator"); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, 15*time.Second, "incident and delivery rows", func() bool {
		var sev, status, by string
		var urls []string
		if err := conn.QueryRow(ctx, `SELECT toString(severity), toString(status), acknowledged_by, urls FROM incidents FINAL WHERE id = ?`, id).
			Scan(&sev, &status, &by, &urls); err != nil {
			return false
		}
		var state string
		var attempts, latency uint32
		if err := conn.QueryRow(ctx, `SELECT toString(state), attempts, latency_ms FROM alert_deliveries FINAL WHERE incident_id = ?`, id).
			Scan(&state, &attempts, &latency); err != nil {
			return false
		}
		return sev == "critical" && status == "acknowledged" && by == "coordinator" && len(urls) == 1 &&
			state == "sent" && attempts == 3 && latency < 60000
	})
	r.stop(t)
	cancel()
	if err := <-mdone; err != nil {
		t.Fatal(err)
	}
}
