// Package webtest holds what the web UI's tests run against in place of other roles.
// Production code never imports it (internal/testenv's TestHarnessesStayApart).
package webtest

import (
	"context"
	"fmt"
	"time"

	"github.com/kuzot/kuzot/web"
)

// ClickHouseAcker stands in for the alert role's acknowledgement in tests that run the
// web UI on fixture incidents (web/demodata) without the alert state: it writes the
// acknowledged version of the incident row straight into ClickHouse, as the alert
// mirror does after an acknowledgement. It must never serve a deployment: there, the
// next mirrored change of the incident would undo it and escalation would not stop.
type ClickHouseAcker struct{ DB *web.DB }

// Acknowledge implements web.IncidentAcker; an incident outside sc is web.ErrNotFound.
func (a ClickHouseAcker) Acknowledge(ctx context.Context, sc web.Scope, id, by string, at time.Time) error {
	inc, err := a.DB.Incident(ctx, sc, id)
	if err != nil {
		return err
	}
	if inc.Status == "acknowledged" {
		return nil
	}
	if err := a.DB.Conn.Exec(ctx, `INSERT INTO incidents (id, org, member, fingerprint, severity, categories, platforms, urls,
		post_ids, max_views, status, update_seq, opened_at, updated_at, acknowledged_at, acknowledged_by, version)
		SELECT id, org, member, fingerprint, severity, categories, platforms, urls, post_ids, max_views,
		'acknowledged', update_seq, opened_at, ?, ?, ?, ? FROM incidents FINAL WHERE id = ? AND org = ?`,
		at.UTC(), at.UTC(), by, uint64(at.UnixNano()), id, inc.Org); err != nil {
		return fmt.Errorf("acknowledge incident %s: %w", id, err)
	}
	return nil
}
