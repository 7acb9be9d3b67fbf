-- The editions present in `articles` (each gets a search index).
SELECT DISTINCT edition FROM articles WHERE edition IS NOT NULL ORDER BY edition
