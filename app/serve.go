package app

import (
	"context"
	"time"

	"github.com/kuzot/kuzot/classifiers/coordination"
	"github.com/kuzot/kuzot/web"
)

// serveRole serves the built-in analyst web UI and its JSON API on the app's HTTP
// listener (the same one as /metrics). It reads ClickHouse only; acknowledging an
// incident goes through web.IncidentAcker (see serveAcker).
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
	db := &web.DB{Conn: a.CH}
	acker, err := serveAcker(ctx, a)
	if err != nil {
		return nil, nil, err
	}
	srv, err := web.New(web.Options{DB: db, Log: a.Log.With("role", "serve"), Config: cfg, Now: a.Now,
		Acker:   acker,
		Cluster: web.CHClusters{DB: db},
		Labeler: web.CoordinationLabeler{Store: coordination.NewStore(a.CH)}})
	return srv, db, err
}

// serveAcker returns how the UI acknowledges incidents: through the alert state
// (JetStream KV), so that acknowledging stops further updates and cancels pending ones,
// and the ClickHouse mirror follows. Writing only a new ClickHouse row (web.CHAcker)
// would be undone by the next mirrored change of the incident.
func serveAcker(ctx context.Context, a *App) (web.IncidentAcker, error) {
	return AlertAcker(ctx, a)
}
