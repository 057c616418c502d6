package reports

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/kuzot/kuzot/internal/atomicfile"
)

// Record is one generated report as listed in the `reports` table.
type Record struct {
	ID       string
	Schedule string
	Org      string
	Lang     string
	From, To time.Time
	Formats  []string
	// Files are the file names in the output directory, one per format.
	Files []string
	Sizes []uint64
	// Recipients is how many addresses the report was mailed to; Emailed says whether
	// the mail was accepted by the server.
	Recipients  int
	Emailed     bool
	Status      string // "ok" or "failed"
	Error       string
	GeneratedAt time.Time
	Duration    time.Duration
}

// Scheduler generates the configured schedules' reports when they are due, stores the
// files in the output directory (which the web UI lists), records them in the `reports`
// table and mails them to the schedule's recipients.
type Scheduler struct {
	cfg  *Config
	conn driver.Conn
	log  *slog.Logger
	now  func() time.Time
	mail *Mailer

	generated *prometheus.CounterVec
	duration  *prometheus.HistogramVec
	// guard, when set, makes each fire of a schedule run on one replica only.
	guard RunGuard
}

// RunGuard makes work that several replicas of the report role would all do at the same
// time (a schedule's fire, a catch-up) happen once across them.
type RunGuard interface {
	// Once runs fn unless another replica runs or ran the work named key; it waits while
	// another replica holds key, and runs fn itself if that replica dies before finishing.
	// fn's context ends if this replica loses its claim.
	Once(ctx context.Context, key string, fn func(ctx context.Context)) error
}

// SetGuard makes the scheduler run each fire (and each catch-up) once across the
// replicas sharing g. Call it before Run.
func (s *Scheduler) SetGuard(g RunGuard) { s.guard = g }

// once runs fn through the guard (directly without one).
func (s *Scheduler) once(ctx context.Context, key string, fn func(ctx context.Context)) {
	if s.guard == nil {
		fn(ctx)
		return
	}
	if err := s.guard.Once(ctx, key, fn); err != nil && ctx.Err() == nil {
		s.log.Error("report run guard failed; not running it here", "key", key, "err", err)
	}
}

// NewScheduler builds a scheduler. reg receives kuzot_reports_generated_total and
// kuzot_report_duration_seconds; now is the clock (time.Now when nil).
func NewScheduler(cfg *Config, conn driver.Conn, log *slog.Logger, reg prometheus.Registerer, now func() time.Time) (*Scheduler, error) {
	if cfg == nil || conn == nil || log == nil || reg == nil {
		return nil, errors.New("reports: scheduler needs config, ClickHouse, logger and registerer")
	}
	if now == nil {
		now = time.Now
	}
	s := &Scheduler{cfg: cfg, conn: conn, log: log, now: now,
		generated: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "kuzot_reports_generated_total",
			Help: "Scheduled reports generated, by schedule and result (ok, failed)."}, []string{"schedule", "result"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "kuzot_report_duration_seconds",
			Help: "Time to generate, render, store and mail one scheduled report.", Buckets: prometheus.ExponentialBuckets(0.5, 2, 10)},
			[]string{"schedule"}),
	}
	for _, c := range []prometheus.Collector{s.generated, s.duration} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("reports: register metrics: %w", err)
		}
	}
	if cfg.SMTP.Host != "" {
		m, err := NewMailer(cfg.SMTP)
		if err != nil {
			return nil, err
		}
		s.mail = m
	}
	return s, nil
}

// Run fires every schedule at its cron times until ctx ends. With catch_up, it first
// generates the latest due report of each schedule that the `reports` table does not list
// as done. A failed report is logged, recorded and retried at the next start (catch-up);
// it never stops the role.
func (s *Scheduler) Run(ctx context.Context) error {
	if len(s.cfg.Schedules) == 0 {
		s.log.Info("no report schedules configured")
		<-ctx.Done()
		return nil
	}
	if err := os.MkdirAll(s.cfg.OutputDir, 0o750); err != nil {
		return fmt.Errorf("reports: output dir: %w", err)
	}
	if *s.cfg.CatchUp {
		s.catchUp(ctx)
	}
	next := make([]time.Time, len(s.cfg.Schedules))
	for i, sc := range s.cfg.Schedules {
		next[i] = sc.sched.Next(s.now().UTC())
		s.log.Info("report schedule", "schedule", sc.Name, "cron", sc.Cron, "period", sc.Period, "next", next[i])
	}
	for {
		i := 0
		for j := range next {
			if next[j].Before(next[i]) {
				i = j
			}
		}
		t := time.NewTimer(max(next[i].Sub(s.now()), 0))
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		sc := s.cfg.Schedules[i]
		at := next[i]
		s.once(ctx, fmt.Sprintf("fire.%s.%d", sc.Name, at.Unix()), func(ctx context.Context) {
			if _, err := s.RunSchedule(ctx, sc.Name, at); err != nil && ctx.Err() == nil {
				s.log.Error("scheduled report failed", "schedule", sc.Name, "err", err)
			}
		})
		// A report that outlasted its interval does not queue the missed fire times.
		after := next[i]
		if now := s.now().UTC(); now.After(after) {
			after = now
		}
		next[i] = sc.sched.Next(after)
	}
}

