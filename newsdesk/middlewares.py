"""Downloader middlewares: the site by origin; retries with back-off and a stop when blocked."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

from scrapy.downloadermiddlewares.offsite import OffsiteMiddleware
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.response import response_status_message

from newsdesk.urls import on_site, origin_of

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

BLOCKING_STATUSES = frozenset({403, 429})
# The start of the IgnoreRequest message of an off-site request (the spider's
# errback turns it into the reason ``offsite``).
OFFSITE_MESSAGE = "Filtered offsite request to"


class OriginOffsiteMiddleware(OffsiteMiddleware):
    """Scrapy's OffsiteMiddleware with the site defined by origin: scheme, host and port.

    Replaces ``scrapy.downloadermiddlewares.offsite.OffsiteMiddleware`` at the
    same place (order 50, before RobotsTxtMiddleware at 100), so an off-site
    request is dropped before its origin's robots.txt is asked for, and before
    any connection is made. The spider's ``base_url`` names the site; what is
    on-site is ``newsdesk.urls.on_site`` (the exact origin, or the live site's
    declared aliases). Unlike Scrapy's host-name rule, a request with
    ``dont_filter`` (every retried request, and a redirect of one) or
    ``allow_offsite`` is checked all the same. A spider without ``base_url``
    gets Scrapy's behaviour.
    """

    def request_scheduled(self, request: Request, spider: Spider) -> None:
        # A redirect is checked when it is about to be downloaded instead: there an
        # IgnoreRequest reaches the request's errback, so the crawl log records
        # the page that redirected off-site (at scheduling it would vanish).
        if "redirect_urls" in request.meta:
            return
        self.process_request(request)

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        """Raise IgnoreRequest for a request outside the spider's site."""
        base_url = getattr(self.crawler.spider, "base_url", None)
        if not base_url:
            super().process_request(request)
            return
        if on_site(request.url, base_url):
            return
        origin = origin_of(request.url)
        label = "{}://{}:{}".format(*origin) if origin else request.url[:100]
        if label not in self.domains_seen:
            self.domains_seen.add(label)
            logger.info("filtered off-site request to %s: %s", label, request)
            self.stats.inc_value("offsite/domains")
        self.stats.inc_value("offsite/filtered")
        raise IgnoreRequest(f"{OFFSITE_MESSAGE} {label}")


def backoff_delay(attempt: int, base: float, cap: float, retry_after: str | None = None) -> float:
    """Seconds to wait before retry number ``attempt`` (1-based).

    A ``Retry-After`` header (seconds or an HTTP date) wins when present;
    otherwise ``base * 2**(attempt-1)``. Always capped at ``cap``.
    """
    if retry_after:
        value = retry_after.strip()
        seconds: float | None = None
        if value.isdigit():
            seconds = float(value)
        else:
            try:
                when = parsedate_to_datetime(value)
                seconds = (when - datetime.now(UTC)).total_seconds()
            except (TypeError, ValueError):
                seconds = None
        if seconds is not None:
            return max(0.0, min(cap, seconds))
    return max(0.0, min(cap, base * (2 ** max(0, attempt - 1))))


class BackoffRetryMiddleware(RetryMiddleware):
    """RetryMiddleware that waits (exponentially, or as Retry-After says) before each retry.

    It also counts consecutive 403/429 answers; after ``BLOCKED_STOP_AFTER`` of
    them the crawl closes with reason ``blocked`` instead of hammering a site
    that is refusing us.
    """

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler.settings)
        self.crawler = crawler
        settings = crawler.settings
        self.base = settings.getfloat("BACKOFF_BASE_SECONDS", 2.0)
        self.cap = settings.getfloat("BACKOFF_MAX_SECONDS", 120.0)
        self.stop_after = settings.getint("BLOCKED_STOP_AFTER", 8)
        self.blocked_run = 0
        self.closing = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BackoffRetryMiddleware:
        return cls(crawler)

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        self._track_blocking(response.status)
        if self.closing:
            raise IgnoreRequest("crawl stopped: the site is blocking requests")
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        attempt = request.meta.get("retry_times", 0) + 1
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        header = response.headers.get(b"Retry-After")
        delay = backoff_delay(
            attempt, self.base, self.cap, header.decode("latin-1") if header else None
        )
        if delay > 0:
            await asyncio.sleep(delay)
        return retry

    async def process_exception(
        self, request: Request, exception: Exception
    ) -> Request | Response | None:
        if self.closing or not isinstance(exception, self.exceptions_to_retry):
            return None
        if request.meta.get("dont_retry", False):
            return None
        attempt = request.meta.get("retry_times", 0) + 1
        retry = self._retry(request, exception)
        if retry is not None:
            delay = backoff_delay(attempt, self.base, self.cap)
            if delay > 0:
                await asyncio.sleep(delay)
        return retry

    def _track_blocking(self, status: int) -> None:
        if status in BLOCKING_STATUSES:
            self.blocked_run += 1
        else:
            self.blocked_run = 0
        if self.blocked_run >= self.stop_after and not self.closing:
            self.closing = True
            assert self.crawler.stats is not None
            self.crawler.stats.set_value("newsdesk/blocked", True)
            logger.error(
                "stopping: %d consecutive 403/429 answers, the site is blocking this crawler",
                self.blocked_run,
            )
            assert self.crawler.engine is not None
            deferred_from_coro(self.crawler.engine.close_spider_async(reason="blocked"))
