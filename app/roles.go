package app

import (
	"context"
	"errors"
	"maps"
	"runtime"
	"time"

	"log/slog"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/kuzot/kuzot/classifiers"
	classifiersall "github.com/kuzot/kuzot/classifiers/all"
	"github.com/kuzot/kuzot/classifiers/narrative"
	"github.com/kuzot/kuzot/classifiers/narrative/modeldir"
	"github.com/kuzot/kuzot/config"
	"github.com/kuzot/kuzot/pipeline"
	"github.com/kuzot/kuzot/post"
	"github.com/kuzot/kuzot/storage"
	"github.com/kuzot/kuzot/storage/results"
)

func (a *App) batchOptions(name string) pipeline.BatchOptions {
	return pipeline.BatchOptions{
		Name:     name,
		MaxRows:  a.Cfg.Store.BatchRows,
		MaxBytes: a.Cfg.Store.BatchBytes,
		MaxWait:  a.Cfg.Store.FlushInterval,
		RetryMax: a.Cfg.Store.RetryMax,
	}
}

// storeRole writes posts and classifier results to ClickHouse, acking only after commit.
func storeRole() Role {
	return Role{
		Name:            "store",
		Summary:         "write posts and classifier results to ClickHouse (ack after commit)",
		NeedsClickHouse: true,
		Run: func(ctx context.Context, a *App) error {
			errs := make(chan error, 3)
			go func() { errs <- runRetention(ctx, a) }()
			go func() {
				errs <- pipeline.RunStage(ctx, a.Bus,
					pipeline.ConsumerSpec{Stream: pipeline.PostsStream, Durable: pipeline.StorePostsConsumer},
					a.Metrics, a.Log.With("role", "store"), pipeline.StageOptions{Batch: a.batchOptions(pipeline.StorePostsConsumer)},
					pipeline.DecodePost,
					func(ctx context.Context, rows []post.Post) error { return storage.InsertPosts(ctx, a.CH, rows) })
			}()
			go func() {
				errs <- pipeline.RunStage(ctx, a.Bus,
					pipeline.ConsumerSpec{Stream: pipeline.ResultsStream, Durable: pipeline.StoreResultsConsumer},
					a.Metrics, a.Log.With("role", "store"), pipeline.StageOptions{Batch: a.batchOptions(pipeline.StoreResultsConsumer)},
					pipeline.DecodeClassified,
					func(ctx context.Context, rows []classifiers.Classified) error { return results.Write(ctx, a.CH, rows) })
			}()
			return firstErr(errs, 3)
		},
	}
}

// BuildClassifiers instantiates the registered classifiers with their config sections,
// registering their metrics on the app's registry.
func BuildClassifiers(ctx context.Context, a *App, overrides map[string]string) ([]classifiers.Classifier, error) {
	return buildClassifiers(ctx, a.Cfg, a.Log, a.Registry, nil, overrides)
}

// classifyRole runs every registered classifier on each post and publishes the results.
func classifyRole() Role {
	return Role{
		Name:    "classify",
		Summary: "run every registered classifier on each post and publish the results",
		Run: func(ctx context.Context, a *App) error {
			cs, err := BuildClassifiers(ctx, a, nil)
			if err != nil {
				return err
			}
			names := make([]string, len(cs))
			for i, c := range cs {
				names[i] = c.Name() + "@" + c.Version()
			}
			a.Log.Info("classifiers loaded", "classifiers", names)
			for _, c := range cs {
				if live, ok := c.(*modeldir.Live); ok {
					// A promoted model is swapped in without a restart (issue 14).
					go live.Watch(ctx, a.Cfg.Models.WatchInterval)
				}
				switch r := c.(type) {
				case interface{ Reload() error }:
					a.AddReloader("classifier "+c.Name(), r.Reload)
				case interface{ Reload(context.Context) error }:
					a.AddReloader("classifier "+c.Name(), func() error { return r.Reload(ctx) })
				}
			}
			opt := a.batchOptions(pipeline.ClassifyConsumer)
			opt.MaxRows = min(opt.MaxRows, 500)
			opt.MaxWait = min(opt.MaxWait, 200*time.Millisecond)
			return pipeline.RunStage(ctx, a.Bus,
				pipeline.ConsumerSpec{Stream: pipeline.PostsStream, Durable: pipeline.ClassifyConsumer},
				a.Metrics, a.Log.With("role", "classify"),
				pipeline.StageOptions{Batch: opt, Workers: runtime.GOMAXPROCS(0)},
				pipeline.ClassifyDecoder(cs, a.Now), pipeline.ResultsWriter(a.Bus, a.Metrics))
		},
	}
}

