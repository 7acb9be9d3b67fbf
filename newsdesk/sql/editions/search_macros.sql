-- Full-text search over every edition, each with its own index and stemmer.
-- Filled in by `newsdesk.build` after the per-edition indexes: the placeholder in
-- braces below becomes one SELECT per edition present (fts_index.sql), in registry
-- order, each scoring with that edition's own index.
-- BM25 scores depend on each index's statistics, so a score is comparable only
-- with scores of the same edition: results are grouped by edition, never merged.

-- (edition, edition_order, article_id, score) of every match:
--   SELECT edition, count(*) FROM search_scores('gaza') GROUP BY 1;
CREATE OR REPLACE MACRO search_scores(words) AS TABLE
SELECT edition, edition_order, article_id, score
FROM (
{branches}
)
WHERE score IS NOT NULL;

-- Matches in every edition, grouped by edition (registry order: en first), best first
-- within each:  SELECT score, title FROM search_articles('ceasefire cairo') LIMIT 10;
CREATE OR REPLACE MACRO search_articles(words) AS TABLE
SELECT s.edition, s.score, a.article_id, a.published_at, a.published_date,
       a.section_group, a.section, a.title, a.url
FROM search_scores(words) AS s
JOIN articles AS a ON a.article_id = s.article_id
ORDER BY s.edition_order, s.score DESC, a.published_at DESC, a.article_id;

-- Matches in one edition, best first:  SELECT title FROM search_articles_in('ar', 'المفاوضات');
CREATE OR REPLACE MACRO search_articles_in(edition_code, words) AS TABLE
SELECT edition, score, article_id, published_at, published_date,
       section_group, section, title, url
FROM search_articles(words)
WHERE edition = edition_code;
