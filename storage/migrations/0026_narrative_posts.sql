-- The narrative explorer's time-ordered table (package web): one row per narrative
-- classification of a post (flagged or not), written by the store role next to
-- classifications (web.InsertNarrativePosts) and back-filled once by 0027. posts and
-- classifications are ordered by post id, so a "newest flagged posts" read had to scan a
-- month; here a day's flagged rows are contiguous and ordered by time. Re-delivery
-- writes the same key and collapses (newest version wins); a post re-classified as not
-- flagged gets a flagged = 0 row under another key, which the explorer compares by
-- version. text is the post text for flagged posts only, and empty for posts the
-- exposure classifier flagged (those are shown redacted from exposures), so that no raw
-- text of an exposing post is copied here. Partitioned by month like posts, for retention.
CREATE TABLE IF NOT EXISTS narrative_posts (
    published_at DateTime,
    flagged UInt8,
    post_id String,
    source String,
    channel String,
    author String,
    lang String,
    url String,
    frames Array(String),
    score Float32,
    result String,
    text String,
    classified_at DateTime,
    version UInt64
) ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(published_at)
ORDER BY (toDate(published_at), flagged, published_at, post_id)
