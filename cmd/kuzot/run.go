package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/kuzot/kuzot/app"
	"github.com/kuzot/kuzot/config"
	"github.com/kuzot/kuzot/storage"
)

// configFlag registers the shared --config flag (default $KUZOT_CONFIG).
func configFlag(fs *flag.FlagSet) *string {
	return fs.String("config", os.Getenv("KUZOT_CONFIG"), "configuration file (YAML; see kuzot.example.yaml); empty = built-in defaults")
}

func runRun(ctx context.Context, args []string, s stdio) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(s.err)
	cfgPath := configFlag(fs)
	roles := fs.String("roles", "", "comma-separated roles to run (default: all): "+strings.Join(app.RoleNames(), ","))
	fs.Usage = func() {
		fmt.Fprintln(s.err, "Usage: kuzot run [--config FILE] [--roles collect,classify,store,...]")
		fmt.Fprintln(s.err, "\nRuns kuzot's long-running roles in this process until SIGINT/SIGTERM, then drains in-flight batches.")
		fmt.Fprintln(s.err, "\nRoles:")
		for _, r := range app.Roles() {
			fmt.Fprintf(s.err, "  %-12s %s\n", r.Name, r.Summary)
		}
		fmt.Fprintln(s.err, "\nFlags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := app.LoadConfig(*cfgPath)
	if err != nil {
		return err
	}
	selected, err := app.SelectRoles(*roles)
	if err != nil {
		return err
	}
	log := app.NewLogger(cfg.Log, os.Stderr)
	r, err := app.Start(ctx, cfg, selected, log)
	if err != nil {
		return err
	}
	// SIGHUP reloads what analysts edit without a restart: lexicons and watchlists.
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	done := make(chan error, 1)
	go func() { done <- r.Wait() }()
	for {
		select {
		case <-hup:
			log.Info("SIGHUP: reloading")
			_ = r.Reload()
		case err := <-done:
			return err
		}
	}
}

func runMigrate(ctx context.Context, args []string, s stdio) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(s.err)
	cfgPath := configFlag(fs)
	copyFrom := fs.String("copy-from", "", "after migrating the cluster database, copy this old single-node database into it and check the counts (needs clickhouse.cluster)")
	fromAddr := fs.String("from-addr", "", "with --copy-from: native address host:port of the old server (read through remote()); empty = the old database is on the cluster server kuzot connects to first")
	fromUser := fs.String("from-user", "", "with --copy-from and --from-addr: the old server's user (default clickhouse.username); its password comes from $KUZOT_MIGRATE_FROM_PASSWORD (default clickhouse.password)")
	checkWait := fs.Duration("check-wait", 2*time.Minute, "with --copy-from: how long to wait for replicas to catch up before the counts must match")
	fs.Usage = func() {
		fmt.Fprintln(s.err, "Usage: kuzot migrate [--config FILE] [--copy-from DATABASE [--from-addr HOST:PORT] [--from-user USER]]")
		fmt.Fprintln(s.err, "\nApplies the embedded ClickHouse schema migrations that are not yet applied.")
		fmt.Fprintln(s.err, "\nWith --copy-from (moving a single-node deployment to a cluster, docs/scaling.md), it then copies every")
		fmt.Fprintln(s.err, "table of the old database into the cluster's Distributed tables month by month, checks count() (FINAL)")
		fmt.Fprintln(s.err, "per table and prints a report; it fails when a count differs. Rerunning it is safe. Stop the writers first.")
		fmt.Fprintln(s.err, "\nFlags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := app.LoadConfig(*cfgPath)
	if err != nil {
		return err
	}
	if *copyFrom != "" {
		src := storage.CopySource{Database: *copyFrom, Addr: *fromAddr, User: *fromUser,
			Password: config.Secret(os.Getenv("KUZOT_MIGRATE_FROM_PASSWORD"))}
		rep, err := app.MoveToCluster(ctx, cfg, src, *checkWait, app.NewLogger(cfg.Log, os.Stderr))
		if len(rep.Tables) > 0 {
			rep.Print(s.out)
		}
		return err
	}
	if *fromAddr != "" || *fromUser != "" {
		return fmt.Errorf("--from-addr and --from-user need --copy-from")
	}
	applied, err := app.Migrate(ctx, cfg, app.NewLogger(cfg.Log, os.Stderr))
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintln(s.out, "schema up to date")
	}
	for _, v := range applied {
		fmt.Fprintln(s.out, "applied", v)
	}
	return nil
}
