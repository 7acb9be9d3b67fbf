"""Partitions that mean something to a news archive: the edition and the publication month.

The monthly crawl is partitioned by edition x month (`edition_month_partitions`,
keys like ``ar|2025-07``), the crawl of what is new by edition.

A partition key is ``YYYY-MM``, the value ``newsdesk crawl --month`` takes: one
of the site's monthly sitemap files, which file articles by their publication
month in Beirut time (the site's time zone), hence the partitions' time zone.
The Parquet dataset's ``edition=/year=/month=`` directories hold UTC months, so the few
articles of a month's first hours (Beirut is UTC+2/+3) are stored in the
previous UTC month; re-running a partition still replaces exactly its own
articles' rows (the store replaces rows by article_id).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import dagster as dg

from newsdesk import editions

SITE_TIMEZONE = "Asia/Beirut"
MONTH_FORMAT = "%Y-%m"

# The first month offered in the UI. Months before the site's first article
# simply crawl nothing; NEWSDESK_FIRST_MONTH moves the start.
FIRST_MONTH_ENV = "NEWSDESK_FIRST_MONTH"
DEFAULT_FIRST_MONTH = "2021-01"


def first_month() -> str:
    """The first partition's key (``YYYY-MM``), from ``NEWSDESK_FIRST_MONTH`` or the default."""
    value = (os.environ.get(FIRST_MONTH_ENV) or DEFAULT_FIRST_MONTH).strip()
    datetime.strptime(value, MONTH_FORMAT)  # a clear ValueError at load time if malformed
    return value


monthly_partitions = dg.MonthlyPartitionsDefinition(
    start_date=first_month(),
    fmt=MONTH_FORMAT,
    timezone=SITE_TIMEZONE,
    # end_offset=1: the current (incomplete) month is a partition too, since a
    # news site publishes into it all month long and the daily sweep re-crawls it.
    end_offset=1,
)


def _site_time(moment: datetime) -> datetime:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(ZoneInfo(SITE_TIMEZONE))


def month_key(moment: datetime) -> str:
    """The partition key (sitemap month) of ``moment``: its month in Beirut time.

    A naive ``moment`` is taken as UTC.
    """
    return _site_time(moment).strftime(MONTH_FORMAT)


def previous_month_key(moment: datetime) -> str:
    """The partition key of the month before the one containing ``moment`` (Beirut time)."""
    local = _site_time(moment)
    year, month = (local.year, local.month - 1) if local.month > 1 else (local.year - 1, 12)
    return f"{year:04d}-{month:02d}"


# -- editions ----------------------------------------------------------------------

EDITION_DIMENSION = "edition"
MONTH_DIMENSION = "month"

#: One partition per registered edition (newsdesk/editions): the crawl of what is new.
edition_partitions = dg.StaticPartitionsDefinition([e.code for e in editions.all_editions()])

#: Edition x publication month: the crawl of one edition's monthly sitemap file.
#: Keys read ``ar|2025-07`` (Dagster orders the dimensions by name).
edition_month_partitions = dg.MultiPartitionsDefinition(
    {EDITION_DIMENSION: edition_partitions, MONTH_DIMENSION: monthly_partitions}
)


def edition_month_key(edition: str, month: str) -> dg.MultiPartitionKey:
    """The partition key of one edition's month (``YYYY-MM``)."""
    return dg.MultiPartitionKey({EDITION_DIMENSION: edition, MONTH_DIMENSION: month})


def split_edition_month(key: str | dg.MultiPartitionKey) -> tuple[str, str]:
    """``(edition, month)`` of an edition x month partition key."""
    dimensions = (
        key.keys_by_dimension
        if isinstance(key, dg.MultiPartitionKey)
        else edition_month_partitions.get_partition_key_from_str(key).keys_by_dimension
    )
    return dimensions[EDITION_DIMENSION], dimensions[MONTH_DIMENSION]
