-- Analyst labels of coordination clusters: the latest label per cluster wins (FINAL).
-- 'unlabelled' withdraws an earlier label. The web API's audit log keeps the history.
CREATE TABLE IF NOT EXISTS coordination_labels (
    cluster_id String,
    label Enum8('unlabelled' = 0, 'confirmed' = 1, 'dismissed' = 2),
    analyst String,
    note String,
    labelled_at DateTime,
    version UInt64
) ENGINE = ReplacingMergeTree(version)
ORDER BY cluster_id
