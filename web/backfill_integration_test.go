package web_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kuzot/kuzot/web"
)

// recordingBackfiller stands in for the alert engine (whose digests are tested against
// JetStream and ClickHouse in package alerts): it records what the API asked for and
// refuses periods over 30 days as the engine does.
type recordingBackfiller struct {
	mu   sync.Mutex
	reqs []web.BackfillRequest
}

func (b *recordingBackfiller) Backfill(_ context.Context, r web.BackfillRequest) (web.BackfillResult, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if r.From.IsZero() || time.Since(r.From) > 30*24*time.Hour {
		return web.BackfillResult{}, fmt.Errorf("%w: the period is longer than 720h", web.ErrInvalidBackfill)
	}
	b.reqs = append(b.reqs, r)
	return web.BackfillResult{DigestID: "digest-" + r.Org, Posts: 3, Listed: 3, Channels: []string{"webhook"}}, nil
}

// TestIntegrationBackfillAPI: an organisation asks for a digest of its own past
// exposures only; analysts cannot send one to an organisation; the period is bounded;
// every request is audited.
func TestIntegrationBackfillAPI(t *testing.T) {
	bf := &recordingBackfiller{}
	e := newEnv(t, func(o *web.Options) { o.Backfill = bf })
	alpha := e.login("alpha")
	if code, body := alpha.do("POST", "/api/alerts/backfill", "application/json", `{"org":"org-alpha","since":"168h"}`, true); code != 202 ||
		!strings.Contains(body, `"digest-org-alpha"`) {
		t.Fatalf("own backfill: %d %s", code, body)
	}
	if code, body := alpha.do("POST", "/api/alerts/backfill", "application/json", `{"org":"org-beta","since":"168h"}`, true); code != 404 {
		t.Fatalf("another organisation's backfill: %d %s", code, body)
	}
	if code, body := e.login("analyst").do("POST", "/api/alerts/backfill", "application/json", `{"org":"org-alpha","since":"24h"}`, true); code != 403 {
		t.Fatalf("analyst backfill: %d %s", code, body)
	}
	admin := e.login("admin")
	for _, bad := range []string{`{"org":"org-beta","since":"1000h"}`, `{"org":"org-beta","since":"-5h"}`, `{"org":"org-beta","since":"soon"}`} {
		if code, body := admin.do("POST", "/api/alerts/backfill", "application/json", bad, true); code != 400 {
			t.Fatalf("backfill %s: %d %s, want 400", bad, code, body)
		}
	}
	if code, body := admin.do("POST", "/api/alerts/backfill", "application/json", `{"org":"org-beta","member":"m-7","since":"72h"}`, true); code != 202 {
		t.Fatalf("admin backfill: %d %s", code, body)
	}
	bf.mu.Lock()
	n := len(bf.reqs)
	last := bf.reqs[n-1]
	bf.mu.Unlock()
	if n != 2 || last.Org != "org-beta" || last.Member != "m-7" || time.Since(last.From) < 71*time.Hour {
		t.Fatalf("requests %d, last %+v", n, last)
	}
	var audited uint64
	if err := e.conn.QueryRow(context.Background(), `SELECT count() FROM audit_log WHERE action = 'backfill'`).Scan(&audited); err != nil || audited != 2 {
		t.Fatalf("backfills audited: %d %v", audited, err)
	}
}
