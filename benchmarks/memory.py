"""Peak memory of a crawl: a normal crawl vs a 300,000-URL sitemap and a gzip bomb.

    .venv/bin/python -m benchmarks --only memory      # in the report (about 3 min on 2 cores)
    .venv/bin/python -m benchmarks.memory            # the same, just the table
    .venv/bin/python -m benchmarks.memory --quick    # smaller sitemap, no control run

Each crawl runs in its own spawned process (``newsdesk.replica.faults.
crawl_with_peak_rss``); peak memory is that process's own ``VmHWM``. The
baseline, measured in the same run, is a normal crawl of a 2,000-article
replica (``discovery=both``). The 300,000-URL sitemap answers a fast 404 for
every article URL and the crawl stops after 3,000 responses
(``CLOSESPIDER_PAGECOUNT``): by then the whole sitemap has been read and its
URLs wait in the spider's backlog, so walking the rest would take longer, not
more memory. The control run is the same crawl with back-pressure switched off
(``NEWSDESK_SCHEDULER_TARGET`` huge: every URL becomes a queued Request at
once), which is what the spider did before.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import Section, Table, Target
from newsdesk.crawl import CrawlOptions
from newsdesk.replica.faults import (
    GIB,
    MIB,
    MONTH_PATH,
    SITEMAP_INDEX_PATH,
    FaultServer,
    article_urls,
    crawl_with_peak_rss,
    gzip_bomb,
    sitemap_index_xml,
    sitemap_urlset_xml,
)
from newsdesk.replica.server import ReplicaServer

Row = tuple[str, float, float, str]  # name, peak MiB, wall s, note

BASELINE_ARTICLES = 2000
STOP_AFTER_PAGES = 3000
N_BOMBS = 20
SITEMAP_TARGET_MIB = 512
METHOD = """Peak memory of the crawl process for three hostile inputs, next to a normal
crawl measured in the same run. Each crawl runs in its own spawned process
(`newsdesk.replica.faults.crawl_with_peak_rss`); peak memory is that process's own
`VmHWM` (imports included: a crawl process that fetches nothing peaks near 200 MiB).

- **normal crawl** (the baseline): a 2,000-article replica, `discovery=both`.
- **300,000-URL sitemap**: one monthly sitemap listing 300,000 article URLs, each
  answering a fast 404; the crawl stops after 3,000 responses
  (`CLOSESPIDER_PAGECOUNT`). By then the whole sitemap has been read (as a stream)
  and its URLs wait in the spider's backlog, entering Scrapy's queue only while it
  holds fewer than `NEWSDESK_SCHEDULER_TARGET` requests: walking the rest would
  take longer, not more memory.
- **gzip bombs**: 20 article URLs, each a 2 MB `Content-Encoding: gzip` body that
  inflates to 2 GiB, 16 fetched at a time; each is dropped at the page limit
  (4 MiB decompressed) and logged as `too_large`.
