-- One month of one edition, indexed on its own (the per-month option): the same
-- settings and steps as newsdesk/sql/editions/fts_index.sql, on the rows of one
-- Parquet partition. An update runs this again for each month it touches
-- (overwrite = 1). {table}, {source}, {stemmer}, {stopwords}, {ignore} are filled
-- by benchmarks/search.py.
CREATE OR REPLACE TABLE {table} AS
SELECT article_id, title, subtitle, body
FROM read_parquet('{source}')
ORDER BY article_id;

PRAGMA create_fts_index(
    '{table}', 'article_id', 'title', 'subtitle', 'body',
    stemmer = '{stemmer}', stopwords = '{stopwords}', ignore = '{ignore}',
    lower = 1, strip_accents = 1, overwrite = 1
);

CREATE OR REPLACE TABLE fts_main_{table}.terms AS
SELECT * FROM fts_main_{table}.terms ORDER BY termid, docid;

CREATE OR REPLACE TABLE {table}_empty AS SELECT * FROM {table} LIMIT 0;
DROP TABLE {table};
ALTER TABLE {table}_empty RENAME TO {table};
