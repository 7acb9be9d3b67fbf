"""The Al Mayadeen English spider: it navigates, page classes extract.

Discovery, section by section:

* ``listings``: the menu (on the home page) names the 17 sections; each
  section listing is followed through its load-more pages, newest first,
  until ``since`` or the end.
* ``sitemaps``: the sitemap index, then the monthly files (from ``since``'s
  month on), then their URLs (lastmod from ``since`` on).

Every URL is canonicalized before it is requested (tracking parameters
dropped, case and colons kept) so the same article reached from several places
is fetched once; every fetched URL yields a CrawlEvent so failures are data.
"""

from __future__ import annotations

import uuid
from collections import deque
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider, IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.asyncio import sleep as reactor_sleep
from twisted.python.failure import Failure

from newsdesk import drift, editions
from newsdesk.crawlconfig import (
    DISCOVERY_MODES,
    is_loopback,
    parse_month,
    parse_sections,
    parse_since,
    resolve_base_url,
)
from newsdesk.editions import Edition
from newsdesk.extensions import FETCHED_AT
from newsdesk.items import Article, CrawlEvent
from newsdesk.middlewares import OFFSITE_MESSAGE
from newsdesk.pages.article import NotAnArticle
from newsdesk.pages.sitemap import SitemapEntry, iter_sitemap, sitemap_month
from newsdesk.session import WriterSession
from newsdesk.state import CrawlState, Mark, now_iso
from newsdesk.urls import canonicalize_url, on_site, to_base_origin

# The English sitemap index (each edition has its own: Edition.sitemap_index_path).
SITEMAP_INDEX_PATH = "/sitemaps/all.xml"
# Monthly sitemap files read on every visit, whatever their lastmod says.
RECENT_SITEMAP_MONTHS = 2
# The canonical URL a request was made for (a redirect changes response.url).
REQUESTED_URL = "newsdesk_url"
# Answers that mean "gone": not requested again unless --full.
DEAD_REASONS = frozenset({"http_404", "http_410"})
# Request meta: (year, month) of the monthly sitemap file that listed an article.
SITEMAP_MONTH = "newsdesk_sitemap_month"
# How often start() looks again whether the scheduler has room for sitemap URLs.
BACKLOG_POLL_SECONDS = 0.05


