-- Comments and replies are posts too (issue 17): kind is post, comment or reply, parent_id
-- the item a comment answers and root_id the post or video its thread belongs to. Rows
-- written before this have the defaults of a top-level post. ADD COLUMN has no IF NOT
-- EXISTS on 18.16; Migrate treats "column already exists" of an ADD COLUMN as applied.
ALTER TABLE posts ADD COLUMN kind String DEFAULT 'post' AFTER lang, ADD COLUMN parent_id String AFTER kind, ADD COLUMN root_id String AFTER parent_id
