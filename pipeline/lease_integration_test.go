package pipeline_test

import (
	"context"
	"testing"
	"time"

	"github.com/kuzot/kuzot/config"
	"github.com/kuzot/kuzot/internal/testenv"
)

// TestIntegrationLeases covers the lease protocol on a real JetStream KV bucket: one
// holder at a time, a released key with its note passes to the next holder, a holder
// whose connection dies gives its lease up before the server expires it, and the key is
// free for another holder only after the TTL.
func TestIntegrationLeases(t *testing.T) {
	if testing.Short() {
		t.Skip("integration")
	}
	cfg := testenv.NATSConfig(t.TempDir())
	cfg.Leases = config.Leases{TTL: 1500 * time.Millisecond, Renew: 300 * time.Millisecond}
	server := testenv.BusAt(t, cfg)
	ctx := context.Background()
	clientA := testenv.BusAt(t, server.ClientConfig())
	a, err := clientA.Leases(ctx, "holder-a", testenv.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	b, err := server.Leases(ctx, "holder-b", testenv.Logger(t))
	if err != nil {
		t.Fatal(err)
	}

	la, err := a.TryAcquire(ctx, "work.x")
	if err != nil || la == nil {
		t.Fatalf("first acquire: %v %v", la, err)
	}
	if lb, err := b.TryAcquire(ctx, "work.x"); err != nil || lb != nil {
		t.Fatalf("second holder acquired a held lease: %v %v", lb, err)
	}
	time.Sleep(2 * cfg.Leases.TTL) // renewals keep it past its TTL
	if la.Context().Err() != nil {
		t.Fatalf("lease ended while renewed: %v", context.Cause(la.Context()))
	}
	if h, err := b.HolderOf(ctx, "work.x"); err != nil || h != "holder-a" {
		t.Fatalf("holder %q %v", h, err)
	}
	la.Release([]byte(`{"last_poll":"2026-01-01T00:00:00Z"}`))
	if la.Context().Err() == nil || la.Lost() {
		t.Fatal("a released lease must end without being lost")
	}
	lb, err := b.TryAcquire(ctx, "work.x")
	if err != nil || lb == nil {
		t.Fatalf("acquire after release: %v %v", lb, err)
	}
	if string(lb.PreviousNote()) != `{"last_poll":"2026-01-01T00:00:00Z"}` {
		t.Fatalf("note %q", lb.PreviousNote())
	}
	lb.Release(nil)

	// A holder that loses its connection: its lease ends locally before the server
	// expires the key, and only then can another holder take it.
	la, err = a.TryAcquire(ctx, "work.y")
	if err != nil || la == nil {
		t.Fatalf("acquire y: %v %v", la, err)
	}
	clientA.Close()
	cut := time.Now()
	<-la.Context().Done()
	endedAfter := time.Since(cut)
	if !la.Lost() {
		t.Fatal("lease of a dead connection not marked lost")
	}
	var taken time.Duration
	testenv.Eventually(t, 5*time.Second, "another holder taking the expired lease", func() bool {
		l, err := b.TryAcquire(ctx, "work.y")
		if err == nil && l != nil {
			taken = time.Since(cut)
			l.Release(nil)
			return true
		}
		return false
	})
	if taken <= endedAfter {
		t.Fatalf("taken over %s after the cut, before the old holder gave up (%s)", taken, endedAfter)
	}
	t.Logf("old holder gave up %s after losing its connection, new holder took it %s after (ttl %s)",
		endedAfter.Round(time.Millisecond), taken.Round(time.Millisecond), cfg.Leases.TTL)
}
