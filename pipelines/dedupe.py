"""Drop the second copy of an article reached twice in one crawl."""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from newsdesk.items import Article


class DropDuplicatesPipeline:
    """Keeps the first article per article_id seen in this crawl."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DropDuplicatesPipeline:
        return cls()

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Article):
            return item
        if item.article_id in self.seen:
            raise DropItem(f"duplicate:{item.article_id}")
        self.seen.add(item.article_id)
        return item
