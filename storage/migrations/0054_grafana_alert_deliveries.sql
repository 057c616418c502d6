-- Grafana's view of alert deliveries (issue 19, item 4): per-channel state, attempts and
-- latency. No organisation, incident id or error text (which can carry a webhook URL).
CREATE VIEW IF NOT EXISTS grafana_alert_deliveries AS
SELECT channel, state, attempts, latency_ms, created_at, updated_at
FROM alert_deliveries FINAL
