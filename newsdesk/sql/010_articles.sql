-- One row per article, exactly as in the Parquet dataset, plus handy derived columns.
-- Column meanings: newsdesk/columns.py (TABLES['articles']), added as COMMENT ON by the build.
-- edition, year and month are the dataset's hive partition levels.
CREATE OR REPLACE TABLE articles AS
SELECT
    article_id, post_id, url, edition, section_group, section, content_type,
    title, subtitle, authors, tags, source, region, coverage,
    published_at, updated_at,
    CAST(published_at AS DATE)        AS published_date,   -- UTC calendar day
    read_time_min, word_count, video_duration_s, body, image_url, image_caption, links,
    field_layers, crawled_at, content_hash,
    CAST(year AS INTEGER)  AS year,
    CAST(month AS INTEGER) AS month
FROM src_articles
ORDER BY published_at, article_id;
