"""The code location: assembles assets, checks, jobs, schedules and resources.

Found from the repo root by ``dg dev`` / ``dg launch`` / ``dg list defs`` through
``[tool.dg]`` in pyproject.toml, and by the older ``dagster`` commands
(``dagster definitions validate``) through ``[tool.dagster]`` (``defs`` below).
"""

from __future__ import annotations

from typing import Any

import dagster as dg

from dagster_project.assets import articles_by_month, articles_latest, duckdb_tables
from dagster_project.checks import ASSET_CHECKS
from dagster_project.jobs import JOBS
from dagster_project.maintenance import (
    lake_maintenance,
    lake_maintenance_job,
    weekly_lake_maintenance,
)
from dagster_project.resources import PROJECT_ROOT, CheckSettings, NewsdeskResource
from dagster_project.schedules import SCHEDULES


def build_definitions(**resources: Any) -> dg.Definitions:
    """The definitions, with the default resources unless others are given by key.

    Tests pass e.g. ``newsdesk=NewsdeskResource(base_url=<replica>, warehouse_root=<tmp>)``.
    """
    defaults: dict[str, Any] = {
        "newsdesk": NewsdeskResource(),
        "check_settings": CheckSettings(),
        # forward_stdio (the default): Scrapy's own stderr lands in the run's compute logs.
        "pipes_subprocess_client": dg.PipesSubprocessClient(cwd=str(PROJECT_ROOT)),
    }
    return dg.Definitions(
        assets=[articles_by_month, articles_latest, duckdb_tables, lake_maintenance],
        asset_checks=ASSET_CHECKS,
        jobs=[*JOBS, lake_maintenance_job],
        schedules=[*SCHEDULES, weekly_lake_maintenance],
        resources={**defaults, **resources},
        # Steps run in the run's own process: the crawl is already a subprocess and the
        # build and checks are short, so a process per step would only add seconds each.
        # Pool limits apply to this executor as well.
        executor=dg.in_process_executor,
    )


defs = build_definitions()
