package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/kuzot/kuzot/post"
)

const insertPosts = `INSERT INTO posts (id, source, channel, author, url, title, text, published_at, collected_at,
	views, forwarded_from, reply_to, media_kinds, media_urls, lang, content_hash, version, kind, parent_id, root_id,
	forwards, comments)`

// InsertPosts writes posts in one batch. A new batch is built on every call, so a failed
// call can simply be repeated with the same rows (clickhouse-go marks a sent batch as used
// even when Send failed).
func InsertPosts(ctx context.Context, conn driver.Conn, posts []post.Post) error {
	if len(posts) == 0 {
		return nil
	}
	b, err := conn.PrepareBatch(ctx, insertPosts)
	if err != nil {
		return fmt.Errorf("insert posts: prepare: %w", err)
	}
	defer b.Close()
	for i := range posts {
		p := &posts[i]
		kinds := make([]string, len(p.Media))
		urls := make([]string, len(p.Media))
		for j, m := range p.Media {
			kinds[j], urls[j] = m.Kind, m.URL
		}
		if err := b.Append(p.ID, p.Source, p.Channel, p.Author, p.URL, p.Title, p.Text, ClampTime(p.PublishedAt),
			ClampTime(p.CollectedAt), nonNegative(p.Views), p.ForwardedFrom, p.ReplyTo, kinds, urls, p.Lang, p.ContentHash(),
			uint64(p.CollectedAt.UnixNano()), p.ThreadKind(), p.ParentID, p.RootID, nonNegative(p.Forwards),
			nonNegative(p.Comments)); err != nil {
			return fmt.Errorf("insert posts: row %s: %w", p.ID, err)
		}
	}
	if err := b.Send(); err != nil {
		return fmt.Errorf("insert posts: send %d rows: %w", len(posts), err)
	}
	return nil
}

func nonNegative(n int64) uint64 {
	if n < 0 {
		return 0
	}
	return uint64(n)
}

// Classification is one classifier's summary of one post, as stored in classifications.
type Classification struct {
	PostID            string
	Classifier        string
	ClassifierVersion string
	Flagged           bool
	Score             float64
	Labels            []string
	// Result is the classifier's JSON output (never raw personal data).
	Result       string
	Source       string
	Channel      string
	Author       string
	Lang         string
	PublishedAt  time.Time
	ClassifiedAt time.Time
}

const insertClassifications = `INSERT INTO classifications (post_id, classifier, classifier_version, flagged, score,
	labels, result, source, channel, author, lang, published_at, classified_at, version)`

// InsertClassifications writes classification rows in one batch.
func InsertClassifications(ctx context.Context, conn driver.Conn, rows []Classification) error {
	if len(rows) == 0 {
		return nil
	}
	b, err := conn.PrepareBatch(ctx, insertClassifications)
	if err != nil {
		return fmt.Errorf("insert classifications: prepare: %w", err)
	}
	defer b.Close()
	for _, r := range rows {
		flag := uint8(0)
		if r.Flagged {
			flag = 1
		}
		labels := r.Labels
		if labels == nil {
			labels = []string{}
		}
		if err := b.Append(r.PostID, r.Classifier, r.ClassifierVersion, flag, float32(r.Score), labels, r.Result,
			r.Source, r.Channel, r.Author, r.Lang, ClampTime(r.PublishedAt), ClampTime(r.ClassifiedAt),
			uint64(r.ClassifiedAt.UnixNano())); err != nil {
			return fmt.Errorf("insert classifications: row %s/%s: %w", r.Classifier, r.PostID, err)
		}
	}
	if err := b.Send(); err != nil {
		return fmt.Errorf("insert classifications: send %d rows: %w", len(rows), err)
	}
	return nil
}

// ClampTime keeps a time inside ClickHouse DateTime's range (1970..2105), since a
// malformed source date must not poison a whole batch. Every writer uses it so that all
// tables hold the same value for the same post.
func ClampTime(t time.Time) time.Time {
	lo := time.Unix(0, 0).UTC()
	hi := time.Date(2105, 12, 31, 0, 0, 0, 0, time.UTC)
	switch {
	case t.Before(lo):
		return lo
	case t.After(hi):
		return hi
	}
	return t.UTC()
}

// Exposure is one flagged post as stored in the exposures table: types, offsets and
// redacted text only, never the identifiers themselves.
type Exposure struct {
	PostID, Source, Channel, Author, URL, Lang string
	PublishedAt, CollectedAt                   time.Time
	Views                                      int64
	Exposed, Outing                            bool
	// Severity is none, low, medium, high or critical.
	Severity                 string
	Categories               []string
	EntityTypes              []string
	EntityStarts, EntityEnds []uint32
	RedactedText             string
	Orgs, Members            []string
	ClassifierVersion        string
	ClassifiedAt             time.Time
}

const insertExposures = `INSERT INTO exposures (post_id, source, channel, author, url, lang, published_at, collected_at,
	views, exposed, outing, severity, categories, entity_types, entity_starts, entity_ends, redacted_text, orgs, members,
	classifier_version, classified_at, version)`

// InsertExposures writes exposure rows in one batch.
func InsertExposures(ctx context.Context, conn driver.Conn, rows []Exposure) error {
	if len(rows) == 0 {
		return nil
	}
	b, err := conn.PrepareBatch(ctx, insertExposures)
	if err != nil {
		return fmt.Errorf("insert exposures: prepare: %w", err)
	}
	defer b.Close()
	for _, r := range rows {
		if err := b.Append(r.PostID, r.Source, r.Channel, r.Author, r.URL, r.Lang, ClampTime(r.PublishedAt),
			ClampTime(r.CollectedAt), nonNegative(r.Views), BoolU8(r.Exposed), BoolU8(r.Outing), r.Severity, NonNil(r.Categories),
			NonNil(r.EntityTypes), NonNil(r.EntityStarts), NonNil(r.EntityEnds), r.RedactedText, NonNil(r.Orgs),
			NonNil(r.Members), r.ClassifierVersion, ClampTime(r.ClassifiedAt), uint64(r.ClassifiedAt.UnixNano())); err != nil {
			return fmt.Errorf("insert exposures: row %s: %w", r.PostID, err)
		}
	}
	if err := b.Send(); err != nil {
		return fmt.Errorf("insert exposures: send %d rows: %w", len(rows), err)
	}
	return nil
}

// BoolU8 maps a bool onto a UInt8 column.
func BoolU8(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}

// NonNil returns s, or an empty slice for nil: ClickHouse array columns take no nil.
func NonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
