-- Append-only audit log of the web UI: every unredacted view of evidence, every
-- acknowledgement, login, logout, failed login and account change. object_id is an
-- incident or post id, never personal data.
CREATE TABLE IF NOT EXISTS audit_log (
    at DateTime,
    user String,
    role String,
    org String,
    action String,
    object_type String,
    object_id String,
    ip String,
    detail String
) ENGINE = MergeTree
PARTITION BY toYYYYMM(at)
ORDER BY (at, user)
