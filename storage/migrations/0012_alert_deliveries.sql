-- Alert delivery state, one row per (incident update, channel), newest version wins.
-- state: queued, sent, failed. latency_ms is from the post's collection to delivery.
CREATE TABLE IF NOT EXISTS alert_deliveries (
    id String,
    incident_id String,
    org String,
    channel String,
    kind Enum8('new' = 1, 'update' = 2),
    severity Enum8('none' = 0, 'low' = 1, 'medium' = 2, 'high' = 3, 'critical' = 4),
    state Enum8('queued' = 1, 'sent' = 2, 'failed' = 3),
    attempts UInt32,
    latency_ms UInt32,
    last_error String,
    created_at DateTime,
    updated_at DateTime,
    version UInt64
) ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(created_at)
ORDER BY (org, id)
