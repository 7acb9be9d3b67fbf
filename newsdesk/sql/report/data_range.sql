-- First and last UTC publication day in the whole warehouse: with --since/--until, the
-- window a week must lie in to be complete (a week partly outside it is "partial").
SELECT min(CAST(published_at AT TIME ZONE 'UTC' AS DATE)) AS first_day,
       max(CAST(published_at AT TIME ZONE 'UTC' AS DATE)) AS last_day
FROM articles;
