-- Back-fills narrative_daily (0023) with the classifications stored before the view
-- existed. Running it again (a crash before it was recorded) only merges the same
-- distinct-post states again.
INSERT INTO narrative_daily (day, frame, source, channel, posts)
SELECT toDate(published_at) AS day, arrayJoin(if(empty(labels), [''], labels)) AS frame, source, channel,
    uniqExactState(post_id) AS posts
FROM classifications
WHERE classifier = 'narrative' AND flagged = 1
GROUP BY day, frame, source, channel
