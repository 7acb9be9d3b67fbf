-- Credited sources of the window by group (the rule of the source_groups view in
-- 300_views.sql), with each raw spelling: group, articles of the group, variant, its articles.
WITH v AS (
    SELECT g.source_group, a.source, count(*) AS articles
    FROM {articles} AS a
    JOIN source_groups AS g USING (source)
    GROUP BY ALL
)
SELECT source_group,
       sum(articles) OVER (PARTITION BY source_group) AS group_articles,
       source,
       articles
FROM v
ORDER BY group_articles DESC, source_group, articles DESC, source;
