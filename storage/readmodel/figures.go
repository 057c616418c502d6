package readmodel

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/kuzot/kuzot/classifiers/narrative"
	"github.com/kuzot/kuzot/storage"
)

// The figures of the periodic reports. A report compares a period [From, To) with the
// previous one [Prev, From); each count below is a pair for the two. The queries bind
// the periods as named parameters (client-side binding: ClickHouse 18.16 has no
// server-side query parameters): @from and @to are the period, @prev the start of the
// previous one (Unix seconds), and @org an organisation ("" for all).

// Period is a report's period [From, To) and the previous period [Prev, From).
type Period struct{ Prev, From, To time.Time }

// args are the named parameters of the period, then extra (further clickhouse.Named).
func (p Period) args(extra ...any) []any {
	return append([]any{clickhouse.Named("from", p.From.Unix()), clickhouse.Named("to", p.To.Unix()),
		clickhouse.Named("prev", p.Prev.Unix())}, extra...)
}

// chunkArgs are the named parameters of the period and of a chunk [from, to) of it.
func (p Period) chunkArgs(chunk Span, extra ...any) []any {
	return p.args(append([]any{clickhouse.Named("chunk_from", chunk.From.Unix()),
		clickhouse.Named("chunk_to", chunk.To.Unix())}, extra...)...)
}

// Span is a time range [From, To).
type Span struct{ From, To time.Time }

// PeriodCount is a count in the current period and in the previous one.
type PeriodCount struct{ Current, Previous uint64 }

// KeyCount is a keyed PeriodCount (a frame, language, platform or severity).
type KeyCount struct {
	Key string
	PeriodCount
}

// scanKeyCount scans a (key, current, previous) row.
func scanKeyCount(rows driver.Rows, c *KeyCount) error {
	return rows.Scan(&c.Key, &c.Current, &c.Previous)
}

// CountPostsIn counts the distinct posts published in chunk (a part of the period and
// the previous one that cuts no month: a post's versions share their publication month)
// per period. Ids are counted by their 64-bit hash (a collision needs billions of posts
// to become likely), so that month counts add up exactly without merging large sets.
func CountPostsIn(ctx context.Context, conn driver.Conn, p Period, chunk Span) (PeriodCount, error) {
	var c PeriodCount
	if err := conn.QueryRow(ctx, `SELECT uniqExactIf(cityHash64(id), published_at >= toDateTime(@from)),
			uniqExactIf(cityHash64(id), published_at < toDateTime(@from))
			FROM posts WHERE published_at >= toDateTime(@chunk_from) AND published_at < toDateTime(@chunk_to)`,
		p.chunkArgs(chunk)...).Scan(&c.Current, &c.Previous); err != nil {
		return PeriodCount{}, fmt.Errorf("count posts: %w", err)
	}
	return c, nil
}

// ClassifierVersion counts the classification rows of one classifier version.
type ClassifierVersion struct {
	Classifier, Version string
	Posts, Flagged      uint64
	// MinFlaggedScore is the lowest score of a flagged row; AnyFlagged says whether
	// there was one.
	MinFlaggedScore float32
	AnyFlagged      bool
}

// ClassifierVersions counts every stored classification row of posts published in the
// current period, per classifier and version (in that order), without FINAL: a
// re-classification by a newer version is listed under that version (redelivered
// duplicates of the same version collapse in background merges).
func ClassifierVersions(ctx context.Context, conn driver.Conn, p Period) ([]ClassifierVersion, error) {
	return all(ctx, conn, "classifier versions", `SELECT classifier, classifier_version, count(), countIf(flagged = 1),
		minIf(score, flagged = 1), countIf(flagged = 1) > 0
		FROM classifications
		PREWHERE published_at >= toDateTime(@from) AND published_at < toDateTime(@to)
		GROUP BY classifier, classifier_version ORDER BY classifier, classifier_version`,
		func(rows driver.Rows, c *ClassifierVersion) error {
			var any uint8
			if err := rows.Scan(&c.Classifier, &c.Version, &c.Posts, &c.Flagged, &c.MinFlaggedScore, &any); err != nil {
				return err
			}
			c.AnyFlagged = any == 1
			return nil
		}, p.args()...)
}

