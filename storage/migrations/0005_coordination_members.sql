-- Accounts of coordination clusters with their signals, one row per (cluster, account)
-- and version. An account that left a cluster keeps its older row: select the members
-- of the current version (version = the cluster's version in coordination_clusters FINAL).
-- Signals are indicators for analysts, never a verdict on their own.
CREATE TABLE IF NOT EXISTS coordination_members (
    cluster_id String,
    account String,
    co_actions UInt32,
    posts UInt32,
    posts_per_day Float64,
    duplicate_share Float64,
    burstiness Float64,
    account_age_days Nullable(Float64),
    capped_actions UInt32,
    first_seen DateTime,
    last_seen DateTime,
    detected_at DateTime,
    version UInt64
) ENGINE = ReplacingMergeTree(version)
ORDER BY (cluster_id, account)
