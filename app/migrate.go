package app

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/kuzot/kuzot/config"
	"github.com/kuzot/kuzot/storage"
)

// Migrate connects to ClickHouse, applies pending migrations and provisions the
// read-only Grafana database (storage.ProvisionGrafana). A server that offers no way to
// restrict a Grafana user only gets a warning: Grafana then has no access, which is safe.
func Migrate(ctx context.Context, cfg *config.Config, log *slog.Logger) ([]string, error) {
	conn, err := storage.Open(ctx, cfg.CH, log)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	applied, err := storage.MigrateLayout(ctx, conn, storage.LayoutOf(cfg.CH))
	if err != nil {
		return applied, err
	}
	mode, err := storage.ProvisionGrafana(ctx, conn, cfg.CH)
	switch {
	case errors.Is(err, storage.ErrGrafanaUnsupported):
		log.Warn("Grafana read-only access not provisioned; the dashboards will have no data", "err", err)
	case err != nil:
		return applied, err
	default:
		log.Info("Grafana read-only access", "mode", mode, "database", cfg.CH.Grafana.Database, "user", cfg.CH.Grafana.User)
	}
	return applied, nil
}

// MoveToCluster is `kuzot migrate --copy-from`: it migrates the cluster database of cfg
// (clickhouse.cluster must be set), like Migrate, then copies the old single-node
// database src into it (storage.CopyToCluster) and returns the per-table report. The
// error wraps storage.ErrCountMismatch when a table's counts differ after the copy.
func MoveToCluster(ctx context.Context, cfg *config.Config, src storage.CopySource, checkWait time.Duration, log *slog.Logger) (storage.CopyReport, error) {
	if cfg.CH.Cluster == "" {
		return storage.CopyReport{}, errors.New("--copy-from copies into a cluster: set clickhouse.cluster (KUZOT_CLICKHOUSE_CLUSTER)")
	}
	if src.User == "" {
		src.User = cfg.CH.Username
	}
	if src.Password == "" {
		src.Password = cfg.CH.Password
	}
	applied, err := Migrate(ctx, cfg, log)
	if err != nil {
		return storage.CopyReport{}, err
	}
	log.Info("cluster database migrated", "database", cfg.CH.Database, "applied", len(applied))
	conn, err := storage.Open(ctx, cfg.CH, log)
	if err != nil {
		return storage.CopyReport{}, err
	}
	defer conn.Close()
	return storage.CopyToCluster(ctx, conn, storage.LayoutOf(cfg.CH), src, checkWait, log)
}