class AlMayadeenSpider(scrapy.Spider):
    """Crawl one edition of Al Mayadeen (English by default) section by section.

    Arguments (``-a name=value`` with ``scrapy crawl``): ``base_url`` (default:
    the edition's live site, or ``NEWSDESK_BASE_URL``), ``edition`` (a
    registered edition code, default ``en``), ``sections`` (comma separated
    slugs such as ``politics,opinion,tv``; default all), ``discovery``
    (``listings``, ``sitemaps`` or ``both``), ``since`` (a date or ISO time),
    ``month`` (``YYYY-MM``: that month's sitemap file only), ``max_articles``,
    ``full`` (fetch stored articles again), ``run_id``.
    """

    name = "almayadeen"

    def __init__(
        self,
        base_url: str | None = None,
        edition: str | Edition | None = None,
        sections: str | list[str] | None = None,
        discovery: str = "both",
        since: str | datetime | None = None,
        max_articles: int | str | None = None,
        month: str | None = None,
        full: bool | str = False,
        run_id: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        # The edition is explicit, never guessed from the base URL: a replica on
        # 127.0.0.1 serves any edition.
        self.edition: Edition = (
            edition if isinstance(edition, Edition) else editions.get(edition or "en")
        )
        self.base_url = resolve_base_url(base_url, self.edition)
        self.allowed_domains = [urlsplit(self.base_url).hostname or ""]
        self.sections = parse_sections(sections, self.edition)
        if discovery not in DISCOVERY_MODES:
            raise ValueError(f"discovery must be one of {', '.join(DISCOVERY_MODES)}")
        self.discovery = discovery
        self.since = parse_since(since) if since is not None else None
        # One publication month from its sitemap file (Dagster's monthly partitions).
        self.month = parse_month(month) if month else None
        self.max_articles = int(max_articles) if max_articles not in (None, "") else None
        self.run_id = run_id or datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ-") + uuid.uuid4().hex[:6]
        # Incremental by default: stored articles are not fetched again unless a
        # sitemap says they changed; --full fetches everything.
        self.full = full in (True, "1", "true", "True", "yes")
        self.known: dict[str, datetime] = {}
        self.state: CrawlState | None = None
        self.session: WriterSession | None = None
        self.pending_sitemaps: dict[str, str] = {}
        self.failed_before: dict[str, str] = {}
        # One "read to the end" mark per section listing, remembered only once
        # every article it asked for is stored (see newsdesk.state.Ledger).
        self.listing_marks: dict[str, Mark] = {}
        self.skipped_stored: set[str] = set()
        self.articles_yielded = 0
        self.unknown_sections: list[str] = []
        # Article URLs read from sitemaps, waiting for room in the scheduler (see
        # `_feed_backlog`): (URL, its sitemap file's month) pairs, not Request objects
        # (the month bounds a yearless displayed date); already expected by
        # their sitemap file's mark.
        self.backlog: deque[tuple[str, tuple[int, int] | None]] = deque()

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> AlMayadeenSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        if is_loopback(spider.base_url) and not crawler.settings.frozen:
            # The replica: drop the live politeness delays, nothing else changes.
            crawler.settings.setdict(crawler.settings.getdict("FAST_PROFILE"), priority="spider")
        # The storage layer: takes the writer lock, repairs, and tells what is stored.
        session = WriterSession.for_crawler(crawler, spider.edition.code)
        session.run_id = spider.run_id
        spider.session = session
        spider.known = session.known
        spider.state = session.state
        spider.failed_before = session.failed_before
        return spider

    # -- start ---------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        # Pages that failed last time are asked for again, whatever the discovery.
        for url in sorted(self.failed_before):
            if self.edition.is_article_url(url) and on_site(url, self.base_url):
                for request in self._article_request(url):
                    yield request
        if self.discovery in ("listings", "both"):
            yield self._request(self.base_url + "/", self.parse_home, kind="page")
        if self.discovery in ("sitemaps", "both"):
            index = self.base_url + self.edition.sitemap_index_path
            yield self._request(index, self.parse_sitemap, "sitemap")
        async for request in self._feed_backlog():
            yield request

    async def _feed_backlog(self) -> AsyncIterator[scrapy.Request]:
        """Sitemap article URLs, into the scheduler only while it has room (back-pressure).

        Scrapy pulls start() lazily but takes a callback's output whole: a
        sitemap callback yielding 300,000 requests would queue them all. So the
        sitemap callback appends URLs to ``self.backlog`` and this generator,
        the tail of start(), hands them over while the scheduler holds fewer
        than ``NEWSDESK_SCHEDULER_TARGET`` requests. It ends when the backlog is
        empty and nothing else is queued, downloading or being parsed (nothing
        left that could add to the backlog), so the crawl can close.
        """
        target = self.crawler.settings.getint("NEWSDESK_SCHEDULER_TARGET", 256)
        peak = 0
        while True:
            engine = self.crawler.engine
            scheduler = engine.scheduler if engine is not None else None
            if engine is None or scheduler is None or not engine.running:
                return
            queued = len(scheduler) if hasattr(scheduler, "__len__") else 0
            if self.backlog and queued < target:
                peak = max(peak, len(self.backlog))
                yield self._make_article_request(*self.backlog.popleft())
                continue
            if not self.backlog and self._engine_idle_but_start():
                if self.crawler.stats is not None:
                    self.crawler.stats.max_value("newsdesk/sitemap_backlog_peak", peak)
                return
            await reactor_sleep(BACKLOG_POLL_SECONDS)  # asyncio or plain Twisted reactor

    def _engine_idle_but_start(self) -> bool:
        """Whether the engine would be idle if start() were done (Scrapy's test minus start)."""
        engine = self.crawler.engine
        assert engine is not None
        scraper_slot = engine.scraper.slot
        if scraper_slot is not None and not scraper_slot.is_idle():
            return False
        if engine.downloader.active:
            return False
        scheduler = engine.scheduler
        return scheduler is None or not scheduler.has_pending_requests()

    # -- callbacks -----------------------------------------------------------

    def parse_home(self, response: Response) -> Iterator[Any]:
        yield self._event(response, "page")
        menu = self.edition.listing_page(response.url, response.body).menu_sections()
        if not menu:
            yield self._event(response, "failed", reason="no_menu", detail="menu not found")
            return
        known = {s.slug for s in menu}
        if self.sections:
            self.unknown_sections = sorted(set(self.sections) - known)
            for slug in self.unknown_sections:
                self.logger.error(
                    "unknown section %r (the menu has: %s)", slug, ", ".join(sorted(known))
                )
        for section in menu:
            if self.sections and section.slug not in self.sections:
                continue
            if not on_site(section.url, self.base_url):
                continue  # the site is an origin: scheme, host and port
            yield self._request(
                section.url,
                self.parse_listing,
                kind="listing",
                cb_kwargs={"section": section.slug},
            )

    def parse_listing(self, response: Response, section: str) -> Iterator[Any]:
        yield self._event(response, "listing")
        page = self.edition.listing_page(response.url, response.body)
        cards = page.cards()
        fallback = page.cards_from_fallback
        drift.record_listing(self._stats(), cards=len(cards), fallback=fallback)
        since_day = self._since_day()
        oldest: date | None = None
        reached_known = False
        any_new = False
        for card in cards:
            if card.date is not None:
                oldest = card.date if oldest is None else min(oldest, card.date)
            if since_day is not None and card.date is not None and card.date < since_day:
                continue
            card_id = self.edition.article_id_for(card.url)
            if not self.full and card_id in self.known:
                reached_known = True
                self.skipped_stored.add(card_id)
                continue
            any_new = True
            yield from self._article_request(card.url, self._listing_mark(section))
        if fallback:
            # The fallback's links include any article linked beside the list (most
            # read...), stored or not: only a page of nothing but stored links is the
            # point where the listing reaches what earlier crawls stored.
            reached_known = reached_known and not any_new
        next_url = page.next_page_url()
        if next_url is not None and not on_site(next_url, self.base_url):
            self.logger.warning("off-site load-more link ignored on %s: %s", response.url, next_url)
            next_url = None
        if next_url is None:
            if since_day is None and self.session is not None:
                self.session.ledger.seal(self._listing_mark(section))
            return
        if since_day is not None and oldest is not None and oldest < since_day:
            return
        # Newest first: below the first stored article everything is stored too,
        # provided an earlier crawl once read this listing to its end.
        listing_done = self.state is not None and section in self.state.listings_complete
        if reached_known and listing_done and not self.full:
            return
        yield self._request(
            next_url, self.parse_listing, kind="listing", cb_kwargs={"section": section}
        )

    def parse_sitemap(self, response: Response) -> Iterator[Any]:
        try:
            kind, stream = iter_sitemap(response.body)
            # An index is small; a urlset (maybe 300,000 URLs) is read as a stream below.
            entries = list(stream) if kind == "index" else []
        except ValueError as exc:
            yield self._event(response, "failed", reason="bad_sitemap", detail=str(exc))
            return
        yield self._event(response, "sitemap")
        if kind == "index":
            # The two newest months are always read again: an article filed there with
            # an earlier time than the month's newest one leaves the index lastmod as is.
            months = sorted({m for e in entries if (m := sitemap_month(e.loc)) is not None})
            recent = set(months[-RECENT_SITEMAP_MONTHS:])
            for entry in entries:
                if not on_site(entry.loc, self.base_url):
                    continue  # never leave the site's origin, whatever a sitemap says
                month = sitemap_month(entry.loc)
                if month is not None and self.month is not None and month != self.month:
                    continue
                too_old = month is not None and self.since is not None
                if too_old and month < (self.since.year, self.since.month):
                    continue
                lastmod = entry.lastmod.isoformat() if entry.lastmod else None
                key = canonicalize_url(entry.loc, self.base_url)
                seen = self.state.sitemaps.get(key) if self.state else None
                unchanged = lastmod is not None and seen == lastmod and month not in recent
                if unchanged and not self.full:
                    continue  # unchanged since a crawl that processed it completely
                if lastmod is not None:
                    self.pending_sitemaps[key] = lastmod
                yield self._request(entry.loc, self.parse_sitemap, kind="sitemap")
            return
        # A monthly file: remembered as processed once all it asked for is stored.
        url = self._requested_url(response)
        lastmod = self.pending_sitemaps.get(url)
        mark = Mark("sitemap", url, lastmod) if lastmod is not None else None
        try:
            self._read_urlset(stream, mark, sitemap_month(url))
        except ValueError as exc:
            yield self._event(response, "failed", reason="bad_sitemap", detail=str(exc))
            return
        if mark is not None and self.session is not None:
            self.session.ledger.seal(mark)

    def _read_urlset(
        self,
        entries: Iterator[SitemapEntry],
        mark: Mark | None,
        month: tuple[int, int] | None = None,
    ) -> None:
        # Article URLs go to the backlog, not to Scrapy: start() feeds them to the
        # scheduler as it has room (bounded memory for any sitemap size). Each is
        # expected by the file's mark now, so the mark waits for it.
        for entry in entries:
            if self.since is not None and entry.lastmod is not None and entry.lastmod < self.since:
                continue
            if not self._wanted_by_path(entry.loc):
                continue
            if entry.lastmod is None:
                self._backlog(entry.loc, mark, month)
                continue
            entry_id = self.edition.article_id_for(entry.loc)
            stored = self._stored_lastmod(entry_id)
            if not self.full and stored is not None and entry.lastmod <= stored:
                self.skipped_stored.add(entry_id)
                continue  # stored, and not modified since
            if self.session is not None:
                # Compared with the page's own time when the article is committed.
                self.session.note_sitemap_lastmod(entry_id, entry.lastmod)
            self._backlog(entry.loc, mark, month)

    def closed(self, reason: str) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.set_value(
                "newsdesk/articles_stored_skipped", len(self.skipped_stored)
            )

    def parse_article(self, response: Response) -> Iterator[Any]:
        crawled_at = response.meta.get(FETCHED_AT) or datetime.now(UTC)
        try:
            # The parser version of the fetch time, as reparse will pick it.
            # A page found in a monthly sitemap file carries that month: a date
            # shown without a year (Spanish) is read within it, not from the clock.
            page = self.edition.article_page(
                response.url,
                response.body,
                crawled_at,
                sitemap_month=response.meta.get(SITEMAP_MONTH),
            )
            article = page.to_article(crawled_at=crawled_at)
            drift.record_article(self._stats(), article.field_layers, self.edition.expected_layers)
        except NotAnArticle as exc:
            yield self._event(response, "failed", reason=exc.reason, detail=exc.detail)
            return
        except Exception as exc:  # a page that breaks extraction must not stop the crawl
            self.logger.exception("extraction failed on %s", response.url)
            yield self._event(response, "failed", reason="parse_error", detail=repr(exc)[:500])
            return
        if self.sections and article.section not in self.sections:
            yield self._event(
                response, "skipped", reason="other_section", detail=str(article.section)
            )
            return
        if self.since is not None and article.published_at < self.since:
            yield self._event(response, "skipped", reason="before_since")
            return
        if self.max_articles is not None and self.articles_yielded >= self.max_articles:
            raise CloseSpider("max_articles")
        self.articles_yielded += 1
        yield self._event(response, "article", article_id=article.article_id)
        yield article

    def on_error(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        url = request.url
        status: int | None = None
        if failure.check(HttpError):
            response = failure.value.response
            status = response.status
            reason = f"http_{status}"
            detail = None
        elif failure.check(IgnoreRequest):
            text = str(failure.value)
            reason = "robots_disallowed" if "robots" in text.lower() else "ignored"
            detail = text[:500]
            if text.startswith(OFFSITE_MESSAGE):
                # Only a redirect gets here (links are checked before they are
                # requested): the crawl log names the page that redirected.
                reason = "offsite_redirect"
                detail = f"redirected off-site to {request.url}"[:500]
                url = (request.meta.get("redirect_urls") or [request.url])[0]
            elif "DOWNLOAD_MAXSIZE" in text:
                reason = "too_large"  # decompressed beyond the limit for its kind
        elif "max size" in str(failure.value):
            # The download itself (Content-Length or bytes received) passed the limit.
            reason = "too_large"
            detail = str(failure.value)[:500]
        else:
            reason = failure.type.__name__ if failure.type else "error"
            detail = str(failure.value)[:500]
        yield CrawlEvent(
            run_id=self.run_id,
            url=url,
            outcome="failed",
            fetched_at=datetime.now(UTC),
            http_status=status,
            reason=reason,
            detail=detail,
            requested_url=request.meta.get(REQUESTED_URL, request.url),
        )

    # -- helpers -------------------------------------------------------------

    def _request(
        self,
        url: str,
        callback: Any,
        kind: str,
        cb_kwargs: dict[str, Any] | None = None,
    ) -> scrapy.Request:
        url = canonicalize_url(url, self.base_url)
        meta: dict[str, Any] = {"newsdesk_kind": kind, REQUESTED_URL: url}
        crawler = getattr(self, "crawler", None)
        if crawler is not None:
            # Size limits by kind, compressed and decompressed (see settings.py).
            settings = crawler.settings
            prefix = "NEWSDESK_SITEMAP_" if kind == "sitemap" else "DOWNLOAD_"
            meta["download_maxsize"] = settings.getint(prefix + "MAXSIZE")
            meta["download_warnsize"] = settings.getint(prefix + "WARNSIZE")
        return scrapy.Request(
            url,
            callback=callback,
            errback=self.on_error,
            cb_kwargs=cb_kwargs or {},
            meta=meta,
        )

    def _stats(self) -> Any:
        """Scrapy's stats collector, or None for a spider used without a crawler."""
        crawler = getattr(self, "crawler", None)
        return crawler.stats if crawler is not None else None

    @staticmethod
    def _requested_url(response: Response) -> str:
        return str(response.meta.get(REQUESTED_URL, response.url))

    def _listing_mark(self, section: str) -> Mark:
        if section not in self.listing_marks:
            self.listing_marks[section] = Mark("listing", section, now_iso())
        return self.listing_marks[section]

    def _stored_lastmod(self, article_id: str) -> datetime | None:
        """When the stored copy of an article was last modified, as far as we know."""
        stored = self.known.get(article_id)
        if stored is None:
            return None
        noted = self.state.lastmods.get(article_id) if self.state is not None else None
        return max(stored, datetime.fromisoformat(noted)) if noted else stored

    def _article_target(self, url: str) -> str | None:
        """The URL to request for an article link, or None when it is not to be fetched."""
        on_base = to_base_origin(canonicalize_url(url, self.base_url), self.base_url)
        if on_base is None or not self.edition.is_article_url(on_base):
            return None  # off-site (another scheme, host or port), or not an article
        if not self._wanted_by_path(on_base):
            return None
        if not self.full and self.failed_before.get(on_base) in DEAD_REASONS:
            return None  # a dead link stays dead; --full checks again
        return on_base

    def _backlog(self, url: str, mark: Mark | None, month: tuple[int, int] | None = None) -> None:
        target = self._article_target(url)
        if target is None:
            return
        if mark is not None and self.session is not None:
            self.session.ledger.expect(mark, target)
        self.backlog.append((target, month))

    def _article_request(self, url: str, mark: Mark | None = None) -> Iterator[scrapy.Request]:
        target = self._article_target(url)
        if target is None:
            return
        if mark is not None and self.session is not None:
            self.session.ledger.expect(mark, target)
        yield self._make_article_request(target)

    def _make_article_request(
        self, url: str, sitemap_month: tuple[int, int] | None = None
    ) -> scrapy.Request:
        request = self._request(url, self.parse_article, kind="article")
        if sitemap_month is not None:
            request.meta[SITEMAP_MONTH] = sitemap_month
        previous = self.failed_before.get(url)
        if previous is not None and previous.startswith("http_5") and not self.full:
            # It failed after all retries last time: one attempt now, then log it again.
            request.meta["max_retry_times"] = 0
        return request

    def _wanted_by_path(self, url: str) -> bool:
        """Whether a URL can belong to the selected sections (videos are checked after fetch)."""
        if not self.sections:
            return True
        group, section = self.edition.section_from_path(url)
        if group is not None and group == self.edition.video_group:
            return bool(self.sections & set(self.edition.menu_sections.get(group, ())))
        return section in self.sections

    def _since_day(self) -> date | None:
        return self.since.date() if self.since is not None else None

    def _event(
        self,
        response: Response,
        outcome: str,
        reason: str | None = None,
        detail: str | None = None,
        article_id: str | None = None,
    ) -> CrawlEvent:
        return CrawlEvent(
            run_id=self.run_id,
            url=response.url,
            outcome=outcome,
            fetched_at=datetime.now(UTC),
            http_status=response.status,
            reason=reason,
            detail=detail,
            article_id=article_id,
            requested_url=self._requested_url(response),
        )


__all__ = ["AlMayadeenSpider", "Article"]
