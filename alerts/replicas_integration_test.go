package alerts_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/kuzot/kuzot/alerts"
	"github.com/kuzot/kuzot/alerts/alertstest"
	"github.com/kuzot/kuzot/internal/testenv"
)

// TestIntegrationTwoAlertProcessesDeliverOnce runs two alert services, each on its own
// NATS connection (two processes of the alert role), on the shared durable consumer and
// the shared incident and delivery buckets (issue 18). Forty members are exposed once
// each and one member ten times: every member gets exactly one "new" alert, whichever
// process handled its posts, and the reposts join one incident.
func TestIntegrationTwoAlertProcessesDeliverOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("integration")
	}
	server := testenv.Bus(t)
	rcv := alertstest.NewWebhookReceiver([]string{hookSecret}, 0)
	t.Cleanup(rcv.Close)
	var replicas []*running
	for range 2 {
		b := testenv.BusAt(t, server.ClientConfig())
		replicas = append(replicas, start(t, b, settings(time.Hour, "hook"), map[string]alerts.Channel{"hook": hook(t, rcv)}, 0))
	}
	for i := range 40 {
		publish(t, server, exposingMember(fmt.Sprintf("telegram:member/%d", i), fmt.Sprintf("m-%03d", 100+i)))
	}
	for i := range 10 {
		publish(t, server, exposing(fmt.Sprintf("telegram:repost/%d", i), "telegram", fmt.Sprintf("https://t.me/repost/%d", i), "", "critical"))
	}
	testenv.Eventually(t, 30*time.Second, "41 alerts", func() bool { return len(rcv.Received()) >= 41 })
	time.Sleep(2 * time.Second) // a duplicate would arrive by now
	got := rcv.Received()
	members := map[string]int{}
	for _, g := range got {
		if g.Message.Kind != alerts.KindNew {
			t.Fatalf("unexpected %s alert %s", g.Message.Kind, g.ID)
		}
		members[g.Message.Member]++
	}
	for m, n := range members {
		if n != 1 {
			t.Errorf("member %s alerted %d times", m, n)
		}
	}
	if len(got) != 41 || len(members) != 41 {
		t.Fatalf("%d alerts for %d members, want exactly one for each of 41", len(got), len(members))
	}
	for _, r := range replicas {
		r.stop(t)
	}
}
