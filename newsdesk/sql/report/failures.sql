-- Crawl failures by reason, counted per distinct URL (crawl_failed_urls in 300_views.sql):
-- a known-dead URL fetched again in every run counts once. fetches = every failed fetch;
-- recovered = URLs a later fetch got.
SELECT reason, count(*) AS urls, sum(fetches) AS fetches,
       count(*) FILTER (WHERE recovered) AS recovered
FROM crawl_failed_urls
GROUP BY 1
ORDER BY urls DESC, reason;
