-- Whether the site blocked crawl run $run_id (a run of 403/429 answers stopped it).
SELECT coalesce(bool_or(coalesce(blocked, false)), false) AS blocked
FROM crawl_runs
WHERE run_id = $run_id;
