-- One row per crawl run: when it ran and what it did (the summary the CLI prints).
CREATE OR REPLACE TABLE crawl_runs AS
SELECT run_id, base_url,
       CAST(started_at AS TIMESTAMPTZ)  AS started_at,
       CAST(finished_at AS TIMESTAMPTZ) AS finished_at,
       duration_s, finish_reason, pages_fetched, requests,
       articles_new, articles_updated, articles_unchanged, revisions, blocked
FROM src_crawl_runs
ORDER BY started_at;
