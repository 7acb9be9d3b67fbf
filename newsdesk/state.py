"""What earlier crawls already did, so the next visit fetches only what changed.

``<warehouse>/state/crawl_state.json`` records which section listings a crawl
has read to the end (so later visits may stop at the first known article) and
the ``lastmod`` of each monthly sitemap file fully processed, and the sitemap
``lastmod`` of articles whose page shows no modification time that late. Articles already
stored are known from the dataset itself (`KnownArticles`).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyarrow.compute as pc

from newsdesk.store import ArticleStore
from newsdesk.warehouse import Warehouse

STATE_VERSION = 1


@dataclass
class CrawlState:
    """Per-warehouse crawl bookkeeping (JSON, written atomically)."""

    path: Path
    listings_complete: dict[str, str] = field(default_factory=dict)
    sitemaps: dict[str, str] = field(default_factory=dict)
    # article_id -> sitemap lastmod, for articles whose page shows an older time.
    lastmods: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, warehouse: Warehouse) -> CrawlState:
        path = warehouse.root / "state" / "crawl_state.json"
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            return cls(path)
        if not isinstance(data, dict) or data.get("version") != STATE_VERSION:
            return cls(path)
        return cls(
            path,
            dict(data.get("listings_complete") or {}),
            dict(data.get("sitemaps") or {}),
            dict(data.get("lastmods") or {}),
        )

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.tmp")
        payload = {
            "version": STATE_VERSION,
            "listings_complete": self.listings_complete,
            "sitemaps": self.sitemaps,
            "lastmods": self.lastmods,
        }
        tmp.write_text(json.dumps(payload, indent=1, sort_keys=True))
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, self.path)

    def mark_listing_complete(self, section: str, when: datetime | None = None) -> None:
        self.listings_complete[section] = (when or datetime.now(UTC)).isoformat()
        self.save()


def load_known_articles(warehouse: Warehouse) -> dict[str, datetime]:
    """article_id -> last modification (updated_at, else published_at) of stored articles."""
    dataset = ArticleStore(warehouse).dataset()
    if dataset is None:
        return {}
    table = dataset.to_table(columns=["article_id", "published_at", "updated_at"])
    modified = pc.coalesce(table["updated_at"], table["published_at"])
    return dict(zip(table["article_id"].to_pylist(), modified.to_pylist(), strict=True))


def load_failed_urls(warehouse: Warehouse) -> dict[str, str]:
    """URL -> reason, for URLs whose latest fetch (in any earlier crawl) failed."""
    import duckdb

    if not warehouse.crawl_log.exists() or not any(warehouse.crawl_log.rglob("*.parquet")):
        return {}
    rows = duckdb.sql(
        "SELECT url, arg_max(reason, fetched_at) AS reason, "
        "arg_max(outcome, fetched_at) AS outcome "
        "FROM read_parquet(?, hive_partitioning = true) GROUP BY url",
        params=[warehouse.crawl_log_glob()],
    ).fetchall()
    return {url: reason or "unknown" for url, reason, outcome in rows if outcome == "failed"}
