-- The model version of each narrative classification in the explorer's table, so that
-- analysts can filter posts by the model that classified them (issue 14). Older rows
-- read ''. ClickHouse 18.16 has no ADD COLUMN IF NOT EXISTS: Migrate treats "column
-- already exists" of an ADD COLUMN as applied, so that re-running stays idempotent.
ALTER TABLE narrative_posts ADD COLUMN model_version String DEFAULT ''
