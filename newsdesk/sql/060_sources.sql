-- Credited sources ("Source: Agencies"); articles without a Source line are not counted.
CREATE OR REPLACE TABLE sources AS
SELECT source,
       count(*)          AS articles,
       min(published_at) AS first_seen,
       max(published_at) AS last_seen
FROM articles
WHERE source IS NOT NULL
GROUP BY source
ORDER BY articles DESC, source;
