package web_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kuzot/kuzot/internal/testenv"
	"github.com/kuzot/kuzot/storage"
	"github.com/kuzot/kuzot/web"
)

// TestIntegrationDeleteExpiredSessions: on one server the serve role's hourly cleanup
// deletes the expired sessions and keeps the live ones (the cluster form is checked by
// storage's TestIntegrationClickHouseClusterDeleteExpiredSessions).
func TestIntegrationDeleteExpiredSessions(t *testing.T) {
	if testing.Short() {
		t.Skip("integration: needs ClickHouse")
	}
	conn, cfg := testenv.ClickHouse(t)
	db := &web.DB{Conn: conn, Layout: storage.LayoutOf(cfg)}
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)
	for _, s := range []web.Session{
		{TokenHash: "expired", User: "ana", CreatedAt: now.Add(-48 * time.Hour), ExpiresAt: now.Add(-24 * time.Hour), IP: "127.0.0.1"},
		{TokenHash: "live", User: "ana", CreatedAt: now.Add(-time.Hour), ExpiresAt: now.Add(24 * time.Hour), IP: "127.0.0.1"},
	} {
		if err := db.PutSession(ctx, s, now); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.DeleteExpiredSessions(ctx, now.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, time.Minute, "the expired session deleted", func() bool {
		_, err := db.GetSession(ctx, "expired")
		return errors.Is(err, web.ErrNotFound)
	})
	if _, err := db.GetSession(ctx, "live"); err != nil {
		t.Fatalf("the live session: %v", err)
	}
}
