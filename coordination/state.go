package coordination

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// State persistence (issue 21): the detector's long-lived state (a month of pair
// weights, account signals and cluster ids) is saved to a JetStream object store, so
// that a restarted coordinate role loads it and replays only the last few hours of
// results instead of a month.
const (
	// StateBucket is the object store holding the detector state.
	StateBucket = "kuzot_coordination_state"
	// stateObject is the state's object name (one detector per deployment).
	stateObject = "detector"
	// metaStreamTime is the object metadata key holding the JetStream time of the last
	// result the saved state includes (RFC 3339 with nanoseconds).
	metaStreamTime = "stream_time"
	// metaStreamSeq is the results-stream sequence of the last result the saved state
	// includes: replayed results up to it only rebuild the window state.
	metaStreamSeq = "stream_seq"
	// metaDigest is the digest of the parameters the state was saved with
	// (Params.Digest): a state of other parameters is not loaded.
	metaDigest = "params_digest"
	// setupTimeout bounds the creation of the state bucket: without a deadline the client
	// gives each JetStream API request 5 s, too little to place an R3 bucket on a busy
	// cluster (issue 18).
	setupTimeout = time.Minute
)

// stateStore saves and loads the detector state.
type stateStore struct {
	store jetstream.ObjectStore
	log   *slog.Logger
}

// openState creates (or updates) the state bucket with the given replica count.
func openState(ctx context.Context, js jetstream.JetStream, replicas int, log *slog.Logger) (*stateStore, error) {
	ctx, cancel := context.WithTimeout(ctx, setupTimeout)
	defer cancel()
	st, err := js.CreateOrUpdateObjectStore(ctx, jetstream.ObjectStoreConfig{
		Bucket:      StateBucket,
		Description: "coordination detector state: pair weights, account signals and cluster ids of the horizon",
		Storage:     jetstream.FileStorage,
		Replicas:    max(replicas, 1),
	})
	if err != nil {
		return nil, fmt.Errorf("coordinate: state bucket %s: %w", StateBucket, err)
	}
	return &stateStore{store: st, log: log}, nil
}

// load returns the saved detector, the stream time to resume reading from and the
// stream sequence of the last result the state includes (0 when unknown: a state saved
// before it was recorded), or (nil, zero, 0) when there is no usable state (none yet,
// other parameters, corrupt).
func (s *stateStore) load(ctx context.Context, params Params, opts ...Option) (*Detector, time.Time, uint64) {
	res, err := s.store.Get(ctx, stateObject)
	if err != nil {
		if !errors.Is(err, jetstream.ErrObjectNotFound) {
			s.log.Warn("coordination state unreadable; replaying the horizon", "err", err)
		}
		return nil, time.Time{}, 0
	}
	defer res.Close()
	info, err := res.Info()
	if err != nil {
		s.log.Warn("coordination state unreadable; replaying the horizon", "err", err)
		return nil, time.Time{}, 0
	}
	if info.Metadata[metaDigest] != params.Digest() {
		s.log.Warn("coordination state was saved with other parameters; replaying the horizon",
			"saved", info.Metadata[metaDigest], "configured", params.Digest())
		return nil, time.Time{}, 0
	}
	at, err := time.Parse(time.RFC3339Nano, info.Metadata[metaStreamTime])
	if err != nil {
		s.log.Warn("coordination state has no stream time; replaying the horizon", "err", err)
		return nil, time.Time{}, 0
	}
	det, err := Load(res, opts...)
	if err != nil {
		s.log.Warn("coordination state unusable; replaying the horizon", "err", err)
		return nil, time.Time{}, 0
	}
	// The window state is rebuilt from the margin before the saved point; one more
	// Lateness covers posts that reached the stream late.
	seq, _ := strconv.ParseUint(info.Metadata[metaStreamSeq], 10, 64)
	return det, at.Add(-ReplayMargin(params) - params.Lateness), seq
}

// save stores the detector state as of streamTime and streamSeq (the JetStream time
// and sequence of the last result it has seen).
func (s *stateStore) save(ctx context.Context, det *Detector, streamTime time.Time, streamSeq uint64) error {
	var buf bytes.Buffer
	if err := det.Save(&buf); err != nil {
		return fmt.Errorf("coordinate: save state: %w", err)
	}
	size := buf.Len()
	_, err := s.store.Put(ctx, jetstream.ObjectMeta{Name: stateObject, Metadata: map[string]string{
		metaStreamTime: streamTime.UTC().Format(time.RFC3339Nano), metaDigest: det.Params().Digest(),
		metaStreamSeq: strconv.FormatUint(streamSeq, 10),
	}}, &buf)
	if err != nil {
		return fmt.Errorf("coordinate: save state: %w", err)
	}
	s.log.Info("coordination state saved", "bytes", size, "stream_time", streamTime)
	return nil
}
