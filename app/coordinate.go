package app

import (
	"context"

	"github.com/kuzot/kuzot/classifiers/exposure"
	"github.com/kuzot/kuzot/coordination"
)

// coordinateRole finds coordinated account networks on the live stream: the
// coordination section, the bus, ClickHouse, the metrics registry and the evidence
// redactor handed to coordination.Run, which elects one active detector among the
// replicas and runs it (see its documentation).
func coordinateRole() Role {
	return Role{
		Name:            "coordinate",
		Summary:         "find coordinated account networks (troll factories) on the live stream",
		NeedsClickHouse: true,
		Run: func(ctx context.Context, a *App) error {
			cc, err := coordination.LoadConfig(&a.Cfg.Coordination)
			if err != nil {
				return err
			}
			return coordination.Run(ctx, coordination.RunOptions{
				Config:     cc,
				Bus:        a.Bus,
				CH:         a.CH,
				Registerer: a.Registry,
				Log:        a.Log.With("role", "coordinate"),
				Now:        a.Now,
				Redact:     exposure.TextRedactor(a.Now),
			})
		},
	}
}
