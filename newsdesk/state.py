"""What earlier crawls already did, so the next visit fetches only what changed.

``<warehouse>/state/crawl_state.json`` records which section listings a crawl
has read to the end (so later visits may stop at the first known article),
the ``lastmod`` of each monthly sitemap file fully processed, and the sitemap
``lastmod`` of articles whose page shows no modification time that late.
Articles already stored are known from the dataset itself, and failed or dead
URLs from the crawl log.

State never runs ahead of data: the state file is only ever written inside the
same `Transaction` as the articles and crawl-log rows it describes, and a
"read to the end" mark enters it only once every article its listing or
sitemap file asked for has an outcome in that commit or an earlier one (the
`Ledger`). A kill at any instant leaves state that is true of the data.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from newsdesk.warehouse import Warehouse

STATE_VERSION = 1
STATE_FILE = Path("state") / "crawl_state.json"


class InvalidState(ValueError):
    """The state file cannot be read or does not have the expected shape."""


def _str_map(data: dict[str, object], key: str) -> dict[str, str]:
    value = data.get(key) or {}
    if not isinstance(value, dict):
        raise InvalidState(f"{key} is not an object")
    out: dict[str, str] = {}
    for k, v in value.items():
        if not isinstance(k, str) or not isinstance(v, str):
            raise InvalidState(f"{key} has a non-text entry")
        try:
            datetime.fromisoformat(v)
        except ValueError as exc:
            raise InvalidState(f"{key}[{k!r}] is not an ISO time") from exc
        out[k] = v
    return out


@dataclass
class CrawlState:
    """Per-warehouse crawl bookkeeping (JSON, written only inside a commit)."""

    path: Path
    listings_complete: dict[str, str] = field(default_factory=dict)
    sitemaps: dict[str, str] = field(default_factory=dict)
    # article_id -> sitemap lastmod, for articles whose page shows an older time.
    lastmods: dict[str, str] = field(default_factory=dict)

    @classmethod
    def path_for(cls, warehouse: Warehouse, edition: str = "en") -> Path:
        """Each edition's own file (``crawl_state.json`` is English, as it always was)."""
        if edition == "en":
            return warehouse.root / STATE_FILE
        return warehouse.root / STATE_FILE.with_name(f"crawl_state.{edition}.json")

    @classmethod
    def read(cls, warehouse: Warehouse, edition: str = "en") -> CrawlState:
        """The stored state (empty when there is none); raises `InvalidState` if damaged."""
        path = cls.path_for(warehouse, edition)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return cls(path)
        except (OSError, UnicodeDecodeError) as exc:
            raise InvalidState(f"unreadable: {exc}") from exc
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise InvalidState(f"not JSON: {exc}") from exc
        if not isinstance(data, dict) or data.get("version") != STATE_VERSION:
            raise InvalidState("not a newsdesk crawl state of this version")
        return cls(
            path,
            _str_map(data, "listings_complete"),
            _str_map(data, "sitemaps"),
            _str_map(data, "lastmods"),
        )

    @classmethod
    def load(cls, warehouse: Warehouse, edition: str = "en") -> CrawlState:
        """The stored state, or an empty one when it is missing or invalid."""
        try:
            return cls.read(warehouse, edition)
        except InvalidState:
            return cls(cls.path_for(warehouse, edition))

    def to_bytes(self) -> bytes:
        payload = {
            "version": STATE_VERSION,
            "listings_complete": self.listings_complete,
            "sitemaps": self.sitemaps,
            "lastmods": self.lastmods,
        }
        return json.dumps(payload, indent=1, sort_keys=True).encode("utf-8")

    def forget_months(self, months: Iterable[tuple[int, int]]) -> None:
        """Forget what was read of these months (their articles must be looked for again)."""
        from newsdesk.pages.sitemap import sitemap_month

        wanted = set(months)
        if not wanted:
            return
        self.listings_complete.clear()
        self.sitemaps = {
            loc: lastmod
            for loc, lastmod in self.sitemaps.items()
            if sitemap_month(loc) not in wanted
        }


@dataclass(frozen=True)
class Mark:
    """A fact to remember once everything it depends on is stored."""

    kind: str  # "listing" (key: section) or "sitemap" (key: the file's URL)
    key: str
    value: str


