-- Web UI sessions. token_hash is the SHA-256 of the random session token in the cookie,
-- so a leaked table does not leak live sessions. Logging out writes a new version with
-- revoked = 1. Expired sessions are deleted by the serve role (ALTER ... DELETE).
CREATE TABLE IF NOT EXISTS sessions (
    token_hash String,
    user String,
    created_at DateTime,
    expires_at DateTime,
    ip String,
    revoked UInt8,
    version UInt64
) ENGINE = ReplacingMergeTree(version)
ORDER BY token_hash
