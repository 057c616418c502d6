-- Forwards and comment counts as the platform last showed them. Refreshes of recent posts
-- (issue 17) write a newer version of the row, so ReplacingMergeTree keeps the latest
-- counters and reach rankings stay right.
ALTER TABLE posts ADD COLUMN forwards UInt64 AFTER views, ADD COLUMN comments UInt64 AFTER forwards