// catchUp generates the latest report of each schedule that is due but not recorded.
func (s *Scheduler) catchUp(ctx context.Context) {
	now := s.now().UTC()
	for _, sc := range s.cfg.Schedules {
		last, ok := lastFire(sc, now)
		if !ok {
			continue
		}
		id, _, err := s.identity(sc, last)
		if err != nil {
			continue
		}
		done, err := s.recorded(ctx, id)
		if err != nil {
			s.log.Warn("report catch-up: cannot read the reports table", "err", err)
			return
		}
		if done {
			continue
		}
		s.once(ctx, "catchup."+id, func(ctx context.Context) {
			if done, err := s.recorded(ctx, id); err == nil && done {
				return // another replica caught up first
			}
			s.log.Info("report catch-up", "schedule", sc.Name, "due", last)
			if _, err := s.RunSchedule(ctx, sc.Name, last); err != nil && ctx.Err() == nil {
				s.log.Error("report catch-up failed", "schedule", sc.Name, "err", err)
			}
		})
	}
}

// lastFire is the schedule's latest fire time at or before now, looking back at most
// 100 days (enough for quarterly schedules).
func lastFire(sc Schedule, now time.Time) (time.Time, bool) {
	var last time.Time
	t := now.Add(-100 * 24 * time.Hour)
	for range 5000 {
		n := sc.sched.Next(t)
		if n.IsZero() || n.After(now) {
			break
		}
		last, t = n, n
	}
	return last, !last.IsZero()
}

