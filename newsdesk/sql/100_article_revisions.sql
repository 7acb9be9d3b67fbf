-- Earlier versions of edited articles: which fields changed and their previous values.
CREATE OR REPLACE TABLE article_revisions AS
SELECT article_id, revision, content_hash, changed_fields, previous_values, seen_at, replaced_at
FROM src_article_revisions
ORDER BY article_id, revision;
