-- `newsdesk lake import`: a local warehouse into the lake, in one transaction.
-- Run statement by statement (split on ";" at a line end) after the temporary views
-- src_articles, src_crawl_log, src_article_revisions, src_run_files and
-- src_state_files are defined over the local files. Delete-then-insert by key, so a
-- rerun (or a retry after a commit conflict) neither duplicates nor loses a row.
-- {articles}, {crawl_log} and {article_revisions} are the column lists declared in
-- newsdesk/columns.py.

DELETE FROM lake.dataset.articles
WHERE article_id IN (SELECT article_id FROM src_articles);

INSERT INTO lake.dataset.articles BY NAME
SELECT {articles} FROM src_articles;

DELETE FROM lake.dataset.crawl_log
WHERE run_id IN (SELECT DISTINCT run_id FROM src_crawl_log);

INSERT INTO lake.dataset.crawl_log BY NAME
SELECT {crawl_log} FROM src_crawl_log;

DELETE FROM lake.dataset.article_revisions
WHERE (article_id, revision) IN (SELECT (article_id, revision) FROM src_article_revisions);

INSERT INTO lake.dataset.article_revisions BY NAME
SELECT {article_revisions} FROM src_article_revisions;

DELETE FROM lake.dataset.crawl_runs
WHERE run_id IN (SELECT run_id FROM src_run_files);

INSERT INTO lake.dataset.crawl_runs BY NAME
SELECT run_id, summary FROM src_run_files;

DELETE FROM lake.dataset.crawl_state
WHERE edition IN (SELECT edition FROM src_state_files);

INSERT INTO lake.dataset.crawl_state BY NAME
SELECT edition, state, updated_at FROM src_state_files;