// The conditions of the exposure figures on Period.args and @org: the previous and
// current period together (expRange), the current one alone (expCurrent), and the
// organisation ("" for all) among the exposures' matched orgs (expOrgs).
const (
	expRange   = "published_at >= toDateTime(@prev) AND published_at < toDateTime(@to)"
	expCurrent = "published_at >= toDateTime(@from)"
	expOrgs    = "(@org = '' OR has(orgs, @org))"
)

// ExposureGroup is what exposing posts are counted by.
type ExposureGroup int

// The groupings of ExposingPostsBy.
const (
	BySeverity ExposureGroup = iota
	ByPlatform
)

// ExposingPostsBy counts the posts exposing someone that matched org ("" for all), by
// severity or platform. Nothing that identifies a person is read.
func ExposingPostsBy(ctx context.Context, conn driver.Conn, p Period, org string, by ExposureGroup) ([]KeyCount, error) {
	key := "toString(severity)"
	group := "severity"
	if by == ByPlatform {
		key, group = "source", "source"
	}
	return all(ctx, conn, "exposing posts by "+group, `SELECT `+key+`, countIf(`+expCurrent+`), countIf(NOT (`+expCurrent+`))
		FROM exposures FINAL WHERE `+expRange+` AND exposed = 1 AND `+expOrgs+` GROUP BY `+group,
		scanKeyCount, p.args(clickhouse.Named("org", org))...)
}

// ExposureTotals are the posts that exposed someone and those that outed someone.
type ExposureTotals struct{ Exposing, Outing PeriodCount }

// CountExposures counts the posts exposing and outing someone that matched org ("" for all).
func CountExposures(ctx context.Context, conn driver.Conn, p Period, org string) (ExposureTotals, error) {
	var t ExposureTotals
	if err := conn.QueryRow(ctx, `SELECT countIf(exposed = 1 AND `+expCurrent+`), countIf(exposed = 1 AND NOT (`+expCurrent+`)),
		countIf(outing = 1 AND `+expCurrent+`), countIf(outing = 1 AND NOT (`+expCurrent+`))
		FROM exposures FINAL WHERE `+expRange+` AND `+expOrgs, p.args(clickhouse.Named("org", org))...).
		Scan(&t.Exposing.Current, &t.Exposing.Previous, &t.Outing.Current, &t.Outing.Previous); err != nil {
		return ExposureTotals{}, fmt.Errorf("exposing posts: %w", err)
	}
	return t, nil
}

// ViewsThreshold is the least number of views among the n most viewed post rows
// published in the current period.
func ViewsThreshold(ctx context.Context, conn driver.Conn, p Period, n int) (uint64, error) {
	var threshold uint64
	if err := conn.QueryRow(ctx, `SELECT min(v) FROM (SELECT views AS v FROM posts PREWHERE `+currentPeriod+`
		ORDER BY views DESC LIMIT @candidates)`, p.args(clickhouse.Named("candidates", n))...).Scan(&threshold); err != nil {
		return 0, fmt.Errorf("views threshold: %w", err)
	}
	return threshold, nil
}

// currentPeriod is the condition of a post published in the current period.
const currentPeriod = "published_at >= toDateTime(@from) AND published_at < toDateTime(@to)"

// ViewedPost is the newest version of a post as a report's notable posts list it.
type ViewedPost struct {
	ID, Source, Channel, URL, Title, Text string
	Views                                 uint64
	PublishedAt                           time.Time
}

// ViewedPosts reads the newest version of the posts ids published in the current period
// (the earliest publication time of any version), in no order. Their texts are raw: the
// caller redacts them.
func ViewedPosts(ctx context.Context, conn driver.Conn, p Period, ids []string) ([]ViewedPost, error) {
	return all(ctx, conn, "viewed posts", `SELECT id, argMax(source, version), argMax(channel, version), argMax(url, version),
		argMax(title, version), argMax(text, version), argMax(views, version), min(published_at)
		FROM posts
		PREWHERE id IN @ids AND `+currentPeriod+`
		GROUP BY id`, func(rows driver.Rows, x *ViewedPost) error {
		return rows.Scan(&x.ID, &x.Source, &x.Channel, &x.URL, &x.Title, &x.Text, &x.Views, &x.PublishedAt)
	}, p.args(clickhouse.Named("ids", storage.InSet(ids)))...)
}

