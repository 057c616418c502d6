package storage

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// partitionedTables are dropped together by month of publication.
var partitionedTables = []string{"posts", "classifications", "exposures", "narrative_posts", "tip_campaigns"}

// partitionExpr is the PARTITION BY expression of each partitioned table.
var partitionExpr = map[string]string{
	"posts": "toYYYYMM(published_at)", "classifications": "toYYYYMM(published_at)", "exposures": "toYYYYMM(published_at)",
	"narrative_posts": "toYYYYMM(published_at)", "tip_campaigns": "toYYYYMM(first_seen)",
}

// DropPartitionsBefore drops the monthly partitions of posts, classifications and
// exposures that lie wholly before cutoff, and logs each drop in retention_log. It
// returns the partitions it dropped.
func DropPartitionsBefore(ctx context.Context, conn driver.Conn, cutoff time.Time, now time.Time) ([]string, error) {
	return DropPartitionsBeforeLayout(ctx, conn, Layout{}, cutoff, now)
}

// DropPartitionsBeforeLayout is DropPartitionsBefore for a layout. In a cluster it lists
// the partitions of the local tables on every server (cluster table function) and drops
// them with ALTER TABLE <t>_local ON CLUSTER ... DROP PARTITION, which every shard
// applies and replicates.
func DropPartitionsBeforeLayout(ctx context.Context, conn driver.Conn, layout Layout, cutoff time.Time, now time.Time) ([]string, error) {
	if err := layout.validate(); err != nil {
		return nil, err
	}
	limit := cutoff.UTC().Year()*100 + int(cutoff.UTC().Month()) // partitions < this month are wholly older
	var dropped []string
	for _, table := range partitionedTables {
		// Values are bound by the driver; identifiers (table, cluster, database) cannot be
		// bound and come from the fixed list above and the validated layout.
		list := `SELECT DISTINCT partition FROM system.parts
			WHERE database = currentDatabase() AND table = @table AND active = 1`
		listArgs := []any{clickhouse.Named("table", table)}
		drop := "ALTER TABLE " + table + " DROP PARTITION @partition"
		if layout.Clustered() {
			list = `SELECT DISTINCT partition FROM cluster(@cluster, 'system', 'parts')
				WHERE database = @database AND table = @table AND active = 1`
			listArgs = []any{clickhouse.Named("cluster", layout.Cluster), clickhouse.Named("database", layout.Database),
				clickhouse.Named("table", table+LocalSuffix)}
			drop = fmt.Sprintf("ALTER TABLE %s.%s%s ON CLUSTER %s DROP PARTITION @partition", layout.Database, table, LocalSuffix, layout.Cluster)
		}
		rows, err := conn.Query(ctx, list, listArgs...)
		if err != nil {
			return dropped, fmt.Errorf("retention: list partitions of %s: %w", table, err)
		}
		var parts []string
		for rows.Next() {
			var p string
			if err := rows.Scan(&p); err != nil {
				rows.Close()
				return dropped, err
			}
			parts = append(parts, p)
		}
		rows.Close()
		for _, p := range parts {
			var month int
			if _, err := fmt.Sscanf(p, "%d", &month); err != nil || month >= limit {
				continue
			}
			err := conn.Exec(ctx, drop, clickhouse.Named("partition", month))
			var ex *clickhouse.Exception
			if layout.Clustered() && errors.As(err, &ex) && ex.Code == 194 {
				// ClickHouse 18.16 forwards DROP PARTITION from a follower replica to the
				// shard's leader without the user's password, and the leader refuses it
				// (code 194). A mutation needs no leader: delete the month's rows instead
				// (applied in the background; a rerun repeats it harmlessly).
				err = conn.Exec(ctx, fmt.Sprintf("ALTER TABLE %s.%s%s ON CLUSTER %s DELETE WHERE %s = @partition",
					layout.Database, table, LocalSuffix, layout.Cluster, partitionExpr[table]), clickhouse.Named("partition", month))
			}
			if err != nil {
				return dropped, fmt.Errorf("retention: drop %s partition %d: %w", table, month, err)
			}
			b, err := conn.PrepareBatch(ctx, "INSERT INTO retention_log (table_name, partition_id, purged_at, reason)")
			if err != nil {
				return dropped, err
			}
			_ = b.Append(table, p, now.UTC(), "retention.posts")
			if err := b.Send(); err != nil {
				return dropped, err
			}
			dropped = append(dropped, table+":"+p)
		}
	}
	return dropped, nil
}

// RedactExposingPosts replaces, for posts published before cutoff that the exposure
// classifier flagged, the raw text in posts with the redacted text kept in exposures. It
// writes a newer version of each posts row, so ReplacingMergeTree keeps only the redacted
// one. It returns how many posts it redacted.
func RedactExposingPosts(ctx context.Context, conn driver.Conn, cutoff time.Time, now time.Time) (int, error) {
	rows, err := conn.Query(ctx, `
		SELECT p.id, p.source, p.channel, p.author, p.url, p.title, e.redacted_text, p.published_at, p.collected_at,
		       p.views, p.forwarded_from, p.reply_to, p.media_kinds, p.media_urls, p.lang,
		       p.kind, p.parent_id, p.root_id, p.forwards, p.comments
		FROM (SELECT * FROM posts FINAL WHERE published_at < ?) AS p
		ANY INNER JOIN (SELECT post_id AS id, redacted_text FROM exposures FINAL WHERE exposed = 1 OR outing = 1) AS e
		USING id
		WHERE p.text != e.redacted_text`, cutoff.UTC())
	if err != nil {
		return 0, fmt.Errorf("retention: find exposing posts: %w", err)
	}
	type row struct {
		id, source, channel, author, url, title, text string
		published, collected                          time.Time
		views                                         uint64
		fwd, reply                                    string
		kinds, urls                                   []string
		lang                                          string
		kind, parent, root                            string
		forwards, comments                            uint64
	}
	var out []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.source, &r.channel, &r.author, &r.url, &r.title, &r.text, &r.published, &r.collected,
			&r.views, &r.fwd, &r.reply, &r.kinds, &r.urls, &r.lang, &r.kind, &r.parent, &r.root, &r.forwards,
			&r.comments); err != nil {
			rows.Close()
			return 0, err
		}
		out = append(out, r)
	}
	rows.Close()
	if len(out) == 0 {
		return 0, nil
	}
	b, err := conn.PrepareBatch(ctx, insertPosts)
	if err != nil {
		return 0, err
	}
	defer b.Close()
	ver := uint64(now.UnixNano())
	for _, r := range out {
		if err := b.Append(r.id, r.source, r.channel, r.author, r.url, r.title, r.text, r.published, r.collected,
			r.views, r.fwd, r.reply, r.kinds, r.urls, r.lang, "redacted", ver, r.kind, r.parent, r.root, r.forwards,
			r.comments); err != nil {
			return 0, err
		}
	}
	if err := b.Send(); err != nil {
		return 0, fmt.Errorf("retention: write redacted posts: %w", err)
	}
	return len(out), nil
}
