package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// Reads of the fact tables (posts, exposures) for other roles' needs, so that their SQL
// stays with the package that writes them (issue 20).

// InSet binds a list of strings for `x IN ?` (a plain slice would bind as an array
// literal). Every package that filters by a list of ids binds it through this.
func InSet(vs []string) clickhouse.GroupSet {
	g := clickhouse.GroupSet{Value: make([]any, len(vs))}
	for i, v := range vs {
		g.Value[i] = v
	}
	return g
}

// CollectedExposure is a stored exposure as a backfill digest reads it.
type CollectedExposure struct {
	Source, Channel, URL     string
	PublishedAt, CollectedAt time.Time
	Severity                 string
	Categories               []string
	// Orgs and Members are parallel: Members[i] is a member of Orgs[i].
	Orgs, Members []string
}

// ExposuresCollected calls fn for each exposure row (exposed or not) matching org that
// was collected in [from, to), newest collection first; rows are streamed, not held.
func ExposuresCollected(ctx context.Context, conn driver.Conn, org string, from, to time.Time, fn func(CollectedExposure) error) error {
	rows, err := conn.Query(ctx, `SELECT source, channel, url, published_at, collected_at, toString(severity), categories,
		orgs, members FROM exposures FINAL
		WHERE has(orgs, ?) AND collected_at >= ? AND collected_at < ?
		ORDER BY collected_at DESC, post_id`, org, from, to)
	if err != nil {
		return fmt.Errorf("read exposures: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e CollectedExposure
		if err := rows.Scan(&e.Source, &e.Channel, &e.URL, &e.PublishedAt, &e.CollectedAt, &e.Severity,
			&e.Categories, &e.Orgs, &e.Members); err != nil {
			return fmt.Errorf("read exposures: %w", err)
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read exposures: %w", err)
	}
	return nil
}

// PostText is the text, language, URL and collection time of a post's newest version.
type PostText struct {
	Text, Lang, URL string
	CollectedAt     time.Time
}

// PostTexts reads the newest version of the posts ids of sources published in [lo, hi]
// (both ends included). argMax by version reads only the granules of these ids (primary
// key source, id), where FINAL would merge every part of the table on ClickHouse 18.16;
// the publication range prunes the monthly partitions that are probed. The web
// explorer and feedback training read post texts through it.
func PostTexts(ctx context.Context, conn driver.Conn, sources, ids []string, lo, hi time.Time) (map[string]PostText, error) {
	rows, err := conn.Query(ctx, `SELECT id, argMax(text, version), argMax(lang, version), argMax(url, version),
		argMax(collected_at, version) FROM posts
		WHERE source IN ? AND id IN ? AND published_at >= ? AND published_at <= ? GROUP BY id`,
		InSet(sources), InSet(ids), lo, hi)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]PostText{}
	for rows.Next() {
		var id string
		var t PostText
		if err := rows.Scan(&id, &t.Text, &t.Lang, &t.URL, &t.CollectedAt); err != nil {
			return nil, err
		}
		out[id] = t
	}
	return out, rows.Err()
}

// ExposingPosts maps those of the posts ids of sources published in [lo, hi] that expose
// someone by their newest exposure row (exposed = 1) to their redacted text. The web
// explorer shows the redacted text; feedback training leaves these posts out.
func ExposingPosts(ctx context.Context, conn driver.Conn, sources, ids []string, lo, hi time.Time) (map[string]string, error) {
	rows, err := conn.Query(ctx, `SELECT post_id, argMax(redacted_text, version) FROM exposures
		WHERE source IN ? AND post_id IN ? AND published_at >= ? AND published_at <= ?
		GROUP BY post_id HAVING argMax(exposed, version) = 1`, InSet(sources), InSet(ids), lo, hi)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, t string
		if err := rows.Scan(&id, &t); err != nil {
			return nil, err
		}
		out[id] = t
	}
	return out, rows.Err()
}

// StoredExposure is an exposure row as an incident page shows it: the post's place and
// the redacted text, never the raw one.
type StoredExposure struct {
	PostID, Source, Channel, URL string
	PublishedAt                  time.Time
	Severity                     string
	Categories                   []string
	RedactedText                 string
}

// ExposuresOf reads the exposure rows of the posts ids, oldest publication first.
func ExposuresOf(ctx context.Context, conn driver.Conn, ids []string) ([]StoredExposure, error) {
	rows, err := conn.Query(ctx, `SELECT post_id, source, channel, url, published_at, toString(severity), categories,
		redacted_text FROM exposures FINAL WHERE post_id IN ? ORDER BY published_at`, InSet(ids))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []StoredExposure
	for rows.Next() {
		var e StoredExposure
		if err := rows.Scan(&e.PostID, &e.Source, &e.Channel, &e.URL, &e.PublishedAt, &e.Severity, &e.Categories,
			&e.RedactedText); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// RawTexts reads the stored raw texts of the posts ids (absent or "" once retention has
// purged them). Only audited unredacted views may call it.
func RawTexts(ctx context.Context, conn driver.Conn, ids []string) (map[string]string, error) {
	rows, err := conn.Query(ctx, `SELECT id, text FROM posts FINAL WHERE id IN ?`, InSet(ids))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, t string
		if err := rows.Scan(&id, &t); err != nil {
			return nil, err
		}
		out[id] = t
	}
	return out, rows.Err()
}

// CountExposing counts the posts published in [from, to) whose exposure row says they
// expose someone.
func CountExposing(ctx context.Context, conn driver.Conn, from, to time.Time) (uint64, error) {
	var n uint64
	err := conn.QueryRow(ctx, `SELECT count() FROM exposures FINAL
		WHERE exposed = 1 AND published_at >= ? AND published_at < ?`, from, to).Scan(&n)
	return n, err
}
