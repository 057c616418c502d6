package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/kuzot/kuzot/app"
)

// runServe is `kuzot serve`: the web UI and JSON API alone (the serve role), for a
// deployment that runs the other roles in other processes.
func runServe(ctx context.Context, args []string, s stdio) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(s.err)
	cfgPath := configFlag(fs)
	fs.Usage = func() {
		fmt.Fprintln(s.err, "Usage: kuzot serve [--config FILE]\n\nServes the analyst web UI and its JSON API on http.listen (same as kuzot run --roles serve).")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := app.LoadConfig(*cfgPath)
	if err != nil {
		return err
	}
	roles, err := app.SelectRoles("serve")
	if err != nil {
		return err
	}
	return app.Run(ctx, cfg, roles, app.NewLogger(cfg.Log, os.Stderr))
}
