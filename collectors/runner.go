package collectors

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"runtime/debug"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/kuzot/kuzot/post"
)

// RunnerOptions are what a Runner needs; nothing is global.
type RunnerOptions struct {
	// Registry builds each source's collector from its decoded config.
	Registry *Registry
	// Sources are decoded configs (Registry.Decode of each `sources:` entry).
	Sources []Config
	Logger  *slog.Logger
	// Registerer receives the kuzot_collector_* metrics; nil registers nothing.
	Registerer prometheus.Registerer
	// State keeps every source's incremental state (JetStream KV in the pipeline).
	State State
	// Fetcher is the shared polite HTTP layer; nil builds one with UserAgent.
	Fetcher   *Fetcher
	UserAgent string
	// PollTimeout bounds one poll of one source (default 10 min).
	PollTimeout time.Duration
	// Now and Sleep replace the clock in tests.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
}

// Runner polls every configured source on its own interval plus jitter, one goroutine
// per source. A failing or panicking source is logged and counted in its error metric
// and never stops the others.
type Runner struct {
	opt     RunnerOptions
	sources []*runSource
}

type runSource struct {
	name, kind string
	cfg        Config
	col        Collector
	m          *SourceMetrics
	log        *slog.Logger
	// fails counts consecutive failed polls (only the source's own goroutine touches it).
	fails int
}

// NewRunner builds one collector per source. It fails if a source's kind is unknown,
// two sources share a name (their state would collide) or a factory rejects its config.
func NewRunner(opt RunnerOptions) (*Runner, error) {
	if opt.Registry == nil {
		return nil, errors.New("runner: nil registry")
	}
	if opt.State == nil {
		return nil, errors.New("runner: nil state")
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Sleep == nil {
		opt.Sleep = sleepCtx
	}
	if opt.PollTimeout == 0 {
		opt.PollTimeout = 10 * time.Minute
	}
	if opt.Fetcher == nil {
		f, err := NewFetcher(FetcherOptions{UserAgent: opt.UserAgent, Logger: opt.Logger})
		if err != nil {
			return nil, fmt.Errorf("runner: %w", err)
		}
		opt.Fetcher = f
	}
	metrics, err := NewMetrics(opt.Registerer)
	if err != nil {
		return nil, fmt.Errorf("runner: %w", err)
	}
	r := &Runner{opt: opt}
	seen := map[string]bool{}
	for _, cfg := range opt.Sources {
		name, kind := cfg.SourceName(), cfg.SourceKind()
		if seen[name] {
			return nil, fmt.Errorf("runner: two sources are named %q; give one a distinct name", name)
		}
		seen[name] = true
		f, ok := opt.Registry.Factory(kind)
		if !ok {
			return nil, fmt.Errorf("runner: source %q: unknown kind %q", name, kind)
		}
		sm := metrics.Source(name, kind)
		log := opt.Logger.With("source", name, "kind", kind)
		var sreg prometheus.Registerer
		if opt.Registerer != nil {
			sreg = prometheus.WrapRegistererWith(prometheus.Labels{"source": name, "kind": kind}, opt.Registerer)
		}
		col, err := f.New(cfg, Deps{
			Logger:     log,
			Registerer: sreg,
			State:      opt.State,
			UserAgent:  opt.Fetcher.UserAgent(),
			Now:        opt.Now,
			HTTP:       opt.Fetcher.Client(sm),
			Metrics:    sm,
		})
		if err != nil {
			return nil, fmt.Errorf("runner: source %q: %w", name, err)
		}
		r.sources = append(r.sources, &runSource{name: name, kind: kind, cfg: cfg, col: col, m: sm, log: log})
	}
	return r, nil
}

// Sources returns the names of the configured sources, in config order.
func (r *Runner) Sources() []string {
	out := make([]string, len(r.sources))
	for i, s := range r.sources {
		out[i] = s.name
	}
	return out
}

// RunOnce polls every source once, concurrently, and returns the failures joined (each
// wrapped with its source name) after all polls ended. Run and RunOnce must not be
// called concurrently on one Runner.
func (r *Runner) RunOnce(ctx context.Context, emit Emit) error {
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for _, s := range r.sources {
		wg.Go(func() {
			if err := r.poll(ctx, s, emit); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// Run polls every source at once and then every interval plus a random jitter, until
// ctx is cancelled; it returns nil then. Failures are logged and counted, never fatal.
func (r *Runner) Run(ctx context.Context, emit Emit) error {
	var wg sync.WaitGroup
	for _, s := range r.sources {
		wg.Go(func() {
			interval, jitter := s.cfg.Schedule()
			for {
				_ = r.poll(ctx, s, emit)
				wait := interval
				if jitter > 0 {
					wait += time.Duration(rand.Int64N(int64(jitter) + 1))
				}
				if err := r.opt.Sleep(ctx, wait); err != nil {
					return
				}
			}
		})
	}
	wg.Wait()
	return nil
}

// poll runs one Collect with a timeout, counting new posts, errors and success, and
// turning a panic into an error so one broken parser cannot take the process down.
func (r *Runner) poll(ctx context.Context, s *runSource, emit Emit) (err error) {
	pctx, cancel := context.WithTimeout(ctx, r.opt.PollTimeout)
	defer cancel()
	start := r.opt.Now()
	n := 0
	counting := func(ctx context.Context, p post.Post) error {
		if err := emit(ctx, p); err != nil {
			return err
		}
		n++
		s.m.NewPosts(1)
		return nil
	}
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("source %s: collector panicked: %v", s.name, v)
			s.log.Error("collector panicked", "panic", v, "stack", string(debug.Stack()))
		}
		if err != nil {
			s.m.Error()
			s.fails++
			if ctx.Err() == nil {
				level := slog.LevelWarn
				if s.fails >= 3 {
					level = slog.LevelError // keeps failing: make it stand out in the logs
				}
				s.log.Log(ctx, level, "poll failed", "err", err, "new_posts", n, "consecutive_failures", s.fails)
			}
			return
		}
		s.fails = 0
		s.m.Success(r.opt.Now())
		s.log.Info("poll done", "new_posts", n, "took", r.opt.Now().Sub(start))
	}()
	if err := s.col.Collect(pctx, counting); err != nil {
		return fmt.Errorf("source %s: %w", s.name, err)
	}
	return nil
}
