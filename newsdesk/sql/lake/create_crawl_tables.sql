-- The crawl bookkeeping kept verbatim, so nothing is lost on the way into the lake:
-- each run's summary (crawl_runs/<run_id>.json) and each edition's crawl state
-- (state/crawl_state[.<edition>].json) as their JSON text.
CREATE TABLE IF NOT EXISTS lake.dataset.crawl_runs (
    run_id  VARCHAR NOT NULL,
    summary VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS lake.dataset.crawl_state (
    edition    VARCHAR NOT NULL,
    state      VARCHAR NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
