package web

import (
	"context"
	"fmt"

	"github.com/kuzot/kuzot/alerts"
	"github.com/kuzot/kuzot/storage"
)

// Incidents and alert deliveries, read through the alerts package, and the posts of an
// incident.

// orgScope is sc as the alerts package's read scope.
func orgScope(sc Scope) alerts.OrgScope { return alerts.OrgScope{All: sc.All, Org: sc.Org} }

// Incidents lists incidents in scope, newest update first; status "" means any. The
// incidents table is the alerts package's: it reads it.
func (d *DB) Incidents(ctx context.Context, sc Scope, status string, limit int) ([]Incident, error) {
	stored, err := alerts.ReadIncidents(ctx, d.Conn, orgScope(sc), status, clampLimit(limit))
	if err != nil {
		return nil, err
	}
	var out []Incident
	for _, i := range stored {
		out = append(out, Incident(i))
	}
	return out, nil
}

// Incident reads one incident in scope (ErrNotFound when absent or out of scope).
func (d *DB) Incident(ctx context.Context, sc Scope, id string) (Incident, error) {
	i, found, err := alerts.ReadIncident(ctx, d.Conn, orgScope(sc), id)
	if err != nil {
		return Incident{}, err
	}
	if !found {
		return Incident{}, ErrNotFound
	}
	return Incident(i), nil
}

// IncidentPosts returns the posts of an incident with their redacted texts, or with the
// raw texts from posts when unredacted (the caller must have checked the privilege and
// written the audit row).
func (d *DB) IncidentPosts(ctx context.Context, inc Incident, unredacted bool) ([]IncidentPost, error) {
	if len(inc.PostIDs) == 0 {
		return nil, nil
	}
	rows, err := d.Conn.Query(ctx, `SELECT post_id, source, channel, url, published_at, toString(severity), categories,
		redacted_text FROM exposures FINAL WHERE post_id IN ? ORDER BY published_at`, storage.InSet(inc.PostIDs))
	if err != nil {
		return nil, fmt.Errorf("incident posts: %w", err)
	}
	var out []IncidentPost
	for rows.Next() {
		var p IncidentPost
		if err := rows.Scan(&p.PostID, &p.Source, &p.Channel, &p.URL, &p.PublishedAt, &p.Severity, &p.Categories, &p.Text); err != nil {
			rows.Close()
			return nil, fmt.Errorf("incident posts: %w", err)
		}
		p.Redacted = true
		out = append(out, p)
	}
	rows.Close()
	if !unredacted || len(out) == 0 {
		return out, nil
	}
	raw := map[string]string{}
	rows, err = d.Conn.Query(ctx, `SELECT id, text FROM posts FINAL WHERE id IN ?`, storage.InSet(inc.PostIDs))
	if err != nil {
		return nil, fmt.Errorf("incident raw posts: %w", err)
	}
	for rows.Next() {
		var id, t string
		if err := rows.Scan(&id, &t); err != nil {
			rows.Close()
			return nil, fmt.Errorf("incident raw posts: %w", err)
		}
		raw[id] = t
	}
	rows.Close()
	for i := range out {
		t, ok := raw[out[i].PostID]
		out[i].Redacted = false
		if !ok || t == "" {
			out[i].Text, out[i].Purged = "", true
			continue
		}
		out[i].Text = t
	}
	return out, nil
}

// Deliveries lists alert deliveries in scope, newest first.
func (d *DB) Deliveries(ctx context.Context, sc Scope, limit int) ([]Delivery, error) {
	stored, err := alerts.ReadDeliveries(ctx, d.Conn, orgScope(sc), clampLimit(limit))
	if err != nil {
		return nil, err
	}
	var out []Delivery
	for _, x := range stored {
		out = append(out, Delivery(x))
	}
	return out, nil
}
