"""Scrapy extensions: stamp each response's fetch time and archive it as WARC."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.http import Response

from newsdesk.archive import WarcArchive, recover_open_files
from newsdesk.session import WriterSession
from newsdesk.store import storage_error
from newsdesk.warehouse import Warehouse

logger = logging.getLogger(__name__)

FETCHED_AT = "newsdesk_fetched_at"


def _headers(headers: object) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for key, values in headers.items():  # type: ignore[attr-defined]
        for value in values:
            pairs.append((key.decode("latin-1"), value.decode("latin-1")))
    return pairs


def _edition_code(spider: Spider) -> str | None:
    edition = getattr(spider, "edition", None)
    code = getattr(edition, "code", edition)
    return code if isinstance(code, str) else None


class RawArchive:
    """Stores every final response (after retries) with its request in ``<warehouse>/raw/``.

    It also stamps ``request.meta["newsdesk_fetched_at"]``, which the spider
    uses as the article's ``crawled_at``, so re-parsing the archive gives the
    same rows as the crawl did. ``NEWSDESK_ARCHIVE = False`` turns storage off.
    """

    def __init__(self, crawler: Crawler, warehouse: Warehouse, enabled: bool, max_bytes: int):
        self.crawler = crawler
        self.warehouse = warehouse
        self.enabled = enabled
        self.max_bytes = max_bytes
        self.archive: WarcArchive | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RawArchive:
        settings = crawler.settings
        ext = cls(
            crawler,
            Warehouse.at(settings.get("NEWSDESK_WAREHOUSE")),
            settings.getbool("NEWSDESK_ARCHIVE", True),
            settings.getint("NEWSDESK_ARCHIVE_MAX_BYTES", 100 * 1024 * 1024),
        )
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.response_received, signal=signals.response_received)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Spider) -> None:
        if not self.enabled:
            return
        try:
            recovered = recover_open_files(self.warehouse.raw, self._edition(spider))
        except OSError as exc:
            self._fail(exc, self.warehouse.raw)
            return
        if recovered:
            logger.warning("recovered %d WARC files left open by an interrupted crawl", recovered)
        run_id = getattr(spider, "run_id", None) or "run"
        self.archive = WarcArchive(
            self.warehouse.raw, run_id, self.max_bytes, edition=self._edition(spider)
        )

    @staticmethod
    def _edition(spider: Spider) -> str:
        edition = getattr(spider, "edition", None)
        return str(getattr(edition, "code", edition) or "en")

    def response_received(self, response: Response, request: Request, spider: Spider) -> None:
        fetched_at = datetime.now(UTC)
        request.meta[FETCHED_AT] = fetched_at
        if self.archive is None:
            return
        try:
            self._write(response, request, fetched_at, spider)
        except OSError as exc:
            self._fail(exc, self.warehouse.raw)

    def _fail(self, exc: OSError, path: object) -> None:
        """An archive that cannot be written stops the crawl, like the dataset's own writes."""
        self.archive = None
        WriterSession.for_crawler(self.crawler).fail(storage_error(exc, path))

    def _write(
        self, response: Response, request: Request, fetched_at: datetime, spider: Spider
    ) -> None:
        assert self.archive is not None
        self.archive.write(
            url=response.url,
            method=request.method,
            request_headers=_headers(request.headers),
            status=response.status,
            response_headers=_headers(response.headers),
            body=response.body,
            fetched_at=fetched_at,
            kind=str(request.meta.get("newsdesk_kind", "page")),
            # Recorded so reparse picks the edition's parser whatever the host was.
            edition=_edition_code(spider),
        )

    def spider_closed(self) -> None:
        if self.archive is not None:
            try:
                self.archive.close()
            except OSError as exc:
                self._fail(exc, self.warehouse.raw)
