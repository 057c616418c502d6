package alerts_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/kuzot/kuzot/alerts"
	"github.com/kuzot/kuzot/internal/testenv"
)

// TestIntegrationAlertsNewWaitsForQuorum starts the alert service on a 3-node R3
// cluster of which two nodes are down (no quorum: its outbox stream and buckets cannot
// be placed). alerts.New must keep retrying instead of failing startup, and succeed once
// the two nodes are back, with the outbox stream at three replicas.
func TestIntegrationAlertsNewWaitsForQuorum(t *testing.T) {
	if testing.Short() {
		t.Skip("integration")
	}
	c := testenv.StartCluster(t, 3, 3)
	// The client knows only the node that stays up.
	cfg := c.Configs[0]
	cfg.URL = fmt.Sprintf("nats://127.0.0.1:%d", cfg.Embedded.Port)
	client := testenv.BusAt(t, cfg)
	c.Kill(1)
	c.Kill(2)

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	type result struct {
		svc *alerts.Service
		err error
		at  time.Time
	}
	done := make(chan result, 1)
	started := time.Now()
	go func() {
		svc, err := alerts.New(ctx, alerts.Options{Settings: settings(time.Hour, "hook"), Bus: client, Registerer: prometheus.NewRegistry(),
			Log: testenv.Logger(t), Channels: map[string]alerts.Channel{"hook": nopChannel{}}, Replicas: 3})
		done <- result{svc, err, time.Now()}
	}()
	// Without quorum it neither succeeds nor gives up.
	select {
	case r := <-done:
		t.Fatalf("alerts.New returned after %s without a quorum: %v", r.at.Sub(started), r.err)
	case <-time.After(8 * time.Second):
	}

	restarted := time.Now()
	var wg sync.WaitGroup
	for _, i := range []int{1, 2} {
		wg.Go(func() { c.Nodes[i] = testenv.BusAt(t, c.Configs[i]) })
	}
	wg.Wait()
	t.Logf("two nodes restarted in %s", time.Since(restarted).Round(time.Millisecond))
	var r result
	select {
	case r = <-done:
	case <-time.After(2 * time.Minute):
		t.Fatal("alerts.New did not return within 2 minutes of the quorum coming back")
	}
	if r.err != nil {
		t.Fatalf("alerts.New after the quorum came back: %v", r.err)
	}
	t.Logf("alerts.New returned %s after the nodes' restart (%s in all)", r.at.Sub(restarted).Round(time.Millisecond), r.at.Sub(started).Round(time.Millisecond))
	testenv.EventuallyCtx(t, context.Background(), 30*time.Second, 3*time.Second, "the outbox stream at 3 replicas", func(ctx context.Context) bool {
		s, err := client.JS.Stream(ctx, alerts.OutboxStream)
		if err != nil {
			return false
		}
		ci := s.CachedInfo()
		return ci.Config.Replicas == 3 && ci.Cluster != nil && ci.Cluster.Leader != ""
	})
}

// nopChannel delivers nothing (the test only starts the service).
type nopChannel struct{}

func (nopChannel) Send(context.Context, *alerts.Alert) error { return nil }
