-- Tags with how many articles carry them and when they were first and last seen.
CREATE OR REPLACE TABLE tags AS
SELECT tag,
       count(DISTINCT article_id) AS articles,
       min(published_at)          AS first_seen,
       max(published_at)          AS last_seen
FROM article_tags
GROUP BY tag
ORDER BY articles DESC, tag;
