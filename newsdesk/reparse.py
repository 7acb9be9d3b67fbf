"""Rebuild the articles dataset from the raw WARC archive, offline.

Improving the extraction must not require crawling the site again: every
article response is in ``<warehouse>/raw/``. Records are replayed in fetch
order through the current page classes with the crawl's own rules (a version
whose content did not change keeps the earlier row, as the crawl's writer
does), so re-parsing an archive with unchanged code gives exactly the dataset
the crawl gave.

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

import duckdb

from newsdesk.archive import iter_archive
from newsdesk.items import Article
from newsdesk.pages.article import ArticlePage, NotAnArticle
from newsdesk.store import ArticleStore, writer_lock
from newsdesk.warehouse import Warehouse
from pipelines.validate import validation_error


@dataclass
class ReparseResult:
    responses: int = 0
    articles: int = 0
    changed: int = 0
    failures: Counter[str] = field(default_factory=Counter)


def _skipped_urls(warehouse: Warehouse) -> set[str]:
    """URLs a crawl fetched but left out on purpose (another section, before --since)."""
    if not warehouse.crawl_log.exists() or not any(warehouse.crawl_log.rglob("*.parquet")):
        return set()
    rows = duckdb.sql(
        "SELECT url FROM read_parquet(?, hive_partitioning = true) "
        "GROUP BY url HAVING bool_and(outcome = 'skipped')",
        params=[warehouse.crawl_log_glob()],
    ).fetchall()
    return {url for (url,) in rows}


def replay(
    warehouse: Warehouse, since: datetime | None = None, until: datetime | None = None
) -> tuple[dict[str, Article], ReparseResult]:
    """Parse archived article responses; the latest content per article wins."""
    result = ReparseResult()
    skipped = _skipped_urls(warehouse)
    latest: dict[str, Article] = {}
    now = datetime.now(UTC)
    for record in iter_archive(
        warehouse.raw, since=since, until=until, kinds=frozenset({"article"})
    ):
        if record.status != 200 or record.url in skipped:
            continue
        result.responses += 1
        try:
            article = ArticlePage(record.url, record.body).to_article(crawled_at=record.fetched_at)
        except NotAnArticle as exc:
            result.failures[exc.reason] += 1
            continue
        reason = validation_error(article, now)
        if reason is not None:
            result.failures[reason] += 1
            continue
        previous = latest.get(article.article_id)
        if previous is None or previous.content_hash != article.content_hash:
            latest[article.article_id] = article
    result.articles = len(latest)
    return latest, result


def reparse(
    warehouse: Warehouse, since: datetime | None = None, until: datetime | None = None
) -> ReparseResult:
    """Re-extract articles from the archive into the dataset (see module docstring)."""
    with writer_lock(warehouse):
        articles, result = replay(warehouse, since, until)
        if since is not None or until is not None:
            store = ArticleStore(warehouse)
            index = store.load_index()
            changed = [
                a
                for a in articles.values()
                if a.article_id not in index or index[a.article_id].content_hash != a.content_hash
            ]
            store.merge(changed, index)
            result.changed = len(changed)
            return result
        aside = Warehouse(warehouse.root / f".reparse-{uuid.uuid4().hex[:8]}")
        try:
            ArticleStore(aside).merge(list(articles.values()), {})
            old = warehouse.root / f".articles-old-{uuid.uuid4().hex[:8]}"
            if warehouse.articles.exists():
                os.replace(warehouse.articles, old)
            if aside.articles.exists():
                os.replace(aside.articles, warehouse.articles)
            shutil.rmtree(old, ignore_errors=True)
        finally:
            shutil.rmtree(aside.root, ignore_errors=True)
        result.changed = len(articles)
        return result
