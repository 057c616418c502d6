-- Feeds narrative_daily (0023) from every insert into classifications.
CREATE MATERIALIZED VIEW IF NOT EXISTS narrative_daily_mv TO narrative_daily AS
SELECT toDate(published_at) AS day, arrayJoin(if(empty(labels), [''], labels)) AS frame, source, channel,
    uniqExactState(post_id) AS posts
FROM classifications
WHERE classifier = 'narrative' AND flagged = 1
GROUP BY day, frame, source, channel
