-- Exposure incidents: one per (organisation, member, exposed content). Re-posts of the
-- same content join the incident (post_ids, urls, platforms grow; update_seq counts the
-- updates that were sent). The newest version of a row wins (query with FINAL).
-- status: open, acknowledged. Never holds personal data: member is the organisation's
-- pseudonymous member id, categories are data types ("phone", "sogi", ...).
CREATE TABLE IF NOT EXISTS incidents (
    id String,
    org String,
    member String,
    fingerprint String,
    severity Enum8('none' = 0, 'low' = 1, 'medium' = 2, 'high' = 3, 'critical' = 4),
    categories Array(String),
    platforms Array(String),
    urls Array(String),
    post_ids Array(String),
    max_views UInt64,
    status Enum8('open' = 1, 'acknowledged' = 2),
    update_seq UInt32,
    opened_at DateTime,
    updated_at DateTime,
    acknowledged_at DateTime,
    acknowledged_by String,
    version UInt64
) ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(opened_at)
ORDER BY (org, id)
