package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/kuzot/kuzot/collectors"
	collectorsall "github.com/kuzot/kuzot/collectors/all"
	"github.com/kuzot/kuzot/config"
	"github.com/kuzot/kuzot/pipeline"
)

// DecodeSources decodes the `sources:` entries strictly with the collector registry.
func DecodeSources(reg *collectors.Registry, nodes []yamlNode) ([]collectors.Config, error) {
	var out []collectors.Config
	var errs []error
	for i := range nodes {
		c, err := reg.DecodeAt(&nodes[i], fmt.Sprintf("sources[%d]", i))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, c)
	}
	return out, errors.Join(errs...)
}

// collectRole polls every configured source and publishes new posts to JetStream. State
// (high-water marks, seen ids, ETags) lives in the JetStream KV bucket, so a restart
// neither re-publishes nor misses posts.
func collectRole() Role {
	return Role{
		Name:    "collect",
		Summary: "poll the configured sources and publish new posts",
		Run: func(ctx context.Context, a *App) error {
			reg := collectorsall.Registry()
			sources, err := DecodeSources(reg, a.Cfg.Sources)
			if err != nil {
				return err
			}
			if len(sources) == 0 {
				a.Log.Warn("no sources configured: the collect role has nothing to do (add entries under sources:)")
				<-ctx.Done()
				return nil
			}
			kv, err := a.Bus.JS.KeyValue(ctx, pipeline.StateBucket)
			if err != nil {
				return fmt.Errorf("state bucket: %w", err)
			}
			fetcher, err := NewFetcher(a.Cfg.Collect, a.Log)
			if err != nil {
				return err
			}
			pub := pipeline.NewPublisher(a.Bus.JS, a.Metrics)
			// Each source's posts go out in atomic batches (one fsync per batch instead of
			// one per post), at the latest before the source saves its state.
			runner, err := collectors.NewRunner(collectors.RunnerOptions{
				Registry: reg, Sources: sources, Logger: a.Log.With("role", "collect"), Registerer: a.Registry,
				State: &pipeline.KVState{KV: kv}, Fetcher: fetcher, Now: a.Now,
				EmitBatch: pub.PublishPostsWithRetry, BatchSize: 100,
			})
			if err != nil {
				return err
			}
			a.Log.Info("collecting", "sources", runner.Sources())
			return runner.Run(ctx, nil)
		},
	}
}

// NewFetcher builds the process's shared polite HTTP layer from the collect settings.
func NewFetcher(c config.Collect, log *slog.Logger) (*collectors.Fetcher, error) {
	opt := collectors.FetcherOptions{UserAgent: c.UserAgent, Logger: log.With("component", "fetcher")}
	for _, r := range c.HostRules {
		opt.HostRules = append(opt.HostRules, collectors.HostRule{Pattern: r.Pattern, Delay: r.Delay, Jitter: r.Jitter})
	}
	return collectors.NewFetcher(opt)
}
