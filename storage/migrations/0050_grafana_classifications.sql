-- Grafana's view of narrative verdicts (issue 19, item 4): what the narrative and channel
-- dashboards aggregate, nothing else. Narrative classifications only (the exposure
-- classifier's rows name the authors of exposing posts); no post id, text or result. The
-- read-only grafana user reaches it through the Grafana database (storage.ProvisionGrafana),
-- never the kuzot database itself. FINAL is inside: a view cannot be read with FINAL.
CREATE VIEW IF NOT EXISTS grafana_classifications AS
SELECT classifier, flagged, labels, source, channel, author, lang, published_at
FROM classifications FINAL
WHERE classifier = 'narrative'
