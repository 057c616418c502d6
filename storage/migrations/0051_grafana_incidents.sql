-- Grafana's view of exposure incidents (issue 19, item 4): counts by severity, category,
-- platform and status only. No organisation, member, fingerprint, URL, post id or
-- acknowledging user: a Grafana account must not learn who is protected, by whom, or
-- where they were exposed.
CREATE VIEW IF NOT EXISTS grafana_incidents AS
SELECT severity, categories, platforms, status, opened_at, acknowledged_at
FROM incidents FINAL
