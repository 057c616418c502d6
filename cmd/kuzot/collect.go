package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/kuzot/kuzot/collectors"
	"github.com/kuzot/kuzot/collectors/all"
	"github.com/kuzot/kuzot/post"
)

// collectFile is the part of the configuration file `kuzot collect` reads. Other
// sections belong to other roles and are ignored here; each source entry is decoded
// strictly by its kind. (To be replaced by the shared config package.)
type collectFile struct {
	Sources []yaml.Node `yaml:"sources"`
	Collect struct {
		UserAgent string `yaml:"user_agent"`
	} `yaml:"collect"`
}

// defaultUserAgent identifies kuzot to the sites it visits.
const defaultUserAgent = "kuzot/1.0 (+https://github.com/kuzot/kuzot; public-interest monitoring)"

// runCollect implements `kuzot collect --config FILE [--once] --stdout`: it polls every
// configured source and prints the new posts as JSON lines. Publishing to JetStream is
// the pipeline's role; this command is the offline view of the collectors.
func runCollect(ctx context.Context, args []string, s stdio) error {
	fs := flag.NewFlagSet("collect", flag.ContinueOnError)
	fs.SetOutput(s.err)
	cfgPath := fs.String("config", "kuzot.yaml", "configuration file")
	once := fs.Bool("once", false, "poll every source once and exit")
	stdout := fs.Bool("stdout", false, "print posts as JSON lines instead of publishing them")
	only := fs.String("source", "", "collect only the source with this name")
	delay := fs.Duration("delay", -1, "pause between two requests to the same host (default: per-host rules, 1 s for unknown hosts)")
	verbose := fs.Bool("v", false, "log each poll to stderr")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if !*stdout {
		return errors.New("only --stdout is supported by this command; the pipeline publishes with `kuzot run`")
	}
	raw, err := os.ReadFile(*cfgPath)
	if err != nil {
		return fmt.Errorf("read config: %w", err)
	}
	var file collectFile
	if err := yaml.Unmarshal(raw, &file); err != nil {
		return fmt.Errorf("config %s: %w", *cfgPath, err)
	}
	reg := all.Registry()
	var cfgs []collectors.Config
	var errs []error
	for i := range file.Sources {
		c, err := reg.Decode(&file.Sources[i])
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if *only == "" || c.SourceName() == *only {
			cfgs = append(cfgs, c)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("config %s: %w", *cfgPath, err)
	}
	if len(cfgs) == 0 {
		return fmt.Errorf("config %s: no sources to collect", *cfgPath)
	}
	level := slog.LevelWarn
	if *verbose {
		level = slog.LevelInfo
	}
	log := slog.New(slog.NewTextHandler(s.err, &slog.HandlerOptions{Level: level}))
	ua := file.Collect.UserAgent
	if ua == "" {
		ua = defaultUserAgent
	}
	fo := collectors.FetcherOptions{UserAgent: ua, Logger: log}
	if *delay >= 0 {
		fo.HostRules = []collectors.HostRule{{Pattern: "*", Delay: *delay}}
	}
	fetcher, err := collectors.NewFetcher(fo)
	if err != nil {
		return err
	}
	runner, err := collectors.NewRunner(collectors.RunnerOptions{
		Registry: reg, Sources: cfgs, Logger: log, State: collectors.NewMemoryState(), Fetcher: fetcher,
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
