"""Run one crawl in this process and summarize it.

Scrapy's Twisted reactor cannot be restarted inside a process, so one process
runs one crawl: the CLI calls `run_crawl` directly, Dagster runs the CLI in a
subprocess (Pipes), and tests call `run_crawl_in_subprocess`.
"""

from __future__ import annotations

import contextlib
import json
import logging
import multiprocessing
import os
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from newsdesk.crawlconfig import (
    DISCOVERY_MODES,
    parse_month,
    parse_sections,
    parse_since,
    resolve_base_url,
)
from newsdesk.crawloptions import CrawlOptions
from newsdesk.store import storage_error
from newsdesk.warehouse import Warehouse


class CrawlError(RuntimeError):
    """The crawl could not run at all (bad options, unreachable site, unwritable warehouse)."""


class CrawlUsageError(CrawlError):
    """An option value is wrong (raised by `validate_options` only): a usage error, exit 2."""


@dataclass
class CrawlSummary:
    """What a crawl did; printed by the CLI and reported to Dagster."""

    run_id: str
    base_url: str
    warehouse: str
    started_at: str
    finished_at: str
    duration_s: float
    finish_reason: str
    pages_fetched: int
    requests: int
    articles_new: int
    articles_updated: int
    articles_unchanged: int
    revisions: int
    failures: dict[str, int]
    blocked: bool
    # Stored articles seen in listings/sitemaps and, being unchanged, not fetched.
    articles_stored_skipped: int = 0
    # The edition crawled (its code).
    edition: str = "en"
    # Markup drift: short messages on modeled selectors that stopped matching
    # (newsdesk.drift); empty when the pages look as modeled.
    drift: list[str] = field(default_factory=list)
    # A crawl into a lake: what its import committed (`ImportResult.render`).
    lake: str = ""

    @property
    def articles_seen(self) -> int:
        return self.articles_new + self.articles_updated + self.articles_unchanged

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def render(self) -> str:
        """A short human-readable report."""
        lines = [
            f"crawl {self.run_id} of {self.base_url}: "
            f"{self.finish_reason} in {self.duration_s:.1f} s",
            f"  pages fetched: {self.pages_fetched} (requests: {self.requests})",
            f"  articles: {self.articles_new} new, {self.articles_updated} updated, "
            f"{self.articles_unchanged} unchanged; "
            f"{self.articles_stored_skipped} already stored, not fetched again",
        ]
        if self.failures:
            parts = ", ".join(f"{k}: {v}" for k, v in sorted(self.failures.items()))
            lines.append(f"  failures: {sum(self.failures.values())} ({parts})")
        else:
            lines.append("  failures: none")
        if self.blocked:
            lines.append(
                "  STOPPED: the site answered 403/429 repeatedly (bot protection); "
                "try again later, more slowly"
            )
        if self.drift:
            lines.append(f"  DRIFT: {'; '.join(self.drift)}")
        if self.lake:
            lines.append(f"  lake {self.warehouse}: {self.lake}")
        else:
            lines.append(f"  data: {Path(self.warehouse) / 'articles'}")
        return "\n".join(lines)


def validate_options(options: CrawlOptions) -> tuple[str, Warehouse]:
    """Check the options before anything runs; raises CrawlError with one clear line."""
    from newsdesk import editions

    try:
        edition = editions.get(options.edition)
    except KeyError as exc:
        raise CrawlError(str(exc.args[0])) from exc
    try:
        base_url = resolve_base_url(options.base_url, edition)
        parse_sections(options.sections, edition)
        if options.since is not None:
            parse_since(options.since)
    except ValueError as exc:
        raise CrawlUsageError(str(exc)) from exc
    if options.month is not None:
        try:
            parse_month(options.month)
        except ValueError as exc:
            raise CrawlUsageError(str(exc)) from exc
    if options.discovery not in DISCOVERY_MODES:
        raise CrawlUsageError(f"--discovery must be one of {', '.join(DISCOVERY_MODES)}")
    if options.max_articles is not None and options.max_articles < 1:
        raise CrawlUsageError("--max-articles must be at least 1")
    lake_path = _lake_path(options)
    if lake_path is not None:
        from newsdesk.lake import LakeError, load_config
        from newsdesk.lake_crawl import work_warehouse

        try:
            warehouse = work_warehouse(load_config(lake_path), options.edition)
        except LakeError as exc:
            raise CrawlError(str(exc)) from None
    else:
        warehouse = Warehouse.at(options.warehouse)
    try:
        warehouse.ensure_writable()
    except OSError as exc:
        raise CrawlError(str(exc)) from exc
    return base_url, warehouse


