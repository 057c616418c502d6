package app

import (
	"context"
	"log/slog"

	"github.com/kuzot/kuzot/config"
	"github.com/kuzot/kuzot/storage"
)

// Migrate connects to ClickHouse and applies pending migrations.
func Migrate(ctx context.Context, cfg *config.Config, log *slog.Logger) ([]string, error) {
	conn, err := storage.Open(ctx, cfg.CH, log)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	return storage.Migrate(ctx, conn)
}
