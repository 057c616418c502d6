package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// NarrativePost is one row of narrative_posts (migration 0026), the explorer's
// time-ordered copy of a narrative classification. Text is set only for flagged posts
// that the exposure classifier did not flag, so that the table never holds the raw text
// of a post exposing someone (the explorer shows those from exposures, redacted).
type NarrativePost struct {
	PostID       string
	Source       string
	Channel      string
	Author       string
	Lang         string
	URL          string
	PublishedAt  time.Time
	Flagged      bool
	Frames       []string
	Score        float64
	Result       string
	Text         string
	ClassifiedAt time.Time
	// ModelVersion is the model version of the classification (migration 0041), for the
	// explorer's model filter and the analysts' labels.
	ModelVersion string
}

const insertNarrativePosts = `INSERT INTO narrative_posts (published_at, flagged, post_id, source, channel, author, lang,
	url, frames, score, result, text, classified_at, version, model_version)`

// InsertNarrativePosts writes narrative_posts rows in one INSERT. The store role calls
// it with results.NarrativeRows of the batch it writes to classifications (anything else that
// writes narrative classifications must write these rows too); the version is the
// classification time in nanoseconds, as in classifications, so a redelivered batch
// collapses and a re-classification wins.
func InsertNarrativePosts(ctx context.Context, conn driver.Conn, nps []NarrativePost) error {
	if len(nps) == 0 {
		return nil
	}
	b, err := conn.PrepareBatch(ctx, insertNarrativePosts)
	if err != nil {
		return fmt.Errorf("insert narrative posts: prepare: %w", err)
	}
	defer b.Close()
	for _, r := range nps {
		frames := r.Frames
		if frames == nil {
			frames = []string{}
		}
		if err := b.Append(ClampTime(r.PublishedAt), boolU8(r.Flagged), r.PostID, r.Source, r.Channel, r.Author, r.Lang,
			r.URL, frames, float32(r.Score), r.Result, r.Text, ClampTime(r.ClassifiedAt),
			uint64(r.ClassifiedAt.UnixNano()), r.ModelVersion); err != nil {
			return fmt.Errorf("insert narrative posts: row %s: %w", r.PostID, err)
		}
	}
	if err := b.Send(); err != nil {
		return fmt.Errorf("insert narrative posts: send %d rows: %w", len(nps), err)
	}
	return nil
}

func boolU8(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}