func (s *Scheduler) recorded(ctx context.Context, id string) (bool, error) {
	var n uint64
	err := s.conn.QueryRow(ctx, "SELECT count() FROM reports FINAL WHERE id = ? AND status = 'ok'", id).Scan(&n)
	return n > 0, err
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9_-]+`)

// identity returns the report id (also the file name stem) and period of a schedule
// fired at t: re-running the same schedule for the same period replaces its files.
func (s *Scheduler) identity(sc Schedule, at time.Time) (string, Period, error) {
	from, to, err := PeriodEnding(sc.Period, at)
	if err != nil {
		return "", Period{}, err
	}
	id := fmt.Sprintf("%s_%s_%s", sc.Name, from.Format(time.DateOnly), to.Add(-time.Second).Format(time.DateOnly))
	if sc.Org != "" {
		id += "_" + strings.Trim(unsafeName.ReplaceAllString(sc.Org, "-"), "-")
	}
	return id, Period{From: from, To: to}, nil
}

// RunSchedule generates the named schedule's report as if fired at at: it writes every
// format to the output directory (atomically), mails the recipients and records the
// outcome in the `reports` table.
func (s *Scheduler) RunSchedule(ctx context.Context, name string, at time.Time) (*Record, error) {
	var sc *Schedule
	for i := range s.cfg.Schedules {
		if s.cfg.Schedules[i].Name == name {
			sc = &s.cfg.Schedules[i]
		}
	}
	if sc == nil {
		return nil, fmt.Errorf("reports: no schedule named %q", name)
	}
	start := time.Now()
	id, p, err := s.identity(*sc, at)
	if err != nil {
		return nil, err
	}
	rec := &Record{ID: id, Schedule: sc.Name, Org: sc.Org, Lang: sc.Lang, From: p.From, To: p.To, Formats: sc.Formats,
		Recipients: len(sc.Recipients), GeneratedAt: s.now().UTC().Truncate(time.Second)}
	err = s.produce(ctx, sc, rec)
	rec.Duration = time.Since(start)
	rec.Status = "ok"
	if err != nil {
		rec.Status, rec.Error = "failed", truncateRunes(err.Error(), 1000)
	}
	s.generated.WithLabelValues(sc.Name, rec.Status).Inc()
	s.duration.WithLabelValues(sc.Name).Observe(rec.Duration.Seconds())
	if ierr := s.insert(ctx, rec); ierr != nil {
		err = errors.Join(err, ierr)
	}
	if err != nil {
		return rec, fmt.Errorf("reports: %s: %w", id, err)
	}
	s.log.Info("report generated", "id", id, "files", rec.Files, "emailed", rec.Emailed, "duration", rec.Duration.Round(time.Millisecond))
	return rec, nil
}

func (s *Scheduler) produce(ctx context.Context, sc *Schedule, rec *Record) error {
	r, err := Generate(ctx, s.conn, Options{From: rec.From, To: rec.To, Org: sc.Org, Lang: sc.Lang, Title: sc.Title,
		Now: rec.GeneratedAt, Logger: s.log, Events: s.cfg.TimelineEvents()})
	if err != nil {
		return err
	}
	var attach []Attachment
	for _, f := range sc.Formats {
		var b bytes.Buffer
		if err := Write(ctx, &b, r, f, s.cfg.PDF()); err != nil {
			return fmt.Errorf("render %s: %w", f, err)
		}
		name := rec.ID + Ext(f)
		if err := WriteFileAtomic(filepath.Join(s.cfg.OutputDir, name), b.Bytes()); err != nil {
			return err
		}
		rec.Files = append(rec.Files, name)
		rec.Sizes = append(rec.Sizes, uint64(b.Len()))
		attach = append(attach, Attachment{Name: name, ContentType: ContentType(f), Data: b.Bytes()})
	}
	if len(sc.Recipients) == 0 || s.mail == nil {
		return nil
	}
	if err := s.mail.Send(ctx, sc.Recipients, r, attach); err != nil {
		return fmt.Errorf("mail: %w", err)
	}
	rec.Emailed = true
	return nil
}

func (s *Scheduler) insert(ctx context.Context, r *Record) error {
	b, err := s.conn.PrepareBatch(ctx, `INSERT INTO reports (id, schedule, org, lang, period_from, period_to, formats, files, sizes,
		recipients, emailed, status, error, generated_at, duration_ms, version)`)
	if err != nil {
		return fmt.Errorf("record report: %w", err)
	}
	defer b.Close()
	emailed := uint8(0)
	if r.Emailed {
		emailed = 1
	}
	files, sizes := r.Files, r.Sizes
	if files == nil {
		files, sizes = []string{}, []uint64{}
	}
	if err := b.Append(r.ID, r.Schedule, r.Org, r.Lang, r.From, r.To, r.Formats, files, sizes, uint32(r.Recipients), emailed,
		r.Status, r.Error, r.GeneratedAt, uint32(r.Duration.Milliseconds()), uint64(time.Now().UnixNano())); err != nil {
		return fmt.Errorf("record report: %w", err)
	}
	if err := b.Send(); err != nil {
		return fmt.Errorf("record report: %w", err)
	}
	return nil
}

// List returns the newest recorded reports first (at most limit).
func List(ctx context.Context, conn driver.Conn, limit int) ([]Record, error) {
	rows, err := conn.Query(ctx, `SELECT id, schedule, org, lang, period_from, period_to, formats, files, sizes,
		recipients, emailed, toString(status), error, generated_at, duration_ms
		FROM reports FINAL ORDER BY generated_at DESC, id LIMIT @limit`, clickhouse.Named("limit", max(limit, 1)))
	if err != nil {
		return nil, fmt.Errorf("list reports: %w", err)
	}
	defer rows.Close()
	var out []Record
	for rows.Next() {
		var r Record
		var recipients, ms uint32
		var emailed uint8
		if err := rows.Scan(&r.ID, &r.Schedule, &r.Org, &r.Lang, &r.From, &r.To, &r.Formats, &r.Files, &r.Sizes,
			&recipients, &emailed, &r.Status, &r.Error, &r.GeneratedAt, &ms); err != nil {
			return nil, fmt.Errorf("list reports: %w", err)
		}
		r.Recipients, r.Emailed, r.Duration = int(recipients), emailed == 1, time.Duration(ms)*time.Millisecond
		out = append(out, r)
	}
	return out, rows.Err()
}

// Published lists the reports generated without error that a reader in scope may
// download, newest first (at most 500): every report when allOrgs, else the general
// reports and those of org. file != "" keeps the reports that have that file. The web
// UI's reports page reads the table through it.
func Published(ctx context.Context, conn driver.Conn, allOrgs bool, org, file string) ([]Record, error) {
	q := `SELECT id, org, lang, period_from, period_to, files, sizes, generated_at FROM reports FINAL WHERE status = 'ok'`
	var args []any
	if file != "" {
		q += ` AND has(files, ?)`
		args = append(args, file)
	}
	if !allOrgs {
		q += ` AND (org = '' OR org = ?)`
		args = append(args, org)
	}
	rows, err := conn.Query(ctx, q+` ORDER BY generated_at DESC, id LIMIT 500`, args...)
	if err != nil {
		return nil, fmt.Errorf("list reports: %w", err)
	}
	defer rows.Close()
	var out []Record
	for rows.Next() {
		var r Record
		if err := rows.Scan(&r.ID, &r.Org, &r.Lang, &r.From, &r.To, &r.Files, &r.Sizes, &r.GeneratedAt); err != nil {
			return nil, fmt.Errorf("list reports: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// WriteFileAtomic writes a report file atomically (internal/atomicfile), so that the web
// UI never lists, and a failed run never leaves, half a report. The file is 0640
// (reports carry monitoring findings). The report role and `kuzot report` use it.
func WriteFileAtomic(path string, b []byte) error { return atomicfile.Write(path, b, 0o640) }
