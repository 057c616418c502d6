// Package storage is kuzot's ClickHouse layer: connection with retry, versioned schema
// migrations embedded in the binary, and the batch writers the pipeline's store role
// uses. Every INSERT names its columns (required by ClickHouse 18.16 with clickhouse-go
// v2) and every table is idempotent under re-delivery (ReplacingMergeTree + FINAL).
package storage

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/kuzot/kuzot/config"
	"github.com/kuzot/kuzot/internal/wait"
)

// Open connects to ClickHouse, creating the database if needed. It retries with backoff
// until ctx ends, logging what to check, so that a role started before ClickHouse waits
// for it instead of failing.
func Open(ctx context.Context, cfg config.ClickHouse, log *slog.Logger) (driver.Conn, error) {
	if err := validIdent(cfg.Database); err != nil {
		return nil, err
	}
	addrs := strings.Split(cfg.Addr, ",")
	for i := range addrs {
		addrs[i] = strings.TrimSpace(addrs[i])
	}
	var settings clickhouse.Settings
	if cfg.Cluster != "" {
		settings = ClusterSettings()
	}
	open := func(db string) (driver.Conn, error) {
		return clickhouse.Open(&clickhouse.Options{
			Settings:         settings,
			Addr:             addrs,
			Auth:             clickhouse.Auth{Database: db, Username: cfg.Username, Password: string(cfg.Password)},
			DialTimeout:      cfg.DialTimeout,
			MaxOpenConns:     cfg.MaxOpenConns,
			MaxIdleConns:     cfg.MaxOpenConns / 2,
			ConnMaxLifetime:  time.Hour,
			ConnOpenStrategy: clickhouse.ConnOpenInOrder,
			ReadTimeout:      5 * time.Minute,
		})
	}
	delay := 250 * time.Millisecond
	for attempt := 1; ; attempt++ {
		err := func() error {
			boot, err := open("default")
			if err != nil {
				return err
			}
			defer boot.Close()
			pctx, cancel := context.WithTimeout(ctx, cfg.DialTimeout)
			defer cancel()
			if err := boot.Ping(pctx); err != nil {
				return err
			}
			return boot.Exec(pctx, "CREATE DATABASE IF NOT EXISTS "+cfg.Database)
		}()
		if err == nil {
			conn, err := open(cfg.Database)
			if err != nil {
				return nil, fmt.Errorf("clickhouse: open %s: %w", cfg.Addr, err)
			}
			return conn, nil
		}
		if attempt == 1 || attempt%10 == 0 {
			log.Warn("ClickHouse not reachable; retrying. Start it (make run does: scripts/clickhouse-local.sh start) "+
				"or set clickhouse.addr / KUZOT_CLICKHOUSE_ADDR", "addr", cfg.Addr, "attempt", attempt, "err", err)
		}
		if !wait.Sleep(ctx, delay) {
			return nil, fmt.Errorf("clickhouse: %s unreachable: %w (last error: %v)", cfg.Addr, ctx.Err(), err)
		}
		delay = min(delay*2, 10*time.Second)
	}
}

// ClusterSettings are the session settings of every connection to a cluster
// (clickhouse.cluster set):
//
//   - insert_distributed_sync=1: an INSERT into a Distributed table returns only when
//     every shard's part is written on one of its replicas (internal_replication lets
//     replication copy it to the others), so the store role acks JetStream messages only
//     for rows that are stored. Without it, the Distributed table queues the block on the
//     local disk of the server that received it and sends it later: a write that the
//     role would ack while it lives on one disk only.
//
// The servers' profile of kuzot's user must also set distributed_product_mode=global (an
// IN or JOIN subquery over a Distributed table inside a query over another Distributed
// table is run once and sent to every shard; 18.16 refuses such queries by default).
// It cannot be sent from here: clickhouse-go sends only integer settings to 18.16.
// scripts/clickhouse-cluster-local.sh sets it.
//
//   - prefer_localhost_replica=0: a shard that has a replica on the server receiving the
//     query is queried over the network like the others. 18.16's local shortcut breaks
//     SELECT … FROM <Distributed ReplacingMergeTree> FINAL with ORDER BY or LIMIT when the
//     version column is not selected ("Cannot find column version in source stream",
//     code 8; `kuzot user list` and the web UI's lists hit it).
func ClusterSettings() clickhouse.Settings {
	return clickhouse.Settings{
		"insert_distributed_sync":  1,
		"prefer_localhost_replica": 0,
	}
}

func validIdent(s string) error {
	if s == "" {
		return fmt.Errorf("clickhouse: empty database name")
	}
	for _, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return fmt.Errorf("clickhouse: database name %q may hold only letters, digits and _", s)
		}
	}
	return nil
}
