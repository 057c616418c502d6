-- Tipline campaigns (collectors/tipline): near-identical tips that members forwarded to
-- their organisation's tipline, merged, one row per campaign version keyed by the text
-- (or image, link, forwarded post) fingerprint; the newest version wins (FINAL).
-- submissions counts distinct reporters, orgs the organisations whose members reported
-- it: an estimate of the campaign's reach. No reporter identity is stored here, not
-- even a hash. text is redacted like coordination evidence; withdrawn rows (the only
-- reporter sent /forget) have no text.
CREATE TABLE IF NOT EXISTS tip_campaigns (
    fingerprint String,
    post_id String,
    kind String,
    text String,
    sms_sender String,
    origin_channel String,
    origin_title String,
    submissions UInt32,
    orgs Array(String),
    first_seen DateTime,
    last_seen DateTime,
    burst UInt32,
    campaign UInt8,
    withdrawn UInt8,
    updated_at DateTime,
    version UInt64
) ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(first_seen)
ORDER BY fingerprint
