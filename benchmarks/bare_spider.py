"""The crawl benchmark's baseline: a bare Scrapy spider that only downloads a URL list.

No extraction, no item pipelines, no extensions of the project, no retries (the
list already holds every request the project's crawl made, retries included, in
the order the replica served them). It uses the same concurrency (requests and
items), delay, timeout, User-Agent and robots.txt settings as the project's fast
(loopback) profile.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from scrapy.http import Response


def bare_settings() -> dict[str, Any]:
    """Scrapy's defaults plus the project's robots, concurrency and timeout settings.

    Read from ``newsdesk.settings`` (the fast profile where it overrides), so the
    baseline follows the project when those settings change.
    """
    from scrapy.settings import default_settings

    from newsdesk import settings as project

    fast = project.FAST_PROFILE

    def setting(name: str) -> Any:
        return fast.get(name, getattr(project, name, getattr(default_settings, name)))

    return {
        "USER_AGENT": project.USER_AGENT,
        "ROBOTSTXT_OBEY": project.ROBOTSTXT_OBEY,
        "COOKIES_ENABLED": project.COOKIES_ENABLED,
        "TELNETCONSOLE_ENABLED": False,
        "CONCURRENT_REQUESTS": setting("CONCURRENT_REQUESTS"),
        "CONCURRENT_REQUESTS_PER_DOMAIN": setting("CONCURRENT_REQUESTS_PER_DOMAIN"),
        "CONCURRENT_ITEMS": setting("CONCURRENT_ITEMS"),
        "DOWNLOAD_DELAY": setting("DOWNLOAD_DELAY"),
        "AUTOTHROTTLE_ENABLED": setting("AUTOTHROTTLE_ENABLED"),
        "DOWNLOAD_TIMEOUT": setting("DOWNLOAD_TIMEOUT"),
        "RETRY_ENABLED": False,
        "HTTPERROR_ALLOW_ALL": True,
        "LOG_LEVEL": "WARNING",
    }


class BareSpider(scrapy.Spider):
    """Requests every URL of ``urls`` once (duplicates included), keeps nothing."""

    name = "bare"

    def __init__(self, urls: list[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.urls = urls
        self.responses = 0
        self.bytes = 0

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.urls:
            yield scrapy.Request(url, callback=self.parse, dont_filter=True)

    def parse(self, response: Response) -> Iterator[Any]:
        """Count the response; nothing else."""
        self.responses += 1
        self.bytes += len(response.body)
        yield from ()
