-- Top headlines per period ({period}: day or week, weeks from Monday, UTC days).
-- "Top" means on the period's most covered topics: an article weighs the sum, over its
-- distinct tags, of how many of the period's articles carry that tag (an untagged article
-- weighs 0); ties go to the latest. The best {per_period} titled articles of each period.
WITH a AS (
    SELECT article_id, CAST(date_trunc('{period}', utc_day) AS DATE) AS period,
           published_at, utc_day, title, url, section, edition, tags
    FROM {articles}
), tagged AS (
    SELECT DISTINCT a.period, a.article_id, t.tag
    FROM a JOIN article_tags AS t USING (article_id)
), tag_n AS (
    SELECT period, tag, count(*) AS n FROM tagged GROUP BY ALL
), weight AS (
    SELECT tagged.article_id, sum(tag_n.n) AS weight
    FROM tagged JOIN tag_n USING (period, tag)
    GROUP BY 1
), ranked AS (
    SELECT a.*,
           coalesce(w.weight, 0) AS weight,
           count(*) OVER (PARTITION BY a.period) AS period_articles,
           row_number() OVER (
               PARTITION BY a.period
               ORDER BY coalesce(a.title, '') <> '' DESC, coalesce(w.weight, 0) DESC,
                        a.published_at DESC, a.article_id
           ) AS rank
    FROM a LEFT JOIN weight AS w USING (article_id)
)
SELECT period, rank, title, coalesce(section, '(none)') AS section, url, utc_day,
       CAST(weight AS BIGINT) AS weight, period_articles, coalesce(edition, '?') AS edition,
       coalesce(tags, []) AS tags
FROM ranked
WHERE rank <= {per_period} AND coalesce(title, '') <> ''
ORDER BY period DESC, rank;
