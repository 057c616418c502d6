-- Generated trend reports (issue 9), one row per report; re-running a schedule for the
-- same period replaces its row (newest version wins, query with FINAL). files are names
-- in the reports output directory (listed by the web UI), one per format. No personal
-- data: recipients is a count, not the addresses.
CREATE TABLE IF NOT EXISTS reports (
    id String,
    schedule String,
    org String,
    lang String,
    period_from DateTime,
    period_to DateTime,
    formats Array(String),
    files Array(String),
    sizes Array(UInt64),
    recipients UInt32,
    emailed UInt8,
    status Enum8('ok' = 1, 'failed' = 2),
    error String,
    generated_at DateTime,
    duration_ms UInt32,
    version UInt64
) ENGINE = ReplacingMergeTree(version)
ORDER BY id
