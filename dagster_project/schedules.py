"""Schedules, two per edition. All start STOPPED: turn them on in the UI (Automation)
or with ``dagster schedule start <name>``; nothing crawls a live site until someone does.

* ``hourly_latest_crawl_<code>``: what is new on that edition, every hour;
* ``daily_monthly_sweep_<code>``: that edition's previous and current month from
  their sitemap files, every day (late edits, anything the listings missed).

Each edition's crawls queue behind each other (the ``newsdesk/edition`` run tag);
the editions' own sites are different hosts, so they crawl side by side.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import dagster as dg

from dagster_project.jobs import edition_tags, latest_crawl_job, monthly_crawl_job
from dagster_project.partitions import edition_month_key, month_key, previous_month_key
from newsdesk import editions

HOURLY_CRON = "17 * * * *"  # off the full hour, like a polite crawler
DAILY_CRON = "40 3 * * *"


def _scheduled_time(context: dg.ScheduleEvaluationContext) -> datetime:
    moment = context.scheduled_execution_time or datetime.now(UTC)
    return moment.astimezone(UTC)


def hourly_latest_crawl(edition: str) -> dg.ScheduleDefinition:
    """The hourly schedule of one edition's latest-crawl job."""

    def evaluate(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
        moment = _scheduled_time(context)
        return dg.RunRequest(
            run_key=f"latest-{edition}-{moment:%Y-%m-%dT%H:%M}",
            partition_key=edition,
            tags={"newsdesk/trigger": f"hourly_latest_crawl_{edition}", **edition_tags(edition)},
        )

    return _schedule(
        f"hourly_latest_crawl_{edition}",
        latest_crawl_job,
        HOURLY_CRON,
        evaluate,
        f"Every hour: crawl what is new on the {edition} edition (published in the last two "
        "days), then rebuild the DuckDB tables and run the checks.",
    )


def daily_monthly_sweep(edition: str) -> dg.ScheduleDefinition:
    """The daily schedule re-crawling one edition's previous and current month."""

    def evaluate(context: dg.ScheduleEvaluationContext) -> Iterator[dg.RunRequest]:
        # Previous month first; the edition's queue runs them one after the other,
        # so the last build comes after both crawls.
        moment = _scheduled_time(context)
        for month in (previous_month_key(moment), month_key(moment)):
            yield dg.RunRequest(
                run_key=f"sweep-{edition}-{moment:%Y-%m-%d}-{month}",
                partition_key=edition_month_key(edition, month),
                tags={
                    "newsdesk/trigger": f"daily_monthly_sweep_{edition}",
                    **edition_tags(edition),
                },
            )

    return _schedule(
        f"daily_monthly_sweep_{edition}",
        monthly_crawl_job,
        DAILY_CRON,
        evaluate,
        f"Every day: re-crawl the {edition} edition's previous and current month from their "
        "sitemap files (late edits, anything the listings missed), then rebuild the tables.",
    )


def _schedule(
    name: str,
    job: dg.UnresolvedAssetJobDefinition,
    cron: str,
    evaluate: Callable[..., object],
    description: str,
) -> dg.ScheduleDefinition:
    return dg.ScheduleDefinition(
        name=name,
        job=job,
        cron_schedule=cron,
        execution_fn=evaluate,
        execution_timezone="UTC",
        default_status=dg.DefaultScheduleStatus.STOPPED,
        description=description,
    )


SCHEDULES = [
    schedule
    for edition in editions.all_editions()
    for schedule in (hourly_latest_crawl(edition.code), daily_monthly_sweep(edition.code))
]
