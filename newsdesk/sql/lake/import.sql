-- `newsdesk lake import`: a local warehouse into the lake, in one transaction.
-- Run statement by statement (split on ";" at a line end) after the temporary views
-- of import_sources.sql. Only what differs moves: each changed_* view lists the
-- source rows the lake lacks or holds otherwise; their keys are deleted, then those
-- rows inserted. The views are evaluated again after the delete and still list the
-- same rows (they are now missing from the lake), so a rerun, or a retry after a
-- commit conflict, neither duplicates nor loses a row, and a rerun with nothing new
-- changes nothing. {articles}, {crawl_log} and {article_revisions} are the column
-- lists declared in newsdesk/columns.py.

DELETE FROM lake.dataset.articles
WHERE article_id IN (SELECT article_id FROM changed_articles);

INSERT INTO lake.dataset.articles BY NAME
SELECT {articles} FROM changed_articles;

DELETE FROM lake.dataset.crawl_log
WHERE run_id IN (SELECT run_id FROM changed_log_runs);

INSERT INTO lake.dataset.crawl_log BY NAME
SELECT {crawl_log} FROM src_crawl_log
WHERE run_id IN (SELECT run_id FROM changed_log_runs);

-- A revision never changes once written: only the missing ones are added.
INSERT INTO lake.dataset.article_revisions BY NAME
SELECT {article_revisions} FROM src_article_revisions AS s
WHERE NOT EXISTS (
    SELECT 1 FROM lake.dataset.article_revisions AS l
    WHERE l.article_id = s.article_id AND l.revision = s.revision
);

DELETE FROM lake.dataset.crawl_runs
WHERE run_id IN (SELECT run_id FROM changed_runs);

INSERT INTO lake.dataset.crawl_runs BY NAME
SELECT run_id, summary FROM changed_runs;

DELETE FROM lake.dataset.crawl_state
WHERE edition IN (SELECT edition FROM changed_states);

INSERT INTO lake.dataset.crawl_state BY NAME
SELECT edition, state, updated_at FROM changed_states;
