package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/kuzot/kuzot/alerts"
	"github.com/kuzot/kuzot/coordination"
	"github.com/kuzot/kuzot/storage"
	"github.com/kuzot/kuzot/web"
)

// serveRole serves the built-in analyst web UI and its JSON API on the app's HTTP
// listener (http.listen; /metrics is on http.metrics_listen). It reads ClickHouse;
// acknowledging incidents and changing alert rules go through the alert state (see
// NewWebServer).
func serveRole() Role {
	return Role{
		Name:            "serve",
		Summary:         "serve the analyst web UI and JSON API (accounts, dashboards, incidents) on http.listen",
		NeedsClickHouse: true,
		Run: func(ctx context.Context, a *App) error {
			srv, db, err := NewWebServer(ctx, a)
			if err != nil {
				return err
			}
			srv.Mount(a.Mux)
			a.Log.Info("web UI mounted", "url", "http://"+a.Cfg.HTTP.Listen+"/")
			// Expired sessions are deleted hourly (ALTER ... DELETE is asynchronous and cheap).
			t := time.NewTicker(time.Hour)
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return nil
				case <-t.C:
					if err := db.DeleteExpiredSessions(ctx, a.Now().Add(-time.Hour)); err != nil {
						a.Log.Warn("delete expired sessions", "err", err)
					}
				}
			}
		},
	}
}

// NewWebServer builds the web UI from the app's configuration and clients.
func NewWebServer(ctx context.Context, a *App) (*web.Server, *web.DB, error) {
	cfg, err := web.LoadConfig(&a.Cfg.Web, a.Cfg.DataDir)
	if err != nil {
		return nil, nil, err
	}
	db := &web.DB{Conn: a.CH, Layout: storage.LayoutOf(a.Cfg.CH)}
	// One admin view of the alert state serves both acknowledgements and rules.
	svc, err := AlertAdmin(ctx, a)
	if err != nil {
		return nil, nil, fmt.Errorf("alert state for the web UI: %w", err)
	}
	tips, err := tipFormOf(a)
	if err != nil {
		return nil, nil, err
	}
	srv, err := web.New(web.Options{DB: db, Log: a.Log.With("role", "serve"), Config: cfg, Now: a.Now, Tips: tips,
		// Acknowledging goes through the alert state (JetStream KV), so that it stops
		// further updates and cancels pending ones, and the ClickHouse mirror follows.
		// Writing only a new ClickHouse row would be undone by the next mirrored
		// change of the incident.
		Acker:    alertAcker{svc: svc},
		Rules:    alertRules{svc: svc},
		Backfill: alertBackfill{svc: svc, conn: a.CH},
		Cluster:  web.CHClusters{DB: db},
		Labeler:  web.CoordinationLabeler{Store: coordination.NewStore(a.CH)}})
	return srv, db, err
}

// alertBackfill adapts the alert engine's backfill digests to web.Backfiller.
type alertBackfill struct {
	svc  *alerts.Service
	conn driver.Conn
}

// Backfill implements web.Backfiller.
func (x alertBackfill) Backfill(ctx context.Context, r web.BackfillRequest) (web.BackfillResult, error) {
	res, err := x.svc.Backfill(ctx, x.conn, alerts.BackfillRequest{Org: r.Org, Member: r.Member, From: r.From, To: r.To, Limit: r.Limit})
	if errors.Is(err, alerts.ErrBadBackfill) {
		return web.BackfillResult{}, fmt.Errorf("%w: %w", web.ErrInvalidBackfill, err)
	}
	if err != nil {
		return web.BackfillResult{}, err
	}
	return web.BackfillResult{DigestID: res.DigestID, Posts: res.Posts, Listed: res.Listed, Channels: res.Channels}, nil
}

// alertRules adapts the alert engine's rules to web.RuleManager.
type alertRules struct{ svc *alerts.Service }

// Rules implements web.RuleManager.
func (x alertRules) Rules(ctx context.Context) ([]web.AlertRule, error) {
	rs, err := x.svc.Rules(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]web.AlertRule, len(rs))
	for i, r := range rs {
		out[i] = web.AlertRule{Org: r.Org, MinSeverity: r.MinSeverity.String(), Channels: r.Channels,
			GroupWindow: r.GroupWindow.String(), FirstDelay: r.FirstDelay.String(), Languages: r.Languages, Source: r.Source}
	}
	return out, nil
}

// SetRule implements web.RuleManager: the rule is validated against the configured
// channels first, so that a refused rule is a client error.
func (x alertRules) SetRule(ctx context.Context, r web.AlertRule) error {
	bad := func(err error) error { return fmt.Errorf("%w: %w", web.ErrInvalidRule, err) }
	sev, err := alerts.ParseSeverity(r.MinSeverity)
	if err != nil {
		return bad(err)
	}
	dur := func(name, v string) (time.Duration, error) {
		if v == "" {
			return 0, nil
		}
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			return 0, bad(fmt.Errorf("%s %q: want a duration such as 30s", name, v))
		}
		return d, nil
	}
	gw, err := dur("group_window", r.GroupWindow)
	if err != nil {
		return err
	}
	fd, err := dur("first_delay", r.FirstDelay)
	if err != nil {
		return err
	}
	rule := alerts.Rule{Org: r.Org, MinSeverity: sev, Channels: r.Channels, GroupWindow: gw, FirstDelay: fd, Languages: r.Languages}
	if len(rule.Languages) == 0 {
		rule.Languages = alerts.Languages
	}
	names := map[string]bool{}
	for _, n := range x.svc.ChannelNames() {
		names[n] = true
	}
	if err := rule.Validate(names); err != nil {
		return bad(err)
	}
	return x.svc.SetRule(ctx, rule)
}

// ResetRule implements web.RuleManager.
func (x alertRules) ResetRule(ctx context.Context, org string) error {
	return x.svc.ResetRule(ctx, org)
}

// Channels implements web.RuleManager.
func (x alertRules) Channels() []web.AlertChannel {
	cs := x.svc.Channels()
	out := make([]web.AlertChannel, len(cs))
	for i, c := range cs {
		out[i] = web.AlertChannel{Name: c.Name, Orgs: c.Orgs}
	}
	return out
}
