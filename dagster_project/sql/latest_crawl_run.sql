-- The most recent crawl run: by start time in crawl_runs, else (no run summary
-- written, e.g. a killed crawl) by the newest entry of the crawl log.
SELECT coalesce(
    (SELECT run_id FROM crawl_runs WHERE run_id IS NOT NULL
     ORDER BY started_at DESC NULLS LAST, run_id DESC LIMIT 1),
    (SELECT run_id FROM crawl_log ORDER BY fetched_at DESC, run_id DESC LIMIT 1)
) AS run_id;
