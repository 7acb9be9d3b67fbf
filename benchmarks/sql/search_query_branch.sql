-- One index's scores for search_query.sql; {schema} is the index's fts schema.
SELECT name AS article_id, {schema}.match_bm25(name, $words) AS score FROM {schema}.docs
