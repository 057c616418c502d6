package reports

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/kuzot/kuzot/storage/readmodel"
)

// finalSettings turn off the automatic PREWHERE optimisation for queries with FINAL: on
// old servers (18.16) a PREWHERE on a non-key column is applied before the versions are
// collapsed, which would resurrect an older version of a row that a newer one replaced.
var finalSettings = clickhouse.Settings{"optimize_move_to_prewhere": 0}

// query is the state of one report generation: the connection, the normalised options
// and the name of the scratch table holding the period's flagged narrative posts.
type query struct {
	conn driver.Conn
	o    Options
	prev Period
	// period is the two periods as the read model takes them.
	period readmodel.Period
	// flagged is a Memory table with the deduplicated flagged narrative posts of both
	// periods, so that the narrative figures cost one scan of classifications.
	flagged *readmodel.Flagged
	tables  map[string]bool
}

// Generate reads the figures for the options' period from ClickHouse. It needs read
// access to posts, classifications, exposures, incidents and alert_deliveries (and the
// coordination tables when present), and may create and drop one Memory table named
// tmp_report_<random> for the duration of the call.
func Generate(ctx context.Context, conn driver.Conn, o Options) (*Report, error) {
	if err := o.normalize(); err != nil {
		return nil, err
	}
	span := o.To.Sub(o.From)
	q := &query{conn: conn, o: o, prev: Period{From: o.From.Add(-span), To: o.From},
		period: readmodel.Period{Prev: o.From.Add(-span), From: o.From, To: o.To}}
	r := &Report{
		Title: o.Title, Lang: o.Lang, Org: o.Org, GeneratedAt: o.Now,
		Period: Period{From: o.From, To: o.To}, Previous: q.prev, Bucket: bucketFor(span),
	}
	if r.Title == "" {
		r.Title = tr(o.Lang, "title")
	}
	var err error
	if q.tables, err = q.listTables(ctx); err != nil {
		return nil, err
	}
	for _, t := range []string{"posts", "classifications", "exposures", "incidents", "alert_deliveries"} {
		if !q.tables[t] {
			return nil, fmt.Errorf("reports: table %s is missing (run `kuzot migrate`)", t)
		}
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	start := time.Now()
	defer q.dropFlagged() // also after a failed collection: the table may exist
	if err := q.materialiseFlagged(ctx); err != nil {
		return nil, err
	}
	log.Debug("report step", "step", "collect flagged", "duration", time.Since(start))

	steps := []struct {
		name string
		fn   func(context.Context, *Report) error
	}{
		{"narrative", q.narrative},
		{"top sources", q.topSources},
		{"emerging terms", q.emergingTerms},
		{"coordination", q.coordination},
		{"exposure", q.exposure},
		{"notable posts", q.notable},
		{"methods", q.methods},
	}
	for _, s := range steps {
		start := time.Now()
		if err := s.fn(ctx, r); err != nil {
			return nil, fmt.Errorf("reports: %s: %w", s.name, err)
		}
		log.Debug("report step", "step", s.name, "duration", time.Since(start))
	}
	for _, e := range o.Events {
		if !e.Date.Before(o.From) && e.Date.Before(o.To) {
			r.Events = append(r.Events, Event{Date: e.Date.UTC(), Label: e.Label})
		}
	}
	sort.SliceStable(r.Events, func(i, j int) bool { return r.Events[i].Date.Before(r.Events[j].Date) })
	r.Methods.Notes = methodNotes(o.Lang)
	r.fillEmpty()
	return r, nil
}

// fillEmpty makes every absent table an empty list, so that the JSON always has the
// same shape ([] rather than null) for the tools that read it.
func (r *Report) fillEmpty() {
	for _, p := range []*[]Count{&r.Frames, &r.Languages, &r.Platforms, &r.Exposure.PostsBySeverity,
		&r.Exposure.PostsByPlatform, &r.Exposure.IncidentsBySeverity, &r.Exposure.IncidentsByPlatform,
		&r.Exposure.IncidentsByCategory, &r.Exposure.IncidentsByStatus} {
		if *p == nil {
			*p = []Count{}
		}
	}
	if r.Timeline == nil {
		r.Timeline = []TimelineRow{}
	}
	if r.Events == nil {
		r.Events = []Event{}
	}
	if r.TopChannels == nil {
		r.TopChannels = []SourceRow{}
	}
	if r.TopAccounts == nil {
		r.TopAccounts = []SourceRow{}
	}
	if r.EmergingTerms == nil {
		r.EmergingTerms = []TermRow{}
	}
	if r.Coordination.Clusters == nil {
		r.Coordination.Clusters = []ClusterRow{}
	}
	if r.Exposure.Alerts == nil {
		r.Exposure.Alerts = []AlertRow{}
	}
	if r.Notable == nil {
		r.Notable = []NotablePost{}
	}
	if r.Methods.Classifiers == nil {
		r.Methods.Classifiers = []ClassifierRow{}
	}
	if r.Methods.CoordinationParams == nil {
		r.Methods.CoordinationParams = []string{}
	}
}

// bucketFor picks the timeline step so that a chart has between a handful and ~60 bars.
func bucketFor(span time.Duration) string {
	switch {
	case span <= 62*24*time.Hour:
		return "day"
	case span <= 420*24*time.Hour:
		return "week"
	}
	return "month"
}

// buckets lists the bucket start dates covering [from, to) in Go, for zero filling.
func buckets(bucket string, from, to time.Time) []string {
	day := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, time.UTC)
	switch bucket {
	case "week":
		day = day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7))
	case "month":
		day = time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC)
	}
	var out []string
	for t := day; t.Before(to); {
		out = append(out, t.Format(time.DateOnly))
		switch bucket {
		case "week":
			t = t.AddDate(0, 0, 7)
		case "month":
			t = t.AddDate(0, 1, 0)
		default:
			t = t.AddDate(0, 0, 1)
		}
	}
	return out
}

