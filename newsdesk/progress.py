"""Crawl progress: a live status line on a terminal, plain periodic lines elsewhere."""

from __future__ import annotations

import sys
import time
from typing import IO, Any

from scrapy import signals
from scrapy.crawler import Crawler
from twisted.internet import task


class CrawlProgress:
    """Shows pages fetched, articles written, failures and the rate while a crawl runs.

    On a terminal the line is redrawn in place every second; when output is a
    file or a pipe (logs, Dagster), one plain line is written every
    ``NEWSDESK_PROGRESS_INTERVAL`` seconds (default 30) so logs stay readable.
    """

    def __init__(self, crawler: Crawler, stream: IO[str] | None = None) -> None:
        self.crawler = crawler
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        interval = 1.0 if self.tty else crawler.settings.getfloat("NEWSDESK_PROGRESS_INTERVAL", 30)
        self.interval = interval
        self.started = time.monotonic()
        self.loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlProgress:
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def snapshot(self) -> dict[str, Any]:
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        elapsed = max(time.monotonic() - self.started, 1e-6)
        pages = int(stats.get("downloader/response_count", 0))
        written = int(stats.get("newsdesk/articles_new", 0)) + int(
            stats.get("newsdesk/articles_updated", 0)
        )
        failures = sum(int(v) for k, v in stats.items() if k.startswith("newsdesk/failures/"))
        return {
            "pages": pages,
            "written": written,
            "unchanged": int(stats.get("newsdesk/articles_unchanged", 0)),
            "failures": failures,
            "rate": pages / elapsed,
            "elapsed": elapsed,
        }

    def line(self) -> str:
        s = self.snapshot()
        return (
            f"[{s['elapsed']:6.0f}s] pages {s['pages']:>6} | articles written {s['written']:>6}"
            f" | unchanged {s['unchanged']:>6} | failures {s['failures']:>4}"
            f" | {s['rate']:.1f} pages/s"
        )

    def tick(self) -> None:
        if self.tty:
            self.stream.write("\r" + self.line())
        else:
            self.stream.write(self.line() + "\n")
        self.stream.flush()

    def spider_opened(self) -> None:
        self.started = time.monotonic()
        self.loop = task.LoopingCall(self.tick)
        self.loop.start(self.interval, now=False)

    def spider_closed(self) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        if self.tty:
            self.stream.write("\r" + self.line() + "\n")
            self.stream.flush()
