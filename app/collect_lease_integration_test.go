package app_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/kuzot/kuzot/app"
	"github.com/kuzot/kuzot/collectors"
	"github.com/kuzot/kuzot/config"
	"github.com/kuzot/kuzot/internal/testenv"
	"github.com/kuzot/kuzot/pipeline"
	"github.com/kuzot/kuzot/post"
)

// pollRecord is one poll of one source by one replica.
type pollRecord struct {
	replica, source string
	start, end      time.Time
}

// pollLog records every poll of the recording collectors of all replicas.
type pollLog struct {
	mu    sync.Mutex
	polls []pollRecord
}

func (l *pollLog) add(r pollRecord) {
	l.mu.Lock()
	l.polls = append(l.polls, r)
	l.mu.Unlock()
}

func (l *pollLog) snapshot() []pollRecord {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.polls)
}

// recorderConfig is the config of the test's recording source kind.
type recorderConfig struct {
	collectors.Common `yaml:",inline"`
}

func (c *recorderConfig) Defaults()       { c.ApplyDefaults("recorder", c.Name) }
func (c *recorderConfig) Validate() error { return c.ValidateCommon() }

// recordingRegistry is a registry with one kind, "recorder", whose polls take 100 ms and
// are recorded in log under replica's name.
func recordingRegistry(replica string, log *pollLog) *collectors.Registry {
	reg := collectors.NewRegistry()
	reg.Add(collectors.NewFactory("recorder", "", func(c recorderConfig, _ collectors.Deps) (collectors.Collector, error) {
		return collectFunc(func(ctx context.Context, _ collectors.Emit) error {
			start := time.Now()
			select {
			case <-ctx.Done():
			case <-time.After(100 * time.Millisecond):
			}
			log.add(pollRecord{replica: replica, source: c.Name, start: start, end: time.Now()})
			return ctx.Err()
		}), nil
	}))
	return reg
}

// noState is a collectors.State that stores nothing (the recording source keeps none).
type noState struct{}

func (noState) Get(context.Context, string) ([]byte, error) { return nil, collectors.ErrNoState }
func (noState) Put(context.Context, string, []byte) error   { return nil }

type collectFunc func(ctx context.Context, emit collectors.Emit) error

func (f collectFunc) Collect(ctx context.Context, emit collectors.Emit) error { return f(ctx, emit) }

// TestIntegrationCollectorReplicasShareSourcesByLease runs two collector replicas over
// six sources polled every second, with 2 s leases renewed every 500 ms. Both replicas
// get sources; then one is killed (its connection closed without releasing anything),
// and the survivor polls every source within one lease TTL plus two renew intervals.
// From the record of every poll's interval: no source was ever polled by two replicas at
// once.
func TestIntegrationCollectorReplicasShareSourcesByLease(t *testing.T) {
	if testing.Short() {
		t.Skip("integration")
	}
	natsCfg := testenv.NATSConfig(t.TempDir())
	natsCfg.Leases = config.Leases{TTL: 2 * time.Second, Renew: 500 * time.Millisecond}
	server := testenv.BusAt(t, natsCfg)
	clientCfg := natsCfg
	clientCfg.URL = server.ClientURL()

	var sources []string
	for i := range 6 {
		sources = append(sources, fmt.Sprintf("feed-%d", i))
	}
	log := &pollLog{}
	type replica struct {
		bus    *pipeline.Bus
		cancel context.CancelFunc
		done   chan struct{}
	}
	start := func(name string) *replica {
		bus := testenv.BusAt(t, clientCfg)
		ctx, cancel := context.WithCancel(context.Background())
		leaser, err := app.NewSourceLeaser(ctx, bus, testenv.Logger(t))
		if err != nil {
			t.Fatal(err)
		}
		reg := recordingRegistry(name, log)
		var cfgs []collectors.Config
		for _, s := range sources {
			cfgs = append(cfgs, &recorderConfig{Common: collectors.Common{Kind: "recorder", Name: s, Interval: time.Second, Jitter: time.Millisecond}})
		}
		runner, err := collectors.NewRunner(collectors.RunnerOptions{Registry: reg, Sources: cfgs, Logger: testenv.Logger(t),
			State: noState{}, Leaser: leaser, UserAgent: "kuzot-test/1.0 (+https://example.org/kuzot-test)"})
		if err != nil {
			t.Fatal(err)
		}
		r := &replica{bus: bus, cancel: cancel, done: make(chan struct{})}
		go func() {
			defer close(r.done)
			_ = runner.Run(ctx, func(context.Context, post.Post) error { return nil })
		}()
		return r
	}
	a := start("a")
	time.Sleep(300 * time.Millisecond) // a takes every source first
	b := start("b")
	defer func() { b.cancel(); <-b.done }()

	pollsBy := func(replica string, after time.Time) map[string]bool {
		out := map[string]bool{}
		for _, p := range log.snapshot() {
			if p.replica == replica && p.start.After(after) {
				out[p.source] = true
			}
		}
		return out
	}
	// Rebalancing: b gets some sources and a keeps some.
	testenv.Eventually(t, 15*time.Second, "both replicas polling", func() bool {
		since := time.Now().Add(-1500 * time.Millisecond)
		return len(pollsBy("b", since)) > 0 && len(pollsBy("a", since)) > 0
	})
	t.Logf("before the kill: a polls %d sources, b %d", len(pollsBy("a", time.Now().Add(-1500*time.Millisecond))),
		len(pollsBy("b", time.Now().Add(-1500*time.Millisecond))))

	// Kill a: its connection goes first, so it neither renews nor releases.
	killed := time.Now()
	a.bus.Close()
	a.cancel()
	<-a.done
	bound := natsCfg.Leases.TTL + 2*natsCfg.Leases.Renew
	testenv.Eventually(t, bound+3*time.Second, "b polling every source", func() bool {
		return len(pollsBy("b", killed)) == len(sources)
	})
	var takeover time.Duration
	for _, s := range sources {
		first := time.Time{}
		for _, p := range log.snapshot() {
			if p.replica == "b" && p.source == s && p.start.After(killed) && (first.IsZero() || p.start.Before(first)) {
				first = p.start
			}
		}
		takeover = max(takeover, first.Sub(killed))
	}
	t.Logf("every source polled by the survivor %s after the kill (bound: ttl %s + 2 x renew %s = %s)",
		takeover.Round(time.Millisecond), natsCfg.Leases.TTL, natsCfg.Leases.Renew, bound)
	// A source b held before the kill is polled again after its 1 s interval, so the
	// takeover of a's sources must fit the bound plus that interval at most.
	if takeover > bound+time.Second {
		t.Fatalf("takeover took %s, more than ttl + 2 x renew (%s) + one interval", takeover, bound)
	}
	time.Sleep(1500 * time.Millisecond)

	// Never two replicas on one source at once.
	polls := log.snapshot()
	for i, p := range polls {
		for _, q := range polls[i+1:] {
			if p.source == q.source && p.replica != q.replica && p.start.Before(q.end) && q.start.Before(p.end) {
				t.Fatalf("source %s polled by %s [%s, %s] and %s [%s, %s] at once", p.source,
					p.replica, p.start.Format("15:04:05.000"), p.end.Format("15:04:05.000"),
					q.replica, q.start.Format("15:04:05.000"), q.end.Format("15:04:05.000"))
			}
		}
	}
	t.Logf("%d polls recorded, no overlap", len(polls))
}
