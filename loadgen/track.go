package loadgen

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/kuzot/kuzot/internal/wait"
)

// FloorTracker samples a durable consumer's ack floor. The store role acks a post only
// after its ClickHouse batch committed, so the moment the store-posts consumer's floor
// passes a post's stream sequence bounds when the post became visible in ClickHouse
// (from above, by at most the sampling interval). It costs one API request per
// interval, whatever the load, instead of a ClickHouse query per post.
type FloorTracker struct {
	js       jetstream.JetStream
	stream   string
	consumer string

	mu      sync.Mutex
	samples []FloorSample
	errs    int
}

// NewFloorTracker tracks consumer on stream.
func NewFloorTracker(js jetstream.JetStream, stream, consumer string) *FloorTracker {
	return &FloorTracker{js: js, stream: stream, consumer: consumer}
}

// Run samples every interval until ctx ends. Failed samples (server restarting, consumer
// not yet created) are counted and skipped.
func (t *FloorTracker) Run(ctx context.Context, interval time.Duration) {
	tk := time.NewTicker(interval)
	defer tk.Stop()
	for {
		t.sample(ctx)
		select {
		case <-ctx.Done():
			return
		case <-tk.C:
		}
	}
}

func (t *FloorTracker) sample(ctx context.Context) {
	floor, err := t.Floor(ctx)
	t.mu.Lock()
	defer t.mu.Unlock()
	if err != nil {
		t.errs++
		return
	}
	if n := len(t.samples); n > 0 && t.samples[n-1].Floor > floor {
		floor = t.samples[n-1].Floor // a consumer recreated after a fault never un-acks
	}
	t.samples = append(t.samples, FloorSample{At: time.Now(), Floor: floor})
}

// Floor asks the server for the consumer's current ack floor (stream sequence).
func (t *FloorTracker) Floor(ctx context.Context) (uint64, error) {
	qctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	c, err := t.js.Consumer(qctx, t.stream, t.consumer)
	if err != nil {
		return 0, fmt.Errorf("loadgen: consumer %s/%s: %w", t.stream, t.consumer, err)
	}
	info := c.CachedInfo()
	return info.AckFloor.Stream, nil
}

// Samples returns the samples taken so far.
func (t *FloorTracker) Samples() []FloorSample {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]FloorSample(nil), t.samples...)
}

// Errors is how many samples failed.
func (t *FloorTracker) Errors() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.errs
}

// WaitFloor blocks until the consumer's ack floor reaches seq, polling every interval,
// or until ctx ends.
func WaitFloor(ctx context.Context, t *FloorTracker, seq uint64, interval time.Duration) error {
	for {
		f, err := t.Floor(ctx)
		if err == nil && f >= seq {
			return nil
		}
		if !wait.Sleep(ctx, interval) {
			return fmt.Errorf("loadgen: waiting for %s to ack up to %d (last floor %d, err %v): %w", t.consumer, seq, f, err, ctx.Err())
		}
	}
}
