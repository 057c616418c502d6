-- Analysts' labels of narrative classifications (issue 14, "analysts teach it"): one row
-- per label given in the web UI (confirm or dismiss a flag, correct frames and labels,
-- mark a missed post). Rows are never replaced: the history stays, and the latest row per
-- post (by version) is the label that training uses. org is the labelling organisation
-- user's org, '' for staff (admin, analyst); every read by an organisation user is
-- restricted to its own org in SQL (package classifiers/narrative/feedback). source and
-- published_at locate the post in posts (ordered by source, id; partitioned by month)
-- for joining its text at training time. model_version is the model version of the
-- classification the analyst saw ('' for a post without one). homophobic, labels, frames
-- and kind follow TAXONOMY (docs/narrative.md).
CREATE TABLE IF NOT EXISTS narrative_labels (
    post_id String,
    source String,
    published_at DateTime,
    org String,
    analyst String,
    role String,
    action String,
    model_version String,
    homophobic UInt8,
    labels Array(String),
    frames Array(String),
    kind String,
    note String,
    labelled_at DateTime,
    version UInt64
) ENGINE = MergeTree
PARTITION BY toYYYYMM(labelled_at)
ORDER BY (org, post_id, version)
