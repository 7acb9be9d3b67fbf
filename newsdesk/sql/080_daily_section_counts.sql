-- Articles per UTC publication day and section (only days with articles).
CREATE OR REPLACE TABLE daily_section_counts AS
SELECT published_date AS day, section_group, section, count(*) AS articles
FROM articles
GROUP BY ALL
ORDER BY day, section_group, section;
