// Package collectortest runs collectors against the demo site in tests: a fixed clock,
// an httptest server, an in-memory state and a fetcher without pauses, so that every
// collector's tests assert the exact posts the demo fixtures hold.
package collectortest

import (
	"context"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/kuzot/kuzot/collectors"
	"github.com/kuzot/kuzot/demosite"
	"github.com/kuzot/kuzot/post"
)

// Epoch is the demo site's time zero in tests.
var Epoch = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// UserAgent is what test fetchers send.
const UserAgent = "kuzot-test/1.0 (+https://github.com/kuzot/kuzot)"

// Clock is a settable clock shared by the site and the collectors.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// Now returns the current test time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// Env is a demo site with everything a collector needs to poll it.
type Env struct {
	Site     *demosite.Site
	Server   *httptest.Server
	Clock    *Clock
	State    *collectors.MemoryState
	Fetcher  *collectors.Fetcher
	Registry *prometheus.Registry
	Metrics  *collectors.Metrics
}

// NewEnv starts the demo site (seed 1, Epoch, clock at Epoch) on a test server.
// Mutate modifies the site options (robots.txt, page size) before it starts.
func NewEnv(t testing.TB, mutate func(*demosite.Options)) *Env {
	t.Helper()
	clock := &Clock{t: Epoch}
	opt := demosite.Options{Seed: 1, Epoch: Epoch, Now: clock.Now}
	if mutate != nil {
		mutate(&opt)
	}
	site, err := demosite.New(opt)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(site)
	t.Cleanup(srv.Close)
	f, err := collectors.NewFetcher(collectors.FetcherOptions{
		UserAgent: UserAgent, HostRules: []collectors.HostRule{{Pattern: "*"}},
		BaseBackoff: time.Millisecond, MaxBackoff: 50 * time.Millisecond, MaxTries: 3,
	})
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	m, err := collectors.NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	return &Env{Site: site, Server: srv, Clock: clock, State: collectors.NewMemoryState(), Fetcher: f, Registry: reg, Metrics: m}
}

// Deps returns collector dependencies bound to the env and to a source's metrics. The
// client may connect to the env's loopback server, as a source configured with its URL.
func (e *Env) Deps(name, kind string) collectors.Deps {
	sm := e.Metrics.Source(name, kind)
	return collectors.Deps{
		State: e.State, UserAgent: UserAgent, Now: e.Clock.Now,
		HTTP: e.Fetcher.Client(sm).WithEndpoints(e.Server.URL), Metrics: sm,
	}
}

// Collect runs one poll and returns the emitted posts, each checked with Validate.
func Collect(t testing.TB, c collectors.Collector) ([]post.Post, error) {
	t.Helper()
	var out []post.Post
	err := c.Collect(context.Background(), func(_ context.Context, p post.Post) error {
		if verr := p.Validate(); verr != nil {
			t.Errorf("emitted an invalid post: %v", verr)
		}
		out = append(out, p)
		return nil
	})
	return out, err
}

// IDs lists the ids of posts.
func IDs(ps []post.Post) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.ID
	}
	return out
}

// New finishes a test config the way Registry.Decode does (mutate, Defaults, Validate)
// and builds the collector with newFn and the env's deps, failing t on any error. Each
// kind's tests wrap it with their own starting config.
func New[C any, PC interface {
	*C
	collectors.Config
}, T any](t testing.TB, e *Env, cfg C, mutate func(*C), newFn func(C, collectors.Deps) (T, error)) T {
	t.Helper()
	if mutate != nil {
		mutate(&cfg)
	}
	pc := PC(&cfg)
	pc.Defaults()
	if err := pc.Validate(); err != nil {
		t.Fatal(err)
	}
	deps := e.Deps(pc.SourceName(), pc.SourceKind())
	if ep, ok := any(pc).(collectors.Endpointer); ok {
		deps.HTTP = deps.HTTP.WithEndpoints(ep.Endpoints()...) // as collectors.NewFactory does
	}
	c, err := newFn(cfg, deps)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