def check_reachable(base_url: str, timeout: float = 15.0) -> None:
    """Raise CrawlError when the site's host cannot be reached at all.

    A bare TCP connection (with DNS) and no HTTP request: it costs the site
    nothing, and turns "the site is down / the URL is wrong" into one clear
    line before Scrapy starts.
    """
    parts = urlsplit(base_url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((parts.hostname or "", port), timeout=timeout):
            return
    except OSError as exc:
        raise CrawlError(f"cannot reach {base_url}: {exc.strerror or exc}") from exc


def _lake_path(options: CrawlOptions) -> str | None:
    """The lake's toml when the crawl's warehouse (or $NEWSDESK_WAREHOUSE) names one."""
    from newsdesk.lake import is_lake_path
    from newsdesk.warehouse import WAREHOUSE_ENV

    value = options.warehouse or os.environ.get(WAREHOUSE_ENV) or None
    return value if is_lake_path(value) else None


def run_crawl(options: CrawlOptions) -> CrawlSummary:
    """Run a crawl to completion in this process (once per process).

    Into a lake (a ``.toml`` warehouse) via a local working folder: `newsdesk.lake_crawl`.
    """
    lake_path = _lake_path(options)
    if lake_path is not None:
        from newsdesk.lake_crawl import run_crawl_into_lake

        return run_crawl_into_lake(options, lake_path)
    from scrapy.crawler import CrawlerProcess
    from scrapy.settings import Settings

    from newsdesk import editions
    from newsdesk.drift import crawl_drift
    from newsdesk.session import WriterSession
    from newsdesk.store import StorageError, WarehouseBusy
    from spiders.almayadeen import AlMayadeenSpider

    base_url, warehouse = validate_options(options)
    settings = Settings()
    settings.setmodule("newsdesk.settings", priority="project")
    settings.set("NEWSDESK_WAREHOUSE", str(warehouse.root), priority="cmdline")
    settings.set("LOG_LEVEL", options.log_level, priority="cmdline")
    if options.progress:
        extensions = dict(settings.getdict("EXTENSIONS"))
        extensions["newsdesk.progress.CrawlProgress"] = 500
        settings.set("EXTENSIONS", extensions, priority="cmdline")
    for key, value in options.settings.items():
        settings.set(key, value, priority="cmdline")

    check_reachable(base_url)
    run_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ-") + uuid.uuid4().hex[:6]
    started = datetime.now(UTC)
    t0 = time.monotonic()
    # The storage layer's session holds the writer lock for the whole crawl; opened
    # here so that a busy or damaged warehouse is one line before Scrapy starts.
    try:
        session = WriterSession.open(warehouse, options.edition)
    except (WarehouseBusy, StorageError) as exc:
        raise CrawlError(str(exc)) from exc
    try:
        process = CrawlerProcess(settings)
        logging.getLogger("scrapy").setLevel(options.log_level)
        crawler = process.create_crawler(AlMayadeenSpider)
        WriterSession.attach(crawler, session)
        process.crawl(
            crawler,
            base_url=base_url,
            edition=options.edition,
            sections=options.sections,
            discovery="sitemaps" if options.month else options.discovery,
            since=options.since,
            month=options.month,
            max_articles=options.max_articles,
            full=options.full,
            run_id=run_id,
        )
        process.start()
    finally:
        session.close()
    if session.failure is not None:
        raise CrawlError(str(session.failure))
    stats: dict[str, Any] = crawler.stats.get_stats() if crawler.stats else {}
    failures = {
        key.removeprefix("newsdesk/failures/"): int(value)
        for key, value in stats.items()
        if key.startswith("newsdesk/failures/")
    }
    summary = CrawlSummary(
        run_id=run_id,
        base_url=base_url,
        warehouse=str(warehouse.root),
        started_at=started.isoformat(),
        finished_at=datetime.now(UTC).isoformat(),
        duration_s=round(time.monotonic() - t0, 3),
        finish_reason=str(stats.get("finish_reason", "unknown")),
        pages_fetched=int(stats.get("downloader/response_count", 0)),
        requests=int(stats.get("downloader/request_count", 0)),
        articles_new=int(stats.get("newsdesk/articles_new", 0)),
        articles_updated=int(stats.get("newsdesk/articles_updated", 0)),
        articles_unchanged=int(stats.get("newsdesk/articles_unchanged", 0)),
        revisions=int(stats.get("newsdesk/revisions", 0)),
        failures=failures,
        blocked=bool(stats.get("newsdesk/blocked", False)),
        articles_stored_skipped=int(stats.get("newsdesk/articles_stored_skipped", 0)),
        edition=options.edition,
        drift=crawl_drift(editions.get(options.edition), stats),
    )
    try:
        write_run_summary(warehouse, summary)
    except OSError as exc:
        raise CrawlError(str(storage_error(exc, warehouse.root / "crawl_runs"))) from exc
    return summary


def write_run_summary(warehouse: Warehouse, summary: CrawlSummary) -> Path:
    """Store the summary as ``crawl_runs/<run_id>.json`` (atomic)."""
    directory = warehouse.root / "crawl_runs"
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{summary.run_id}.json"
    tmp = directory / f".{summary.run_id}.json.tmp"
    tmp.write_text(json.dumps(summary.to_dict(), indent=2, sort_keys=True))
    tmp.replace(path)
    return path


def _child(options: CrawlOptions, queue: Any) -> None:
    try:
        queue.put(("ok", run_crawl(options).to_dict()))
    except CrawlError as exc:
        queue.put(("error", str(exc)))


def run_crawl_in_subprocess(
    options: CrawlOptions, timeout: float = 600.0, on_start: Callable[[], None] | None = None
) -> CrawlSummary:
    """Run `run_crawl` in a fresh process (one reactor per process) and return its summary."""
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(options, queue))
    proc.start()
    if on_start is not None:
        on_start()
    try:
        status, payload = queue.get(timeout=timeout)
    finally:
        proc.join(timeout=30)
        if proc.is_alive():
            proc.kill()
    if status == "error":
        raise CrawlError(payload)
    return CrawlSummary(**payload)


