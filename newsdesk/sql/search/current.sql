-- What one edition's search index must hold: every article of the edition with
-- its content_hash (newsdesk.search_sync diffs this against the index manifest).
-- Reads `articles` of whatever connection syncs: the build's new database, or a
-- lake's built tables (read-only) for the per-machine cache.
SELECT article_id, content_hash
FROM articles
WHERE edition = $edition