// NarrativesOf maps those of the posts ids with a narrative classification to it (the
// newest version, FINAL).
func NarrativesOf(ctx context.Context, conn driver.Conn, ids []string) (map[string]Narrative, error) {
	out := map[string]Narrative{}
	err := each(ctx, conn, "narratives", `SELECT post_id, labels, score, result FROM classifications FINAL
		WHERE classifier = @classifier AND post_id IN @ids`, func(rows driver.Rows) error {
		var id string
		var n Narrative
		var score float32
		if err := rows.Scan(&id, &n.Frames, &score, &n.Result); err != nil {
			return err
		}
		n.Score = float64(score)
		out[id] = n
		return nil
	}, clickhouse.Named("classifier", narrative.Name), clickhouse.Named("ids", storage.InSet(ids)))
	if err != nil {
		return nil, err
	}
	return out, nil
}

// RedactedTextsOf maps those of the posts ids that the exposure classifier saw to the
// text it stored with every identifier masked (newest version, FINAL; "" when it found
// nothing to mask).
func RedactedTextsOf(ctx context.Context, conn driver.Conn, ids []string) (map[string]string, error) {
	out := map[string]string{}
	err := each(ctx, conn, "redacted texts", `SELECT post_id, redacted_text FROM exposures FINAL WHERE post_id IN @ids`,
		func(rows driver.Rows) error {
			var id, t string
			if err := rows.Scan(&id, &t); err != nil {
				return err
			}
			out[id] = t
			return nil
		}, clickhouse.Named("ids", storage.InSet(ids)))
	if err != nil {
		return nil, err
	}
	return out, nil
}

// scratchPrefix names the scratch tables of flagged posts; the creation time follows
// it, so that the scratch tables of a crashed process can be told from those of a
// running report.
const scratchPrefix = "tmp_report_"

// Flagged is a scratch Memory table with the newest version of every flagged narrative
// classification of a report's two periods, so that the narrative figures cost one scan
// of classifications. It lives until Drop (or a server restart).
type Flagged struct {
	conn driver.Conn
	p    Period
	// name is tmp_report_<unix seconds>_<16 hex digits>: an identifier cannot be bound,
	// so it is spliced into SQL, and only NewFlagged makes it.
	name string
}

// NewFlagged creates the empty scratch table of flagged posts of p; Fill fills it.
func NewFlagged(ctx context.Context, conn driver.Conn, p Period) (*Flagged, error) {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("scratch table name: %w", err)
	}
	f := &Flagged{conn: conn, p: p, name: scratchPrefix + strconv.FormatInt(time.Now().Unix(), 10) + "_" + hex.EncodeToString(b)}
	if err := conn.Exec(ctx, `CREATE TABLE `+f.name+` (post_id String, source String, channel String, author String,
		lang String, published_at DateTime, labels Array(String), cur UInt8) ENGINE = Memory`); err != nil {
		return nil, fmt.Errorf("create scratch table: %w", err)
	}
	return f, nil
}

// SweepFlagged drops the scratch tables among tables (names of the current database)
// that a report which crashed more than six hours before now left behind. Best effort.
func SweepFlagged(ctx context.Context, conn driver.Conn, tables []string, now time.Time) {
	cutoff := now.Add(-6 * time.Hour).Unix()
	for _, name := range tables {
		rest, ok := strings.CutPrefix(name, scratchPrefix)
		if !ok {
			continue
		}
		ts, _, ok := strings.Cut(rest, "_")
		if sec, err := strconv.ParseInt(ts, 10, 64); ok && err == nil && sec < cutoff && identifier(name) {
			_ = conn.Exec(ctx, "DROP TABLE IF EXISTS "+name)
		}
	}
}

// identifier reports whether name is safe to splice into SQL as a table name.
func identifier(name string) bool {
	for _, r := range name {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '_' {
			return false
		}
	}
	return name != ""
}

