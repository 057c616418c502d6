-- Daily narrative aggregates for the web UI's overview (package web): the distinct
-- flagged posts per day, frame, source and channel as uniqExact states, kept up to date
-- by narrative_daily_mv (0024) and back-filled by 0025. Distinct-post states make a
-- redelivered batch or a re-run back-fill harmless; a post later re-classified as not
-- flagged still counts. frame '' holds flagged posts without a frame label. No
-- personal data: post ids only, as hashes inside the states.
CREATE TABLE IF NOT EXISTS narrative_daily (
    day Date,
    frame String,
    source String,
    channel String,
    posts AggregateFunction(uniqExact, String)
) ENGINE = AggregatingMergeTree()
PARTITION BY toYYYYMM(day)
ORDER BY (day, frame, source, channel)
