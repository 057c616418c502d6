-- One row per (classifier, post): the summary every classifier gives (flagged, score,
-- labels such as narrative frames or exposed data types) plus its full JSON result, with
-- the post's source, channel, author, language and date copied in so that dashboards
-- count by frame, language, source and day without a join. Exposure results carry no
-- personal data: entities are types and offsets only.
CREATE TABLE IF NOT EXISTS classifications (
    post_id String,
    classifier String,
    classifier_version String,
    flagged UInt8,
    score Float32,
    labels Array(String),
    result String,
    source String,
    channel String,
    author String,
    lang String,
    published_at DateTime,
    classified_at DateTime,
    version UInt64
) ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(published_at)
ORDER BY (classifier, post_id)
