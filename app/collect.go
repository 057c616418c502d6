package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

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
			// Sources are shared among the collect replicas of the deployment by leases
			// (issue 18): a lone replica holds them all.
			leaser, err := NewSourceLeaser(ctx, a.Bus, a.Log.With("role", "collect"))
			if err != nil {
				return err
			}
			// Each source's posts go out in atomic batches (one fsync per batch instead of
			// one per post), at the latest before the source saves its state.
			runner, err := collectors.NewRunner(collectors.RunnerOptions{
				Registry: reg, Sources: sources, Logger: a.Log.With("role", "collect"), Registerer: a.Registry,
				State: &pipeline.KVState{KV: kv, NC: a.Bus.NC}, Fetcher: fetcher, Now: a.Now,
				EmitBatch: pub.PublishPostsWithRetry, BatchSize: 100, Leaser: leaser,
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

// sourceLeaser is collectors.SourceLeaser on a pipeline.WorkShare (issue 18): collector
// replicas share the sources, each polled by one replica at a time.
type sourceLeaser struct{ share *pipeline.WorkShare }

// Acquire implements collectors.SourceLeaser.
func (s sourceLeaser) Acquire(ctx context.Context, source string) (collectors.SourceLease, error) {
	l, err := s.share.Acquire(ctx, source)
	if err != nil {
		return nil, err
	}
	return &sourceLease{lease: l, share: s.share, source: source}, nil
}

type sourceLease struct {
	lease  *pipeline.Lease
	share  *pipeline.WorkShare
	source string
}

// sourceLeaseNote is what a collector replica leaves on a released source lease.
type sourceLeaseNote struct {
	LastPoll time.Time `json:"last_poll"`
}

func (l *sourceLease) Context() context.Context { return l.lease.Context() }

func (l *sourceLease) LastPoll() time.Time {
	var n sourceLeaseNote
	if b := l.lease.PreviousNote(); b != nil && json.Unmarshal(b, &n) == nil {
		return n.LastPoll
	}
	return time.Time{}
}

func (l *sourceLease) Yield() bool { return !l.share.Mine(l.source) }

func (l *sourceLease) Release(lastPoll time.Time) {
	var note []byte
	if !lastPoll.IsZero() {
		note, _ = json.Marshal(sourceLeaseNote{LastPoll: lastPoll.UTC()})
	}
	l.lease.Release(note)
}

// NewSourceLeaser joins the collector replicas of the deployment (the group "collect"
// in the lease bucket) until ctx ends.
func NewSourceLeaser(ctx context.Context, bus *pipeline.Bus, log *slog.Logger) (collectors.SourceLeaser, error) {
	leases, err := bus.Leases(ctx, pipeline.HolderName("collect"), log)
	if err != nil {
		return nil, err
	}
	share, err := pipeline.NewWorkShare(ctx, leases, "collect")
	if err != nil {
		return nil, err
	}
	return sourceLeaser{share: share}, nil
}
