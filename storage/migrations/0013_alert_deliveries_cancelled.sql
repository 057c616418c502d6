-- Alert deliveries can also be cancelled: an update that was waiting for its grouping
-- window when the organisation acknowledged the incident is never sent. Adding an enum
-- value is a metadata-only change and idempotent.
ALTER TABLE alert_deliveries MODIFY COLUMN state Enum8('queued' = 1, 'sent' = 2, 'failed' = 3, 'cancelled' = 4)
