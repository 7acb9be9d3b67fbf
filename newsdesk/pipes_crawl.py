"""The crawl as a Dagster Pipes child: ``python -m newsdesk.pipes_crawl --month 2025-07 ...``.

Scrapy's reactor runs once per process, so Dagster starts this module in a
subprocess for every crawl (``PipesSubprocessClient``). It runs `run_crawl`
inside `open_dagster_pipes()`: the crawl's log records are forwarded to the
Dagster run, and its summary (new / updated / unchanged articles, failures by
reason, duration, pages) is reported as the asset materialization's metadata.

Started outside Dagster it still crawls (Pipes then only warns) and prints the
summary, which makes the subprocess easy to debug by hand.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from typing import Any

from dagster_pipes import PipesContext, open_dagster_pipes

from newsdesk.crawl import CrawlError, CrawlSummary, run_crawl
from newsdesk.crawloptions import CrawlOptions, add_arguments

# Loggers whose records go to the Dagster run (the project's, Scrapy's, Twisted's).
FORWARDED_LOGGERS = ("newsdesk", "pipelines", "spiders", "scrapy", "twisted")


class PipesLogHandler(logging.Handler):
    """Forwards log records of `FORWARDED_LOGGERS` to the Dagster run through Pipes.

    It sits on the root logger: Scrapy's logging set-up (``dictConfig``) removes
    the handlers of the ``scrapy`` logger itself, but leaves the root's other
    handlers alone.
    """

    def __init__(self, pipes: PipesContext, level: int) -> None:
        super().__init__(level)
        self.pipes = pipes

    def filter(self, record: logging.LogRecord) -> bool:
        name = record.name
        return any(name == n or name.startswith(n + ".") for n in FORWARDED_LOGGERS)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = f"[{record.name}] {record.getMessage()}"
            self.pipes.log.log(record.levelno, message)
        except Exception:  # a log line must never break the crawl
            self.handleError(record)


def build_parser() -> argparse.ArgumentParser:
    """Arguments of the child: the crawl options offered on the ``pipes`` surface.

    They derive from the one declaration (`newsdesk.crawloptions.CrawlOptions`), as
    do `newsdesk crawl`'s and the command line Dagster builds (`to_argv`).
    """
    parser = argparse.ArgumentParser(
        prog="python -m newsdesk.pipes_crawl",
        description="Run one newsdesk crawl and report it to Dagster through Pipes.",
    )
    add_arguments(parser, "pipes")
    return parser


def options_from_args(args: argparse.Namespace) -> CrawlOptions:
    """The CrawlOptions for parsed arguments (no progress line: nobody watches a terminal)."""
    return CrawlOptions.from_args(args, progress=False)


def summary_metadata(summary: CrawlSummary, options: CrawlOptions) -> dict[str, Any]:
    """Materialization metadata of a crawl, typed for the Dagster UI."""
    failures_total = sum(summary.failures.values())
    scope = f"month {options.month}" if options.month else f"{options.discovery}"
    scope = f"{options.edition}: {scope}"
    if options.since:
        scope += f" since {options.since}"
    if options.full:
        scope += " (full)"
    return {
        "crawl_run_id": {"type": "text", "raw_value": summary.run_id},
        "scope": {"type": "text", "raw_value": scope},
        "base_url": {"type": "url", "raw_value": summary.base_url},
        "warehouse": {"type": "path", "raw_value": summary.warehouse},
        "articles_new": {"type": "int", "raw_value": summary.articles_new},
        "articles_updated": {"type": "int", "raw_value": summary.articles_updated},
        "articles_unchanged": {"type": "int", "raw_value": summary.articles_unchanged},
        "articles_seen": {"type": "int", "raw_value": summary.articles_seen},
        "revisions": {"type": "int", "raw_value": summary.revisions},
        "pages_fetched": {"type": "int", "raw_value": summary.pages_fetched},
        "requests": {"type": "int", "raw_value": summary.requests},
        "failures_total": {"type": "int", "raw_value": failures_total},
        "failures_by_reason": {"type": "json", "raw_value": dict(sorted(summary.failures.items()))},
        "duration_s": {"type": "float", "raw_value": float(summary.duration_s)},
        "finish_reason": {"type": "text", "raw_value": summary.finish_reason},
        "edition": {"type": "text", "raw_value": summary.edition},
        # Markup drift (newsdesk.drift): the messages, and how many for a quick look.
        "drift": {"type": "json", "raw_value": list(summary.drift)},
        "drift_count": {"type": "int", "raw_value": len(summary.drift)},
        "summary": {"type": "md", "raw_value": f"```\n{summary.render()}\n```"},
    }


def run(pipes: PipesContext, options: CrawlOptions) -> int:
    """Crawl, forward the logs, report the summary; returns the exit code."""
    handler = PipesLogHandler(pipes, logging.getLevelName(options.log_level))
    root = logging.getLogger()
    root.addHandler(handler)
    what = f"month {options.month} (sitemap)" if options.month else options.discovery
    pipes.log.info(
        f"crawl of {options.edition} {what} from {options.base_url} into {options.warehouse}"
    )
    try:
        summary = run_crawl(options)
    except CrawlError as exc:
        pipes.log.error(f"crawl could not run: {exc}")
        return 1
    finally:
        root.removeHandler(handler)
    print(summary.render())
    if summary.blocked:
        # Rows written before the block stay (they are complete articles), but the
        # run must fail visibly: the partition is not fully crawled.
        pipes.log.error("the site blocked the crawl (403/429); not reporting a materialization")
        pipes.log.error(summary.render())
        return 1
    pipes.log.info(summary.render())
    pipes.report_asset_materialization(metadata=summary_metadata(summary, options))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m newsdesk.pipes_crawl``."""
    options = options_from_args(build_parser().parse_args(argv))
    with open_dagster_pipes() as pipes:
        return run(pipes, options)


if __name__ == "__main__":
    sys.exit(main())
