-- Every fetched URL of every crawl and what became of it (failures carry a reason).
CREATE OR REPLACE TABLE crawl_log AS
SELECT run_id, url, outcome, http_status, reason, detail, article_id, fetched_at
FROM src_crawl_log
ORDER BY fetched_at, url;
