package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/kuzot/kuzot/classifiers/coordination"
	"github.com/kuzot/kuzot/classifiers/exposure"
	"github.com/kuzot/kuzot/classifiers/narrative"
	"github.com/kuzot/kuzot/config"
	"github.com/kuzot/kuzot/internal/wait"
	"github.com/kuzot/kuzot/pipeline"
)

// CoordinationConfig is the `coordination:` section: the detector parameters (see
// classifiers/coordination.Params; zero keeps the default) and how often clusters are
// written.
type CoordinationConfig struct {
	Window          time.Duration `yaml:"window"`
	TextWindow      time.Duration `yaml:"text_window"`
	Similarity      float64       `yaml:"similarity"`
	MinWeight       int           `yaml:"min_weight"`
	MinAffinity     float64       `yaml:"min_affinity"`
	MinClusterSize  int           `yaml:"min_cluster_size"`
	MaxObjectActors int           `yaml:"max_object_actors"`
	MinTextTokens   int           `yaml:"min_text_tokens"`
	Lateness        time.Duration `yaml:"lateness"`
	Horizon         time.Duration `yaml:"horizon"`
	MaxPairs        int           `yaml:"max_pairs"`
	// StateInterval is how often the detector state is saved to the JetStream object
	// store kuzot_coordination_state (default 5 min), so that a restart replays only the
	// results since the last save (see coordinate_state.go).
	StateInterval time.Duration `yaml:"state_interval"`
	// FlushInterval is how often changed clusters are written to ClickHouse (default 10 s).
	FlushInterval time.Duration `yaml:"flush_interval"`
}

// Params merges the configured values over the detector defaults and validates them.
func (c CoordinationConfig) Params() (coordination.Params, error) {
	p := coordination.DefaultParams()
	setD := func(dst *time.Duration, v time.Duration) {
		if v != 0 {
			*dst = v
		}
	}
	setI := func(dst *int, v int) {
		if v != 0 {
			*dst = v
		}
	}
	setD(&p.Window, c.Window)
	setD(&p.TextWindow, c.TextWindow)
	setD(&p.Lateness, c.Lateness)
	setD(&p.Horizon, c.Horizon)
	setI(&p.MinWeight, c.MinWeight)
	setI(&p.MinClusterSize, c.MinClusterSize)
	setI(&p.MaxObjectActors, c.MaxObjectActors)
	setI(&p.MinTextTokens, c.MinTextTokens)
	setI(&p.MaxPairs, c.MaxPairs)
	if c.Similarity != 0 {
		p.Similarity = c.Similarity
	}
	if c.MinAffinity != 0 {
		p.MinAffinity = c.MinAffinity
	}
	return p, p.Validate()
}

// LoadCoordinationConfig decodes the coordination section strictly.
func LoadCoordinationConfig(cfg *config.Config) (CoordinationConfig, error) {
	var c CoordinationConfig
	if err := config.DecodeSection(&cfg.Coordination, "coordination", &c); err != nil {
		return c, err
	}
	if c.FlushInterval == 0 {
		c.FlushInterval = 10 * time.Second
	}
	if c.StateInterval == 0 {
		c.StateInterval = 5 * time.Minute
	}
	return c, nil
}

// coordinateRole finds coordinated account networks on the live stream. It reads the
// results stream (posts with their narrative frames) through an ordered consumer. The
// detector's long-lived state is saved every StateInterval to a JetStream object store;
// after a restart it is loaded and the consumer starts a few hours before the save
// (coordination.ReplayMargin), not a horizon (a month) back; without a usable state it
// starts one horizon back. No acks are needed; clusters keep their ids and ClickHouse
// tables are ReplacingMergeTrees, so re-written clusters collapse.
//
// Replicas (issue 18): one detector is active, the replica holding the KV lease
// leader.coordinate; the others stand by and take over when its lease expires (a crash)
// or is released (a clean stop, after the final state save), loading the saved state
// and replaying from shortly before it. The detector is not partitioned: a pair weight
// links two accounts that act on the same objects, so every post may touch any pair
// (see docs/scaling.md).
func coordinateRole() Role {
	return Role{
		Name:            "coordinate",
		Summary:         "find coordinated account networks (troll factories) on the live stream",
		NeedsClickHouse: true,
		Run: func(ctx context.Context, a *App) error {
			cc, err := LoadCoordinationConfig(a.Cfg)
			if err != nil {
				return err
			}
			params, err := cc.Params()
			if err != nil {
				return err
			}
			log := a.Log.With("role", "coordinate")
			leases, err := a.Bus.Leases(ctx, pipeline.HolderName("coordinate"), log)
			if err != nil {
				return err
			}
			for {
				lease, err := acquireLeader(ctx, leases, log)
				if err != nil {
					return nil // ctx ended while standing by
				}
				lctx, cancel := context.WithCancel(ctx)
				stop := context.AfterFunc(lease.Context(), cancel)
				err = runDetector(lctx, a, cc, params, func() bool { return lease.Context().Err() == nil }, log)
				stop()
				cancel()
				// Released after the final save, so that the standby loads it.
				lease.Release(nil)
				if err != nil || ctx.Err() != nil {
					return err
				}
				log.Warn("coordinate leadership lost; standing by")
			}
		},
	}
}

// CoordinateLeaderKey is the lease key of the active coordination detector.
const CoordinateLeaderKey = "leader.coordinate"

