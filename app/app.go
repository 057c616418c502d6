// Package app assembles kuzot's long-running roles (collect, classify, store, and the
// roles later issues add) from the configuration and runs them in one process or each on
// its own. It owns the shared clients — the JetStream bus, the ClickHouse connection,
// the Prometheus registry, the HTTP mux — and hands them to roles explicitly.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/kuzot/kuzot/config"
	"github.com/kuzot/kuzot/pipeline"
	"github.com/kuzot/kuzot/storage"
)

// Role is one long-running part of kuzot. Run blocks until ctx ends and then drains.
type Role struct {
	Name string
	// Summary is shown by `kuzot run --help`.
	Summary string
	// NeedsClickHouse makes the app connect to ClickHouse (and migrate) before starting it.
	NeedsClickHouse bool
	// Prepare, when set, runs before any role of the process starts (in role order):
	// for what must be in place before another role produces anything.
	Prepare func(ctx context.Context, a *App) error
	Run     func(ctx context.Context, a *App) error
}

// App holds what roles share. Fields are set before any role runs and never replaced.
type App struct {
	Cfg      *config.Config
	Log      *slog.Logger
	Registry *prometheus.Registry
	Metrics  *pipeline.Metrics
	Bus      *pipeline.Bus
	// CH is nil unless a role needs ClickHouse.
	CH driver.Conn
	// Mux serves /healthz, /readyz and whatever roles mount (API, web UI) on
	// http.listen; /metrics and pprof are on http.metrics_listen.
	Mux *http.ServeMux
	// Now is the clock.
	Now func() time.Time

	ready     atomic.Bool
	mu        sync.Mutex
	problems  map[string]string
	reloaders []reloader
}

type reloader struct {
	name string
	fn   func() error
}

// AddReloader registers something to reload on SIGHUP (lexicons, watchlists).
func (a *App) AddReloader(name string, fn func() error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.reloaders = append(a.reloaders, reloader{name, fn})
}

// ReloaderCount reports how many reloaders are registered (roles register theirs as
// they start).
func (a *App) ReloaderCount() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.reloaders)
}

// Reload runs every registered reloader; a failing one keeps its previous state and
// is logged, the others still reload.
func (a *App) Reload() error {
	a.mu.Lock()
	rs := append([]reloader(nil), a.reloaders...)
	a.mu.Unlock()
	var errs []error
	for _, r := range rs {
		if err := r.fn(); err != nil {
			a.Log.Error("reload failed; keeping the previous version", "what", r.name, "err", err)
			errs = append(errs, fmt.Errorf("%s: %w", r.name, err))
			continue
		}
		a.Log.Info("reloaded", "what", r.name)
	}
	return errors.Join(errs...)
}

// Roles returns every role kuzot can run, in start order.
func Roles() []Role {
	return []Role{
		storeRole(),
		classifyRole(),
		ocrRole(),
		collectRole(),
		coordinateRole(),
		serveRole(),
		alertRole(),
		reportRole(),
		tiplineRole(),
	}
}

// RoleNames lists the role names.
func RoleNames() []string {
	var out []string
	for _, r := range Roles() {
		out = append(out, r.Name)
	}
	return out
}

// SelectRoles resolves a comma-separated list ("" = all roles).
func SelectRoles(list string) ([]Role, error) {
	all := Roles()
	if strings.TrimSpace(list) == "" {
		return all, nil
	}
	var out []Role
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		i := slices.IndexFunc(all, func(r Role) bool { return r.Name == name })
		if i < 0 {
			return nil, fmt.Errorf("unknown role %q (roles: %s)", name, strings.Join(RoleNames(), ", "))
		}
		out = append(out, all[i])
	}
	return out, nil
}

// NewLogger builds the process logger from the configuration.
func NewLogger(c config.Log, w *os.File) *slog.Logger {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(c.Level))
	opts := &slog.HandlerOptions{Level: lvl}
	if c.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// SetProblem records (msg != "") or clears (msg == "") a reason the process is not ready.
func (a *App) SetProblem(key, msg string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if msg == "" {
		delete(a.problems, key)
	} else {
		a.problems[key] = msg
	}
}

func (a *App) readiness() (bool, string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.ready.Load() {
		return false, "starting"
	}
	if len(a.problems) > 0 {
		var parts []string
		for k, v := range a.problems {
			parts = append(parts, k+": "+v)
		}
		slices.Sort(parts)
		return false, strings.Join(parts, "; ")
	}
	return true, "ok"
}

// Run starts the app and blocks until ctx ends and every role has drained.
func Run(ctx context.Context, cfg *config.Config, roles []Role, log *slog.Logger) error {
	r, err := Start(ctx, cfg, roles, log)
	if err != nil {
		return err
	}
	return r.Wait()
}

// Running is a started app.
type Running struct {
	*App
	// HTTPAddr is the address the HTTP listener is bound to (useful with port 0).
	HTTPAddr string
	// MetricsAddr is where /metrics is served (HTTPAddr when http.metrics_listen is
	// "shared").
	MetricsAddr string
	done        chan error
}

// Server timeouts: a client that sends its headers or body slowly, or never reads the
// answer, cannot hold a connection (and its goroutine and buffers) for ever. The write
// timeout leaves room for report downloads and 30-second CPU profiles.
const (
	httpReadHeaderTimeout = 10 * time.Second
	httpReadTimeout       = 30 * time.Second
	httpWriteTimeout      = 2 * time.Minute
	httpIdleTimeout       = 2 * time.Minute
)

// newHTTPServer is an http.Server for h with kuzot's timeouts.
func newHTTPServer(h http.Handler) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: httpReadHeaderTimeout, ReadTimeout: httpReadTimeout,
		WriteTimeout: httpWriteTimeout, IdleTimeout: httpIdleTimeout, MaxHeaderBytes: 64 << 10}
}

