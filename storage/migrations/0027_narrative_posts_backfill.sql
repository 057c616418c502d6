-- Back-fills narrative_posts (0026) with the narrative classifications stored before it
-- existed, taking url and the newest text from posts for flagged posts (an empty text
-- when an exposure row marks the post). Running it again (a crash before it was
-- recorded) writes the same keys and versions, which collapse.
INSERT INTO narrative_posts (published_at, flagged, post_id, source, channel, author, lang, url, frames, score, result,
    text, classified_at, version)
SELECT published_at, flagged, post_id, source, channel, author, lang, url, labels, score, if(flagged = 1, result, ''),
    if(flagged = 1 AND post_id NOT IN (SELECT post_id FROM exposures WHERE exposed = 1 OR outing = 1), text, ''),
    classified_at, version
FROM (
    SELECT post_id, published_at, flagged, source, channel, author, lang, labels, score, result, classified_at, version
    FROM classifications WHERE classifier = 'narrative'
) ANY LEFT JOIN (
    SELECT id AS post_id, argMax(url, version) AS url, argMax(text, version) AS text FROM posts
    WHERE id IN (SELECT post_id FROM classifications WHERE classifier = 'narrative' AND flagged = 1)
    GROUP BY id
) USING post_id
