"""Resources: where to crawl, where the warehouse is, and how strict the checks are."""

from __future__ import annotations

import os
import re
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import dagster as dg
from pydantic import Field

from newsdesk import editions
from newsdesk.crawl import parse_base_urls
from newsdesk.crawlconfig import BASE_URL_ENV, resolve_base_url
from newsdesk.crawloptions import CrawlOptions, to_argv
from newsdesk.lake import LakeConfig, is_lake_path, load_config
from newsdesk.warehouse import WAREHOUSE_ENV, Warehouse

# The repo root: relative warehouse paths are resolved against it (not against
# whatever directory a Dagster run worker happens to start in), and the crawl
# subprocess runs from it so `python -m newsdesk.pipes_crawl` imports this checkout.
PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_WAREHOUSE_DIR = "warehouse"

FRESHNESS_ENV = "NEWSDESK_FRESHNESS_HOURS"
DEFAULT_FRESHNESS_HOURS = 48.0

# ``en=URL,ar=URL``: a base URL setting that names editions.
_PAIRS = re.compile(r"^[A-Za-z][\w-]*=")


class NewsdeskResource(dg.ConfigurableResource):
    """The site to crawl and the warehouse to write, shared by every newsdesk asset and check.

    Both default to the environment at run time: ``NEWSDESK_BASE_URL`` (else the
    live site) and ``NEWSDESK_WAREHOUSE`` (else ``warehouse/`` in the repo).
    """

    base_url: str | None = Field(
        default=None,
        description="Sites to crawl: CODE=URL pairs (en=URL,ar=URL,es=URL), or one URL for the "
        "English edition; default $NEWSDESK_BASE_URL (same forms), else each edition's live site",
    )
    warehouse_root: str | None = Field(
        default=None,
        description="Warehouse directory, or a lake's .toml (README, 'The shared lake'); "
        "default $NEWSDESK_WAREHOUSE, else warehouse/ (relative paths are taken from the repo "
        "root)",
    )
    crawl_log_level: str = Field(
        default="WARNING",
        description="Scrapy log level in the crawl subprocess; records at this level and above "
        "are forwarded to the Dagster run",
    )

    def resolved_base_url(self, edition: str = editions.DEFAULT_EDITION) -> str:
        """The base URL of ``edition``'s crawl (raises ValueError for a malformed setting).

        ``CODE=URL`` pairs name the editions they point elsewhere; a plain URL is the
        English edition's (the form from before editions). An edition not named
        crawls its live site.
        """
        spec = editions.get(edition)
        value = (self.base_url or os.environ.get(BASE_URL_ENV) or "").strip()
        if _PAIRS.match(value):
            url = parse_base_urls(value, [e.code for e in editions.all_editions()]).get(edition)
        else:
            url = value if value and edition == editions.DEFAULT_EDITION else None
        return resolve_base_url(url or spec.live_base_url, spec)

    def _warehouse_path(self) -> Path:
        root = Path(self.warehouse_root or os.environ.get(WAREHOUSE_ENV) or DEFAULT_WAREHOUSE_DIR)
        return root if root.is_absolute() else PROJECT_ROOT / root

    @property
    def lake_path(self) -> Path | None:
        """The lake's toml when the warehouse setting names one (absolute), else None."""
        path = self._warehouse_path()
        return path if is_lake_path(path) else None

    def lake_config(self) -> LakeConfig | None:
        """The lake the warehouse setting names, or None for a local warehouse.

        Raises `newsdesk.lake.LakeError` (one line) for a toml that cannot be used.
        """
        path = self.lake_path
        return load_config(path) if path is not None else None

    @property
    def warehouse(self) -> Warehouse:
        """The local warehouse, with an absolute root (a lake: see `lake_config`)."""
        return Warehouse(self._warehouse_path())

    def crawl_options(self, **options: Any) -> CrawlOptions:
        """The options of one crawl: ``options`` plus this resource's site, warehouse and log."""
        edition = options.get("edition") or editions.DEFAULT_EDITION
        return CrawlOptions(
            base_url=self.resolved_base_url(edition),
            # A lake's toml goes to the child as is: it crawls into the lake itself.
            warehouse=str(self.lake_path or self.warehouse.root),
            log_level=self.crawl_log_level.upper(),
            **options,
        )

    def crawl_command(self, **options: Any) -> list[str]:
        """The command line of one crawl subprocess (``python -m newsdesk.pipes_crawl ...``).

        Its arguments derive from the declared options (`newsdesk.crawloptions.to_argv`),
        so the child parses exactly what is written here.
        """
        return [
            sys.executable,
            "-m",
            "newsdesk.pipes_crawl",
            *to_argv(self.crawl_options(**options)),
        ]


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
    # Minimum coverage per field, overriding every edition's own expectation
    # (newsdesk/editions/<code>/spec.py `expected_coverage`) when set. A field an
    # edition does not carry (Arabic: source) stays unchecked there.
    min_coverage_authors: float | None = None
    min_coverage_source: float | None = None
    min_coverage_tags: float | None = None
    min_coverage_body: float | None = None
    min_coverage_image: float | None = None

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

    def coverage_thresholds(self, edition: str = editions.DEFAULT_EDITION) -> dict[str, float]:
        """Minimum share of ``edition``'s articles that must have each field it carries."""
        thresholds = dict(editions.get(edition).expected_coverage)
        for name in thresholds:
            override = getattr(self, f"min_coverage_{name}", None)
            if override is not None:
                thresholds[name] = override
        return thresholds
