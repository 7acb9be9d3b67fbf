-- Full-text index (BM25) over titles, subtitles and bodies; query with
-- fts_main_articles.match_bm25(article_id, 'words').
PRAGMA create_fts_index(
    'articles', 'article_id', 'title', 'subtitle', 'body',
    stemmer = 'english', stopwords = 'english', lower = 1, strip_accents = 1, overwrite = 1
);