func (q *query) listTables(ctx context.Context) (map[string]bool, error) {
	rows, err := q.conn.Query(q.ctx(ctx, nil), "SELECT name FROM system.tables WHERE database = currentDatabase()")
	if err != nil {
		return nil, fmt.Errorf("reports: list tables: %w", err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, fmt.Errorf("reports: list tables: %w", err)
		}
		out[n] = true
	}
	return out, rows.Err()
}

// materialiseFlagged copies the newest version of every flagged narrative classification
// of both periods into a Memory table. FINAL collapses versions before the flagged filter
// (PREWHERE disabled), so a post re-classified as not flagged is not counted.
//
// ClickHouse 18.16 merges FINAL in one thread per query, so the range is cut at month
// boundaries (the tables' partitions: a post's versions never straddle two) and the
// months are read by Options.Parallel concurrent queries.
func (q *query) materialiseFlagged(ctx context.Context) error {
	tables := make([]string, 0, len(q.tables))
	for t := range q.tables {
		tables = append(tables, t)
	}
	readmodel.SweepFlagged(q.ctx(ctx, nil), q.conn, tables, time.Now())
	f, err := readmodel.NewFlagged(q.ctx(ctx, nil), q.conn, q.period)
	if err != nil {
		return fmt.Errorf("reports: %w", err)
	}
	q.flagged = f
	chunks := monthChunks(q.prev.From, q.o.To)
	err = parallel(ctx, q.o.Parallel, len(chunks), func(ctx context.Context, i int) error {
		return f.Fill(q.ctx(ctx, finalSettings), readmodel.Span(chunks[i]))
	})
	if err != nil {
		return fmt.Errorf("reports: %w", err)
	}
	return nil
}

// monthChunks cuts [from, to) at calendar month boundaries (UTC).
func monthChunks(from, to time.Time) []Period {
	var out []Period
	for t := from; t.Before(to); {
		next := time.Date(t.Year(), t.Month()+1, 1, 0, 0, 0, 0, time.UTC)
		if next.After(to) {
			next = to
		}
		out = append(out, Period{From: t, To: next})
		t = next
	}
	return out
}

// parallel runs fn(0..n-1) on at most workers goroutines and returns the first error;
// the others are cancelled through ctx.
func parallel(ctx context.Context, workers, n int, fn func(context.Context, int) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan int)
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for range max(1, min(workers, n)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				if err := fn(ctx, i); err != nil {
					errs <- err
					cancel()
				}
			}
		}()
	}
	for i := range n {
		select {
		case jobs <- i:
		case <-ctx.Done():
		}
	}
	close(jobs)
	wg.Wait()
	close(errs)
	return <-errs
}

func (q *query) dropFlagged() {
	if q.flagged == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	q.flagged.Drop(q.ctx(ctx, nil))
}

// ctx attaches the report's ClickHouse settings (Options.Settings, then extra) to ctx.
func (q *query) ctx(ctx context.Context, extra clickhouse.Settings) context.Context {
	if len(q.o.Settings) == 0 && len(extra) == 0 {
		return ctx
	}
	s := clickhouse.Settings{}
	for k, v := range q.o.Settings {
		s[k] = v
	}
	for k, v := range extra {
		s[k] = v
	}
	return clickhouse.Context(ctx, clickhouse.WithSettings(s))
}

// counts turns read-model counts into Counts, ordered by order (keys first in that
// order, the rest by count descending then key).
func counts(kcs []readmodel.KeyCount, order []string) []Count {
	out := make([]Count, 0, len(kcs))
	for _, k := range kcs {
		out = append(out, Count{Key: k.Key, Count: k.Current, Previous: k.Previous})
	}
	sortCounts(out, order)
	return out
}

func sortCounts(cs []Count, order []string) {
	rank := func(k string) int {
		if i := slices.Index(order, k); i >= 0 {
			return i
		}
		return len(order)
	}
	sort.SliceStable(cs, func(i, j int) bool {
		ri, rj := rank(cs[i].Key), rank(cs[j].Key)
		if ri != rj {
			return ri < rj
		}
		if cs[i].Count != cs[j].Count {
			return cs[i].Count > cs[j].Count
		}
		return cs[i].Key < cs[j].Key
	})
}

