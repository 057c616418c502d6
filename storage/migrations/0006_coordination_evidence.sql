-- Evidence of coordination clusters: the strongest account pairs (account_1 < account_2)
-- with their number of distinct concerted actions, behaviours and up to four shared
-- objects (links, texts, reply targets). Same versioning as coordination_members.
CREATE TABLE IF NOT EXISTS coordination_evidence (
    cluster_id String,
    account_1 String,
    account_2 String,
    weight UInt32,
    behaviours Array(String),
    objects Array(String),
    first_at DateTime,
    last_at DateTime,
    detected_at DateTime,
    version UInt64
) ENGINE = ReplacingMergeTree(version)
ORDER BY (cluster_id, account_1, account_2)
