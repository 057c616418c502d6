-- The public post a tip links to or forwards (issue 22): its id as its source kind's
-- collector gives it ("telegram:<channel>/<id>", "youtube:<id>", "vk:<owner>_<id>",
-- "web:<url>"), collected when the tipline's fetch_links is on; empty otherwise. ADD
-- COLUMN has no IF NOT EXISTS on 18.16; Migrate treats "column already exists" of an
-- ADD COLUMN as applied.
ALTER TABLE tip_campaigns ADD COLUMN linked_post String AFTER withdrawn
