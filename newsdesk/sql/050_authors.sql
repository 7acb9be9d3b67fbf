CREATE OR REPLACE TABLE authors AS
SELECT author,
       count(DISTINCT article_id) AS articles,
       min(published_at)          AS first_seen,
       max(published_at)          AS last_seen
FROM article_authors
GROUP BY author
ORDER BY articles DESC, author;