func (q *query) narrative(ctx context.Context, r *Report) error {
	// Posts monitored: distinct post ids per period, immune to duplicate versions,
	// counted month by month (readmodel.CountPostsIn) by Options.Parallel queries.
	var postsCur, postsPrev atomic.Uint64
	chunks := monthChunks(q.prev.From, q.o.To)
	err := parallel(ctx, q.o.Parallel, len(chunks), func(ctx context.Context, i int) error {
		c, err := readmodel.CountPostsIn(q.ctx(ctx, clickhouse.Settings{"max_threads": 1}), q.conn, q.period, readmodel.Span(chunks[i]))
		postsCur.Add(c.Current)
		postsPrev.Add(c.Previous)
		return err
	})
	if err != nil {
		return err
	}
	t, err := q.flagged.Totals(q.ctx(ctx, nil))
	if err != nil {
		return err
	}
	flagCur, flagPrev := t.Posts.Current, t.Posts.Previous
	share := func(n, d uint64) float64 {
		if d == 0 {
			return 0
		}
		return roundTo(float64(n)/float64(d)*100, 2)
	}
	r.Summary = append(r.Summary,
		figure("posts_monitored", float64(postsCur.Load()), float64(postsPrev.Load()), ""),
		figure("narrative_posts", float64(flagCur), float64(flagPrev), ""),
		figure("narrative_share", share(flagCur, postsCur.Load()), share(flagPrev, postsPrev.Load()), "%"),
		figure("narrative_channels", float64(t.Channels.Current), float64(t.Channels.Previous), ""),
		figure("narrative_accounts", float64(t.Accounts.Current), float64(t.Accounts.Previous), ""),
	)

	for _, g := range []struct {
		by   readmodel.FlaggedGroup
		into *[]Count
		name string
		// order puts these keys first.
		order []string
	}{{readmodel.ByFrame, &r.Frames, "frames", Frames}, {readmodel.ByLanguage, &r.Languages, "languages", nil},
		{readmodel.BySource, &r.Platforms, "platforms", nil}} {
		kcs, err := q.flagged.CountBy(q.ctx(ctx, finalSettings), g.by)
		if err != nil {
			return fmt.Errorf("%s: %w", g.name, err)
		}
		*g.into = counts(kcs, g.order)
	}

	// Timeline: per bucket and frame, zero-filled over every bucket and every frame seen.
	got := map[[2]string]uint64{}
	tl, err := q.flagged.Timeline(q.ctx(ctx, finalSettings), readmodel.Bucket(r.Bucket))
	if err != nil {
		return err
	}
	for _, x := range tl {
		got[[2]string{x.Bucket, x.Frame}] = x.Posts
	}
	for _, b := range buckets(r.Bucket, q.o.From, q.o.To) {
		for _, f := range r.Frames {
			if f.Count == 0 {
				continue
			}
			r.Timeline = append(r.Timeline, TimelineRow{Bucket: b, Frame: f.Key, Posts: got[[2]string{b, f.Key}]})
		}
	}
	return nil
}

func (q *query) topSources(ctx context.Context, r *Report) error {
	top := func(by readmodel.Publisher) ([]SourceRow, error) {
		rows, err := q.flagged.Top(q.ctx(ctx, finalSettings), by, q.o.TopN)
		var out []SourceRow
		for _, x := range rows {
			out = append(out, SourceRow{Frame: x.Frame, Platform: x.Platform, Name: x.Name, Posts: x.Posts})
		}
		rank := func(f string) int {
			if i := slices.Index(Frames, f); i >= 0 {
				return i
			}
			return len(Frames)
		}
		sort.SliceStable(out, func(i, j int) bool { return rank(out[i].Frame) < rank(out[j].Frame) })
		return out, err
	}
	var err error
	if r.TopChannels, err = top(readmodel.Channel); err != nil {
		return err
	}
	if r.TopAccounts, err = top(readmodel.Account); err != nil {
		return err
	}
	return nil
}

func (q *query) methods(ctx context.Context, r *Report) error {
	// Every stored classification row of the period, per classifier version
	// (readmodel.ClassifierVersions).
	vs, err := readmodel.ClassifierVersions(q.ctx(ctx, finalSettings), q.conn, q.period)
	if err != nil {
		return err
	}
	for _, v := range vs {
		c := ClassifierRow{Classifier: v.Classifier, Version: v.Version, Posts: v.Posts, Flagged: v.Flagged}
		if v.AnyFlagged {
			m := roundTo(float64(v.MinFlaggedScore), 3)
			c.MinFlaggedScore = &m
		}
		r.Methods.Classifiers = append(r.Methods.Classifiers, c)
	}
	r.Methods.MinTermPosts = q.o.MinTermPosts
	return nil
}

func roundTo(x float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(x*p) / p
}
