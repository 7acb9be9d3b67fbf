-- The crawl bookkeeping files of a local warehouse, as text, for `newsdesk lake import`
-- (filled by newsdesk/lake_import.py: one row per crawl_runs/*.json and state file).
CREATE OR REPLACE TEMP TABLE src_run_files (run_id VARCHAR NOT NULL, summary VARCHAR NOT NULL);

CREATE OR REPLACE TEMP TABLE src_state_files (
    edition    VARCHAR NOT NULL,
    state      VARCHAR NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

-- Counts in the lake of what the import wrote, to check against the source.
CREATE OR REPLACE TEMP VIEW import_counts AS
SELECT
    (SELECT count(*) FROM lake.dataset.articles
      WHERE article_id IN (SELECT article_id FROM src_articles))      AS articles,
    (SELECT count(*) FROM lake.dataset.crawl_log
      WHERE run_id IN (SELECT DISTINCT run_id FROM src_crawl_log))   AS crawl_log,
    (SELECT count(*) FROM lake.dataset.article_revisions
      WHERE (article_id, revision)
            IN (SELECT (article_id, revision) FROM src_article_revisions)) AS article_revisions,
    (SELECT count(*) FROM lake.dataset.crawl_runs
      WHERE run_id IN (SELECT run_id FROM src_run_files))            AS crawl_runs,
    (SELECT count(*) FROM lake.dataset.crawl_state
      WHERE edition IN (SELECT edition FROM src_state_files))        AS crawl_state;

CREATE OR REPLACE TEMP VIEW source_counts AS
SELECT
    (SELECT count(*) FROM src_articles)          AS articles,
    (SELECT count(*) FROM src_crawl_log)         AS crawl_log,
    (SELECT count(*) FROM src_article_revisions) AS article_revisions,
    (SELECT count(*) FROM src_run_files)         AS crawl_runs,
    (SELECT count(*) FROM src_state_files)       AS crawl_state;
