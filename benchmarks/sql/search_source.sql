-- The search benchmark's corpus as the `articles` relation the project's fts
-- template (newsdesk/sql/editions/fts_index.sql) reads: a view over the Parquet
-- partitions (edition=<code>/month=<yyyymm>/part-0.parquet), so the database file
-- holds the indexes only and its size is theirs. The columns the search macros
-- (search_macros.sql) name but the corpus lacks are NULL. {glob} is filled by the
-- benchmark.
CREATE OR REPLACE VIEW articles AS
SELECT article_id, edition, month, title, subtitle, body,
       NULL::TIMESTAMPTZ AS published_at, NULL::DATE AS published_date,
       NULL::VARCHAR AS section_group, NULL::VARCHAR AS section, NULL::VARCHAR AS url
FROM read_parquet('{glob}', hive_partitioning = true);
