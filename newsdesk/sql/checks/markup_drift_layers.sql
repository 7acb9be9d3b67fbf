-- Which layer gave each expected field, over one edition's most recently crawled articles
-- (newsdesk.drift.check_markup_drift). Parameters: $edition, $sample (how many
-- articles), $fields (the edition's modeled fields). A NULL layer: the field was empty.
WITH recent AS (
    SELECT field_layers
    FROM articles
    WHERE edition = $edition
    ORDER BY crawled_at DESC NULLS LAST, article_id
    LIMIT $sample
),
fields AS (
    SELECT unnest($fields::VARCHAR[]) AS field
)
SELECT f.field, r.field_layers[f.field] AS layer, count(*) AS articles
FROM recent AS r CROSS JOIN fields AS f
GROUP BY ALL
ORDER BY 1, 2;
