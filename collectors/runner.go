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
	// EmitBatch, when set, replaces the Emit given to Run and RunOnce: each source's posts
	// are handed to it in batches of up to BatchSize (one atomic JetStream batch, fsynced
	// once), at the latest before the source saves its state and at the end of a poll.
	EmitBatch EmitBatch
	// BatchSize is the most posts per EmitBatch call (default 100).
	BatchSize int
	// PollTimeout bounds one poll of one source (default 10 min).
	PollTimeout time.Duration
	// Leaser, when set, shares the sources among collector replicas: Run polls a source
	// only while this replica holds its lease (nil: every source is polled here).
	Leaser SourceLeaser
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
	// batch buffers the current poll's posts when the runner publishes in batches.
	batch *pollBatch
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
		opt.Sleep = SleepCtx
	}
	if opt.PollTimeout == 0 {
		opt.PollTimeout = 10 * time.Minute
	}
	if opt.BatchSize <= 0 {
		opt.BatchSize = 100
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
		state := opt.State
		var batch *pollBatch
		if opt.EmitBatch != nil {
			batch = &pollBatch{emit: opt.EmitBatch, size: opt.BatchSize}
			state = &batchState{State: opt.State, batch: batch}
		}
		var sreg prometheus.Registerer
		if opt.Registerer != nil {
			sreg = prometheus.WrapRegistererWith(prometheus.Labels{"source": name, "kind": kind}, opt.Registerer)
		}
		col, err := f.New(cfg, Deps{
			Logger:     log,
			Registerer: sreg,
			State:      state,
			UserAgent:  opt.Fetcher.UserAgent(),
			Now:        opt.Now,
			HTTP:       opt.Fetcher.Client(sm),
			Metrics:    sm,
		})
		if err != nil {
			return nil, fmt.Errorf("runner: source %q: %w", name, err)
		}
		r.sources = append(r.sources, &runSource{name: name, kind: kind, cfg: cfg, col: col, m: sm, log: log, batch: batch})
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
// called concurrently on one Runner. emit may be nil when RunnerOptions.EmitBatch is set.
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
// ctx is cancelled; it returns nil then, after closing the collectors that hold
// resources (a Close() error method, such as the tipline's SMTP receiver). Failures
// are logged and counted, never fatal.
func (r *Runner) Run(ctx context.Context, emit Emit) error {
	defer r.closeCollectors()
	var wg sync.WaitGroup
	for _, s := range r.sources {
		if r.opt.Leaser != nil {
			wg.Go(func() { r.runLeased(ctx, s, emit) })
			continue
		}
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

// SourceLeaser shares sources among collector replicas (a KV lease per source in the
// pipeline): a replica polls a source only while it holds the source's lease.
type SourceLeaser interface {
	// Acquire blocks until this replica holds the lease on source, or ctx ends (then it
	// returns ctx's error).
	Acquire(ctx context.Context, source string) (SourceLease, error)
}

// SourceLease is a held source lease.
type SourceLease interface {
	// Context ends when the lease is lost or released; polls run under it.
	Context() context.Context
	// LastPoll is when the previous holder last polled the source (zero if unknown).
	LastPoll() time.Time
	// Yield reports whether the source should move to another replica (rebalancing).
	Yield() bool
	// Release frees the source for the next holder, recording the last poll (none
	// when zero).
	Release(lastPoll time.Time)
}

// runLeased polls s while this replica holds its lease: it keeps the lease across polls
// (sleeping under it), hands the source over when the leaser asks to rebalance, and
// waits for the lease again when it is lost. A new holder waits out the interval since
// the previous holder's last poll.
func (r *Runner) runLeased(ctx context.Context, s *runSource, emit Emit) {
	interval, jitter := s.cfg.Schedule()
	wait := func() time.Duration {
		if jitter > 0 {
			return interval + time.Duration(rand.Int64N(int64(jitter)+1))
		}
		return interval
	}
	for ctx.Err() == nil {
		lease, err := r.opt.Leaser.Acquire(ctx, s.name)
		if err != nil {
			return
		}
		// Work under the lease ends when the lease ends or the runner stops.
		lctx, cancel := context.WithCancel(ctx)
		stop := context.AfterFunc(lease.Context(), cancel)
		last := lease.LastPoll()
		s.log.Info("source lease acquired", "previous_poll", last)
		if d := last.Add(interval).Sub(r.opt.Now()); !last.IsZero() && d > 0 {
			_ = r.opt.Sleep(lctx, min(d, interval))
		}
		yielded := false
		for lctx.Err() == nil {
			_ = r.poll(lctx, s, emit)
			last = r.opt.Now()
			if lease.Yield() {
				s.log.Info("handing the source over to another collector replica")
				yielded = true
				break
			}
			if err := r.opt.Sleep(lctx, wait()); err != nil {
				break
			}
		}
		lost := ctx.Err() == nil && lease.Context().Err() != nil && !yielded
		stop()
		cancel()
		if ctx.Err() != nil {
			// Stopping: no note, so that a restarted replica polls at once, as
			// without leases. A handover leaves the last poll for the next holder.
			last = time.Time{}
		}
		lease.Release(last)
		if lost {
			s.log.Warn("source lease lost; waiting to get it again")
		}
	}
}

func (r *Runner) closeCollectors() {
	for _, s := range r.sources {
		if c, ok := s.col.(interface{ Close() error }); ok {
			if err := c.Close(); err != nil {
				s.log.Warn("closing the collector failed", "err", err)
			}
		}
	}
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
	if s.batch != nil {
		s.batch.start(func(k int) { n += k; s.m.NewPosts(k) })
		counting = s.batch.add
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
	cerr := s.col.Collect(pctx, counting)
	if s.batch != nil {
		// What was collected before a failure is published too: it is new, and the
		// state did not move past it, so the next poll would only find it again.
		if ferr := s.batch.flush(pctx); ferr != nil {
			cerr = errors.Join(cerr, ferr)
		}
	}
	if cerr != nil {
		return fmt.Errorf("source %s: %w", s.name, cerr)
	}
	return nil
}

// EmitBatch hands several collected posts to the pipeline at once. It returns only when
// every post is durably accepted.
type EmitBatch func(ctx context.Context, ps []post.Post) error

// pollBatch buffers the posts one source emits during a poll and hands them to EmitBatch
// when BatchSize are waiting, before the source saves its state (batchState) and at the
// end of the poll. So a collector's contract is unchanged: its state never gets ahead
// of what the pipeline accepted.
type pollBatch struct {
	emit EmitBatch
	size int
	mu   sync.Mutex
	// posts are the validated posts not handed over yet.
	posts []post.Post
	// flushed counts posts handed over (the poll's new-post metric).
	flushed func(n int)
}

// start begins a poll, dropping what a failed poll left; flushed is told how many posts
// each hand-over carried.
func (b *pollBatch) start(flushed func(n int)) {
	b.mu.Lock()
	b.posts, b.flushed = b.posts[:0], flushed
	b.mu.Unlock()
}

// add is the poll's Emit. An invalid post is an error at once, as with an unbatched
// Emit, and the posts before it still go out.
func (b *pollBatch) add(ctx context.Context, p post.Post) error {
	v := p
	v.Normalize()
	if err := v.Validate(); err != nil {
		return err
	}
	b.mu.Lock()
	b.posts = append(b.posts, p)
	full := len(b.posts) >= b.size
	b.mu.Unlock()
	if full {
		return b.flush(ctx)
	}
	return nil
}

// flush hands the waiting posts over. On failure they stay in the buffer, so every later
// flush, and with it every state save of the poll, fails too: a collector that saves
// its progress after a failed emit cannot move its state past posts the pipeline never
// got. The next poll starts with an empty buffer and collects them again.
func (b *pollBatch) flush(ctx context.Context) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.posts) == 0 {
		return nil
	}
	if err := b.emit(ctx, b.posts); err != nil {
		return err
	}
	if b.flushed != nil {
		b.flushed(len(b.posts))
	}
	b.posts = b.posts[:0]
	return nil
}

// batchState is a source's State that publishes the poll's waiting posts before every
// Put, so saved state always describes posts the pipeline has.
type batchState struct {
	State
	batch *pollBatch
}

// Put flushes the waiting posts, then stores the value.
func (s *batchState) Put(ctx context.Context, key string, value []byte) error {
	if err := s.batch.flush(ctx); err != nil {
		return fmt.Errorf("publish the collected posts before saving state %s: %w", key, err)
	}
	return s.State.Put(ctx, key, value)
}
