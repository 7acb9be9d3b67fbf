"""Resources: where to crawl, where the warehouse is, and how strict the checks are."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg
from pydantic import Field

from newsdesk.crawlconfig import resolve_base_url
from newsdesk.warehouse import WAREHOUSE_ENV, Warehouse

# The repo root: relative warehouse paths are resolved against it (not against
# whatever directory a Dagster run worker happens to start in), and the crawl
# subprocess runs from it so `python -m newsdesk.pipes_crawl` imports this checkout.
PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_WAREHOUSE_DIR = "warehouse"

FRESHNESS_ENV = "NEWSDESK_FRESHNESS_HOURS"
DEFAULT_FRESHNESS_HOURS = 48.0


class NewsdeskResource(dg.ConfigurableResource):
    """The site to crawl and the warehouse to write, shared by every newsdesk asset and check.

    Both default to the environment at run time: ``NEWSDESK_BASE_URL`` (else the
    live site) and ``NEWSDESK_WAREHOUSE`` (else ``warehouse/`` in the repo).
    """

    base_url: str | None = Field(
        default=None,
        description="Site to crawl; default $NEWSDESK_BASE_URL, else https://english.almayadeen.net",
    )
    warehouse_root: str | None = Field(
        default=None,
        description="Warehouse directory; default $NEWSDESK_WAREHOUSE, else warehouse/ "
        "(relative paths are taken from the repo root)",
    )
    crawl_log_level: str = Field(
        default="WARNING",
        description="Scrapy log level in the crawl subprocess; records at this level and above "
        "are forwarded to the Dagster run",
    )

    def resolved_base_url(self) -> str:
        """The base URL the crawl will use (raises ValueError for a malformed URL)."""
        return resolve_base_url(self.base_url)

    @property
    def warehouse(self) -> Warehouse:
        """The warehouse, with an absolute root."""
        root = Path(self.warehouse_root or os.environ.get(WAREHOUSE_ENV) or DEFAULT_WAREHOUSE_DIR)
        if not root.is_absolute():
            root = PROJECT_ROOT / root
        return Warehouse(root)

    def crawl_command(
        self,
        *,
        month: str | None = None,
        since: str | None = None,
        discovery: str = "both",
        sections: Sequence[str] | None = None,
        max_articles: int | None = None,
        full: bool = False,
    ) -> list[str]:
        """The command line of one crawl subprocess (``python -m newsdesk.pipes_crawl ...``)."""
        command = [
            sys.executable,
            "-m",
            "newsdesk.pipes_crawl",
            "--base-url",
            self.resolved_base_url(),
            "--warehouse",
            str(self.warehouse.root),
            "--log-level",
            self.crawl_log_level.upper(),
        ]
        if month is not None:
            command += ["--month", month]
        else:
            command += ["--discovery", discovery]
        if since is not None:
            command += ["--since", since]
        if sections:
            command += ["--sections", ",".join(sections)]
        if max_articles is not None:
            command += ["--max-articles", str(max_articles)]
        if full:
            command.append("--full")
        return command


class CheckSettings(dg.ConfigurableResource):
    """Thresholds of the asset checks, and the clock they use.

    ``now`` is injectable so that a fixed archive (the offline replica, whose
    dates end 2025-10-31) can be checked as of a given time.
    """

    now: str | None = Field(
        default=None,
        description="ISO time the checks treat as now, UTC unless an offset is given "
        "(default: the current time)",
    )
    freshness_max_age_hours: float | None = Field(
        default=None,
        description=f"Newest article may be at most this old; default ${FRESHNESS_ENV}, "
        f"else {DEFAULT_FRESHNESS_HOURS:g}",
    )
    max_crawl_failure_rate: float = Field(
        default=0.05, description="Largest share of failed URLs in the latest crawl run"
    )
    min_crawl_urls_for_failure_rate: int = Field(
        default=20,
        description="A crawl run that fetched fewer URLs is too small to judge its failure rate",
    )
    coverage_sample_size: int = Field(
        default=200,
        description="Field coverage is measured on this many most recently crawled articles "
        "(a markup change shows in new pages first)",
    )
    # Minimum coverage per field. A broken selector drops a field to ~0%, far
    # below these; they leave room for what is legitimately missing: many
    # articles carry no "Source:" line (the replica: ~73% have one), some have
    # no tags or image (~94% and ~93%), and videos have no body (measured on
    # non-video articles only).
    min_coverage_authors: float = 0.8
    min_coverage_source: float = 0.3
    min_coverage_tags: float = 0.7
    min_coverage_body: float = 0.8
    min_coverage_image: float = 0.7

    def current_time(self) -> datetime:
        """``now`` as a UTC datetime, or the current time."""
        if not self.now:
            return datetime.now(UTC)
        try:
            parsed = datetime.fromisoformat(self.now.strip())
        except ValueError as exc:
            raise ValueError(f"CheckSettings.now is not an ISO time: {self.now!r}") from exc
        # A naive time means UTC (everything in the warehouse is UTC).
        return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)

    def freshness_max_age(self) -> timedelta:
        """The freshness threshold, from the config, ``NEWSDESK_FRESHNESS_HOURS`` or 48 h."""
        hours = self.freshness_max_age_hours
        if hours is None:
            hours = float(os.environ.get(FRESHNESS_ENV) or DEFAULT_FRESHNESS_HOURS)
        return timedelta(hours=hours)

    def coverage_thresholds(self) -> dict[str, float]:
        """Minimum share of articles that must have each field."""
        return {
            "authors": self.min_coverage_authors,
            "source": self.min_coverage_source,
            "tags": self.min_coverage_tags,
            "body": self.min_coverage_body,
            "image": self.min_coverage_image,
        }
