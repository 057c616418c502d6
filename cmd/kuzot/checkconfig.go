package main

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/kuzot/kuzot/app"
	"github.com/kuzot/kuzot/config"
)

// runCheckConfig is `kuzot check-config [--config F] [FILE...]` (as `promtool check
// config`): it loads each file as every kuzot command does at start — the whole file
// and every section, whatever roles would run — and prints every problem as
// FILE:LINE: key.path: message. It exits non-zero when any file has a problem.
func runCheckConfig(_ context.Context, args []string, s stdio) error {
	fs := flag.NewFlagSet("check-config", flag.ContinueOnError)
	fs.SetOutput(s.err)
	cfgPath := configFlag(fs)
	fs.Usage = func() {
		fmt.Fprintln(s.err, "Usage: kuzot check-config [--config FILE] [FILE...]")
		fmt.Fprintln(s.err, "\nChecks configuration files without starting anything: unknown keys, wrong types and invalid values")
		fmt.Fprintln(s.err, "in every section, each printed with its line and key path. Exits 1 if any file has a problem.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	files := fs.Args()
	if *cfgPath != "" {
		files = append([]string{*cfgPath}, files...)
	}
	if len(files) == 0 {
		return errors.New("name a file: kuzot check-config --config FILE (or set KUZOT_CONFIG)")
	}
	failed := 0
	for _, f := range files {
		fmt.Fprintf(s.out, "Checking %s\n", f)
		_, err := app.LoadConfig(f)
		if err == nil {
			fmt.Fprintln(s.out, "  SUCCESS: every section is valid")
			continue
		}
		failed++
		var ps config.Problems
		if !errors.As(err, &ps) {
			fmt.Fprintf(s.out, "  FAILED: %v\n", err)
			continue
		}
		fmt.Fprintf(s.out, "  FAILED: %d problem(s)\n", len(ps))
		for _, p := range ps {
			fmt.Fprintf(s.out, "%v\n", p)
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d file(s) have problems", failed, len(files))
	}
	return nil
}
