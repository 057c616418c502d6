// Package readmodel holds the page- and figure-shaped reads of the web UI and the
// reports over the fact tables the store role writes (posts, classifications,
// exposures, narrative_posts, narrative_daily), so that their SQL stays with the package
// that owns those tables (issue 20). Every function takes typed filters and returns
// typed rows; every value is bound by the driver, never formatted into SQL. Redaction,
// scoping and auditing stay with the callers, which decide what a reader may see.
package readmodel

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/kuzot/kuzot/storage"
)

// CountPosts counts the stored post rows published in [from, to).
func CountPosts(ctx context.Context, conn driver.Conn, from, to time.Time) (uint64, error) {
	var n uint64
	if err := conn.QueryRow(ctx, `SELECT count() FROM posts WHERE published_at >= ? AND published_at < ?`,
		from, to).Scan(&n); err != nil {
		return 0, fmt.Errorf("count posts: %w", err)
	}
	return n, nil
}

// Days is a range of whole UTC dates [From, To) of narrative_daily, as "2006-01-02".
type Days struct{ From, To string }

// DaysOf is the range of whole UTC dates covering the period [from, to): a period that
// ends within a day includes that day.
func DaysOf(from, to time.Time) Days {
	from, to = from.UTC(), to.UTC()
	d := Days{From: from.Format(time.DateOnly), To: to.Format(time.DateOnly)}
	if !to.Equal(to.Truncate(24 * time.Hour)) {
		d.To = to.Add(24 * time.Hour).Format(time.DateOnly)
	}
	return d
}

// DayFrame is the number of distinct flagged posts of one frame on one day.
type DayFrame struct {
	Day   time.Time
	Frame string
	Posts uint64
}

// The narrative counts below come from narrative_daily (migrations 0023-0025): distinct
// flagged posts per day, frame, source and channel as uniqExact states, so that a page
// reads a few thousand small rows instead of a month of classifications (the base table
// is ordered by post id, and FINAL over it is far too slow on ClickHouse 18.16).

// DailyFrames lists the distinct flagged posts per day and frame of days, by day and frame.
func DailyFrames(ctx context.Context, conn driver.Conn, days Days) ([]DayFrame, error) {
	return all(ctx, conn, "daily frames", `SELECT day, frame, uniqExactMerge(posts) AS n FROM narrative_daily
		WHERE day >= toDate(?) AND day < toDate(?) AND frame != '' GROUP BY day, frame ORDER BY day, frame`,
		func(rows driver.Rows, p *DayFrame) error { return rows.Scan(&p.Day, &p.Frame, &p.Posts) }, days.From, days.To)
}

// CountFlagged counts the distinct flagged posts of days.
func CountFlagged(ctx context.Context, conn driver.Conn, days Days) (uint64, error) {
	var n uint64
	if err := conn.QueryRow(ctx, `SELECT uniqExactMerge(posts) FROM narrative_daily
		WHERE day >= toDate(?) AND day < toDate(?)`, days.From, days.To).Scan(&n); err != nil {
		return 0, fmt.Errorf("count flagged: %w", err)
	}
	return n, nil
}

// ChannelCount is the number of distinct flagged posts of a channel, named "source:channel".
type ChannelCount struct {
	Channel string
	Posts   uint64
}

// TopChannels lists the limit channels with the most distinct flagged posts of days,
// most first (ties by name).
func TopChannels(ctx context.Context, conn driver.Conn, days Days, limit int) ([]ChannelCount, error) {
	return all(ctx, conn, "top channels", `SELECT concat(source, ':', channel) AS ch, uniqExactMerge(posts) AS n
		FROM narrative_daily WHERE day >= toDate(?) AND day < toDate(?)
		GROUP BY ch ORDER BY n DESC, ch LIMIT ?`,
		func(rows driver.Rows, c *ChannelCount) error { return rows.Scan(&c.Channel, &c.Posts) }, days.From, days.To, limit)
}

// NarrativeFilter selects narrative_posts rows; empty fields match everything.
type NarrativeFilter struct {
	Frame, Lang, Source, Channel, Model string
	// Text is a case-insensitive substring of the text (flagged texts only: the table
	// holds no other text).
	Text string
	// All includes unflagged rows.
	All bool
}

