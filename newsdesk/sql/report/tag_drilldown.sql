-- Drill-down per tag, for the window's {top} most used tags: its articles, first/last day,
-- the sections it appears in (articles each) and its {headlines} latest titled articles.
WITH a AS (
    SELECT DISTINCT r.article_id, t.tag, coalesce(r.section, '(none)') AS section,
           r.published_at, r.utc_day, r.title, r.url, coalesce(r.edition, '?') AS edition
    FROM {articles} AS r JOIN article_tags AS t USING (article_id)
), counts AS (
    SELECT tag, count(DISTINCT article_id) AS articles, min(utc_day) AS first_day,
           max(utc_day) AS last_day
    FROM a GROUP BY 1
    ORDER BY articles DESC, tag
    LIMIT {top}
), sections AS (
    SELECT tag, list({'name': section, 'n': n} ORDER BY n DESC, section) AS sections
    FROM (SELECT tag, section, count(DISTINCT article_id) AS n FROM a GROUP BY ALL)
    GROUP BY 1
), latest AS (
    SELECT tag,
           list({'title': title, 'url': url, 'day': utc_day, 'section': section,
                 'edition': edition} ORDER BY published_at DESC, article_id)[1:{headlines}]
               AS headlines
    FROM a WHERE coalesce(title, '') <> '' GROUP BY 1
)
SELECT c.tag, c.articles, c.first_day, c.last_day,
       coalesce(s.sections, []) AS sections, coalesce(l.headlines, []) AS headlines
FROM counts AS c
LEFT JOIN sections AS s USING (tag)
LEFT JOIN latest AS l USING (tag)
ORDER BY c.articles DESC, c.tag;
