"""Rebuild the articles dataset from the raw WARC archive, offline.

Improving the extraction must not require crawling the site again: every
article response is in ``<warehouse>/raw/``. Records are replayed in fetch
order through the current page classes with the crawl's own rules (a version
whose content did not change keeps the earlier row, as the crawl's writer
does), so re-parsing an archive with unchanged code gives exactly the dataset
the crawl gave.

Reparse never loses an article. The result is the stored rows overlaid by the
re-derived ones: a stored row that the archive cannot re-derive (its response
is missing, damaged, or no longer passes validation) is kept as it is. A row
is removed only when the latest archived response for its URL is positively
re-derived as a non-article (the page class raises ``NotAnArticle``); those
rows are listed in the result. An archive file that cannot be read to its end
is a failure (its readable records are still used), and so is an unreadable
stored part file (moved to ``<warehouse>/quarantine/``, never deleted).

Without ``since``/``until`` the whole dataset is rebuilt aside and swapped in;
with them, only responses fetched in that window are re-parsed and merged.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from newsdesk import editions
from newsdesk.archive import ArchiveDamage, iter_archive, recover_open_files
from newsdesk.build import check_parquet_file
from newsdesk.editions.spec import Edition
from newsdesk.items import Article
from newsdesk.migrate import migrate_locked
from newsdesk.pages.article import NotAnArticle
from newsdesk.store import ArticleStore, partition_key, recover, row_to_article, writer_lock
from newsdesk.warehouse import Warehouse
from pipelines.validate import validation_error

# Failure reasons that mean data could not be read: the command exits non-zero.
ARCHIVE_UNREADABLE = "archive_unreadable"
PART_UNREADABLE = "part_unreadable"
CRAWL_LOG_UNREADABLE = "crawl_log_unreadable"
DAMAGE_REASONS = (ARCHIVE_UNREADABLE, PART_UNREADABLE, CRAWL_LOG_UNREADABLE)

_PARQUET_ERRORS = (pa.ArrowException, OSError, ValueError)


class ReparseError(RuntimeError):
    """Reparse could not run (one line saying why and what to do)."""


@dataclass(frozen=True)
class RemovedArticle:
    """A stored row dropped because its archived page is no longer an article."""

    article_id: str
    url: str
    reason: str


@dataclass
class ReparseResult:
    """What a reparse read, re-derived, kept, removed and could not read."""

    responses: int = 0
    articles: int = 0
    changed: int = 0
    kept: int = 0
    failures: Counter[str] = field(default_factory=Counter)
    damaged: list[str] = field(default_factory=list)
    removed: list[RemovedArticle] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """False when an archive, part or log file could not be read."""
        return not any(self.failures[reason] for reason in DAMAGE_REASONS)


@dataclass
class Replay:
    """The outcome of replaying the archive."""

    articles: dict[str, Article] = field(default_factory=dict)
    # article_id -> (url, reason) whose latest archived response is not an article.
    non_articles: dict[str, tuple[str, str]] = field(default_factory=dict)


def _skipped_urls(warehouse: Warehouse, result: ReparseResult) -> set[str]:
    """URLs a crawl fetched but left out on purpose (another section, before --since).

    Read file by file so that one damaged log file is a reported failure, not
    a traceback: a URL is skipped when every logged outcome for it is.
    """
    root = warehouse.crawl_log
    if not root.exists():
        return set()
    skipped: set[str] = set()
    kept: set[str] = set()
    for path in sorted(root.rglob("*.parquet")):
        if path.name.startswith("."):
            continue
        try:
            table = pq.ParquetFile(path).read(columns=["url", "outcome"])
        except _PARQUET_ERRORS as exc:
            _damaged(result, CRAWL_LOG_UNREADABLE, f"damaged crawl log {path}: {_line(exc)}")
            continue
        for url, outcome in zip(
            table.column("url").to_pylist(), table.column("outcome").to_pylist(), strict=True
        ):
            (skipped if outcome == "skipped" else kept).add(url)
    return skipped - kept


def _damaged(result: ReparseResult, reason: str, line: str) -> None:
    result.failures[reason] += 1
    result.damaged.append(line)


def _line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:200] if text else type(exc).__name__


def replay(
    warehouse: Warehouse,
    since: datetime | None = None,
    until: datetime | None = None,
    result: ReparseResult | None = None,
) -> tuple[Replay, ReparseResult]:
    """Parse archived article responses; the latest content per article wins.

    A damaged archive file is counted as ``archive_unreadable`` (with a line
    naming it in ``result.damaged``); the records read before the damage are used.
    """
    result = result if result is not None else ReparseResult()
    skipped = _skipped_urls(warehouse, result)
    out = Replay()
    now = datetime.now(UTC)

    def on_damage(damage: ArchiveDamage) -> None:
        _damaged(
            result,
            ARCHIVE_UNREADABLE,
            f"damaged archive file {damage.path} ({damage.detail}; {damage.records_read} "
            "responses read before the damage): the stored rows it would re-derive are "
            "kept as they are; restore the file from a backup or re-fetch with "
            "`newsdesk crawl --full`",
        )

    for record in iter_archive(
        warehouse.raw, since=since, until=until, kinds=frozenset({"article"}), on_damage=on_damage
    ):
        if record.status != 200 or record.url in skipped:
            continue
        result.responses += 1
        try:
            edition = editions.get(record.edition)
        except KeyError:  # recorded by an edition this code does not know
            result.failures["unknown_edition"] += 1
            continue
        try:
            # The edition the crawl recorded and the parser version of the
            # fetch time: old archives keep the parser of their markup.
            page = edition.article_page(record.url, record.body, record.fetched_at)
            article = page.to_article(crawled_at=record.fetched_at)
        except NotAnArticle as exc:
            result.failures[exc.reason] += 1
            # Remembered, not applied: a later response of the same URL that
            # is an article again wins (responses are in fetch order).
            out.non_articles[_url_id(record.url, edition)] = (record.url, exc.reason)
            continue
        reason = validation_error(article, now)
        if reason is not None:
            result.failures[reason] += 1
            continue
        out.non_articles.pop(article.article_id, None)
        out.non_articles.pop(_url_id(record.url, edition), None)
        previous = out.articles.get(article.article_id)
        if previous is None or previous.content_hash != article.content_hash:
            out.articles[article.article_id] = article
    # An id whose latest response is not an article is not re-derived either.
    for article_id in out.non_articles:
        out.articles.pop(article_id, None)
    result.articles = len(out.articles)
    return out, result


def _url_id(url: str, edition: Edition) -> str:
    """The id a URL's article has in its edition (ids differ between editions)."""
    try:
        return edition.article_id_for(url)
    except ValueError:
        return ""


