-- The build's inputs on a lake: the same temporary views the local build defines
-- over Parquet files (src_articles, src_crawl_log, src_article_revisions,
-- src_crawl_runs), here over the lake's dataset tables, so newsdesk/sql/*.sql
-- serves both.
CREATE OR REPLACE TEMP VIEW src_articles AS
SELECT * FROM lake.dataset.articles;

CREATE OR REPLACE TEMP VIEW src_crawl_log AS
SELECT * FROM lake.dataset.crawl_log;

CREATE OR REPLACE TEMP VIEW src_article_revisions AS
SELECT * FROM lake.dataset.article_revisions;

-- crawl_runs keeps each run's summary as its JSON text: the columns the build reads
-- (build.RUN_JSON_COLUMNS; edition and drift are NULL in older summaries).
CREATE OR REPLACE TEMP VIEW src_crawl_runs AS
SELECT unnest(from_json(summary, '{
    "run_id": "VARCHAR", "base_url": "VARCHAR", "started_at": "VARCHAR",
    "finished_at": "VARCHAR", "duration_s": "DOUBLE", "finish_reason": "VARCHAR",
    "pages_fetched": "BIGINT", "requests": "BIGINT", "articles_new": "BIGINT",
    "articles_updated": "BIGINT", "articles_unchanged": "BIGINT", "revisions": "BIGINT",
    "blocked": "BOOLEAN", "edition": "VARCHAR", "drift": "VARCHAR[]"
}'))
FROM lake.dataset.crawl_runs;
