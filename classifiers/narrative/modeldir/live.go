package modeldir

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/kuzot/kuzot/classifiers"
	"github.com/kuzot/kuzot/classifiers/narrative"
	"github.com/kuzot/kuzot/post"
)

// Builder builds the narrative classifier for a promoted model m, already read and
// verified by Dir.Load (a model is read once per swap). nil means
// Classifier.WithModel on the classifier in use: the deployment's narrative
// configuration, its current lexicon and its metrics (kuzot_narrative_posts_total keeps
// counting across swaps).
type Builder func(m *narrative.Model) (*narrative.Classifier, error)

// Live is the narrative classifier of a running classify role: it delegates to the
// classifier of the promoted model and, on Check (which Watch calls every interval),
// builds a classifier for a newly promoted version and swaps it in atomically. Posts in
// flight finish on the classifier they started with; a model that fails to load keeps
// the old one running and is logged. It is safe for concurrent use.
type Live struct {
	dir   Dir
	build Builder
	log   *slog.Logger
	cur   atomic.Pointer[liveState]
	mu    sync.Mutex // serialises Check and Reload
	// swaps counts successful model swaps (for tests and logs).
	swaps atomic.Int64
	// reloads counts checks that found a new version, by result (nil without metrics).
	reloads *prometheus.CounterVec
}

// RegisterMetrics registers kuzot_narrative_model_reloads_total{result="ok|error"}:
// promoted models swapped in, and promoted models that failed to load.
func (l *Live) RegisterMetrics(reg prometheus.Registerer) error {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "kuzot_narrative_model_reloads_total",
		Help: "Checks of the promoted narrative model that swapped a new model in (ok) or found one that does not load (error; retried every interval)."},
		[]string{"result"})
	if err := reg.Register(c); err != nil {
		return fmt.Errorf("narrative model metrics: %w", err)
	}
	c.WithLabelValues("ok")
	c.WithLabelValues("error")
	l.reloads = c
	return nil
}

func (l *Live) count(result string) {
	if l.reloads != nil {
		l.reloads.WithLabelValues(result).Inc()
	}
}

type liveState struct {
	c *narrative.Classifier
	// version is the promoted version in use ("" for the configured model).
	version string
}

// NewLive wraps initial, built for the promoted version (or "" when it uses the
// configured model because nothing is promoted).
func NewLive(initial *narrative.Classifier, version string, dir Dir, build Builder, log *slog.Logger) *Live {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	l := &Live{dir: dir, build: build, log: log}
	l.cur.Store(&liveState{c: initial, version: version})
	return l
}

// Name implements classifiers.Classifier.
func (l *Live) Name() string { return narrative.Name }

// Version implements classifiers.Classifier: the version of the classifier in use.
func (l *Live) Version() string { return l.cur.Load().c.Version() }

// Classify implements classifiers.Classifier.
func (l *Live) Classify(ctx context.Context, p *post.Post) (classifiers.Result, error) {
	return l.cur.Load().c.Classify(ctx, p)
}

// ClassifyVersioned classifies p and returns the version of the very classifier that
// did, so that a result never carries the version of a model swapped in meanwhile.
func (l *Live) ClassifyVersioned(ctx context.Context, p *post.Post) (classifiers.Result, string, error) {
	st := l.cur.Load()
	res, err := st.c.Classify(ctx, p)
	return res, st.c.Version(), err
}

// Current returns the classifier in use.
func (l *Live) Current() *narrative.Classifier { return l.cur.Load().c }

// Swaps reports how many promoted models were swapped in.
func (l *Live) Swaps() int64 { return l.swaps.Load() }

// Reload re-reads the lexicon of the classifier in use (SIGHUP), and checks the pointer.
func (l *Live) Reload() error {
	l.mu.Lock()
	err := l.cur.Load().c.Reload()
	l.mu.Unlock()
	_, cerr := l.Check()
	return errors.Join(err, cerr)
}

// Check reads the pointer and swaps in the promoted model when it changed. It reports
// whether it swapped. Without a promoted model the configured one stays.
func (l *Live) Check() (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	v, err := l.dir.Current()
	if errors.Is(err, ErrNoCurrent) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	old := l.cur.Load()
	if v == old.version {
		return false, nil
	}
	m, err := l.dir.Load(v)
	if err != nil {
		l.count("error")
		return false, fmt.Errorf("promoted model %s: %w", v, err)
	}
	var c *narrative.Classifier
	if l.build != nil {
		c, err = l.build(m)
	} else {
		c = old.c.WithModel(m)
	}
	if err != nil {
		l.count("error")
		return false, fmt.Errorf("promoted model %s: %w", v, err)
	}
	l.count("ok")
	l.cur.Store(&liveState{c: c, version: v})
	l.swaps.Add(1)
	l.log.Info("narrative model swapped in", "model", v, "previous", or(old.version, "configured"),
		"version", c.Version())
	return true, nil
}

// Watch calls Check every interval until ctx ends, logging failures (the old model
// keeps running). A failing version is retried at every poll, and logged once.
func (l *Live) Watch(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	var lastErr string
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if _, err := l.Check(); err != nil {
			if err.Error() != lastErr {
				l.log.Error("narrative model: cannot load the promoted model; keeping the one in use", "err", err)
				lastErr = err.Error()
			}
		} else {
			lastErr = ""
		}
	}
}