// Fill copies the newest version of every flagged narrative classification of posts
// published in chunk, a part of the two periods that cuts no month (the tables'
// partitions: a post's versions never straddle two). FINAL collapses versions before the
// flagged filter (the caller turns the PREWHERE optimisation off), so a post
// re-classified as not flagged is not counted. ClickHouse 18.16 merges FINAL in one
// thread per query: the caller fills months concurrently.
func (f *Flagged) Fill(ctx context.Context, chunk Span) error {
	err := f.conn.Exec(ctx, `INSERT INTO `+f.name+` (post_id, source, channel, author, lang, published_at, labels, cur)
SELECT post_id, source, channel, author, lang, published_at, labels, toUInt8(published_at >= toDateTime(@from))
FROM classifications FINAL
WHERE classifier = @classifier AND published_at >= toDateTime(@chunk_from) AND published_at < toDateTime(@chunk_to) AND flagged = 1`,
		f.p.chunkArgs(chunk, clickhouse.Named("classifier", narrative.Name))...)
	if err != nil {
		return fmt.Errorf("collect flagged narrative posts: %w", err)
	}
	return nil
}

// Drop drops the scratch table. Best effort.
func (f *Flagged) Drop(ctx context.Context) {
	_ = f.conn.Exec(ctx, "DROP TABLE IF EXISTS "+f.name)
}

// Size counts the flagged posts per period.
func (f *Flagged) Size(ctx context.Context) (PeriodCount, error) {
	var c PeriodCount
	if err := f.conn.QueryRow(ctx, `SELECT countIf(cur = 1), countIf(cur = 0) FROM `+f.name).
		Scan(&c.Current, &c.Previous); err != nil {
		return PeriodCount{}, fmt.Errorf("count flagged: %w", err)
	}
	return c, nil
}

// FlaggedTotals are the flagged posts and the distinct channels and (named) accounts
// that published them.
type FlaggedTotals struct{ Posts, Channels, Accounts PeriodCount }

// Totals counts the flagged posts and their channels and accounts per period.
func (f *Flagged) Totals(ctx context.Context) (FlaggedTotals, error) {
	var t FlaggedTotals
	if err := f.conn.QueryRow(ctx, `SELECT countIf(cur = 1), countIf(cur = 0),
		uniqExactIf(source, channel, cur = 1), uniqExactIf(source, channel, cur = 0),
		uniqExactIf(source, author, cur = 1 AND author != ''), uniqExactIf(source, author, cur = 0 AND author != '')
		FROM `+f.name).Scan(&t.Posts.Current, &t.Posts.Previous, &t.Channels.Current, &t.Channels.Previous,
		&t.Accounts.Current, &t.Accounts.Previous); err != nil {
		return FlaggedTotals{}, fmt.Errorf("count flagged: %w", err)
	}
	return t, nil
}

// FlaggedGroup is what flagged posts are counted by.
type FlaggedGroup int

// The groupings of CountBy.
const (
	// ByFrame counts a post once under each of its frames.
	ByFrame FlaggedGroup = iota
	// ByLanguage names posts of no detected language "unknown".
	ByLanguage
	// BySource is by platform.
	BySource
)

// CountBy counts the flagged posts per period by frame, language or platform, in no order.
func (f *Flagged) CountBy(ctx context.Context, by FlaggedGroup) ([]KeyCount, error) {
	var sql string
	switch by {
	case ByFrame:
		sql = `SELECT frame, countIf(cur = 1), countIf(cur = 0) FROM ` + f.name + ` ARRAY JOIN labels AS frame GROUP BY frame`
	case ByLanguage:
		sql = `SELECT if(lang = '', 'unknown', lang), countIf(cur = 1), countIf(cur = 0) FROM ` + f.name + ` GROUP BY lang`
	case BySource:
		sql = `SELECT source, countIf(cur = 1), countIf(cur = 0) FROM ` + f.name + ` GROUP BY source`
	default:
		return nil, fmt.Errorf("count flagged: unknown grouping %d", by)
	}
	return all(ctx, f.conn, "count flagged", sql, scanKeyCount)
}

// Bucket is the step of a timeline.
type Bucket string

// The timeline steps.
const (
	Day   Bucket = "day"
	Week  Bucket = "week"
	Month Bucket = "month"
)

// expr is the ClickHouse expression of the bucket of col (18.16 has no toStartOfInterval).
func (b Bucket) expr(col string) string {
	switch b {
	case Week:
		return "toMonday(" + col + ")"
	case Month:
		return "toStartOfMonth(" + col + ")"
	}
	return "toDate(" + col + ")"
}

// BucketFrame is the number of flagged posts of a frame in a timeline bucket, named by
// its first day ("2006-01-02").
type BucketFrame struct {
	Bucket, Frame string
	Posts         uint64
}

