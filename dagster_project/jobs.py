"""Jobs: what the schedules run, and what to launch by hand from the UI.

Asset jobs include the asset checks of the assets they select, so every table
rebuild is followed by the checks. Every run of a crawl job carries the tag
``newsdesk/edition=<code>``: the instance's run queue admits one run per value
(dagster_project/dagster.yaml), so each edition has at most one crawl at a time
while the three editions, on three different hosts, crawl side by side.
"""

from __future__ import annotations

from collections.abc import Mapping

import dagster as dg

from dagster_project.assets import ARTICLES_BY_MONTH, ARTICLES_LATEST, duckdb_tables
from dagster_project.partitions import (
    edition_month_partitions,
    edition_partitions,
    split_edition_month,
)

EDITION_TAG = "newsdesk/edition"
DUCKDB_TABLES = dg.AssetSelection.assets(duckdb_tables)


def edition_tags(edition: str) -> dict[str, str]:
    """The run tags of a crawl of ``edition`` (the run queue's per-edition limit)."""
    return {EDITION_TAG: edition}


def _no_config(_key: str) -> Mapping[str, object]:
    # Every crawl option has a default; the launchpad still lets a person set them.
    return {}


latest_crawl_job = dg.define_asset_job(
    name="latest_crawl_job",
    selection=dg.AssetSelection.assets(ARTICLES_LATEST) | DUCKDB_TABLES,
    partitions_def=edition_partitions,
    config=dg.PartitionedConfig(
        partitions_def=edition_partitions,
        run_config_for_partition_key_fn=_no_config,
        tags_for_partition_key_fn=edition_tags,
    ),
    description="Crawl what is new on one edition (the partition) from its section listings "
    "and sitemaps, then rebuild the DuckDB tables.",
)

monthly_crawl_job = dg.define_asset_job(
    name="monthly_crawl_job",
    selection=dg.AssetSelection.assets(ARTICLES_BY_MONTH) | DUCKDB_TABLES,
    partitions_def=edition_month_partitions,
    config=dg.PartitionedConfig(
        partitions_def=edition_month_partitions,
        run_config_for_partition_key_fn=_no_config,
        tags_for_partition_key_fn=lambda key: edition_tags(split_edition_month(key)[0]),
    ),
    description="Crawl one edition's publication month from its sitemap file, then rebuild the "
    "DuckDB tables. Backfill from the UI by launching this job over a range of partitions "
    "(editions x months).",
)

build_tables_job = dg.define_asset_job(
    name="build_tables_job",
    selection=DUCKDB_TABLES,
    description="Rebuild the DuckDB tables from the Parquet dataset (no crawl); "
    "same code path as `newsdesk build`.",
)

JOBS = [latest_crawl_job, monthly_crawl_job, build_tables_job]
