package coordination

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/kuzot/kuzot/classifiers"
	"github.com/kuzot/kuzot/classifiers/narrative"
	"github.com/kuzot/kuzot/internal/wait"
	"github.com/kuzot/kuzot/pipeline"
)

// LeaderKey is the lease key of the active coordination detector.
const LeaderKey = "leader.coordinate"

// RunOptions are what the coordinate role hands Run: the section it decoded and the
// clients it built. Every field but Now (time.Now) and Redact (evidence kept as is) is
// required.
type RunOptions struct {
	// Config is the coordination section (LoadConfig).
	Config Config
	// Bus is the JetStream connection: the results stream read, the leader lease and
	// the state object store.
	Bus *pipeline.Bus
	// CH is the ClickHouse connection the clusters are written to (Store).
	CH driver.Conn
	// Registerer receives the detector's metrics while this replica leads.
	Registerer prometheus.Registerer
	// Log is the role's logger.
	Log *slog.Logger
	// Now is the clock of flushes and cluster times.
	Now func() time.Time
	// Redact redacts texts kept as cluster evidence (WithRedactor).
	Redact func(string) string
}

// Run finds coordinated account networks on the live stream until ctx ends. It reads
// the results stream (posts with their narrative frames) through an ordered consumer.
// The detector's long-lived state is saved every Config.StateInterval to a JetStream
// object store (StateBucket); after a restart it is loaded and the consumer starts a few
// hours before the save (ReplayMargin), not a horizon (a month) back; without a usable
// state it starts one horizon back. No acks are needed; clusters keep their ids and
// ClickHouse tables are ReplacingMergeTrees, so re-written clusters collapse.
//
// Replicas (issue 18): one detector is active, the replica holding the KV lease
// LeaderKey; the others stand by and take over when its lease expires (a crash) or is
// released (a clean stop, after the final state save), loading the saved state and
// replaying from shortly before it. The detector is not partitioned: a pair weight
// links two accounts that act on the same objects, so every post may touch any pair
// (see docs/scaling.md).
func Run(ctx context.Context, o RunOptions) error {
	params, err := o.Config.Params()
	if err != nil {
		return err
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	log := o.Log
	leases, err := o.Bus.Leases(ctx, pipeline.HolderName("coordinate"), log)
	if err != nil {
		return fmt.Errorf("coordinate: %w", err)
	}
	for {
		lease, err := acquireLeader(ctx, leases, log)
		if err != nil {
			return nil // ctx ended while standing by
		}
		lctx, cancel := context.WithCancel(ctx)
		stop := context.AfterFunc(lease.Context(), cancel)
		err = runDetector(lctx, o, params, func() bool { return lease.Context().Err() == nil })
		stop()
		cancel()
		// Released after the final save, so that the standby loads it.
		lease.Release(nil)
		if err != nil || ctx.Err() != nil {
			return err
		}
		log.Warn("coordinate leadership lost; standing by")
	}
}

// acquireLeader blocks until this replica holds the coordinate leader lease (checking
// every renew interval), or ctx ends.
func acquireLeader(ctx context.Context, leases *pipeline.Leases, log *slog.Logger) (*pipeline.Lease, error) {
	logged := false
	for {
		l, err := leases.TryAcquire(ctx, LeaderKey)
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

// runDetector runs the detector until ctx ends: it loads the saved state, replays the
// results since, observes new ones, writes clusters and saves its state. leader reports
// whether this replica still holds the leader lease: a replica that lost it neither
// writes nor saves any more (the new leader may already have).
func runDetector(ctx context.Context, o RunOptions, params Params, leader func() bool) error {
	log, now := o.Log, o.Now
	detOpts := []Option{WithClock(now)}
	if o.Redact != nil {
		detOpts = append(detOpts, WithRedactor(o.Redact))
	}
	state, err := openState(ctx, o.Bus.JS, o.Bus.Replicas(), log)
	if err != nil {
		return err
	}
	start := now().Add(-params.Horizon)
	det, resume, savedSeq := state.load(ctx, params, detOpts...)
	if det != nil {
		start = resume
	} else if det, err = NewDetector(params, detOpts...); err != nil {
		return err
	}
	metrics := NewCollector(det)
	if err := o.Registerer.Register(metrics); err != nil {
		return fmt.Errorf("coordination metrics: %w", err)
	}
	defer func() {
		if !leader() { // a later leadership of this process registers its own
			o.Registerer.Unregister(metrics)
		}
	}()
	store := NewStore(o.CH)
	// An ordered consumer re-creates its server-side consumer on every Fetch, by default
	// retrying without end while NATS is unreachable; one attempt (10 s at most) lets a
	// leader cut off from NATS see that its lease ended instead of waiting for the
	// connection (the loop below fetches again, from where it stopped).
	cons, err := o.Bus.JS.OrderedConsumer(ctx, pipeline.ResultsStream, jetstream.OrderedConsumerConfig{
		DeliverPolicy: jetstream.DeliverByStartTimePolicy, OptStartTime: &start,
		MaxResetAttempts: 1,
	})
	if err != nil {
		return fmt.Errorf("coordinate: consumer: %w", err)
	}
	log.Info("coordination detector started", "replay_from", start, "window", params.Window,
		"horizon", params.Horizon, "resumed", !resume.IsZero())
	nextFlush := time.Now().Add(o.Config.FlushInterval)
	nextSave := time.Now().Add(o.Config.StateInterval)
	flush := func(fctx context.Context) {
		clusters := det.Flush(now())
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
		batch := pipeline.Fetch(ctx, cons, 500, time.Second, log)
		if batch == nil {
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
			obs := Observation{Post: c.Post, Frames: narrativeFrames(c)}
			// Results the loaded state already counted only rebuild the
			// detector's window state; later ones are observed.
			observe := det.Observe
			if seq != 0 && seq <= savedSeq {
				observe = det.Rebuild
			}
			if err := observe(obs); err != nil && !errors.Is(err, ErrTooLate) {
				log.Debug("post not usable for coordination", "err", err)
			}
		}
		if time.Now().After(nextFlush) {
			flush(ctx)
			nextFlush = time.Now().Add(o.Config.FlushInterval)
		}
		if time.Now().After(nextSave) {
			saveState(ctx)
			nextSave = time.Now().Add(o.Config.StateInterval)
		}
	}
}

// narrativeFrames returns the narrative frames of a post the narrative classifier
// flagged (none otherwise): the frames an Observation carries from the results stream.
func narrativeFrames(c classifiers.Classified) []string {
	for _, s := range c.Summaries {
		if s.Classifier == narrative.Name && s.Flagged {
			return s.Labels
		}
	}
	return nil
}
