package app

import (
	"context"
	"errors"
	"log/slog"

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
