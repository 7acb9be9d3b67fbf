-- The text of the articles to index (ids in the registered table search_ids).
SELECT a.article_id, a.title, a.subtitle, a.body
FROM articles AS a
SEMI JOIN search_ids AS i ON i.article_id = a.article_id
WHERE a.edition = $edition
