-- The latest crawl run of one edition and its drift findings (newsdesk.drift.check_markup_drift).
-- Parameters: $edition. Not a table definition: the build runs only newsdesk/sql/*.sql.
SELECT run_id, started_at, drift
FROM crawl_runs
WHERE edition = $edition
ORDER BY started_at DESC, run_id DESC
LIMIT 1;
