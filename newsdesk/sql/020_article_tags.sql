-- Article x tag, with the tag's position on the page (1 = first shown).
CREATE OR REPLACE TABLE article_tags AS
SELECT a.article_id, t.tag, t.position, a.published_at, a.section_group, a.section
FROM articles AS a,
     UNNEST(a.tags) WITH ORDINALITY AS t(tag, position);
