"""Crawl progress: redrawn in place on a terminal, plain lines elsewhere."""

from __future__ import annotations

import io
import logging

from rich.logging import RichHandler
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


def test_redrawn_line_on_a_terminal_with_log_lines_above_it():
    stream = _Tty()
    root = logging.getLogger()
    scrapy_handler = logging.StreamHandler(stream)  # what Scrapy installs: stderr, a tty
    scrapy_handler.setFormatter(logging.Formatter("[%(name)s] %(levelname)s: %(message)s"))
    root.addHandler(scrapy_handler)
    level = root.level
    root.setLevel(logging.INFO)
    try:
        progress = CrawlProgress(_crawler_with_stats(), stream=stream)  # type: ignore[arg-type]
        assert progress.interval == 1.0
        progress.tick()
        assert scrapy_handler not in root.handlers  # stands aside while the line shows
        logging.getLogger("scrapy.core.engine").info("Spider opened")
        progress.tick()
        progress._stop_live()
        assert scrapy_handler in root.handlers
        assert not [h for h in root.handlers if isinstance(h, RichHandler)]
    finally:
        root.removeHandler(scrapy_handler)
        root.setLevel(level)
    out = stream.getvalue()
    assert "\x1b[2K[" in out  # the line is cleared and redrawn in place
    # The log record is printed on its own line (the progress line cleared
    # first), and the progress line is drawn again below it.
    before, after = out.split("[scrapy.core.engine] INFO: Spider opened", 1)
    assert before.endswith("\x1b[2K")
    assert after.lstrip(" ").startswith("\n[") and "pages    120" in after
    assert out.removesuffix("\x1b[?25h").endswith("\n")  # the final line is kept, then a newline
