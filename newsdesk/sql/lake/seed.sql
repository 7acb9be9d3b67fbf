-- What a crawl into the lake starts from (newsdesk/lake_crawl.py): run statement by
-- statement, in this order; the first two take the edition as their one parameter.

-- 1. The edition's crawl state, as the JSON text `newsdesk lake import` stored.
SELECT state FROM lake.dataset.crawl_state WHERE edition = ?;

-- 2. The edition's stored articles, in the shape of ArticleStore.read_index_columns:
--    the writer's index (new / changed / unchanged) and the spider's "known" map.
SELECT article_id, content_hash, published_at, updated_at,
       edition, CAST(year AS INTEGER) AS year, CAST(month AS INTEGER) AS month
FROM lake.dataset.articles
WHERE edition = ?;

-- 3. URLs whose latest fetch failed (any edition: the crawl log has no edition, and
--    an edition's URLs are its own), as newsdesk.state.load_failed_urls reads them.
SELECT url, coalesce(arg_max(reason, fetched_at), 'unknown') AS reason
FROM lake.dataset.crawl_log
GROUP BY url
HAVING arg_max(outcome, fetched_at) = 'failed';
