"""Crawl progress: redrawn in place on a terminal, plain lines elsewhere."""

from __future__ import annotations

import io

from scrapy.settings import Settings
from scrapy.statscollectors import MemoryStatsCollector

from newsdesk.progress import CrawlProgress


class _Crawler:
    def __init__(self) -> None:
        self.settings = Settings({"NEWSDESK_PROGRESS_INTERVAL": 30})
        self.stats = MemoryStatsCollector(self)  # type: ignore[arg-type]


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def _crawler_with_stats() -> _Crawler:
    crawler = _Crawler()
    crawler.stats.set_value("downloader/response_count", 120)
    crawler.stats.set_value("newsdesk/articles_new", 90)
    crawler.stats.set_value("newsdesk/articles_updated", 5)
    crawler.stats.set_value("newsdesk/articles_unchanged", 7)
    crawler.stats.set_value("newsdesk/failures/http_404", 2)
    crawler.stats.set_value("newsdesk/failures/no_title", 1)
    return crawler


def test_plain_lines_when_not_a_terminal():
    stream = io.StringIO()
    progress = CrawlProgress(_crawler_with_stats(), stream=stream)  # type: ignore[arg-type]
    assert progress.interval == 30
    progress.tick()
    progress.tick()
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2
    assert "\r" not in stream.getvalue()
    assert "pages    120" in lines[0]
    assert "articles written     95" in lines[0]
    assert "failures    3" in lines[0]


def test_redrawn_line_on_a_terminal():
    stream = _Tty()
    progress = CrawlProgress(_crawler_with_stats(), stream=stream)  # type: ignore[arg-type]
    assert progress.interval == 1.0
    progress.tick()
    assert stream.getvalue().startswith("\r[")
    assert "\n" not in stream.getvalue()