// Candidates are the distinct post ids of a candidate read, newest first, with the range
// of their publication times and the number of rows read (duplicate versions included).
type Candidates struct {
	IDs    []string
	Lo, Hi time.Time
	Rows   int
}

// NarrativeCandidates reads the newest (at most limit) narrative_posts rows matching f
// published in [from, to), with narrow columns and without FINAL: the table is ordered
// by day, flagged and time, so a top-N read touches few granules. The rows may be stale
// versions; the caller checks the candidates' newest versions (NewestNarratives).
func NarrativeCandidates(ctx context.Context, conn driver.Conn, f NarrativeFilter, from, to time.Time, limit int) (Candidates, error) {
	var where []string
	args := []any{from, to}
	add := func(cond string, v string) {
		if v != "" {
			where = append(where, cond)
			args = append(args, v)
		}
	}
	add(`has(frames, ?)`, f.Frame)
	add(`lang = ?`, f.Lang)
	add(`source = ?`, f.Source)
	add(`channel = ?`, f.Channel)
	add(`positionCaseInsensitiveUTF8(text, ?) > 0`, f.Text)
	add(`model_version = ?`, f.Model)
	// All posts: unflagged rows too (the server refuses a text search there, as
	// narrative_posts holds flagged texts only).
	flagged := `flagged = 1 AND `
	if f.All {
		flagged = ``
	}
	cond := ""
	if len(where) > 0 {
		cond = ` WHERE ` + strings.Join(where, " AND ")
	}
	var c Candidates
	seen := map[string]bool{}
	err := each(ctx, conn, "narrative candidates", `SELECT post_id, published_at FROM narrative_posts
		PREWHERE `+flagged+`published_at >= ? AND published_at < ?`+cond+`
		ORDER BY published_at DESC, post_id LIMIT ?`, func(rows driver.Rows) error {
		var id string
		var at time.Time
		if err := rows.Scan(&id, &at); err != nil {
			return err
		}
		c.Rows++
		if seen[id] {
			return nil
		}
		seen[id] = true
		c.IDs = append(c.IDs, id)
		if c.Lo.IsZero() || at.Before(c.Lo) {
			c.Lo = at
		}
		if at.After(c.Hi) {
			c.Hi = at
		}
		return nil
	}, append(args, limit)...)
	if err != nil {
		return Candidates{}, err
	}
	return c, nil
}

// NarrativeVersion is one version of a post's row in narrative_posts.
type NarrativeVersion struct {
	storage.NarrativePost
	// Version orders a post's versions (the classification time in nanoseconds).
	Version uint64
}

// NewestNarratives reads the narrative_posts rows of ids published within [lo, hi] and
// keeps each post's newest version (the table is a ReplacingMergeTree read without
// FINAL, so older versions may still be there). ClassifiedAt is not read.
func NewestNarratives(ctx context.Context, conn driver.Conn, lo, hi time.Time, ids []string) (map[string]NarrativeVersion, error) {
	newest := map[string]NarrativeVersion{}
	err := each(ctx, conn, "narrative rows", `SELECT post_id, source, channel, author, lang, url, published_at, frames, score,
		result, text, flagged, version, model_version FROM narrative_posts
		PREWHERE published_at >= ? AND published_at <= ? AND post_id IN ?`, func(rows driver.Rows) error {
		var x NarrativeVersion
		var score float32
		var flagged uint8
		if err := rows.Scan(&x.PostID, &x.Source, &x.Channel, &x.Author, &x.Lang, &x.URL, &x.PublishedAt,
			&x.Frames, &score, &x.Result, &x.Text, &flagged, &x.Version, &x.ModelVersion); err != nil {
			return err
		}
		x.Score, x.Flagged = float64(score), flagged == 1
		if old, ok := newest[x.PostID]; !ok || x.Version > old.Version {
			newest[x.PostID] = x
		}
		return nil
	}, lo, hi, storage.InSet(ids))
	if err != nil {
		return nil, err
	}
	return newest, nil
}

