"""Schedules. Both start STOPPED: turn them on in the UI (Automation) or with
``dagster schedule start <name>``; nothing crawls the live site until someone does.
"""

from __future__ import annotations

from datetime import UTC, datetime

import dagster as dg

from dagster_project.jobs import latest_crawl_job, monthly_crawl_job
from dagster_project.partitions import month_key, previous_month_key

HOURLY_CRON = "17 * * * *"  # off the full hour, like a polite crawler
DAILY_CRON = "40 3 * * *"


def _scheduled_time(context: dg.ScheduleEvaluationContext) -> datetime:
    moment = context.scheduled_execution_time or datetime.now(UTC)
    return moment.astimezone(UTC)


@dg.schedule(
    name="hourly_latest_crawl",
    job=latest_crawl_job,
    cron_schedule=HOURLY_CRON,
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="Every hour: crawl what is new from the section listings (published in the "
    "last two days), then rebuild the DuckDB tables and run the checks.",
)
def hourly_latest_crawl(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    """One run per hour of the latest-crawl job."""
    moment = _scheduled_time(context)
    return dg.RunRequest(
        run_key=f"latest-{moment:%Y-%m-%dT%H:%M}",
        tags={"newsdesk/trigger": "hourly_latest_crawl"},
    )


@dg.schedule(
    name="daily_monthly_sweep",
    job=monthly_crawl_job,
    cron_schedule=DAILY_CRON,
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="Every day: re-crawl the previous and the current month from their sitemap "
    "files (catching late edits and anything the listings missed), then rebuild the tables.",
)
def daily_monthly_sweep(context: dg.ScheduleEvaluationContext) -> list[dg.RunRequest]:
    """Two runs, previous month then current month; each rebuilds the tables after its crawl.

    The crawl pool admits one crawl at a time, so whichever run builds last
    builds after both crawls.
    """
    moment = _scheduled_time(context)
    return [
        dg.RunRequest(
            run_key=f"sweep-{moment:%Y-%m-%d}-{key}",
            partition_key=key,
            tags={"newsdesk/trigger": "daily_monthly_sweep"},
        )
        for key in (previous_month_key(moment), month_key(moment))
    ]


SCHEDULES = [hourly_latest_crawl, daily_monthly_sweep]