# --- every edition at once -------------------------------------------------------------

ALL_EDITIONS = "all"


def parse_base_urls(text: str | None, codes: list[str]) -> dict[str, str]:
    """``--base-url`` for several editions: ``en=URL,ar=URL`` -> {"en": URL, "ar": URL}.

    Editions not named are absent (they use their live site). A plain URL, an
    unknown or repeated code, or a bad URL raises ValueError (a usage error).
    """
    if not text:
        return {}
    result: dict[str, str] = {}
    for part in text.split(","):
        code, sep, url = part.strip().partition("=")
        code = code.strip()
        if not sep or not code or "/" in code or ":" in code:
            raise ValueError(
                "--base-url with several editions takes CODE=URL pairs "
                f"({','.join(f'{c}=URL' for c in codes)}), got {part.strip()!r}"
            )
        if code not in codes:
            raise ValueError(f"--base-url names edition {code!r}, not one of {', '.join(codes)}")
        if code in result:
            raise ValueError(f"--base-url names edition {code!r} twice")
        result[code] = url.strip()
    return result


@dataclass
class EditionOutcome:
    """What one edition's crawl process gave: a summary, or the one-line error."""

    edition: str
    summary: CrawlSummary | None = None
    error: str | None = None
    interrupted_early: bool = False  # stopped by Ctrl-C before it could report

    @property
    def interrupted(self) -> bool:
        if self.summary is not None:
            return self.summary.finish_reason == "shutdown"
        return self.interrupted_early

    @property
    def failed(self) -> bool:
        return self.error is not None or (self.summary is not None and self.summary.blocked)

    def render(self) -> str:
        if self.summary is not None:
            text = self.summary.render()
            if self.interrupted:
                text += "\n  INTERRUPTED: run the same command to resume"
            return f"[{self.edition}] {text}"
        return f"[{self.edition}] crawl failed: {self.error}"


def _edition_child(options: CrawlOptions, queue: Any) -> None:
    # Its own process group: a Ctrl-C on the terminal reaches only the parent,
    # which forwards exactly one SIGINT per Ctrl-C (a graceful stop, then a hard one).
    if hasattr(os, "setpgrp"):
        os.setpgrp()
    _child(options, queue)


def run_editions_in_parallel(options: list[CrawlOptions]) -> list[EditionOutcome]:
    """Crawl several editions at once, each in its own process (the hosts differ).

    Every edition's options are checked first (CrawlUsageError / CrawlError
    before any process starts), and a warehouse written before editions is
    migrated here, once. Ctrl-C is forwarded to every running crawl, which stops
    gracefully and reports a "shutdown" finish reason.
    """
    import queue as queue_module
    import signal
    from multiprocessing.connection import wait

    from newsdesk.migrate import migrate, needs_migration

    warehouse = None
    for opts in options:
        _, warehouse = validate_options(opts)
    if warehouse is not None and needs_migration(warehouse):
        try:
            migrate(warehouse)
        except OSError as exc:
            raise CrawlError(str(storage_error(exc, warehouse.articles))) from exc

    ctx = multiprocessing.get_context("spawn")
    running: dict[str, tuple[Any, Any]] = {}
    for opts in options:
        q = ctx.Queue()
        proc = ctx.Process(target=_edition_child, args=(opts, q), name=f"crawl-{opts.edition}")
        proc.start()
        running[opts.edition] = (proc, q)
    outcomes: dict[str, EditionOutcome] = {}
    interrupted = False
    pending = dict(running)
    while pending:
        try:
            ready = wait([proc.sentinel for proc, _ in pending.values()], timeout=1.0)
        except KeyboardInterrupt:
            interrupted = True
            for proc, _ in pending.values():
                if proc.is_alive():
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(proc.pid, signal.SIGINT)
            continue
        for code, (proc, q) in list(pending.items()):
            if proc.sentinel not in ready:
                continue
            proc.join()
            try:
                status, payload = q.get(timeout=5)
            except queue_module.Empty:
                outcomes[code] = EditionOutcome(
                    code,
                    error=f"crawl process exited with status {proc.exitcode}",
                    interrupted_early=interrupted,
                )
            else:
                if status == "error":
                    outcomes[code] = EditionOutcome(code, error=payload)
                else:
                    outcomes[code] = EditionOutcome(code, summary=CrawlSummary(**payload))
            del pending[code]
    return [outcomes[opts.edition] for opts in options]


def editions_exit_status(outcomes: list[EditionOutcome]) -> int:
    """130 when any crawl was interrupted, 1 when any failed or was blocked, else 0."""
    if any(o.interrupted for o in outcomes):
        return 130
    return 1 if any(o.failed for o in outcomes) else 0