// ExposureVerdicts maps those of the posts ids published within [lo, hi] that the
// exposure classifier classified to the time of its latest classification.
func ExposureVerdicts(ctx context.Context, conn driver.Conn, ids []string, lo, hi time.Time) (map[string]time.Time, error) {
	verdict := map[string]time.Time{}
	err := each(ctx, conn, "exposure verdicts", `SELECT post_id, max(classified_at) FROM classifications
		WHERE classifier = 'exposure' AND post_id IN ? AND published_at >= ? AND published_at <= ? GROUP BY post_id`,
		func(rows driver.Rows) error {
			var id string
			var at time.Time
			if err := rows.Scan(&id, &at); err != nil {
				return err
			}
			verdict[id] = at
			return nil
		}, storage.InSet(ids), lo, hi)
	if err != nil {
		return nil, err
	}
	return verdict, nil
}

// PostMeta is where and by whom a post was published (newest version), without its text.
type PostMeta struct {
	ID, Source, Channel, Author, URL, Lang string
	PublishedAt                            time.Time
}

// PostByID reads the newest version of the post id of source; found is false when
// there is none.
func PostByID(ctx context.Context, conn driver.Conn, source, id string) (p PostMeta, found bool, err error) {
	err = each(ctx, conn, "post "+id, `SELECT id, argMax(source, version), argMax(channel, version), argMax(author, version),
		argMax(url, version), argMax(lang, version), argMax(published_at, version)
		FROM posts WHERE source = ? AND id = ? GROUP BY id`, func(rows driver.Rows) error {
		found = true
		return rows.Scan(&p.ID, &p.Source, &p.Channel, &p.Author, &p.URL, &p.Lang, &p.PublishedAt)
	}, source, id)
	if err != nil {
		return PostMeta{}, false, err
	}
	return p, found, nil
}

// Narrative is a post's narrative classification.
type Narrative struct {
	Frames            []string
	Score             float64
	Result            string
	Flagged           bool
	ClassifierVersion string
}

// NarrativeOf reads the narrative classification of the post id published at
// publishedAt (which prunes the probe to one monthly partition); found is false when
// the post has none.
func NarrativeOf(ctx context.Context, conn driver.Conn, id string, publishedAt time.Time) (n Narrative, found bool, err error) {
	err = each(ctx, conn, "post "+id+": narrative", `SELECT labels, score, result, flagged, classifier_version
		FROM classifications FINAL WHERE classifier = 'narrative' AND post_id = ? AND published_at = ?`,
		func(rows driver.Rows) error {
			var score float32
			var flagged uint8
			if err := rows.Scan(&n.Frames, &score, &n.Result, &flagged, &n.ClassifierVersion); err != nil {
				return err
			}
			n.Score, n.Flagged, found = float64(score), flagged == 1, true
			return nil
		}, id, publishedAt)
	if err != nil {
		return Narrative{}, false, err
	}
	return n, found, nil
}

// Facets lists the languages and sources of the flagged narrative posts published in
// [from, to), unsorted. narrative_posts is ordered by day and flagged, so only the
// period's flagged rows are read.
func Facets(ctx context.Context, conn driver.Conn, from, to time.Time) (langs, sources []string, err error) {
	err = each(ctx, conn, "facets", `SELECT groupUniqArray(lang), groupUniqArray(source) FROM narrative_posts
		PREWHERE flagged = 1 AND published_at >= ? AND published_at < ?`,
		func(rows driver.Rows) error { return rows.Scan(&langs, &sources) }, from, to)
	if err != nil {
		return nil, nil, err
	}
	return langs, sources, nil
}

// ModelVersions lists the model versions of the narrative classifications of posts
// published in [from, to), most recently seen first (at most 50).
func ModelVersions(ctx context.Context, conn driver.Conn, from, to time.Time) ([]string, error) {
	return all(ctx, conn, "model versions", `SELECT model_version, max(published_at) AS last FROM narrative_posts
		PREWHERE published_at >= ? AND published_at < ? WHERE model_version != ''
		GROUP BY model_version ORDER BY last DESC LIMIT 50`, func(rows driver.Rows, v *string) error {
		var last time.Time
		return rows.Scan(v, &last)
	}, from, to)
}

