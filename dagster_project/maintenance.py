"""Lake maintenance in Dagster: the ``lake/maintenance`` asset, its job and weekly schedule.

On a lake (the ``newsdesk`` resource's warehouse is a ``.toml``) the asset calls
`newsdesk.lake.maintain`: flush inlined rows, merge small files, expire snapshots
older than the lake's ``snapshot_retention``, delete files no longer used (and
orphans of writers killed before their commit). On a local warehouse there is
nothing to maintain: the asset succeeds and says so. The schedule starts STOPPED.
"""

# No `from __future__ import annotations`: Dagster reads the resource parameter's
# annotation at decoration time.

import dagster as dg

from dagster_project.assets import DUCKDB_POOL
from dagster_project.resources import NewsdeskResource
from newsdesk.lake import LakeError, maintain

LAKE_MAINTENANCE = dg.AssetKey(["lake", "maintenance"])
WEEKLY_CRON = "23 4 * * 0"  # Sunday night, away from the hourly crawls' minute


@dg.asset(
    key=LAKE_MAINTENANCE,
    group_name="lake",
    kinds={"ducklake"},
    # Not while a build rewrites the lake's tables on this instance (the build's pool).
    pool=DUCKDB_POOL,
    description="Maintain the lake: flush inlined rows, merge small files, expire snapshots "
    "older than its snapshot_retention, delete unused and orphaned files "
    "(`newsdesk lake maintain`). A no-op on a local warehouse. Metadata: what each step did.",
)
def lake_maintenance(context: dg.AssetExecutionContext, newsdesk: NewsdeskResource) -> dg.Output:
    """Run `newsdesk.lake.maintain` on the resource's lake; report each step's count."""
    try:
        config = newsdesk.lake_config()
        if config is None:
            message = f"{newsdesk.warehouse.root} is a local warehouse: nothing to maintain"
            context.log.info(message)
            return dg.Output(None, metadata={"lake": False, "result": message})
        result = maintain(config)
    except LakeError as exc:
        raise dg.Failure(description=str(exc)) from exc
    context.log.info(result.render())
    metadata: dict[str, object] = {
        "lake": True,
        "result": result.render(),
        "snapshot": result.snapshot,
        **{f"{step}": count for step, count in result.steps.items()},
    }
    return dg.Output(None, metadata=metadata)


lake_maintenance_job = dg.define_asset_job(
    name="lake_maintenance_job",
    selection=dg.AssetSelection.assets(LAKE_MAINTENANCE),
    description="Maintain the lake (merge, expire, delete unused files); a no-op locally.",
)

weekly_lake_maintenance = dg.ScheduleDefinition(
    name="weekly_lake_maintenance",
    job=lake_maintenance_job,
    cron_schedule=WEEKLY_CRON,
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="Every Sunday night: maintain the lake (a no-op on a local warehouse).",
)
