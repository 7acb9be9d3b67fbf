-- The failures of crawl run $run_id, per distinct URL, with known-dead links apart.
--
-- A URL logged several times in the run (a retry, a link found on several
-- pages) counts once, with its last outcome in the run. A URL is "known dead"
-- when it failed in this run with a dead-link reason ($dead_reasons: 404/410)
-- and its latest outcome in earlier runs was such a failure too: the site
-- still links it, the crawl logs it again, and nothing changed. Known-dead URLs
-- are counted apart (and listed) instead of being judged again every run;
-- a dead link that is new, or a known-dead URL failing now for another
-- reason, is a new failure.
WITH run_urls AS (
    SELECT url, outcome, reason, fetched_at
    FROM crawl_log
    WHERE run_id = $run_id
    QUALIFY row_number() OVER (
        PARTITION BY url ORDER BY fetched_at DESC, outcome, reason NULLS LAST
    ) = 1
),
run_start AS (
    SELECT min(fetched_at) AS started FROM crawl_log WHERE run_id = $run_id
),
earlier AS (
    SELECT url, outcome, reason
    FROM crawl_log
    WHERE run_id <> $run_id
      AND fetched_at < (SELECT started FROM run_start)
      AND url IN (SELECT url FROM run_urls)
    QUALIFY row_number() OVER (
        PARTITION BY url ORDER BY fetched_at DESC, run_id DESC, outcome, reason NULLS LAST
    ) = 1
),
judged AS (
    SELECT
        r.url,
        r.outcome,
        r.reason,
        coalesce(
            r.outcome = 'failed' AND list_contains($dead_reasons, r.reason)
            AND e.outcome = 'failed' AND list_contains($dead_reasons, e.reason),
            false
        ) AS known_dead
    FROM run_urls AS r
    LEFT JOIN earlier AS e USING (url)
)
SELECT
    count(*) AS urls,
    count(*) FILTER (WHERE known_dead) AS known_dead,
    count(*) FILTER (WHERE outcome = 'failed' AND NOT known_dead) AS failed,
    histogram(coalesce(reason, 'unknown')) FILTER (WHERE outcome = 'failed' AND NOT known_dead)
        AS failures_by_reason,
    list_slice(list(url ORDER BY url) FILTER (WHERE known_dead), 1, $sample_size)
        AS known_dead_sample
FROM judged;