// sharedHandler serves /metrics and pprof from metrics and everything else from main
// (http.metrics_listen: shared).
func sharedHandler(main, metrics *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/metrics" || strings.HasPrefix(r.URL.Path, "/debug/pprof/") {
			metrics.ServeHTTP(w, r)
			return
		}
		main.ServeHTTP(w, r)
	})
}

// Wait blocks until the app has stopped and returns the roles' errors.
func (r *Running) Wait() error { return <-r.done }

// Start starts the HTTP listener, connects to JetStream (and ClickHouse when a role needs
// it) and starts the roles. They run until ctx ends; then roles drain first, and the
// HTTP server and the clients close after them.
func Start(ctx context.Context, cfg *config.Config, roles []Role, log *slog.Logger) (*Running, error) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	a := &App{Cfg: cfg, Log: log, Registry: reg, Mux: http.NewServeMux(), Now: time.Now, problems: map[string]string{}}
	a.Metrics = pipeline.NewMetrics(reg)
	// /metrics and the profiler are on their own mux and listener (loopback by default),
	// so that publishing the UI through a reverse proxy does not publish them.
	metricsMux := http.NewServeMux()
	metricsMux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	for _, mux := range []*http.ServeMux{a.Mux, metricsMux} {
		mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
		mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
			ok, why := a.readiness()
			if !ok {
				w.WriteHeader(http.StatusServiceUnavailable)
			}
			fmt.Fprintln(w, why)
		})
	}
	if cfg.HTTP.Pprof {
		metricsMux.HandleFunc("GET /debug/pprof/", pprof.Index)
		metricsMux.HandleFunc("GET /debug/pprof/cmdline", pprof.Cmdline)
		metricsMux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
		metricsMux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
		metricsMux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
	}
	shared := cfg.HTTP.MetricsListen == config.MetricsShared
	var main http.Handler = a.Mux
	if shared {
		main = sharedHandler(a.Mux, metricsMux)
	}

	ln, err := net.Listen("tcp", cfg.HTTP.Listen)
	if err != nil {
		return nil, fmt.Errorf("http listen %s: %w (set http.listen or KUZOT_HTTP_LISTEN)", cfg.HTTP.Listen, err)
	}
	srv := newHTTPServer(main)
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("http server", "err", err)
		}
	}()
	servers := []*http.Server{srv}
	metricsAddr := ln.Addr().String()
	if !shared {
		mln, err := net.Listen("tcp", cfg.HTTP.MetricsListen)
		if err != nil {
			_ = srv.Close()
			return nil, fmt.Errorf("metrics listen %s: %w (set http.metrics_listen or KUZOT_HTTP_METRICS_LISTEN)", cfg.HTTP.MetricsListen, err)
		}
		msrv := newHTTPServer(metricsMux)
		go func() {
			if err := msrv.Serve(mln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				log.Error("metrics server", "err", err)
			}
		}()
		servers = append(servers, msrv)
		metricsAddr = mln.Addr().String()
	}
	log.Info("http listening", "addr", ln.Addr().String(), "metrics", "http://"+metricsAddr+"/metrics")
	closers := []func(){func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		for _, s := range servers {
			_ = s.Shutdown(sctx)
		}
	}}
	closeAll := func() {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
	}

	a.Bus, err = pipeline.Connect(ctx, cfg.NATS, log)
	if err != nil {
		closeAll()
		return nil, err
	}
	closers = append(closers, a.Bus.Close)
	log.Info("JetStream ready", "url", a.Bus.ClientURL(), "embedded", a.Bus.Embedded())

	if slices.ContainsFunc(roles, func(r Role) bool { return r.NeedsClickHouse }) {
		a.CH, err = storage.Open(ctx, cfg.CH, log)
		if err != nil {
			closeAll()
			return nil, err
		}
		closers = append(closers, func() { a.CH.Close() })
		applied, err := storage.MigrateLayout(ctx, a.CH, storage.LayoutOf(cfg.CH))
		if err != nil {
			closeAll()
			return nil, err
		}
		log.Info("ClickHouse ready", "addr", cfg.CH.Addr, "database", cfg.CH.Database, "migrations_applied", len(applied))
	}

	for _, r := range roles {
		if r.Prepare == nil {
			continue
		}
		if err := r.Prepare(ctx, a); err != nil {
			closeAll()
			return nil, fmt.Errorf("role %s: %w", r.Name, err)
		}
	}

	rctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	errs := make(chan error, len(roles)+2)
	wg.Add(2)
	go func() { defer wg.Done(); a.Bus.PollLag(rctx, a.Metrics, 5*time.Second, log) }()
	go func() { defer wg.Done(); errs <- a.Bus.WatchMaxDeliveries(rctx, a.Metrics, log) }()
	for _, r := range roles {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rlog := log.With("role", r.Name)
			rlog.Info("role started")
			if err := r.Run(rctx, a); err != nil && rctx.Err() == nil {
				errs <- fmt.Errorf("role %s: %w", r.Name, err)
				cancel()
				return
			}
			rlog.Info("role stopped")
		}()
	}
	a.ready.Store(true)
	run := &Running{App: a, HTTPAddr: ln.Addr().String(), MetricsAddr: metricsAddr, done: make(chan error, 1)}
	go func() {
		<-rctx.Done()
		log.Info("shutting down: draining roles")
		wg.Wait()
		cancel()
		close(errs)
		var all []error
		for err := range errs {
			if err != nil {
				all = append(all, err)
			}
		}
		closeAll()
		log.Info("stopped")
		run.done <- errors.Join(all...)
	}()
	return run, nil
}
