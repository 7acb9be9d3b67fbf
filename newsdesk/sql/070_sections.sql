CREATE OR REPLACE TABLE sections AS
SELECT section_group,
       section,
       count(*)          AS articles,
       min(published_at) AS first_seen,
       max(published_at) AS last_seen
FROM articles
GROUP BY section_group, section
ORDER BY section_group, section;