// Timeline counts the flagged posts of the current period per bucket and frame, in no
// order (buckets without posts are absent).
func (f *Flagged) Timeline(ctx context.Context, b Bucket) ([]BucketFrame, error) {
	return all(ctx, f.conn, "timeline", `SELECT toString(`+b.expr("published_at")+`) AS b, frame, count()
		FROM `+f.name+` ARRAY JOIN labels AS frame WHERE cur = 1 GROUP BY b, frame`,
		func(rows driver.Rows, x *BucketFrame) error { return rows.Scan(&x.Bucket, &x.Frame, &x.Posts) })
}

// Publisher is who published flagged posts: a channel or an account.
type Publisher string

// The publishers of Top.
const (
	Channel Publisher = "channel"
	Account Publisher = "author"
)

// TopRow is a publisher's number of flagged posts of a frame.
type TopRow struct {
	Frame, Platform, Name string
	Posts                 uint64
}

// Top lists, per frame, the n publishers (channels or accounts; unnamed ones left out)
// with the most flagged posts of the current period: by frame, then most posts first,
// then platform and name.
func (f *Flagged) Top(ctx context.Context, by Publisher, n int) ([]TopRow, error) {
	col := "channel"
	if by == Account {
		col = "author"
	}
	return all(ctx, f.conn, "top "+col+"s", `SELECT frame, source, `+col+` AS name, count() AS n
			FROM `+f.name+` ARRAY JOIN labels AS frame WHERE cur = 1 AND `+col+` != ''
			GROUP BY frame, source, name ORDER BY frame, n DESC, source, name LIMIT @top BY frame`,
		func(rows driver.Rows, s *TopRow) error { return rows.Scan(&s.Frame, &s.Platform, &s.Name, &s.Posts) },
		clickhouse.Named("top", n))
}

// MostViewed lists the ids of at most n flagged posts of the current period with at
// least minViews views on some version, most viewed first (then by id).
func (f *Flagged) MostViewed(ctx context.Context, minViews uint64, n int) ([]string, error) {
	return all(ctx, f.conn, "most viewed", `SELECT id FROM posts
			PREWHERE `+currentPeriod+` AND views >= @threshold
			WHERE id IN (SELECT post_id FROM `+f.name+` WHERE cur = 1)
			GROUP BY id ORDER BY max(views) DESC, id LIMIT @n`,
		func(rows driver.Rows, id *string) error { return rows.Scan(id) },
		f.p.args(clickhouse.Named("threshold", minViews), clickhouse.Named("n", n))...)
}

// Sample is a deterministic sample of posts by the hash of their id: a post is in it
// when cityHash64(id) % Buckets < Keep.
type Sample struct{ Buckets, Keep uint64 }

// SampledText is the newest title and text of a flagged post, and whether it was
// published in the current period.
type SampledText struct {
	Title, Text string
	Current     bool
}

// SampledTexts calls fn with the newest title and text of each flagged post of both
// periods in the sample s, leaving out posts that expose someone (their raw text must
// not reach a term list). The sample condition is on the post id's hash, so it filters
// posts in PREWHERE before the (costlier) membership test in the flagged set.
func (f *Flagged) SampledTexts(ctx context.Context, s Sample, fn func(SampledText) error) error {
	inSample := func(col string) string { return "cityHash64(" + col + ") % @buckets < @keep" }
	return each(ctx, f.conn, "sampled texts", `SELECT argMax(title, version), argMax(text, version), min(published_at) >= toDateTime(@from)
		FROM posts
		PREWHERE published_at >= toDateTime(@prev) AND published_at < toDateTime(@to) AND `+inSample("id")+`
		WHERE id IN (SELECT post_id FROM `+f.name+` WHERE `+inSample("post_id")+`)
		  AND id NOT IN (SELECT post_id FROM exposures FINAL
		                 WHERE published_at >= toDateTime(@prev) AND published_at < toDateTime(@to) AND exposed = 1)
		GROUP BY id`, func(rows driver.Rows) error {
		var t SampledText
		var cur uint8
		if err := rows.Scan(&t.Title, &t.Text, &cur); err != nil {
			return err
		}
		t.Current = cur == 1
		return fn(t)
	}, f.p.args(clickhouse.Named("buckets", s.Buckets), clickhouse.Named("keep", s.Keep))...)
}
