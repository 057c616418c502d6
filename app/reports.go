package app

import (
	"context"

	"github.com/kuzot/kuzot/reports"
)

// reportRole generates the periodic trend reports configured under `reports:` (issue 9)
// on their cron schedules: it writes every format into the directory the web UI lists
// (web.reports_dir unless reports.output_dir says otherwise), records each report in the
// `reports` table and mails it to the schedule's recipients.
func reportRole() Role {
	return Role{
		Name:            "report",
		Summary:         "generate, store and e-mail the periodic trend reports configured under reports:",
		NeedsClickHouse: true,
		Run: func(ctx context.Context, a *App) error {
			cfg, err := reports.ParseConfig(&a.Cfg.Reports, ReportsDir(a.Cfg))
			if err != nil {
				return err
			}
			s, err := reports.NewScheduler(cfg, a.CH, a.Log.With("role", "report"), a.Registry, a.Now)
			if err != nil {
				return err
			}
			return s.Run(ctx)
		},
	}
}
