-- Posts in the common schema. ReplacingMergeTree keyed by id makes re-delivery and
-- re-collection idempotent (query with FINAL or argMax); the newest version (collection
-- time in nanoseconds) wins, so edits and view counts refresh. Partitioned by month of
-- publication so retention drops whole partitions (18.16 has no TTL).
CREATE TABLE IF NOT EXISTS posts (
    id String,
    source String,
    channel String,
    author String,
    url String,
    title String,
    text String,
    published_at DateTime,
    collected_at DateTime,
    views UInt64,
    forwarded_from String,
    reply_to String,
    media_kinds Array(String),
    media_urls Array(String),
    lang String,
    content_hash String,
    version UInt64
) ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(published_at)
ORDER BY (source, id)
