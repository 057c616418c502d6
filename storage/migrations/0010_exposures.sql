-- One row per post the exposure classifier flagged, for dashboards, reports and incident
-- evidence. No personal data: entity types and byte offsets only, and the post text with
-- every identifier masked. Matched watch-list members appear only as pseudonymous
-- (org, member id) pairs. The raw post text stays in posts, which retention purges.
CREATE TABLE IF NOT EXISTS exposures (
    post_id String,
    source String,
    channel String,
    author String,
    url String,
    lang String,
    published_at DateTime,
    collected_at DateTime,
    views UInt64,
    exposed UInt8,
    outing UInt8,
    severity Enum8('none' = 0, 'low' = 1, 'medium' = 2, 'high' = 3, 'critical' = 4),
    categories Array(String),
    entity_types Array(String),
    entity_starts Array(UInt32),
    entity_ends Array(UInt32),
    redacted_text String,
    orgs Array(String),
    members Array(String),
    classifier_version String,
    classified_at DateTime,
    version UInt64
) ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(published_at)
ORDER BY (source, post_id)
