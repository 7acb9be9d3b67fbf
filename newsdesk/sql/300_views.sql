-- Analyst views and macros (run after the tables).
-- Documented in README.md, "Analysing the data". Dates are UTC publication days.

-- Articles published between two days, both included:
--   SELECT title FROM articles_between('2025-07-01', '2025-07-31');
CREATE OR REPLACE MACRO articles_between(start_day, end_day) AS TABLE
SELECT *
FROM articles
WHERE CAST(published_at AT TIME ZONE 'UTC' AS DATE)
      BETWEEN CAST(start_day AS DATE) AND CAST(end_day AS DATE)
ORDER BY published_at, article_id;

-- Articles carrying a tag (case-insensitive):  SELECT * FROM articles_tagged('Gaza');
CREATE OR REPLACE MACRO articles_tagged(tag_name) AS TABLE
SELECT a.*
FROM articles AS a
WHERE a.article_id IN (SELECT article_id FROM article_tags WHERE lower(tag) = lower(tag_name))
ORDER BY a.published_at, a.article_id;

-- Full-text search: search_scores(words), search_articles(words) and
-- search_articles_in(edition, words) are generated per edition by `newsdesk build`
-- (warehouse/sql/editions/), each edition with its own stemmer.

-- Articles per tag per ISO week (weeks start on Monday; only weeks with articles).
CREATE OR REPLACE VIEW tag_weekly AS
SELECT CAST(date_trunc('week', published_at AT TIME ZONE 'UTC') AS DATE) AS week,
       tag,
       count(DISTINCT article_id) AS articles
FROM article_tags
GROUP BY ALL
ORDER BY week, articles DESC, tag;

-- Articles per section per ISO week.
CREATE OR REPLACE VIEW section_weekly AS
SELECT CAST(date_trunc('week', published_at AT TIME ZONE 'UTC') AS DATE) AS week,
       section_group,
       section,
       count(*) AS articles
FROM articles
GROUP BY ALL
ORDER BY week, section_group, section;

-- Credited sources ranked within each section: rank 1 is the section's most credited source,
-- share = its fraction of the section's articles that credit any source.
--   SELECT * FROM top_sources_by_section WHERE rank <= 3;
CREATE OR REPLACE VIEW top_sources_by_section AS
SELECT section_group,
       section,
       source,
       articles,
       round(articles / sum(articles) OVER (PARTITION BY section_group, section), 4) AS share,
       CAST(row_number() OVER (
           PARTITION BY section_group, section ORDER BY articles DESC, source
       ) AS INTEGER) AS rank
FROM (
    SELECT section_group, section, source, count(*) AS articles
    FROM articles
    WHERE source IS NOT NULL
    GROUP BY ALL
)
ORDER BY section_group, section, rank;

-- Authors per month (bylines: an article with two authors counts once for each).
CREATE OR REPLACE VIEW author_monthly AS
SELECT CAST(date_trunc('month', published_at AT TIME ZONE 'UTC') AS DATE) AS month,
       author,
       count(DISTINCT article_id) AS articles
FROM article_authors
GROUP BY ALL
ORDER BY month, articles DESC, author;

-- Crawl failures by run and reason (what went wrong, how often, one example URL).
CREATE OR REPLACE VIEW crawl_failures AS
SELECT run_id,
       coalesce(reason, 'unknown') AS reason,
       count(*) AS pages,
       min(url) AS example_url,
       min(fetched_at) AS first_at,
       max(fetched_at) AS last_at
FROM crawl_log
WHERE outcome = 'failed'
GROUP BY ALL
ORDER BY run_id, pages DESC, reason;

-- Failed crawl URLs, one row per distinct URL: a dead link fetched again in every run
-- counts once. reason is the URL's latest failure reason; fetches counts every failed
-- fetch, runs the crawl runs that failed on it; recovered is true when a later fetch of
-- the same URL succeeded (an outcome other than failed).
--   SELECT reason, count(*) AS urls, sum(fetches) FROM crawl_failed_urls GROUP BY 1;
CREATE OR REPLACE VIEW crawl_failed_urls AS
WITH failed AS (
    SELECT url,
           arg_max(coalesce(reason, 'unknown'), fetched_at) AS reason,
           count(*) AS fetches,
           count(DISTINCT run_id) AS runs,
           min(fetched_at) AS first_at,
           max(fetched_at) AS last_at
    FROM crawl_log
    WHERE outcome = 'failed'
    GROUP BY url
)
SELECT f.*,
       EXISTS (
           SELECT 1 FROM crawl_log AS l
           WHERE l.url = f.url AND l.outcome <> 'failed' AND l.fetched_at > f.last_at
       ) AS recovered
FROM failed AS f
ORDER BY reason, url;

-- Source groups. `source` keeps the article's raw "Source: …" line; the group is a rule:
--   1. The network's own desks are one group, "Al Mayadeen": any source starting with
--      "Al Mayadeen"/"Almayadeen"/"Al-Mayadeen" (any case, spacing or dashes: "Al Mayadeen
--      Net", "Al Mayadeen English", "Al Mayadeen Español", "almayadeen.net") or "الميادين".
--   2. Otherwise spellings differing only in case, spacing or dots are one group
--      ("AGENCIES", " Agencies ", "A.F.P" and "AFP"); the group is named after its most
--      used spelling (ties: a spelling without outer spaces, then one not all in capitals,
--      then the first in sort order).
-- source_group_key(source) is the rule's key; source_groups lists every raw source with
-- its group:  SELECT source_group, list(source) FROM source_groups GROUP BY 1;
CREATE OR REPLACE MACRO source_group_key(source_name) AS
CASE
    WHEN source_name IS NULL OR trim(source_name) = '' THEN NULL
    WHEN regexp_matches(lower(trim(source_name)), '^(al[\s\-]*mayadeen|الميادين)')
        THEN 'al mayadeen'
    ELSE lower(regexp_replace(trim(source_name), '[\s\.]+', '', 'g'))
END;

CREATE OR REPLACE VIEW source_groups AS
WITH raw AS (
    SELECT source, source_group_key(source) AS group_key, count(*) AS articles
    FROM articles
    WHERE source_group_key(source) IS NOT NULL
    GROUP BY ALL
)
SELECT source,
       CASE WHEN group_key = 'al mayadeen' THEN 'Al Mayadeen'
            ELSE first(source ORDER BY articles DESC, source = trim(source) DESC,
                               source <> upper(source) DESC, source)
                 OVER (PARTITION BY group_key)
       END AS source_group,
       group_key,
       articles
FROM raw
ORDER BY source_group, articles DESC, source;
