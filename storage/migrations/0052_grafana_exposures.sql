-- Grafana's view of exposure verdicts (issue 19, item 4): the platform, the verdict and
-- the publication time, for counts. No post id, author, URL, text, entity, organisation
-- or member.
CREATE VIEW IF NOT EXISTS grafana_exposures AS
SELECT source, exposed, published_at
FROM exposures FINAL
