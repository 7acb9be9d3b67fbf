-- Full-text index (BM25) of one edition's titles, subtitles and bodies, with the
-- edition's own stemmer. Run by `newsdesk.build` once per edition present in
-- `articles` (after the numbered files), with the placeholders in braces (code,
-- stemmer, stopwords, ignore) filled from the edition's spec (`newsdesk/editions/<code>/spec.py`):
-- identifiers from the registry, never user input.
--
-- DuckDB's fts allows one index per table, and a stemmer per index: hence one
-- table per edition. Query one edition's index with
--   SELECT article_id, fts_main_articles_text_<code>.match_bm25(article_id, 'words') AS score
--   FROM articles WHERE edition = '<code>'
-- or every edition at once with the search_scores / search_articles macros.
CREATE OR REPLACE TABLE articles_text_{code} AS
SELECT article_id, title, subtitle, body
FROM articles
WHERE edition = '{code}'
ORDER BY article_id;

PRAGMA create_fts_index(
    'articles_text_{code}', 'article_id', 'title', 'subtitle', 'body',
    stemmer = '{stemmer}', stopwords = '{stopwords}', ignore = '{ignore}',
    lower = 1, strip_accents = 1, overwrite = 1
);

-- match_bm25 scans the postings for every search; stored in term order, DuckDB's
-- zone maps let it skip almost all of them (1M articles: 733 ms -> 125 ms a search).
CREATE OR REPLACE TABLE fts_main_articles_text_{code}.terms AS
SELECT * FROM fts_main_articles_text_{code}.terms ORDER BY termid, docid;

-- The index needs only its own tables (docs lists the article ids), so the copy of
-- the text goes: keeping it would store every body twice. The table stays, empty,
-- with its columns: the index is named after it.
CREATE TABLE articles_text_{code}_empty AS SELECT * FROM articles_text_{code} LIMIT 0;
DROP TABLE articles_text_{code};
ALTER TABLE articles_text_{code}_empty RENAME TO articles_text_{code};
