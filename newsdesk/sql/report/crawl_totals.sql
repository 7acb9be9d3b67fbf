-- Crawl totals for the key figures: every fetch, distinct URLs fetched, distinct URLs that
-- failed at least once (a URL failing in every run counts once).
SELECT count(*) AS fetches,
       count(DISTINCT url) AS urls,
       count(DISTINCT url) FILTER (WHERE outcome = 'failed') AS failed_urls,
       count(*) FILTER (WHERE outcome = 'failed') AS failed_fetches
FROM crawl_log;
