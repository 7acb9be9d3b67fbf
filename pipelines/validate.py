"""Reject articles that would break the dataset's contract, with a reason."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from newsdesk.items import Article

# Clock skew tolerated before a publication date counts as "in the future".
FUTURE_TOLERANCE = timedelta(days=1)


def validation_error(article: Article, now: datetime) -> str | None:
    """The reason ``article`` cannot be stored, or None when it is valid."""
    if not article.title or not article.title.strip():
        return "no_title"
    if article.published_at is None:
        return "no_published_at"
    for name in ("published_at", "updated_at", "crawled_at"):
        value = getattr(article, name)
        if value is not None and (value.tzinfo is None or value.utcoffset() != timedelta(0)):
            return f"{name}_not_utc"
    if article.published_at > now + FUTURE_TOLERANCE:
        return "published_in_future"
    if not article.url.startswith(("http://", "https://")):
        return "url_not_absolute"
    if not article.article_id or not article.content_hash:
        return "missing_identity"
    return None


class ValidateArticlePipeline:
    """Drops an article that breaks the contract; the reason lands in the crawl log."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidateArticlePipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Article):
            return item
        reason = validation_error(item, datetime.now(UTC))
        if reason is not None:
            raise DropItem(f"invalid:{reason}")
        return item
