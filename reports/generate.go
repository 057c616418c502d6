package reports

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/kuzot/kuzot/classifiers/narrative"
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
	// flagged is a Memory table with the deduplicated flagged narrative posts of both
	// periods, so that the narrative figures cost one scan of classifications.
	flagged string
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
	q := &query{conn: conn, o: o, prev: Period{From: o.From.Add(-span), To: o.From}}
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

// bucketExpr is the ClickHouse expression of a timeline bucket (18.16 has no
// toStartOfInterval).
func bucketExpr(bucket, col string) string {
	switch bucket {
	case "week":
		return "toMonday(" + col + ")"
	case "month":
		return "toStartOfMonth(" + col + ")"
	}
	return "toDate(" + col + ")"
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

func unix(t time.Time) int64 { return t.Unix() }

// args are the report's query parameters, which the driver binds into the query text
// (client-side binding: ClickHouse 18.16 has no server-side query parameters): @from
// and @to are the period, @prev the start of the previous period (Unix seconds) and @org
// the organisation ("" for all). extra are further clickhouse.Named values. No value is
// ever formatted into SQL by kuzot itself.
func (q *query) args(extra ...any) []any {
	return append([]any{clickhouse.Named("from", unix(q.o.From)), clickhouse.Named("to", unix(q.o.To)),
		clickhouse.Named("prev", unix(q.prev.From)), clickhouse.Named("org", q.o.Org)}, extra...)
}

// scratchName checks that a scratch table name is one materialiseFlagged made (an
// identifier cannot be bound as a parameter, so it is spliced only after this check).
func scratchName(name string) string {
	for _, r := range name {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '_' {
			panic("reports: bad scratch table name " + name)
		}
	}
	return name
}

// materialiseFlagged copies the newest version of every flagged narrative classification
// of both periods into a Memory table. FINAL collapses versions before the flagged filter
// (PREWHERE disabled), so a post re-classified as not flagged is not counted.
//
// ClickHouse 18.16 merges FINAL in one thread per query, so the range is cut at month
// boundaries (the tables' partitions: a post's versions never straddle two) and the
// months are read by Options.Parallel concurrent queries.
func (q *query) materialiseFlagged(ctx context.Context) error {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		return fmt.Errorf("reports: scratch table name: %w", err)
	}
	name := fmt.Sprintf("%s%d_%s", scratchPrefix, time.Now().Unix(), hex.EncodeToString(b))
	q.sweepScratch(ctx)
	if err := q.conn.Exec(q.ctx(ctx, nil), `CREATE TABLE `+scratchName(name)+` (post_id String, source String, channel String, author String,
		lang String, published_at DateTime, labels Array(String), cur UInt8) ENGINE = Memory`); err != nil {
		return fmt.Errorf("reports: create scratch table: %w", err)
	}
	q.flagged = name
	chunks := monthChunks(q.prev.From, q.o.To)
	err := parallel(ctx, q.o.Parallel, len(chunks), func(ctx context.Context, i int) error {
		sql := `INSERT INTO ` + scratchName(name) + ` (post_id, source, channel, author, lang, published_at, labels, cur)
SELECT post_id, source, channel, author, lang, published_at, labels, toUInt8(published_at >= toDateTime(@from))
FROM classifications FINAL
WHERE classifier = @classifier AND published_at >= toDateTime(@chunk_from) AND published_at < toDateTime(@chunk_to) AND flagged = 1`
		return q.conn.Exec(q.ctx(ctx, finalSettings), sql, q.args(clickhouse.Named("classifier", narrative.Name),
			clickhouse.Named("chunk_from", unix(chunks[i].From)), clickhouse.Named("chunk_to", unix(chunks[i].To)))...)
	})
	if err != nil {
		return fmt.Errorf("reports: collect flagged narrative posts: %w", err)
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

// scratchPrefix names the scratch tables; the creation time follows it, so that the
// scratch tables of a crashed process can be told from those of a running report.
const scratchPrefix = "tmp_report_"

// sweepScratch drops scratch tables left by a report that crashed more than six hours
// ago (a Memory table otherwise lives until the server restarts). Best effort.
func (q *query) sweepScratch(ctx context.Context) {
	cutoff := time.Now().Add(-6 * time.Hour).Unix()
	for name := range q.tables {
		rest, ok := strings.CutPrefix(name, scratchPrefix)
		if !ok {
			continue
		}
		ts, _, ok := strings.Cut(rest, "_")
		if sec, err := strconv.ParseInt(ts, 10, 64); ok && err == nil && sec < cutoff {
			_ = q.conn.Exec(q.ctx(ctx, nil), "DROP TABLE IF EXISTS "+name)
		}
	}
}

func (q *query) dropFlagged() {
	if q.flagged == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_ = q.conn.Exec(q.ctx(ctx, nil), "DROP TABLE IF EXISTS "+q.flagged)
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

// scan runs a query and calls fn for every row.
func (q *query) scan(ctx context.Context, sql string, fn func(driver.Rows) error, args ...any) error {
	rows, err := q.conn.Query(q.ctx(ctx, finalSettings), sql, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// counts runs a "key, cur, prev" query into Counts, ordered by order (keys first in
// that order, the rest by count descending then key).
func (q *query) counts(ctx context.Context, sql string, order []string, args ...any) ([]Count, error) {
	var out []Count
	err := q.scan(ctx, sql, func(r driver.Rows) error {
		var c Count
		if err := r.Scan(&c.Key, &c.Count, &c.Previous); err != nil {
			return err
		}
		out = append(out, c)
		return nil
	}, args...)
	sortCounts(out, order)
	return out, err
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
	// Posts monitored: distinct post ids per period, immune to duplicate versions. The
	// ids are counted by their 64-bit hash (a collision needs billions of posts to become
	// likely), month by month: a post's versions share its publication month, so the
	// per-month counts add up exactly and no large hash sets are merged.
	var postsCur, postsPrev atomic.Uint64
	chunks := monthChunks(q.prev.From, q.o.To)
	err := parallel(ctx, q.o.Parallel, len(chunks), func(ctx context.Context, i int) error {
		var c, p uint64
		err := q.conn.QueryRow(q.ctx(ctx, clickhouse.Settings{"max_threads": 1}),
			`SELECT uniqExactIf(cityHash64(id), published_at >= toDateTime(@from)),
			uniqExactIf(cityHash64(id), published_at < toDateTime(@from))
			FROM posts WHERE published_at >= toDateTime(@chunk_from) AND published_at < toDateTime(@chunk_to)`,
			q.args(clickhouse.Named("chunk_from", unix(chunks[i].From)), clickhouse.Named("chunk_to", unix(chunks[i].To)))...).Scan(&c, &p)
		postsCur.Add(c)
		postsPrev.Add(p)
		return err
	})
	if err != nil {
		return fmt.Errorf("count posts: %w", err)
	}
	var flagCur, flagPrev, chCur, chPrev, accCur, accPrev uint64
	if err := q.conn.QueryRow(q.ctx(ctx, nil), `SELECT countIf(cur = 1), countIf(cur = 0),
		uniqExactIf(source, channel, cur = 1), uniqExactIf(source, channel, cur = 0),
		uniqExactIf(source, author, cur = 1 AND author != ''), uniqExactIf(source, author, cur = 0 AND author != '')
		FROM `+scratchName(q.flagged)).Scan(&flagCur, &flagPrev, &chCur, &chPrev, &accCur, &accPrev); err != nil {
		return fmt.Errorf("count flagged: %w", err)
	}
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
		figure("narrative_channels", float64(chCur), float64(chPrev), ""),
		figure("narrative_accounts", float64(accCur), float64(accPrev), ""),
	)

	if r.Frames, err = q.counts(ctx, `SELECT frame, countIf(cur = 1), countIf(cur = 0)
		FROM `+scratchName(q.flagged)+` ARRAY JOIN labels AS frame GROUP BY frame`, Frames); err != nil {
		return fmt.Errorf("frames: %w", err)
	}
	if r.Languages, err = q.counts(ctx, `SELECT if(lang = '', 'unknown', lang), countIf(cur = 1), countIf(cur = 0)
		FROM `+scratchName(q.flagged)+` GROUP BY lang`, nil); err != nil {
		return fmt.Errorf("languages: %w", err)
	}
	if r.Platforms, err = q.counts(ctx, `SELECT source, countIf(cur = 1), countIf(cur = 0)
		FROM `+scratchName(q.flagged)+` GROUP BY source`, nil); err != nil {
		return fmt.Errorf("platforms: %w", err)
	}

	// Timeline: per bucket and frame, zero-filled over every bucket and every frame seen.
	got := map[[2]string]uint64{}
	if err := q.scan(ctx, `SELECT toString(`+bucketExpr(r.Bucket, "published_at")+`) AS b, frame, count()
		FROM `+scratchName(q.flagged)+` ARRAY JOIN labels AS frame WHERE cur = 1 GROUP BY b, frame`,
		func(rows driver.Rows) error {
			var b, f string
			var n uint64
			if err := rows.Scan(&b, &f, &n); err != nil {
				return err
			}
			got[[2]string{b, f}] = n
			return nil
		}); err != nil {
		return fmt.Errorf("timeline: %w", err)
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
	top := func(col string) ([]SourceRow, error) {
		var out []SourceRow
		// col is one of two column names, never a value.
		err := q.scan(ctx, `SELECT frame, source, `+col+` AS name, count() AS n
			FROM `+scratchName(q.flagged)+` ARRAY JOIN labels AS frame WHERE cur = 1 AND `+col+` != ''
			GROUP BY frame, source, name ORDER BY frame, n DESC, source, name LIMIT @top BY frame`,
			func(rows driver.Rows) error {
				var s SourceRow
				if err := rows.Scan(&s.Frame, &s.Platform, &s.Name, &s.Posts); err != nil {
					return err
				}
				out = append(out, s)
				return nil
			}, clickhouse.Named("top", q.o.TopN))
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
	if r.TopChannels, err = top("channel"); err != nil {
		return fmt.Errorf("channels: %w", err)
	}
	if r.TopAccounts, err = top("author"); err != nil {
		return fmt.Errorf("accounts: %w", err)
	}
	return nil
}

func (q *query) methods(ctx context.Context, r *Report) error {
	// Every stored classification row of the period, per classifier version, without
	// FINAL: a re-classification by a newer version is listed under that version, and
	// the counts say how many posts each version classified (redelivered duplicates of
	// the same version collapse in background merges).
	err := q.scan(ctx, `SELECT classifier, classifier_version, count(), countIf(flagged = 1),
		minIf(score, flagged = 1), countIf(flagged = 1) > 0
		FROM classifications
		PREWHERE published_at >= toDateTime(@from) AND published_at < toDateTime(@to)
		GROUP BY classifier, classifier_version ORDER BY classifier, classifier_version`,
		func(rows driver.Rows) error {
			var c ClassifierRow
			var minScore float32
			var any uint8
			if err := rows.Scan(&c.Classifier, &c.Version, &c.Posts, &c.Flagged, &minScore, &any); err != nil {
				return err
			}
			if any == 1 {
				v := roundTo(float64(minScore), 3)
				c.MinFlaggedScore = &v
			}
			r.Methods.Classifiers = append(r.Methods.Classifiers, c)
			return nil
		}, q.args()...)
	if err != nil {
		return fmt.Errorf("classifier versions: %w", err)
	}
	r.Methods.MinTermPosts = q.o.MinTermPosts
	return nil
}

func roundTo(x float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(x*p) / p
}
