-- Accounts of the built-in web UI (package web). role: admin, analyst, org (an
-- organisation's user, who sees only that organisation's incidents and alerts).
-- can_unredact grants the privilege to view unredacted evidence (always audited).
-- password_hash is an argon2id PHC string, never a password. The newest version of a
-- row wins (query with FINAL); disabling a user writes a new version with disabled = 1.
CREATE TABLE IF NOT EXISTS users (
    name String,
    role Enum8('admin' = 1, 'analyst' = 2, 'org' = 3),
    org String,
    can_unredact UInt8,
    password_hash String,
    disabled UInt8,
    created_at DateTime,
    updated_at DateTime,
    version UInt64
) ENGINE = ReplacingMergeTree(version)
ORDER BY name
