package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/kuzot/kuzot/app"
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
	fs.Usage = func() {
		fmt.Fprintln(s.err, "Usage: kuzot migrate [--config FILE]\n\nApplies the embedded ClickHouse schema migrations that are not yet applied.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := app.LoadConfig(*cfgPath)
	if err != nil {
		return err
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