// acquireLeader blocks until this replica holds the coordinate leader lease (checking
// every renew interval), or ctx ends.
func acquireLeader(ctx context.Context, leases *pipeline.Leases, log *slog.Logger) (*pipeline.Lease, error) {
	logged := false
	for {
		l, err := leases.TryAcquire(ctx, CoordinateLeaderKey)
		if err == nil && l != nil {
			log.Info("coordinate leader: this replica runs the detector")
			return l, nil
		}
		if err != nil && ctx.Err() == nil {
			log.Warn("coordinate leader election failed; retrying", "err", err)
		} else if !logged {
			log.Info("coordinate standby: another replica runs the detector; taking over if its lease expires")
			logged = true
		}
		if !wait.Sleep(ctx, leases.Renew()) {
			return nil, ctx.Err()
		}
	}
}

// runDetector runs the coordination detector until ctx ends: it loads the saved state,
// replays the results since, observes new ones, writes clusters and saves its state.
// leader reports whether this replica still holds the leader lease: a replica that lost
// it neither writes nor saves any more (the new leader may already have).
func runDetector(ctx context.Context, a *App, cc CoordinationConfig, params coordination.Params, leader func() bool, log *slog.Logger) error {
	detOpts := []coordination.Option{coordination.WithClock(a.Now), coordination.WithRedactor(exposure.TextRedactor(a.Now))}
	state, err := openCoordinationState(ctx, a.Bus.JS, a.Cfg.NATS.Replicas, log)
	if err != nil {
		return err
	}
	start := a.Now().Add(-params.Horizon)
	det, resume, savedSeq := state.load(ctx, params, detOpts...)
	if det != nil {
		start = resume
	} else if det, err = coordination.NewDetector(params, detOpts...); err != nil {
		return err
	}
	metrics := coordination.NewCollector(det)
	if err := a.Registry.Register(metrics); err != nil {
		return fmt.Errorf("coordination metrics: %w", err)
	}
	defer func() {
		if !leader() { // a later leadership of this process registers its own
			a.Registry.Unregister(metrics)
		}
	}()
	store := coordination.NewStore(a.CH)
	cons, err := a.Bus.JS.OrderedConsumer(ctx, pipeline.ResultsStream, jetstream.OrderedConsumerConfig{
		DeliverPolicy: jetstream.DeliverByStartTimePolicy, OptStartTime: &start,
	})
	if err != nil {
		return fmt.Errorf("coordinate: consumer: %w", err)
	}
	log.Info("coordination detector started", "replay_from", start, "window", params.Window,
		"horizon", params.Horizon, "resumed", !resume.IsZero())
	nextFlush := time.Now().Add(cc.FlushInterval)
	nextSave := time.Now().Add(cc.StateInterval)
	flush := func(fctx context.Context) {
		clusters := det.Flush(a.Now())
		if len(clusters) == 0 {
			return
		}
		delay := 200 * time.Millisecond
		for {
			err := store.WriteClusters(fctx, clusters)
			if err == nil {
				log.Info("clusters written", "clusters", len(clusters))
				return
			}
			log.Error("writing clusters failed; retrying", "err", err)
			if !wait.Sleep(fctx, delay) {
				return
			}
			delay = min(delay*2, 30*time.Second)
		}
	}
	var streamTime time.Time // JetStream time of the last result observed
	var streamSeq uint64     // and its stream sequence
	saveState := func(sctx context.Context) {
		if streamTime.IsZero() {
			return
		}
		flush(sctx) // cluster ids assigned before they are saved
		if err := state.save(sctx, det, streamTime, streamSeq); err != nil {
			log.Error("saving coordination state failed", "err", err)
		}
	}
	for {
		if ctx.Err() != nil {
			if !leader() {
				return nil
			}
			dctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			flush(dctx)
			saveState(dctx)
			cancel()
			return nil
		}
		batch, err := cons.Fetch(500, jetstream.FetchMaxWait(time.Second))
		if err != nil {
			if ctx.Err() == nil {
				log.Warn("fetch failed; retrying", "err", err)
				wait.Sleep(ctx, time.Second)
			}
			continue
		}
		for msg := range batch.Messages() {
			var seq uint64
			if md, err := msg.Metadata(); err == nil {
				streamTime, seq = md.Timestamp, md.Sequence.Stream
				streamSeq = seq
			}
			c, err := pipeline.DecodeClassified(ctx, msg)
			if err != nil {
				continue // the store role dead-letters it; nothing to learn here
			}
			obs := coordination.Observation{Post: c.Post, Frames: narrativeFrames(c)}
			// Results the loaded state already counted only rebuild the
			// detector's window state; later ones are observed.
			observe := det.Observe
			if seq != 0 && seq <= savedSeq {
				observe = det.Rebuild
			}
			if err := observe(obs); err != nil && !errors.Is(err, coordination.ErrTooLate) {
				log.Debug("post not usable for coordination", "err", err)
			}
		}
		if time.Now().After(nextFlush) {
			flush(ctx)
			nextFlush = time.Now().Add(cc.FlushInterval)
		}
		if time.Now().After(nextSave) {
			saveState(ctx)
			nextSave = time.Now().Add(cc.StateInterval)
		}
	}
}

// narrativeFrames returns the narrative frames of a flagged post (none otherwise).
func narrativeFrames(c pipeline.Classified) []string {
	for _, s := range c.Summaries {
		if s.Classifier == narrative.Name && s.Flagged {
			return s.Labels
		}
	}
	return nil
}
