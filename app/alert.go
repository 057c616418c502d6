package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kuzot/kuzot/alerts"
	alertsall "github.com/kuzot/kuzot/alerts/all"
	"github.com/kuzot/kuzot/web"
)

// alertRole tells organisations when one of their watch-listed members is exposed: it
// consumes classifier results (durable "alert"), keeps incidents in JetStream KV,
// delivers through the durable outbox (webhook, e-mail, Telegram) and mirrors incident
// and delivery state to ClickHouse. Several alert processes may run side by side.
func alertRole() Role {
	return Role{
		Name:            "alert",
		Summary:         "alert organisations when a watch-listed member is exposed (webhook, e-mail, Telegram)",
		NeedsClickHouse: true,
		// Organisations join before the collect role of the same process polls
		// anything, so that `kuzot run` alerts about every post it collects and about
		// none collected before the organisation was configured.
		Prepare: func(ctx context.Context, a *App) error {
			svc, err := AlertAdmin(ctx, a)
			if err != nil {
				return err
			}
			_, err = svc.RecordJoins(ctx)
			return err
		},
		Run: func(ctx context.Context, a *App) error {
			reg := alertsall.Registry()
			set, err := alerts.Decode(&a.Cfg.Alerts, reg)
			if err != nil {
				return err
			}
			log := a.Log.With("role", "alert")
			if len(set.Rules) == 0 {
				log.Warn("no organisations under alerts.orgs: incidents are only recorded when rules are added through the API")
			}
			// No overall deadline: each declaration is retried (with a bounded attempt) while
			// the JetStream cluster has no quorum, so a replica started during an outage
			// waits for the cluster instead of failing its startup.
			svc, err := alerts.New(ctx, alerts.Options{Settings: set, Registry: reg, Bus: a.Bus, PipelineMetrics: a.Metrics,
				Registerer: a.Registry, Log: log, Now: a.Now, Replicas: a.Cfg.NATS.Replicas})
			if err != nil {
				return err
			}
			log.Info("alerting", "orgs", len(set.Rules), "channels", svc.ChannelNames())
			errs := make(chan error, 2)
			go func() { errs <- svc.Run(ctx) }()
			go func() { errs <- alerts.RunMirror(ctx, a.Bus, a.CH, a.Metrics, log) }()
			return firstErr(errs, 2)
		},
	}
}

// AlertAdmin opens the alert state for the API (acknowledge incidents, list and set
// rules) in any role, without starting delivery.
func AlertAdmin(ctx context.Context, a *App) (*alerts.Service, error) {
	set, err := alerts.Decode(&a.Cfg.Alerts, alertsall.Registry())
	if err != nil {
		return nil, err
	}
	ctx, cancel := jetStreamSetupContext(ctx)
	defer cancel()
	return alerts.NewAdmin(ctx, set, a.Bus, a.Cfg.NATS.Replicas, a.Log.With("component", "alerts-admin"), a.Now)
}

// jetStreamSetupTimeout bounds the creation of a role's own streams and buckets. Without
// a deadline the client gives each JetStream API request 5 s, and placing an R3 stream
// on a busy cluster (three nodes starting on two shared cores) took longer: the alert
// role of `make cluster-run` failed with "stream KUZOT_ALERTS: context deadline
// exceeded" (issue 18).
const jetStreamSetupTimeout = time.Minute

func jetStreamSetupContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, jetStreamSetupTimeout)
}

// AlertAcker adapts the alert state to web.IncidentAcker, so that acknowledging in the
// UI also stops further updates and cancels pending ones, and the incidents table
// follows through the alert mirror. Wire it in serveAcker.
func AlertAcker(ctx context.Context, a *App) (web.IncidentAcker, error) {
	svc, err := AlertAdmin(ctx, a)
	if err != nil {
		return nil, fmt.Errorf("alert acknowledgement: %w", err)
	}
	return alertAcker{svc: svc}, nil
}

type alertAcker struct{ svc *alerts.Service }

// Acknowledge implements web.IncidentAcker: an incident outside the caller's scope is
// web.ErrNotFound, like a missing one.
func (x alertAcker) Acknowledge(ctx context.Context, sc web.Scope, id, by string, _ time.Time) error {
	org := sc.Org
	if sc.All {
		o, err := x.svc.IncidentOrg(ctx, id)
		if err != nil {
			return mapNotFound(err)
		}
		org = o
	}
	return mapNotFound(x.svc.Acknowledge(ctx, org, id, by))
}

func mapNotFound(err error) error {
	if errors.Is(err, alerts.ErrNotFound) {
		return fmt.Errorf("%w: %w", web.ErrNotFound, err)
	}
	return err
}
