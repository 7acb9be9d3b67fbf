-- Drill-down per section: its articles, first/last day, its {top_tags} most used tags
-- (articles each) and its {headlines} latest titled articles.
WITH a AS (
    SELECT article_id, coalesce(section, '(none)') AS section, published_at, utc_day,
           title, url, coalesce(edition, '?') AS edition
    FROM {articles}
), counts AS (
    SELECT section, count(*) AS articles, min(utc_day) AS first_day, max(utc_day) AS last_day
    FROM a GROUP BY 1
), tag_n AS (
    SELECT a.section, t.tag, count(DISTINCT a.article_id) AS n
    FROM a JOIN article_tags AS t USING (article_id)
    GROUP BY ALL
), top_tags AS (
    SELECT section, list({'name': tag, 'n': n} ORDER BY n DESC, tag)[1:{top_tags}] AS top_tags
    FROM tag_n GROUP BY 1
), latest AS (
    SELECT section,
           list({'title': title, 'url': url, 'day': utc_day, 'section': section,
                 'edition': edition} ORDER BY published_at DESC, article_id)[1:{headlines}]
               AS headlines
    FROM a WHERE coalesce(title, '') <> '' GROUP BY 1
)
SELECT c.section, c.articles, c.first_day, c.last_day,
       coalesce(t.top_tags, []) AS top_tags, coalesce(l.headlines, []) AS headlines
FROM counts AS c
LEFT JOIN top_tags AS t USING (section)
LEFT JOIN latest AS l USING (section)
ORDER BY c.articles DESC, c.section;
