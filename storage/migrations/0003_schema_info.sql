-- Retention bookkeeping: when raw personal data in posts was last purged, per partition.
CREATE TABLE IF NOT EXISTS retention_log (
    table_name String,
    partition_id String,
    purged_at DateTime,
    reason String
) ENGINE = MergeTree
ORDER BY (table_name, purged_at)