func firstErr(errs <-chan error, n int) error {
	var first error
	for range n {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}

// BuildClassifiersFor instantiates classifiers outside a running App (for `kuzot
// classify`): names empty means all registered.
func BuildClassifiersFor(ctx context.Context, cfg *config.Config, log *slog.Logger, names []string,
	overrides map[string]string) ([]classifiers.Classifier, error) {
	return buildClassifiers(ctx, cfg, log, prometheus.NewRegistry(), names, overrides)
}

func buildClassifiers(ctx context.Context, cfg *config.Config, log *slog.Logger, reg prometheus.Registerer,
	names []string, overrides map[string]string) ([]classifiers.Classifier, error) {
	// A promoted narrative model (models.dir, `kuzot model promote`) replaces the
	// configured one, unless the command line names a model.
	md := modeldir.Dir{Path: cfg.Models.Dir}
	promoted, err := md.Current()
	switch {
	case errors.Is(err, modeldir.ErrNoCurrent):
		promoted = ""
	case err != nil:
		return nil, err
	}
	if _, set := overrides["model"]; set {
		promoted = ""
	}
	ov := maps.Clone(overrides)
	if promoted != "" {
		if ov == nil {
			ov = map[string]string{}
		}
		ov["model"] = md.File(promoted)
	}
	deps := func(name string) classifiers.Deps {
		d := classifiers.Deps{Logger: log.With("classifier", name), Registerer: reg, DataDir: cfg.DataDir,
			Overrides: ov}
		if n, ok := cfg.Classifiers[name]; ok {
			d.Config = &n
		}
		return d
	}
	cs, err := classifiersall.Registry().Build(ctx, names, deps)
	if err != nil {
		return nil, err
	}
	for i, c := range cs {
		nc, ok := c.(*narrative.Classifier)
		if !ok {
			continue
		}
		d := deps(narrative.Name)
		// A promoted model is read once per swap and runs in a classifier derived from
		// the one built here (Classifier.WithModel): the same configuration, lexicon and
		// metrics, so kuzot_narrative_posts_total keeps counting after a swap.
		live := modeldir.NewLive(nc, promoted, md, nil, d.Logger)
		if reg != nil {
			if err := live.RegisterMetrics(reg); err != nil {
				return nil, err
			}
		}
		cs[i] = live
	}
	return cs, nil
}

// runRetention enforces config.Retention every CheckInterval: old partitions are dropped
// and the raw text of exposing posts is replaced by its redacted version. It is
// idempotent, so several store replicas may run it.
func runRetention(ctx context.Context, a *App) error {
	log := a.Log.With("role", "store", "job", "retention")
	t := time.NewTicker(a.Cfg.Retention.CheckInterval)
	defer t.Stop()
	for {
		now := a.Now()
		if a.Cfg.Retention.Posts > 0 {
			dropped, err := storage.DropPartitionsBeforeLayout(ctx, a.CH, storage.LayoutOf(a.Cfg.CH), now.Add(-a.Cfg.Retention.Posts), now)
			if err != nil && ctx.Err() == nil {
				log.Error("retention: dropping old partitions failed; will retry", "err", err)
			} else if len(dropped) > 0 {
				log.Info("retention: dropped partitions", "partitions", dropped)
			}
		}
		if a.Cfg.Retention.ExposingPostsRaw > 0 {
			n, err := storage.RedactExposingPosts(ctx, a.CH, now.Add(-a.Cfg.Retention.ExposingPostsRaw), now)
			if err != nil && ctx.Err() == nil {
				log.Error("retention: redacting exposing posts failed; will retry", "err", err)
			} else if n > 0 {
				log.Info("retention: replaced raw text of exposing posts by redacted text", "posts", n)
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
