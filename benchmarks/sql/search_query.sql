-- The best matches of $words in one edition, as one branch of the project's
-- search_scores macro (newsdesk/sql/editions/search_macros.sql) computes them:
-- every indexed document scored by match_bm25, NULL (no match) dropped.
-- {branches} is one SELECT per index queried (search_query_branch.sql): one for
-- the whole-table index, one per month for the per-month option, whose scores are
-- then merged as they are (each month has its own BM25 statistics).
SELECT article_id, score
FROM (
{branches}
)
WHERE score IS NOT NULL
ORDER BY score DESC, article_id
LIMIT $limit;
