"""The one writer of a warehouse during a crawl: lock, recovery, index, state and commits.

A crawl's spider and pipelines share one `WriterSession` (`for_crawler`).
Opening it takes the warehouse's writer lock, finishes a commit a killed
writer left half-done, moves damaged part files to the quarantine and
re-derives their articles from the raw archive, and reads what is stored.
Articles and crawl-log rows are buffered and committed together with the
crawl state, in one `Transaction`, every ``NEWSDESK_FLUSH_EVERY`` articles and
when the crawl closes. An error writing stops the crawl at once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from newsdesk.items import Article, CrawlEvent
from newsdesk.state import (
    CrawlState,
    InvalidState,
    Ledger,
    Mark,
    known_articles_from,
    load_failed_urls,
)
from newsdesk.store import (
    ArticleStore,
    DamagedPartFile,
    IndexEntry,
    PartitionKey,
    StorageError,
    Transaction,
    WriterLock,
    crawl_log_path,
    events_to_table,
    index_from_table,
    partition_key,
    partition_of,
    recover,
    storage_error,
)
from newsdesk.warehouse import Warehouse

logger = logging.getLogger(__name__)

_ATTR = "_newsdesk_writer_session"


@dataclass
class CommitResult:
    articles: int = 0
    events: int = 0
    revisions: int = 0
    partitions: list[tuple[int, int]] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)


class WriterSession:
    """Everything a crawl writes goes through here (see the module docstring)."""

    def __init__(self, warehouse: Warehouse, lock: WriterLock, edition: str = "en") -> None:
        self.warehouse = warehouse
        self.lock = lock
        self.edition = edition
        self.store = ArticleStore(warehouse)
        self.index: dict[str, IndexEntry] = {}
        self.known: dict[str, datetime] = {}
        self.state = CrawlState(CrawlState.path_for(warehouse, edition))
        self.failed_before: dict[str, str] = {}
        self.ledger = Ledger()
        self.run_id = "run"
        self.flush_every = 1000
        self.events_every = 4000
        self.articles: list[Article] = []
        self.events: list[CrawlEvent] = []
        self.unchanged: list[Article] = []
        self.sequence = 0
        self.failure: StorageError | None = None
        self.closed = False
        # Sitemap lastmods of requested entries, and modification times of stored
        # articles: compared at each commit (see `_lastmod_notes`).
        self.sitemap_lastmods: dict[str, datetime] = {}
        self.committed_modified: dict[str, datetime] = {}
        self._note_candidates: set[str] = set()

    # -- opening -------------------------------------------------------------

    @classmethod
    def open(cls, warehouse: Warehouse, edition: str = "en") -> WriterSession:
        """Lock one edition of the warehouse and read it (`WarehouseBusy`, `StorageError`)."""
        # A warehouse written before editions is moved to the current layout first,
        # under the whole-warehouse lock (no edition's writer may run meanwhile).
        from newsdesk.migrate import migrate, needs_migration

        if needs_migration(warehouse):
            try:
                migrate(warehouse)
            except OSError as exc:
                raise storage_error(exc, warehouse.articles) from exc
        lock = WriterLock(warehouse, edition).acquire()
        session = cls(warehouse, lock, edition)
        try:
            session._prepare()
        except OSError as exc:
            lock.release()
            raise storage_error(exc, warehouse.root) from exc
        except BaseException:
            lock.release()
            raise
        return session

    @classmethod
    def for_crawler(cls, crawler: Any, edition: str = "en") -> WriterSession:
        """The crawl's session, opened on first use (the spider's ``from_crawler``)."""
        session = getattr(crawler, _ATTR, None)
        if session is None:
            warehouse = Warehouse.at(crawler.settings.get("NEWSDESK_WAREHOUSE"))
            session = cls.open(warehouse, edition)
            cls.attach(crawler, session)
        return session

    @classmethod
    def attach(cls, crawler: Any, session: WriterSession) -> None:
        """Make ``session`` the crawl's session (the CLI opens it before Scrapy starts)."""
        from scrapy import signals

        setattr(crawler, _ATTR, session)
        crawler.signals.connect(session._on_spider_closed, signal=signals.spider_closed)
        session._crawler = crawler

    def configure(self, settings: Any) -> None:
        """Commit sizes from the crawl's settings (final once the spider applied its profile)."""
        self.flush_every = settings.getint("NEWSDESK_FLUSH_EVERY", 1000)
        self.events_every = max(200, 4 * self.flush_every)

    def _prepare(self) -> None:
        removed = recover(self.warehouse.root, self.edition)
        if removed:
            logger.warning("removed %d temporary files left by an interrupted writer", removed)
        try:
            self.state = CrawlState.read(self.warehouse, self.edition)
        except InvalidState as exc:
            self._quarantine_state(str(exc))
        damaged = self.store.verify(
            self.warehouse.root / "state" / f"verified_parts.{self.edition}.json"
        )
        table, unreadable = self.store.read_index_columns()
        damaged += [d for d in unreadable if d.path not in {x.path for x in damaged}]
        if damaged:
            self._repair(damaged)
            table, damaged = self.store.read_index_columns()
            if damaged:
                raise StorageError(f"{damaged[0]}; it could not be moved aside")
        self.index = index_from_table(table)
        self.known = known_articles_from(table)
        self.failed_before = load_failed_urls(self.warehouse)
        self._add_lake_seed()

    def _add_lake_seed(self) -> None:
        """A working folder of a lake (newsdesk.lake_crawl) also knows what the lake holds."""
        from newsdesk.lake_crawl import read_seed

        seeded, failed = read_seed(self.warehouse)
        if seeded is not None and seeded.num_rows:
            # Local rows are newer than the lake's (not yet imported): they win.
            self.index = {**index_from_table(seeded), **self.index}
            self.known = {**known_articles_from(seeded), **self.known}
        self.failed_before = {**failed, **self.failed_before}

    def _quarantine_state(self, why: str) -> None:
        path = CrawlState.path_for(self.warehouse, self.edition)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        aside = self.warehouse.quarantine / "state" / f"{path.name}.{stamp}"
        aside.parent.mkdir(parents=True, exist_ok=True)
        path.replace(aside)
        logger.warning(
            "crawl state %s is invalid (%s): moved to %s; rebuilt from the dataset "
            "(listings and sitemaps are read again)",
            path,
            why,
            aside,
        )
        self.state = CrawlState(path)

    def _repair(self, damaged: list[DamagedPartFile]) -> None:
        """Move damaged part files aside and re-derive their partitions' articles."""
        keys: set[PartitionKey] = set()
        for exc in damaged:
            aside = self.store.quarantine(exc.path)
            logger.warning(
                "damaged part file %s (%s) moved to %s; its articles are re-derived from "
                "the raw archive, and fetched again if not there",
                exc.path,
                exc.detail,
                aside,
            )
            key = partition_key(exc.path)
            if key is not None:
                keys.add(key)
        table, _ = self.store.read_index_columns()
        index = index_from_table(table)
        self._rederive(keys, index)

    def _rederive(self, keys: set[PartitionKey], index: dict[str, IndexEntry]) -> None:
        from newsdesk.reparse import replay

        replayed, _result = replay(self.warehouse)
        wanted = [
            a
            for a in replayed.articles.values()
            if partition_of(a) in keys and a.article_id not in index
        ]
        # The site files articles by Beirut month (UTC month or the next): forget
        # what was read of those so a crawl looks for what the archive lacks.
        months: set[tuple[int, int]] = set()
        for _edition, year, month in keys:
            months.add((year, month))
            following = datetime(year, month, 28, tzinfo=UTC) + timedelta(days=7)
            months.add((following.year, following.month))
        self.state.forget_months(months)
        txn = Transaction(self.warehouse.root, self.edition)
        self.store.stage_merge(wanted, index, txn)
        txn.stage_bytes(self.state.to_bytes(), self.state.path)
        txn.commit()
        logger.warning("re-derived %d articles from the raw archive", len(wanted))

    # -- buffering -----------------------------------------------------------

    def add_event(self, event: CrawlEvent, requested_url: str | None) -> None:
        """Buffer one crawl-log row; it resolves its URL in the ledger."""
        if self.failure is not None:
            return
        self.events.append(event)
        url = requested_url or event.url
        if event.outcome == "article" and event.article_id:
            self.ledger.await_article(url, event.article_id)
        else:
            self.ledger.resolve(url)
        if len(self.events) >= self.events_every:
            self.commit()

    def add_article(self, article: Article, changed: bool) -> None:
        """Buffer an article (``changed``: new or edited, so it must be written)."""
        if self.failure is not None:
            return
        if changed:
            self.articles.append(article)
        else:
            self.unchanged.append(article)
        self.ledger.resolve_article(article.article_id)
        if len(self.articles) >= self.flush_every:
            self.commit()

    def article_dropped(self, article_id: str) -> None:
        """An article was rejected (its reason is an event): its URL has its outcome."""
        self.ledger.resolve_article(article_id)

    def note_sitemap_lastmod(self, article_id: str, lastmod: datetime) -> None:
        self.sitemap_lastmods[article_id] = lastmod
        self._note_candidates.add(article_id)

    # -- committing ----------------------------------------------------------

    def commit(self) -> CommitResult:
        """Write the buffered articles, crawl-log rows and state as one transaction."""
        result = CommitResult()
        if self.failure is not None:
            return result
        try:
            result = self._commit()
        except DamagedPartFile as exc:
            # Found while rewriting a partition: repair it, then commit on top.
            self._repair([exc])
            self.index = index_from_table(self.store.read_index_columns()[0])
            result = self._commit()
        return result

    def _commit(self) -> CommitResult:
        result = CommitResult()
        marks = self.ledger.ready()
        for article in self.articles + self.unchanged:
            self._note_candidates.add(article.article_id)
        notes = self._lastmod_notes()
        if not (self.articles or self.events or marks or notes):
            return result
        txn = Transaction(self.warehouse.root, self.edition)
        merge = self.store.stage_merge(self.articles, self.index, txn)
        if self.events:
            day = datetime.now(UTC).date().isoformat()
            path = crawl_log_path(self.warehouse, self.run_id, day, self.sequence)
            while path.exists():
                self.sequence += 1
                path = crawl_log_path(self.warehouse, self.run_id, day, self.sequence)
            txn.stage_table(events_to_table(self.events), path)
        state = CrawlState(
            self.state.path,
            dict(self.state.listings_complete),
            dict(self.state.sitemaps),
            dict(self.state.lastmods),
        )
        for mark in marks:
            target = state.listings_complete if mark.kind == "listing" else state.sitemaps
            target[mark.key] = mark.value
        state.lastmods.update(notes)
        if marks or notes or not state.path.exists():
            txn.stage_bytes(state.to_bytes(), state.path)
        txn.commit()
        # Committed: only now does anything in memory move on.
        self.state = state
        self.index.update(merge.index_updates)
        for article in self.articles + self.unchanged:
            modified = article.updated_at or article.published_at
            self.committed_modified[article.article_id] = modified
            self.known[article.article_id] = modified
        self.sequence += 1 if self.events else 0
        result = CommitResult(
            articles=len(self.articles),
            events=len(self.events),
            revisions=merge.revisions,
            partitions=merge.written_partitions,
            marks=marks,
        )
        if self.articles:
            logger.info(
                "committed %d articles into %d partitions",
                len(self.articles),
                len(merge.written_partitions),
            )
        self.articles, self.unchanged, self.events = [], [], []
        crawler = getattr(self, "_crawler", None)
        if crawler is not None and crawler.stats is not None:
            crawler.stats.inc_value("newsdesk/revisions", merge.revisions)
            crawler.stats.inc_value("newsdesk/commits")
        return result

    def _lastmod_notes(self) -> dict[str, str]:
        """Sitemap lastmods later than what stored pages show (else they look edited forever)."""
        notes: dict[str, str] = {}
        pending = {a.article_id: a for a in self.articles + self.unchanged}
        for article_id in self._note_candidates:
            lastmod = self.sitemap_lastmods.get(article_id)
            if lastmod is None:
                continue
            article = pending.get(article_id)
            if article is not None:
                modified: datetime | None = article.updated_at or article.published_at
            else:
                modified = self.committed_modified.get(article_id)
            if modified is not None and lastmod > modified:
                notes[article_id] = lastmod.isoformat()
        self._note_candidates = {
            i for i in self._note_candidates if i not in pending and i not in notes
        }
        return notes

    # -- failing and closing -------------------------------------------------

    def fail(self, exc: StorageError) -> None:
        """Stop the crawl at once: nothing more is fetched or written."""
        if self.failure is not None:
            return
        self.failure = exc
        self.articles, self.unchanged, self.events = [], [], []
        logger.error("%s", exc)
        crawler = getattr(self, "_crawler", None)
        if crawler is None:
            return
        if crawler.stats is not None:
            crawler.stats.set_value("newsdesk/fatal", str(exc))
        if crawler.engine is not None:
            from scrapy.utils.defer import deferred_from_coro

            deferred_from_coro(crawler.engine.close_spider_async(reason="storage_error"))

    def guarded(self, action: Any, *args: Any) -> None:
        """Run a write, turning a storage failure into `fail`."""
        try:
            action(*args)
        except StorageError as exc:
            self.fail(exc)
        except OSError as exc:
            self.fail(storage_error(exc, self.warehouse.root))

    def close(self) -> None:
        """Commit what is buffered (unless a write failed) and release the lock."""
        if self.closed:
            return
        try:
            if self.failure is None:
                self.guarded(self.commit)
        finally:
            self.closed = True
            self.lock.release()

    def _on_spider_closed(self, spider: Any, reason: str) -> None:
        self.close()