- **control: no back-pressure**: the sitemap crawl with `NEWSDESK_SCHEDULER_TARGET`
  set out of reach, so every URL becomes a queued Request at once, as the spider
  did before (full runs only)."""


def normal_crawl(workdir: Path, n_articles: int) -> Row:
    """A normal crawl of the replica: the baseline."""
    with ReplicaServer(n_articles=n_articles, slow_seconds=0.0) as server:
        options = CrawlOptions(
            base_url=server.base_url, warehouse=str(workdir / "normal"), discovery="both"
        )
        t0 = time.perf_counter()
        summary, peak = crawl_with_peak_rss(options)
    note = f"{summary.articles_new} articles, {summary.pages_fetched} pages"
    return "normal crawl", peak / MIB, time.perf_counter() - t0, note


def sitemap_crawl(workdir: Path, n_urls: int, pages: int, *, backpressure: bool) -> Row:
    """A crawl of one sitemap of ``n_urls`` article URLs (404s), stopped after ``pages``."""
    settings: dict[str, object] = {"CLOSESPIDER_PAGECOUNT": pages}
    if not backpressure:
        settings["NEWSDESK_SCHEDULER_TARGET"] = 10**9
    with FaultServer() as srv:
        srv.add(SITEMAP_INDEX_PATH, sitemap_index_xml([srv.base_url + MONTH_PATH]))
        body = sitemap_urlset_xml(article_urls(srv.base_url, n_urls))
        srv.add(MONTH_PATH, body)
        name = "back-pressure" if backpressure else "control: no back-pressure"
        options = CrawlOptions(
            base_url=srv.base_url,
            warehouse=str(workdir / name.replace(" ", "-").replace(":", "")),
            discovery="sitemaps",
            settings=settings,
        )
        t0 = time.perf_counter()
        summary, peak = crawl_with_peak_rss(options, timeout=900)
    note = (
        f"{len(body) / MIB:.0f} MiB sitemap, {summary.pages_fetched} pages, {summary.finish_reason}"
    )
    label = f"{n_urls:,}-URL sitemap ({name})"
    return label, peak / MIB, time.perf_counter() - t0, note


def bomb_crawl(workdir: Path, n_bombs: int) -> Row:
    """``n_bombs`` article URLs, each a 2 MB gzip body that inflates to 2 GiB."""
    bomb = gzip_bomb(2 * GIB)
    with FaultServer() as srv:
        urls = article_urls(srv.base_url, n_bombs)
        srv.add(SITEMAP_INDEX_PATH, sitemap_index_xml([srv.base_url + MONTH_PATH]))
        srv.add(MONTH_PATH, sitemap_urlset_xml(urls))
        for url in urls:
            srv.add(url.removeprefix(srv.base_url), bomb, headers={"Content-Encoding": "gzip"})
        options = CrawlOptions(
            base_url=srv.base_url, warehouse=str(workdir / "bomb"), discovery="sitemaps"
        )
        t0 = time.perf_counter()
        summary, peak = crawl_with_peak_rss(options)
    note = f"failures: {summary.failures}"
    return f"{n_bombs} gzip bombs (2 MB -> 2 GiB)", peak / MIB, time.perf_counter() - t0, note


def measure(workdir: Path, n_urls: int, control: bool) -> list[Row]:
    """The crawls, baseline first."""
    rows = [normal_crawl(workdir, BASELINE_ARTICLES)]
    rows.append(sitemap_crawl(workdir, n_urls, STOP_AFTER_PAGES, backpressure=True))
    rows.append(bomb_crawl(workdir, N_BOMBS))
    if control:
        rows.append(sitemap_crawl(workdir, n_urls, STOP_AFTER_PAGES, backpressure=False))
    return rows


def run(n_urls: int, control: bool, workdir: Path) -> Section:
    """The ``memory`` section of the benchmark report."""
    t0 = time.perf_counter()
    workdir.mkdir(parents=True, exist_ok=True)
    rows = measure(workdir, n_urls, control)
    base = rows[0][1]
    table = Table(
        title=f"Peak memory of a crawl process ({n_urls:,}-URL sitemap)",
        headers=["crawl", "peak RSS (MiB)", "vs normal crawl", "wall (s)", "notes"],
        rows=[
            [name, f"{peak:.0f}", f"{peak / base:.2f}x", f"{wall:.1f}", note]
            for name, peak, wall, note in rows
        ],
    )
    section = Section(
        key="memory",
        title="6. Bounded memory: a huge sitemap and gzip bombs vs a normal crawl",
        method=METHOD,
        tables=[table],
    )
    sitemap_peak = rows[1][1]
    section.targets.append(
        Target(
            name=f"{n_urls:,}-URL sitemap crawl peak memory",
            goal=f"< {SITEMAP_TARGET_MIB} MiB",
            measured=f"{sitemap_peak:.0f} MiB ({sitemap_peak / base:.2f}x a normal crawl)",
            met=sitemap_peak < SITEMAP_TARGET_MIB,
        )
    )
    _name, bomb_peak, _wall, bomb_note = rows[2]
    section.targets.append(
        Target(
            name="gzip bombs dropped, peak memory (reported)",
            goal="dropped as too_large",
            measured=f"{bomb_peak:.0f} MiB; {bomb_note}",
            met=f"'too_large': {N_BOMBS}" in bomb_note,
        )
    )
    section.duration_s = time.perf_counter() - t0
    return section


def main(argv: list[str] | None = None) -> int:
    """Run the crawls and print the table."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="30,000 URLs, no control run")
    args = parser.parse_args(argv)
    n_urls = 30_000 if args.quick else 300_000
    with tempfile.TemporaryDirectory(prefix="newsdesk-memory-") as tmp:
        rows = measure(Path(tmp), n_urls, control=not args.quick)
    base = rows[0][1]
    print("| crawl | peak RSS (MiB) | vs normal crawl | wall (s) | notes |")
    print("|---|---|---|---|---|")
    for name, peak, wall, note in rows:
        print(f"| {name} | {peak:.0f} | {peak / base:.2f}x | {wall:.1f} | {note} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
