"""Record every fetched URL's outcome, and every dropped article's reason, in the warehouse."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from newsdesk.items import Article, CrawlEvent
from newsdesk.store import write_crawl_log
from newsdesk.warehouse import Warehouse

logger = logging.getLogger(__name__)


class CrawlLogWriter:
    """Collects CrawlEvent items and article drops; writes one crawl_log file per run."""

    def __init__(self, crawler: Crawler, warehouse: Warehouse) -> None:
        self.crawler = crawler
        self.warehouse = warehouse
        self.events: list[CrawlEvent] = []
        self.failures: Counter[str] = Counter()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlLogWriter:
        writer = cls(crawler, Warehouse.at(crawler.settings.get("NEWSDESK_WAREHOUSE")))
        crawler.signals.connect(writer.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(writer.spider_closed, signal=signals.spider_closed)
        return writer

    @property
    def run_id(self) -> str:
        spider = self.crawler.spider
        return getattr(spider, "run_id", None) or "run"

    def process_item(self, item: Any) -> Any:
        if isinstance(item, CrawlEvent):
            self.events.append(item)
            if item.outcome == "failed":
                self._count_failure(item.reason or "unknown")
        return item

    def item_dropped(self, item: Any, response: Any, exception: BaseException) -> None:
        if not isinstance(item, Article) or not isinstance(exception, DropItem):
            return
        reason = str(exception)
        if reason.startswith("duplicate:"):
            return  # the same article twice in one crawl: not a failure, just noise
        reason = reason.removeprefix("invalid:")
        self.events.append(
            CrawlEvent(
                run_id=self.run_id,
                url=item.url,
                outcome="failed",
                fetched_at=item.crawled_at or datetime.now(UTC),
                http_status=200,
                reason=reason,
                detail="rejected by validation",
                article_id=item.article_id,
            )
        )
        self._count_failure(reason)

    def _count_failure(self, reason: str) -> None:
        self.failures[reason] += 1
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"newsdesk/failures/{reason}")

    def spider_closed(self) -> None:
        if not self.events:
            return
        day = datetime.now(UTC).date().isoformat()
        path = write_crawl_log(self.warehouse, self.run_id, self.events, day)
        logger.info("crawl log: %d events -> %s", len(self.events), path)
