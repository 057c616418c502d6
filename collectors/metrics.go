package collectors

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the per-source collector metrics, registered once per process on the
// injected prometheus.Registerer. Every series carries source=<name>, kind=<kind>, so a
// source that keeps failing is visible on /metrics on its own line.
type Metrics struct {
	requests    *prometheus.CounterVec
	responses   *prometheus.CounterVec
	posts       *prometheus.CounterVec
	newPosts    *prometheus.CounterVec
	errors      *prometheus.CounterVec
	lastSuccess *prometheus.GaugeVec
	audience    *prometheus.GaugeVec
	parseErrors *prometheus.CounterVec
	quotaUsed   *prometheus.CounterVec
	quotaBudget *prometheus.GaugeVec
	comments    *prometheus.GaugeVec
}

// NewMetrics creates and registers the collector metrics on reg. A nil reg gives
// unregistered metrics (useful for one-shot commands that expose no /metrics).
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	lbl := []string{"source", "kind"}
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kuzot_collector_requests_total",
			Help: "HTTP requests (every attempt, robots.txt included) made for a source.",
		}, lbl),
		responses: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kuzot_collector_responses_total",
			Help: "HTTP responses received for a source, by status code.",
		}, append(lbl, "status")),
		posts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kuzot_collector_posts_total",
			Help: "Posts parsed from a source, new or already seen.",
		}, lbl),
		newPosts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kuzot_collector_new_posts_total",
			Help: "Posts emitted to the pipeline because they were new (or changed).",
		}, lbl),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kuzot_collector_errors_total",
			Help: "Failed polls of a source.",
		}, lbl),
		lastSuccess: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "kuzot_collector_last_success_timestamp_seconds",
			Help: "Unix time of the last poll of a source that succeeded.",
		}, lbl),
		audience: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "kuzot_collector_source_audience",
			Help: "Subscribers or followers of a source's channel as the platform last showed them (reach, for analysts).",
		}, lbl),
		parseErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kuzot_collector_parse_errors_total",
			Help: "Items of a source the parser could not read (a message wrapper or API item that did not parse: the markup or API changed).",
		}, lbl),
		quotaUsed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kuzot_collector_quota_used_units_total",
			Help: "API quota units a source spent (YouTube Data API: 1 unit per list call, 100 per search).",
		}, lbl),
		quotaBudget: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "kuzot_collector_quota_budget_units",
			Help: "Daily API quota budget configured for a source (0 when it has none).",
		}, lbl),
		comments: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "kuzot_collector_comments_available",
			Help: "Whether a source's comments can be read: 1 available, 0 not available (a Telegram channel without a linked discussion group), -1 not known yet.",
		}, lbl),
	}
	if reg == nil {
		return m, nil
	}
	var errs []error
	for _, c := range []prometheus.Collector{m.requests, m.responses, m.posts, m.newPosts, m.errors, m.lastSuccess, m.audience, m.parseErrors,
		m.quotaUsed, m.quotaBudget, m.comments} {
		if err := reg.Register(c); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("register collector metrics: %w", err)
	}
	return m, nil
}

// Source returns the metrics of one source. The series are created at once, so a source
// that never succeeds still shows last_success 0 and errors 0 on /metrics.
func (m *Metrics) Source(name, kind string) *SourceMetrics {
	l := prometheus.Labels{"source": name, "kind": kind}
	s := &SourceMetrics{
		requests:    m.requests.With(l),
		responses:   m.responses.MustCurryWith(l),
		posts:       m.posts.With(l),
		newPosts:    m.newPosts.With(l),
		errors:      m.errors.With(l),
		lastSuccess: m.lastSuccess.With(l),
		audience:    m.audience.With(l),
		parseErrors: m.parseErrors.With(l),
		quotaUsed:   m.quotaUsed.With(l),
		quotaBudget: m.quotaBudget.With(l),
		comments:    m.comments.With(l),
	}
	s.comments.Set(-1)
	return s
}

// SourceMetrics are one source's counters. All methods are safe on a nil receiver, so
// collectors built without a Runner (tests, tools) need no metrics.
type SourceMetrics struct {
	requests    prometheus.Counter
	responses   *prometheus.CounterVec
	posts       prometheus.Counter
	newPosts    prometheus.Counter
	errors      prometheus.Counter
	lastSuccess prometheus.Gauge
	audience    prometheus.Gauge
	parseErrors prometheus.Counter
	quotaUsed   prometheus.Counter
	quotaBudget prometheus.Gauge
	comments    prometheus.Gauge
}

// CommentsAvailable records whether the source's comments can be read (a Telegram
// channel with a linked discussion group) or not: a state, not an error.
func (s *SourceMetrics) CommentsAvailable(ok bool) {
	if s == nil {
		return
	}
	if ok {
		s.comments.Set(1)
	} else {
		s.comments.Set(0)
	}
}

// ParseErrors counts items of the source that did not parse.
func (s *SourceMetrics) ParseErrors(n int) {
	if s != nil && n > 0 {
		s.parseErrors.Add(float64(n))
	}
}

// QuotaUsed counts API quota units spent.
func (s *SourceMetrics) QuotaUsed(units int) {
	if s != nil && units > 0 {
		s.quotaUsed.Add(float64(units))
	}
}

// ParseErrorsCounter and QuotaUsedCounter expose the counters to tests (nil-safe).
func (s *SourceMetrics) ParseErrorsCounter() prometheus.Counter {
	if s == nil {
		return nil
	}
	return s.parseErrors
}

// QuotaUsedCounter returns the quota counter; see ParseErrorsCounter.
func (s *SourceMetrics) QuotaUsedCounter() prometheus.Counter {
	if s == nil {
		return nil
	}
	return s.quotaUsed
}

// QuotaBudget records the source's daily API quota budget.
func (s *SourceMetrics) QuotaBudget(units int) {
	if s != nil {
		s.quotaBudget.Set(float64(units))
	}
}

// Audience records the subscriber or follower count a platform shows for the source.
func (s *SourceMetrics) Audience(n int64) {
	if s != nil {
		s.audience.Set(float64(n))
	}
}

// Request counts one HTTP attempt.
func (s *SourceMetrics) Request() {
	if s != nil {
		s.requests.Inc()
	}
}

// Response counts one HTTP response by status code.
func (s *SourceMetrics) Response(status int) {
	if s != nil {
		s.responses.WithLabelValues(strconv.Itoa(status)).Inc()
	}
}

// Posts counts posts parsed from the source.
func (s *SourceMetrics) Posts(n int) {
	if s != nil {
		s.posts.Add(float64(n))
	}
}

// NewPosts counts posts emitted because they were new.
func (s *SourceMetrics) NewPosts(n int) {
	if s != nil {
		s.newPosts.Add(float64(n))
	}
}

// Error counts one failed poll.
func (s *SourceMetrics) Error() {
	if s != nil {
		s.errors.Inc()
	}
}

// Success records the time of a poll that succeeded.
func (s *SourceMetrics) Success(t time.Time) {
	if s != nil {
		s.lastSuccess.Set(float64(t.UnixNano()) / 1e9)
	}
}