def _read_stored(
    warehouse: Warehouse, result: ReparseResult
) -> tuple[dict[str, Article], list[Path]]:
    """Every readable stored row, and the part files that could not be read."""
    stored: dict[str, Article] = {}
    unreadable: list[Path] = []
    root = warehouse.articles
    if not root.exists():
        return stored, unreadable
    for path in sorted(root.rglob("*.parquet")):
        if path.name.startswith("."):
            continue
        try:
            # A full read: every row is needed anyway, and it finds any damage.
            rows = pq.ParquetFile(path).read().to_pylist()
        except _PARQUET_ERRORS as exc:
            unreadable.append(path)
            _damaged(
                result,
                PART_UNREADABLE,
                f"damaged file {path} ({_line(exc)}): moved to {warehouse.quarantine}; its "
                "articles were re-derived from the archive where it has them",
            )
            continue
        key = partition_key(path)
        for row in rows:
            # The edition is the partition's folder, not a column of the file.
            row["edition"] = key[0] if key is not None else "en"
            article = row_to_article(row)
            stored[article.article_id] = article
    return stored, unreadable


def _quarantine(warehouse: Warehouse, path: Path, old_root: Path) -> None:
    """Move a damaged part file (now under ``old_root``) aside, never deleting it."""
    relative = path.relative_to(warehouse.articles)
    source = old_root / relative
    if not source.exists():
        return
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    # Not ``*.parquet``: nothing that globs the quarantine for Parquet may read it.
    target = (
        warehouse.quarantine / "articles" / relative.parent / f"{relative.name}.{stamp}.damaged"
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(source, target)


def recover_interrupted_swap(warehouse: Warehouse) -> None:
    """Finish or undo the swap of a reparse that was killed; call under the writer lock.

    ``_swap_in`` renames the dataset away, then the new one into place: a kill
    between the two leaves no ``articles/`` and the stored rows in
    ``.articles-old-*``, which are put back (never deleted). A kill after both
    leaves an old copy that is no longer needed, and a kill before leaves only
    an unfinished ``.reparse-*`` folder.
    """
    for old in sorted(warehouse.root.glob(".articles-old-*")):
        if not warehouse.articles.exists():
            os.replace(old, warehouse.articles)
        else:
            shutil.rmtree(old, ignore_errors=True)
    for aside in warehouse.root.glob(".reparse-*"):
        shutil.rmtree(aside, ignore_errors=True)


def _swap_in(warehouse: Warehouse, articles: list[Article], damaged_parts: list[Path]) -> None:
    """Write ``articles`` as a new dataset aside and rename it over the old one."""
    aside = Warehouse(warehouse.root / f".reparse-{uuid.uuid4().hex[:8]}")
    try:
        ArticleStore(aside).merge(articles, {})
        old = warehouse.root / f".articles-old-{uuid.uuid4().hex[:8]}"
        if warehouse.articles.exists():
            os.replace(warehouse.articles, old)
        if aside.articles.exists():
            os.replace(aside.articles, warehouse.articles)
        for path in damaged_parts:
            _quarantine(warehouse, path, old)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(aside.root, ignore_errors=True)


def _removals(stored: dict[str, Article], replayed: Replay) -> list[RemovedArticle]:
    return [
        RemovedArticle(article_id, stored[article_id].url, reason)
        for article_id, (_url, reason) in sorted(replayed.non_articles.items())
        if article_id in stored
    ]


def reparse(
    warehouse: Warehouse, since: datetime | None = None, until: datetime | None = None
) -> ReparseResult:
    """Re-extract articles from the archive into the dataset (see module docstring).

    Raises ``ReparseError`` when a window reparse meets a damaged part file
    (only a full reparse repairs it), ``WarehouseBusy`` when a crawl writes.
    """
    with writer_lock(warehouse):
        # Under the writer lock an ``.open`` WARC file is a killed crawl's: its
        # complete records are as good as any.
        recover_open_files(warehouse.raw)
        recover(warehouse.root)  # a crawl's commit cut by a kill is finished first
        recover_interrupted_swap(warehouse)
        migrate_locked(warehouse)  # a warehouse from before editions: moved first
        result = ReparseResult()
        if since is not None or until is not None:
            return _reparse_window(warehouse, since, until, result)
        stored, damaged_parts = _read_stored(warehouse, result)
        replayed, result = replay(warehouse, result=result)
        result.removed = _removals(stored, replayed)
        final = dict(stored)
        for removed in result.removed:
            del final[removed.article_id]
        for article_id, article in replayed.articles.items():
            old = stored.get(article_id)
            if old is None or old.content_hash != article.content_hash:
                result.changed += 1
            final[article_id] = article
        result.kept = len(
            set(stored) - set(replayed.articles) - {r.article_id for r in result.removed}
        )
        _swap_in(warehouse, list(final.values()), damaged_parts)
        return result


def _reparse_window(
    warehouse: Warehouse, since: datetime | None, until: datetime | None, result: ReparseResult
) -> ReparseResult:
    """Merge the re-derived articles of one fetch window into the stored dataset."""
    root = warehouse.articles
    for path in sorted(root.rglob("*.parquet")) if root.exists() else []:
        problem = None if path.name.startswith(".") else check_parquet_file(path)
        if problem is not None:
            raise ReparseError(
                f"damaged file {path} ({problem.detail}); run `newsdesk reparse` without "
                "--since/--until (or `newsdesk crawl`) to repair it"
            )
    replayed, result = replay(warehouse, since, until, result)
    store = ArticleStore(warehouse)
    index = store.load_index()
    changed = [
        a
        for a in replayed.articles.values()
        if a.article_id not in index or index[a.article_id].content_hash != a.content_hash
    ]
    store.merge(changed, index)
    result.changed = len(changed)
    removable = {i: v for i, v in replayed.non_articles.items() if i in index}
    if removable:
        # No partition-level delete in the store's API: rebuild aside without them.
        stored = {a.article_id: a for a in map(row_to_article, store.read_table().to_pylist())}
        result.removed = _removals(stored, Replay(non_articles=removable))
        for removed in result.removed:
            del stored[removed.article_id]
        _swap_in(warehouse, list(stored.values()), [])
    return result
