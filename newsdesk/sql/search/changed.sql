-- Articles to (re)index: new, edited (another content_hash), or left unknown in
-- the manifest by an update that was cut short (NULL hash).
SELECT c.article_id
FROM search_current AS c
LEFT JOIN search_manifest AS m ON m.article_id = c.article_id
WHERE m.article_id IS NULL OR m.content_hash IS NULL OR m.content_hash <> c.content_hash
