package app

import (
	"context"
	"encoding/base64"
	"fmt"
	"log/slog"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/kuzot/kuzot/pipeline"

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
			// Replicas (issue 18): each fire runs on one replica only.
			g, err := NewReportGuard(ctx, a.Bus, a.Log.With("role", "report"))
			if err != nil {
				return err
			}
			s.SetGuard(g)
			return s.Run(ctx)
		},
	}
}

// reportGuard is reports.RunGuard on the lease and runs buckets.
type reportGuard struct {
	leases *pipeline.Leases
	runs   jetstream.KeyValue
}

// NewReportGuard returns the guard that makes each scheduled report fire run on one
// report replica: the first to take the fire's lease runs it and records it in
// kuzot_runs; the others wait, and run it themselves only if that replica dies first.
func NewReportGuard(ctx context.Context, bus *pipeline.Bus, log *slog.Logger) (reports.RunGuard, error) {
	leases, err := bus.Leases(ctx, pipeline.HolderName("report"), log)
	if err != nil {
		return nil, err
	}
	runs, err := bus.JS.KeyValue(ctx, pipeline.RunsBucket)
	if err != nil {
		return nil, fmt.Errorf("report: runs bucket: %w", err)
	}
	return reportGuard{leases: leases, runs: runs}, nil
}

// Once implements reports.RunGuard.
func (g reportGuard) Once(ctx context.Context, key string, fn func(ctx context.Context)) error {
	return g.leases.Once(ctx, g.runs, "report."+base64.RawURLEncoding.EncodeToString([]byte(key)), fn)
}
