-- Articles the manifest lists (indexed, or maybe indexed) that the edition no longer has.
SELECT m.article_id
FROM search_manifest AS m
ANTI JOIN search_current AS c ON c.article_id = m.article_id