class Ledger:
    """Which remembered facts are backed by stored data yet.

    A listing read to its end, or a sitemap file processed, is a `Mark` that
    depends on every article URL it asked for. The spider `expect`s each URL
    and `seal`s the mark when nothing more will be asked; the writer `resolve`s
    each URL once its outcome (an article row, a failure, a skip) is in the
    commit being prepared. `ready` hands over the marks that may be committed.
    A mark whose URLs never all resolve (a kill, a cut-short crawl) is simply
    never remembered: the next crawl reads that listing again.
    """

    def __init__(self) -> None:
        # url -> the marks waiting for it (a tuple: one mark per URL is the rule).
        self._waiting: dict[str, tuple[Mark, ...]] = {}
        self._outstanding: dict[Mark, int] = {}
        self._sealed: set[Mark] = set()
        # hash(url) of URLs already resolved in this crawl: compact for huge sitemaps.
        self._resolved: set[int] = set()
        # article_id -> requested URLs whose page gave that article (resolved with it).
        self._by_article: dict[str, list[str]] = {}
        # Articles that reached the writer before their page's event (items run concurrently).
        self._articles_done: set[str] = set()

    def expect(self, mark: Mark, url: str) -> None:
        """``mark`` holds until ``url`` is resolved."""
        if hash(url) in self._resolved:
            return
        marks = self._waiting.get(url, ())
        if mark not in marks:
            self._waiting[url] = (*marks, mark)
            self._outstanding[mark] = self._outstanding.get(mark, 0) + 1

    def seal(self, mark: Mark) -> None:
        """No more URLs will be expected for ``mark``."""
        self._outstanding.setdefault(mark, 0)
        self._sealed.add(mark)

    def resolve(self, url: str) -> None:
        """``url``'s outcome is in the commit being prepared."""
        self._resolved.add(hash(url))
        for mark in self._waiting.pop(url, ()):
            self._outstanding[mark] -= 1

    def await_article(self, url: str, article_id: str) -> None:
        """``url`` gave ``article_id``: it resolves when that article reaches the writer."""
        if article_id in self._articles_done:
            self.resolve(url)
        else:
            self._by_article.setdefault(article_id, []).append(url)

    def resolve_article(self, article_id: str) -> None:
        """``article_id`` reached the writer (or was rejected, with its reason logged)."""
        self._articles_done.add(article_id)
        for url in self._by_article.pop(article_id, ()):
            self.resolve(url)

    def ready(self) -> list[Mark]:
        """Sealed marks with nothing outstanding (removed from the ledger)."""
        done = [m for m in self._sealed if self._outstanding.get(m, 0) <= 0]
        for mark in done:
            self._sealed.discard(mark)
            self._outstanding.pop(mark, None)
        return sorted(done, key=lambda m: (m.kind, m.key))


def known_articles_from(table: pa.Table) -> dict[str, datetime]:
    """article_id -> last modification (updated_at, else published_at) of stored articles."""
    modified = pc.coalesce(table["updated_at"], table["published_at"])
    return dict(zip(table["article_id"].to_pylist(), modified.to_pylist(), strict=True))


def load_known_articles(warehouse: Warehouse) -> dict[str, datetime]:
    """article_id -> last modification of stored articles (readable part files only)."""
    from newsdesk.store import ArticleStore

    table, _damaged = ArticleStore(warehouse).read_index_columns()
    return known_articles_from(table)


def load_failed_urls(warehouse: Warehouse) -> dict[str, str]:
    """URL -> reason, for URLs whose latest fetch (in any earlier crawl) failed.

    A damaged crawl-log file is moved to the quarantine (one line says so)
    instead of stopping the crawl: its URLs are simply asked for again.
    """
    import duckdb

    try:
        return _failed_urls(warehouse)
    except duckdb.Error:
        _quarantine_damaged_logs(warehouse)
        return _failed_urls(warehouse)


def _failed_urls(warehouse: Warehouse) -> dict[str, str]:
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


def _quarantine_damaged_logs(warehouse: Warehouse) -> None:
    import logging
    import os

    import pyarrow.parquet as pq

    for path in sorted(warehouse.crawl_log.rglob("*.parquet")):
        try:
            pq.read_table(path)
        except (pa.ArrowException, OSError, ValueError) as exc:
            aside = warehouse.quarantine / "crawl_log" / f"{path.parent.name}-{path.name}.damaged"
            aside.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, aside)
            logging.getLogger(__name__).warning(
                "damaged crawl log %s (%s) moved to %s", path, str(exc).splitlines()[0], aside
            )


def now_iso() -> str:
    return datetime.now(UTC).isoformat()
