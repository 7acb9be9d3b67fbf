-- The crawl bookkeeping files of a local warehouse, as text, for `newsdesk lake import`
-- (filled by newsdesk/lake_import.py: one row per crawl_runs/*.json and state file).
CREATE OR REPLACE TEMP TABLE src_run_files (run_id VARCHAR NOT NULL, summary VARCHAR NOT NULL);

CREATE OR REPLACE TEMP TABLE src_state_files (
    edition    VARCHAR NOT NULL,
    state      VARCHAR NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

-- What the lake lacks or holds otherwise (see import.sql).
CREATE OR REPLACE TEMP VIEW changed_articles AS
SELECT s.* FROM src_articles AS s
WHERE NOT EXISTS (
    SELECT 1 FROM lake.dataset.articles AS l
    WHERE l.article_id = s.article_id
      AND l.content_hash IS NOT DISTINCT FROM s.content_hash
      AND l.edition = s.edition AND l.year = s.year AND l.month = s.month
);

CREATE OR REPLACE TEMP VIEW changed_log_runs AS
SELECT s.run_id FROM (
    SELECT run_id, count(*) AS n FROM src_crawl_log GROUP BY run_id
) AS s
LEFT JOIN (
    SELECT run_id, count(*) AS n FROM lake.dataset.crawl_log
    WHERE run_id IN (SELECT DISTINCT run_id FROM src_crawl_log) GROUP BY run_id
) AS l USING (run_id)
WHERE l.n IS DISTINCT FROM s.n;

CREATE OR REPLACE TEMP VIEW changed_runs AS
SELECT s.* FROM src_run_files AS s
WHERE NOT EXISTS (
    SELECT 1 FROM lake.dataset.crawl_runs AS l
    WHERE l.run_id = s.run_id AND l.summary = s.summary
);

CREATE OR REPLACE TEMP VIEW changed_states AS
SELECT s.* FROM src_state_files AS s
WHERE NOT EXISTS (
    SELECT 1 FROM lake.dataset.crawl_state AS l
    WHERE l.edition = s.edition AND l.state = s.state
);

-- How many rows of each table an import moves (before it writes).
CREATE OR REPLACE TEMP VIEW changed_counts AS
SELECT
    (SELECT count(*) FROM changed_articles) AS articles,
    (SELECT count(*) FROM src_crawl_log
      WHERE run_id IN (SELECT run_id FROM changed_log_runs)) AS crawl_log,
    (SELECT count(*) FROM src_article_revisions AS s
      WHERE NOT EXISTS (SELECT 1 FROM lake.dataset.article_revisions AS l
                        WHERE l.article_id = s.article_id AND l.revision = s.revision))
                                            AS article_revisions,
    (SELECT count(*) FROM changed_runs)   AS crawl_runs,
    (SELECT count(*) FROM changed_states) AS crawl_state;

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
