-- The rhythm of each coordination cluster version (issue 21): its bursts of co-actions
-- over the horizon (start, end and accounts per burst, the most recent 64), the number
-- of bursts, the median gap between burst starts, the rhythm label (one-off, hourly,
-- daily, weekly) and the platforms of its accounts, plus shared hashtag sets. One row per
-- cluster version, joined to coordination_clusters on (cluster_id, version). A separate
-- table because ClickHouse 18.16 has no ADD COLUMN IF NOT EXISTS (migrations must be
-- idempotent).
CREATE TABLE IF NOT EXISTS coordination_rhythm (
    cluster_id String,
    rhythm String,
    bursts UInt32,
    median_gap_s UInt32,
    first_burst DateTime,
    last_burst DateTime,
    burst_starts Array(DateTime),
    burst_ends Array(DateTime),
    burst_accounts Array(UInt32),
    platforms Array(String),
    hashtags Array(String),
    detected_at DateTime,
    version UInt64
) ENGINE = ReplacingMergeTree(version)
ORDER BY cluster_id
