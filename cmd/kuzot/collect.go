package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/kuzot/kuzot/app"
	"github.com/kuzot/kuzot/collectors"
	"github.com/kuzot/kuzot/collectors/all"
	"github.com/kuzot/kuzot/config"
	"github.com/kuzot/kuzot/post"
)

// runCollect implements `kuzot collect --config FILE [--once] [--state DIR] --stdout`: it polls every
// configured source and prints the new posts as JSON lines. Publishing to JetStream is
// the pipeline's role; this command is the offline view of the collectors.
func runCollect(ctx context.Context, args []string, s stdio) error {
	fs := flag.NewFlagSet("collect", flag.ContinueOnError)
	fs.SetOutput(s.err)
	cfgPath := configFlag(fs)
	once := fs.Bool("once", false, "poll every source once and exit")
	stdout := fs.Bool("stdout", false, "print posts as JSON lines instead of publishing them")
	only := fs.String("source", "", "collect only the source with this name")
	delay := fs.Duration("delay", -1, "pause between two requests to the same host (default: per-host rules, 1 s for unknown hosts)")
	verbose := fs.Bool("v", false, "log each poll to stderr")
	stateDir := fs.String("state", "", "keep the collectors' state (last seen ids, comment cursors, counters for refreshes) in this directory, so that a later run goes on from this one; default: in memory, every run starts afresh")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if !*stdout {
		return errors.New("only --stdout is supported by this command; the pipeline publishes with `kuzot run`")
	}
	cfg, err := app.LoadConfig(*cfgPath)
	if err != nil {
		return err
	}
	reg := all.Registry()
	decoded, err := app.DecodeSources(reg, cfg.Sources)
	if err != nil {
		return fmt.Errorf("config %s: %w", *cfgPath, err)
	}
	var cfgs []collectors.Config
	for _, c := range decoded {
		if *only == "" || c.SourceName() == *only {
			cfgs = append(cfgs, c)
		}
	}
	if len(cfgs) == 0 {
		return fmt.Errorf("config %s: no sources to collect", *cfgPath)
	}
	level := slog.LevelWarn
	if *verbose {
		level = slog.LevelInfo
	}
	log := slog.New(slog.NewTextHandler(s.err, &slog.HandlerOptions{Level: level}))
	if *delay >= 0 {
		cfg.Collect.HostRules = []config.HostRule{{Pattern: "*", Delay: *delay}}
	}
	fetcher, err := app.NewFetcher(cfg.Collect, log)
	if err != nil {
		return err
	}
	var state collectors.State = collectors.NewMemoryState()
	if *stateDir != "" {
		if state, err = collectors.NewFileState(*stateDir); err != nil {
			return err
		}
	}
	runner, err := collectors.NewRunner(collectors.RunnerOptions{
		Registry: reg, Sources: cfgs, Logger: log, State: state, Fetcher: fetcher,
	})
	if err != nil {
		return err
	}
	var mu sync.Mutex
	enc := json.NewEncoder(s.out)
	enc.SetEscapeHTML(false)
	emit := func(_ context.Context, p post.Post) error {
		mu.Lock()
		defer mu.Unlock()
		return enc.Encode(p)
	}
	if *once {
		return runner.RunOnce(ctx, emit)
	}
	log.Info("collecting until interrupted", "sources", len(cfgs), "started", time.Now().Format(time.RFC3339))
	return runner.Run(ctx, emit)
}
