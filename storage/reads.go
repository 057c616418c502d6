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
