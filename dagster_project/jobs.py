"""Jobs: what the schedules run, and what to launch by hand from the UI.

Asset jobs include the asset checks of the assets they select, so every table
rebuild is followed by the checks.
"""

from __future__ import annotations

import dagster as dg

from dagster_project.assets import ARTICLES_BY_MONTH, ARTICLES_LATEST, duckdb_tables

DUCKDB_TABLES = dg.AssetSelection.assets(duckdb_tables)

latest_crawl_job = dg.define_asset_job(
    name="latest_crawl_job",
    selection=dg.AssetSelection.assets(ARTICLES_LATEST) | DUCKDB_TABLES,
    description="Crawl what is new from the section listings, then rebuild the DuckDB tables.",
)

monthly_crawl_job = dg.define_asset_job(
    name="monthly_crawl_job",
    selection=dg.AssetSelection.assets(ARTICLES_BY_MONTH) | DUCKDB_TABLES,
    # Partitioned by month like articles_by_month (Dagster infers it from the selection).
    description="Crawl one publication month from its sitemap file, then rebuild the DuckDB "
    "tables. Backfill months from the UI by launching this job over a partition range.",
)

build_tables_job = dg.define_asset_job(
    name="build_tables_job",
    selection=DUCKDB_TABLES,
    description="Rebuild the DuckDB tables from the Parquet dataset (no crawl); "
    "same code path as `newsdesk build`.",
)

JOBS = [latest_crawl_job, monthly_crawl_job, build_tables_job]
