-- The most recent crawl run of edition $edition (NULL: of any edition): by start
-- time in crawl_runs, else, for any edition, by the newest entry of the crawl log
-- (no run summary written, e.g. a killed crawl; the crawl log names no edition).
SELECT coalesce(
    (SELECT run_id FROM crawl_runs
     WHERE run_id IS NOT NULL AND ($edition IS NULL OR edition = $edition)
     ORDER BY started_at DESC NULLS LAST, run_id DESC LIMIT 1),
    (SELECT run_id FROM crawl_log WHERE $edition IS NULL
     ORDER BY fetched_at DESC, run_id DESC LIMIT 1)
) AS run_id;
