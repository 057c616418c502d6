-- Coordination clusters (troll-factory networks) found by package coordination, one
-- row per cluster version; the newest version wins (query with FINAL). status 'merged'
-- rows are tombstones of clusters that grew into merged_into: dashboards show
-- status = 'active'. params is the JSON of the detector parameters that produced the
-- cluster (window, thresholds, caps). capped_objects > 0 says shared objects went hot
-- and stopped producing pairs, so the cluster may be larger than shown.
CREATE TABLE IF NOT EXISTS coordination_clusters (
    id String,
    status Enum8('active' = 1, 'merged' = 2),
    merged_into String,
    size UInt32,
    score Float64,
    behaviours Array(String),
    accounts Array(String),
    posts Array(String),
    posts_truncated UInt8,
    texts Array(String),
    links Array(String),
    reply_targets Array(String),
    frames Array(String),
    frame_posts Array(UInt32),
    capped_objects UInt32,
    capped_actions UInt32,
    first_at DateTime,
    last_at DateTime,
    detected_at DateTime,
    detector String,
    params String,
    version UInt64
) ENGINE = ReplacingMergeTree(version)
ORDER BY id
