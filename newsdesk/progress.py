"""Crawl progress: a live status line on a terminal, plain periodic lines elsewhere.

On a terminal the line is a rich ``Progress`` display, and the root logging
handlers that write to the terminal (Scrapy's) are swapped for a
``RichHandler`` on the same console while it shows: rich prints each log line
above the live line and redraws it, so log output never tears the line.
"""

from __future__ import annotations

import logging
import sys
import time
from typing import IO, Any

from rich.console import Console
from rich.highlighter import NullHighlighter
from rich.logging import RichHandler
from rich.progress import Progress, TaskID, TextColumn
from scrapy import signals
from scrapy.crawler import Crawler
from twisted.internet import task


def _writes_to_terminal(handler: logging.Handler) -> bool:
    """A stream handler (not a file) whose stream is a terminal: the ones that would tear."""
    if not isinstance(handler, logging.StreamHandler) or isinstance(handler, logging.FileHandler):
        return False
    isatty = getattr(handler.stream, "isatty", None)
    return bool(isatty and isatty())


def rich_log_handler(console: Console, like: logging.Handler) -> RichHandler:
    """A RichHandler on ``console`` printing exactly what ``like`` printed (its format, level).

    rich's own time/level/path columns are off: Scrapy's format already has
    them, and the text must read the same with or without the progress line.
    """
    handler = RichHandler(
        console=console,
        show_time=False,
        show_level=False,
        show_path=False,
        markup=False,
        highlighter=NullHighlighter(),
        rich_tracebacks=False,
    )
    handler.setLevel(like.level)
    if like.formatter is not None:
        handler.setFormatter(like.formatter)
    for log_filter in like.filters:
        handler.addFilter(log_filter)
    return handler


class CrawlProgress:
    """Shows pages fetched, articles written, failures and the rate while a crawl runs.

    On a terminal the line is redrawn in place every second, below the log
    lines (see the module docstring); when output is a file or a pipe (logs,
    Dagster), one plain line is written every ``NEWSDESK_PROGRESS_INTERVAL``
    seconds (default 30) so logs stay readable.
    """

    def __init__(self, crawler: Crawler, stream: IO[str] | None = None) -> None:
        self.crawler = crawler
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        interval = 1.0 if self.tty else crawler.settings.getfloat("NEWSDESK_PROGRESS_INTERVAL", 30)
        self.interval = interval
        self.started = time.monotonic()
        self.loop: task.LoopingCall | None = None
        self._progress: Progress | None = None
        self._task: TaskID | None = None
        # (Scrapy's handler, the RichHandler standing in for it while the line shows)
        self._swapped: list[tuple[logging.Handler, logging.Handler]] = []

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
        """Show the current figures: redraw the live line, or write one plain line."""
        if self.tty:
            if self._progress is None:
                self._start_live()
            assert self._progress is not None and self._task is not None
            self._progress.update(self._task, description=self.line())
            self._progress.refresh()
        else:
            self.stream.write(self.line() + "\n")
            self.stream.flush()

    def _start_live(self) -> None:
        # Only reached when the stream said isatty(): trust it (rich would
        # look at the file's type too, and miss a wrapped terminal stream).
        console = Console(file=self.stream, force_terminal=True, soft_wrap=False)
        progress = Progress(
            TextColumn("{task.description}"),
            console=console,
            auto_refresh=False,  # redrawn by tick(), on the reactor thread: no extra thread
            redirect_stdout=False,
            redirect_stderr=False,
        )
        progress.start()
        self._task = progress.add_task(self.line(), total=None)
        self._progress = progress
        root = logging.getLogger()
        for handler in list(root.handlers):
            if _writes_to_terminal(handler):
                replacement = rich_log_handler(console, handler)
                root.removeHandler(handler)
                root.addHandler(replacement)
                self._swapped.append((handler, replacement))

    def _stop_live(self) -> None:
        if self._progress is None:
            return
        assert self._task is not None
        self._progress.update(self._task, description=self.line())
        self._progress.refresh()
        self._progress.stop()  # the last line stays on screen, then a newline
        self._progress = None
        root = logging.getLogger()
        for original, replacement in self._swapped:
            root.removeHandler(replacement)
            root.addHandler(original)
        self._swapped.clear()

    def spider_opened(self) -> None:
        self.started = time.monotonic()
        if self.tty:
            self._start_live()
        self.loop = task.LoopingCall(self.tick)
        self.loop.start(self.interval, now=False)

    def spider_closed(self) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        self._stop_live()
