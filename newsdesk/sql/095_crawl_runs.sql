-- One row per crawl run: when it ran and what it did (the summary the CLI prints).
-- A summary written before runs recorded their edition gets one derived: from its
-- base URL's host (the registered editions' hosts), else from the articles its
-- crawl log names, else 'en' (before editions every crawl was of the English site).
CREATE OR REPLACE TABLE crawl_runs AS
WITH logged AS (
    SELECT l.run_id, mode(a.edition) AS edition
    FROM crawl_log AS l
    JOIN articles AS a ON a.article_id = l.article_id
    WHERE l.outcome = 'article'
    GROUP BY l.run_id
)
SELECT r.run_id, r.base_url,
       CAST(r.started_at AS TIMESTAMPTZ)  AS started_at,
       CAST(r.finished_at AS TIMESTAMPTZ) AS finished_at,
       r.duration_s, r.finish_reason, r.pages_fetched, r.requests,
       r.articles_new, r.articles_updated, r.articles_unchanged, r.revisions, r.blocked,
       coalesce(r.edition, h.edition, g.edition, 'en') AS edition,
       coalesce(r.drift, []::VARCHAR[])   AS drift
FROM src_crawl_runs AS r
LEFT JOIN src_edition_hosts AS h
       ON h.host = lower(regexp_extract(r.base_url, '^[A-Za-z][A-Za-z0-9+.-]*://([^/:?#@]+)', 1))
LEFT JOIN logged AS g ON g.run_id = r.run_id
ORDER BY started_at;