// ChannelActivity is what was collected from one channel recently.
type ChannelActivity struct {
	Source, Channel string
	// Posts24h and Posts7d count post rows collected in the last day and week.
	Posts24h, Posts7d            uint64
	LastCollected, LastPublished time.Time
}

// SourceActivity reports, per channel (by source and channel, at most 1000), what was
// collected in the week up to now.
func SourceActivity(ctx context.Context, conn driver.Conn, now time.Time) ([]ChannelActivity, error) {
	return all(ctx, conn, "sources", `SELECT source, channel, countIf(collected_at >= ?) AS d1, count() AS d7,
		max(collected_at), max(published_at) FROM posts WHERE collected_at >= ?
		GROUP BY source, channel ORDER BY source, channel LIMIT 1000`, func(rows driver.Rows, s *ChannelActivity) error {
		return rows.Scan(&s.Source, &s.Channel, &s.Posts24h, &s.Posts7d, &s.LastCollected, &s.LastPublished)
	}, now.Add(-24*time.Hour).UTC(), now.Add(-7*24*time.Hour).UTC())
}

// Thread is the place of a post in its thread (migration 0070): kind post, comment or
// reply, and the ids of the item it answers and of the thread's root.
type Thread struct{ Kind, ParentID, RootID string }

// Threads maps the posts ids of sources published within [lo, hi] to their thread
// place (newest version).
func Threads(ctx context.Context, conn driver.Conn, sources, ids []string, lo, hi time.Time) (map[string]Thread, error) {
	out := map[string]Thread{}
	err := each(ctx, conn, "post threads", `SELECT id, argMax(kind, version), argMax(parent_id, version), argMax(root_id, version)
		FROM posts WHERE source IN ? AND id IN ? AND published_at >= ? AND published_at <= ? GROUP BY id`,
		func(rows driver.Rows) error {
			var id string
			var t Thread
			if err := rows.Scan(&id, &t.Kind, &t.ParentID, &t.RootID); err != nil {
				return err
			}
			out[id] = t
			return nil
		}, storage.InSet(sources), storage.InSet(ids), lo, hi)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// RootPost is a thread's root post as a comment shows it, without its text.
type RootPost struct {
	ID, Source, Author, Title string
	PublishedAt               time.Time
}

// RootPosts reads the posts ids of sources published no later than before (a root
// precedes its comments), newest version.
func RootPosts(ctx context.Context, conn driver.Conn, sources, ids []string, before time.Time) ([]RootPost, error) {
	return all(ctx, conn, "thread roots", `SELECT id, argMax(source, version), argMax(author, version),
		argMax(published_at, version), argMax(title, version)
		FROM posts WHERE source IN ? AND id IN ? AND published_at <= ? GROUP BY id`, func(rows driver.Rows, r *RootPost) error {
		return rows.Scan(&r.ID, &r.Source, &r.Author, &r.PublishedAt, &r.Title)
	}, storage.InSet(sources), storage.InSet(ids), before)
}

// Comments are the ids of a thread's comments and replies and the latest publication
// time among them.
type Comments struct {
	IDs    []string
	Latest time.Time
}

// CommentsOf lists the comments and replies (at most 10000) of the root post rootID of
// source published at or after since. Comments are published after their root and in
// its source, which bounds the scan of posts (no index on root_id).
func CommentsOf(ctx context.Context, conn driver.Conn, source, rootID string, since time.Time) (Comments, error) {
	var c Comments
	err := each(ctx, conn, "thread comments", `SELECT id, max(published_at) FROM posts
		WHERE source = ? AND published_at >= ? AND root_id = ? GROUP BY id LIMIT 10000`, func(rows driver.Rows) error {
		var id string
		var at time.Time
		if err := rows.Scan(&id, &at); err != nil {
			return err
		}
		c.IDs = append(c.IDs, id)
		if at.After(c.Latest) {
			c.Latest = at
		}
		return nil
	}, source, since, rootID)
	if err != nil {
		return Comments{}, err
	}
	return c, nil
}
