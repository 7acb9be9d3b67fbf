"""Merge articles into the hive-partitioned Parquet dataset, exactly once each."""

from __future__ import annotations

import logging
from typing import Any

from scrapy.crawler import Crawler

from newsdesk.items import Article
from newsdesk.session import WriterSession

logger = logging.getLogger(__name__)


class ParquetArticleWriter:
    """Classifies each article as new / updated / unchanged and hands it to the writer session.

    Unchanged articles (same content_hash as stored) cost no write at all. New and
    updated ones are committed with the crawl log and state, every
    ``NEWSDESK_FLUSH_EVERY`` articles and when the crawl closes (`WriterSession`).
    """

    def __init__(self, crawler: Crawler, session: WriterSession) -> None:
        self.crawler = crawler
        self.session = session

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ParquetArticleWriter:
        session = WriterSession.for_crawler(crawler)
        # Pipelines are made after the spider, whose profile may change the flush size.
        session.configure(crawler.settings)
        return cls(crawler, session)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Article):
            return item
        stats = self.crawler.stats
        assert stats is not None
        known = self.session.index.get(item.article_id)
        if known is None:
            stats.inc_value("newsdesk/articles_new")
        elif known.content_hash == item.content_hash:
            stats.inc_value("newsdesk/articles_unchanged")
        else:
            stats.inc_value("newsdesk/articles_updated")
        changed = known is None or known.content_hash != item.content_hash
        self.session.guarded(self.session.add_article, item, changed)
        return item
