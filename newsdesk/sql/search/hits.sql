-- One edition's search hits (registered as search_hits by newsdesk.analyst.search)
-- joined with the articles and the command's filters ({where}, {day} filled in
-- from newsdesk.analyst.filters); $limit best per edition, ranks from 1.
SELECT edition, rank, score, date, section, title, url
FROM (
    SELECT s.edition, s.edition_order,
           row_number() OVER (
               PARTITION BY s.edition ORDER BY s.score DESC, a.published_at DESC, a.article_id
           ) AS rank,
           round(s.score, 3) AS score,
           {day} AS date,
           a.section, a.title, a.url
    FROM search_hits AS s
    JOIN articles AS a ON a.article_id = s.article_id
    WHERE {where}
) AS ranked
WHERE rank <= $limit
ORDER BY edition_order, rank
