"""Record `newsdesk build` runs (outside Dagster) as materializations of the duckdb/* assets.

Why the CLI reports, rather than a sensor that notices a newer newsdesk.duckdb:
the CLI holds the `BuildResult` (row counts, build time) and the fresh file, so
its events carry exactly the metadata the ``duckdb_tables`` asset emits, at the
moment of the build, with no daemon running. A sensor would have to tell a file
written by a Dagster run (whose materialization may not be logged yet when the
sensor ticks) from one written by the CLI, and could only guess the metadata.

The instance is the one ``DAGSTER_HOME`` names, else the project's
``.dagster_home/`` that ``make ui`` uses, when it exists. A build is reported
only when its warehouse is the one the code location reads (``$NEWSDESK_WAREHOUSE``,
else ``warehouse/`` in the repo): a build of a scratch warehouse is not what
the UI's assets are.
"""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg

from dagster_project.assets import TABLES, table_key, table_metadata
from dagster_project.resources import PROJECT_ROOT, NewsdeskResource
from newsdesk.build import BuildResult, connect

PROJECT_DAGSTER_HOME = PROJECT_ROOT / ".dagster_home"
DESCRIPTION = "Built by `newsdesk build`, outside Dagster (same build as the duckdb_tables asset)."


def reported_warehouse() -> Path:
    """The warehouse the code location's assets read (the default `NewsdeskResource`)."""
    return NewsdeskResource().warehouse.root.resolve()


def find_instance() -> dg.DagsterInstance | None:
    """The instance to record builds in: ``$DAGSTER_HOME``, else ``make ui``'s, else none."""
    if os.environ.get("DAGSTER_HOME"):
        return dg.DagsterInstance.get()
    if (PROJECT_DAGSTER_HOME / "dagster.yaml").is_file():
        return dg.DagsterInstance.from_config(str(PROJECT_DAGSTER_HOME))
    return None


def report_build(result: BuildResult, instance: dg.DagsterInstance) -> list[dg.AssetKey]:
    """Record one runless materialization per built table, with the asset's own metadata."""
    keys: list[dg.AssetKey] = []
    con = connect(result.path, read_only=True)
    try:
        for table in TABLES:
            if table.name not in result.tables:
                continue
            key = table_key(table.name)
            instance.report_runless_asset_event(
                dg.AssetMaterialization(
                    asset_key=key,
                    description=DESCRIPTION,
                    metadata=table_metadata(con, table.name, result),
                )
            )
            keys.append(key)
    finally:
        con.close()
    return keys


def report_cli_build(result: BuildResult) -> str | None:
    """Record a CLI build in the Dagster instance when there is one; a line to print, or None."""
    warehouse = result.path.parent.resolve()
    if warehouse != reported_warehouse():
        return None
    instance = find_instance()
    if instance is None:
        return None
    with instance:
        keys = report_build(result, instance)
        where = instance.root_directory
    return f"recorded {len(keys)} table materializations in the Dagster instance at {where}"
