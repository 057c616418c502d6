-- Grafana's view of coordination clusters (issue 19, item 4): the accounts acting together
-- (public accounts of the campaigns kuzot watches) and the cluster's figures. No post ids
-- (only their number, post_count), texts, shared links or reply targets, which can name
-- the people a campaign targets.
CREATE VIEW IF NOT EXISTS grafana_coordination_clusters AS
SELECT id, status, size, score, behaviours, accounts, length(posts) AS post_count, frames,
       capped_objects, first_at, last_at, detector
FROM coordination_clusters FINAL
