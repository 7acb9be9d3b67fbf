"""Peak memory of a crawl: a normal crawl vs a 300,000-URL sitemap and a gzip bomb.

    .venv/bin/python -m benchmarks.memory            # about 2 minutes on 2 cores
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
once), which is what the spider did before. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

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


def main(argv: list[str] | None = None) -> int:
    """Run the crawls and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="30,000 URLs, no control run")
    args = parser.parse_args(argv)
    n_urls = 30_000 if args.quick else 300_000
    with tempfile.TemporaryDirectory(prefix="newsdesk-memory-") as tmp:
        workdir = Path(tmp)
        rows = [normal_crawl(workdir, 2000)]
        rows.append(sitemap_crawl(workdir, n_urls, 3000, backpressure=True))
        rows.append(bomb_crawl(workdir, 20))
        if not args.quick:
            rows.append(sitemap_crawl(workdir, n_urls, 3000, backpressure=False))
    base = rows[0][1]
    print("| crawl | peak RSS (MiB) | vs normal crawl | wall (s) | notes |")
    print("|---|---|---|---|---|")
    for name, peak, wall, note in rows:
        print(f"| {name} | {peak:.0f} | {peak / base:.2f}x | {wall:.1f} | {note} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
