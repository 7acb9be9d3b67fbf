-- Article x author, with the author's position in the byline.
CREATE OR REPLACE TABLE article_authors AS
SELECT a.article_id, x.author, x.position, a.published_at, a.section_group, a.section
FROM articles AS a,
     UNNEST(a.authors) WITH ORDINALITY AS x(author, position);
