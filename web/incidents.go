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
	stored, err := storage.ExposuresOf(ctx, d.Conn, inc.PostIDs)
	if err != nil {
		return nil, fmt.Errorf("incident posts: %w", err)
	}
	var out []IncidentPost
	for _, e := range stored {
		out = append(out, IncidentPost{PostID: e.PostID, Source: e.Source, Channel: e.Channel, URL: e.URL,
			PublishedAt: e.PublishedAt, Severity: e.Severity, Categories: e.Categories, Text: e.RedactedText, Redacted: true})
	}
	if !unredacted || len(out) == 0 {
		return out, nil
	}
	raw, err := storage.RawTexts(ctx, d.Conn, inc.PostIDs)
	if err != nil {
		return nil, fmt.Errorf("incident raw posts: %w", err)
	}
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
