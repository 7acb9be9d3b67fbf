"""Record every fetched URL's outcome, and every dropped article's reason, in the warehouse."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from newsdesk.items import Article, CrawlEvent
from newsdesk.session import WriterSession

logger = logging.getLogger(__name__)


class CrawlLogWriter:
    """Hands CrawlEvent items and article drops to the writer session (committed with the data)."""

    def __init__(self, crawler: Crawler, session: WriterSession) -> None:
        self.crawler = crawler
        self.session = session

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlLogWriter:
        writer = cls(crawler, WriterSession.for_crawler(crawler))
        crawler.signals.connect(writer.item_dropped, signal=signals.item_dropped)
        return writer

    @property
    def run_id(self) -> str:
        spider = self.crawler.spider
        return getattr(spider, "run_id", None) or "run"

    def process_item(self, item: Any) -> Any:
        if isinstance(item, CrawlEvent):
            if item.outcome == "failed":
                self._count_failure(item.reason or "unknown")
            self.session.guarded(self.session.add_event, item, item.requested_url)
        return item

    def item_dropped(self, item: Any, response: Any, exception: BaseException) -> None:
        if not isinstance(item, Article) or not isinstance(exception, DropItem):
            return
        self.session.article_dropped(item.article_id)
        reason = str(exception)
        if reason.startswith("duplicate:"):
            return  # the same article twice in one crawl: not a failure, just noise
        reason = reason.removeprefix("invalid:")
        event = CrawlEvent(
            run_id=self.run_id,
            url=item.url,
            outcome="failed",
            fetched_at=item.crawled_at or datetime.now(UTC),
            http_status=200,
            reason=reason,
            detail="rejected by validation",
            article_id=item.article_id,
        )
        self._count_failure(reason)
        self.session.guarded(self.session.add_event, event, item.url)

    def _count_failure(self, reason: str) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"newsdesk/failures/{reason}")
