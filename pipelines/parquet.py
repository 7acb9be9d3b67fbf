"""Merge articles into the hive-partitioned Parquet dataset, exactly once each."""

from __future__ import annotations

import logging
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler

from newsdesk.items import Article
from newsdesk.store import ArticleStore, IndexEntry, remove_stale_temp_files
from newsdesk.warehouse import Warehouse

logger = logging.getLogger(__name__)


class ParquetArticleWriter:
    """Classifies each article as new / updated / unchanged and writes the changed ones.

    Unchanged articles (same content_hash as stored) cost no write at all. New and
    updated ones are buffered and merged into their month partitions every
    ``NEWSDESK_FLUSH_EVERY`` articles and when the crawl closes.
    """

    def __init__(self, crawler: Crawler, warehouse: Warehouse, flush_every: int) -> None:
        self.crawler = crawler
        self.store = ArticleStore(warehouse)
        self.flush_every = flush_every
        self.index: dict[str, IndexEntry] = {}
        self.buffer: list[Article] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ParquetArticleWriter:
        warehouse = Warehouse.at(crawler.settings.get("NEWSDESK_WAREHOUSE"))
        writer = cls(crawler, warehouse, crawler.settings.getint("NEWSDESK_FLUSH_EVERY", 1000))
        crawler.signals.connect(writer.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(writer.spider_closed, signal=signals.spider_closed)
        return writer

    def spider_opened(self) -> None:
        removed = remove_stale_temp_files(self.store.warehouse.root)
        if removed:
            logger.warning("removed %d temporary files left by an interrupted writer", removed)
        self.index = self.store.load_index()
        logger.info("%d articles already stored", len(self.index))

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Article):
            return item
        stats = self.crawler.stats
        assert stats is not None
        known = self.index.get(item.article_id)
        if known is None:
            stats.inc_value("newsdesk/articles_new")
        elif known.content_hash == item.content_hash:
            stats.inc_value("newsdesk/articles_unchanged")
            return item
        else:
            stats.inc_value("newsdesk/articles_updated")
        self.buffer.append(item)
        if len(self.buffer) >= self.flush_every:
            self.flush()
        return item

    def flush(self) -> None:
        if not self.buffer:
            return
        result = self.store.merge(self.buffer, self.index)
        stats = self.crawler.stats
        assert stats is not None
        stats.inc_value("newsdesk/revisions", result.revisions)
        logger.info(
            "wrote %d articles into %d partitions", len(self.buffer), len(result.written_partitions)
        )
        self.buffer = []

    def spider_closed(self) -> None:
        self.flush()
