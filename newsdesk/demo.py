"""`newsdesk demo`: replica -> crawl -> Parquet -> DuckDB -> a printed result, offline."""

from __future__ import annotations

import time

from newsdesk.crawl import CrawlError, CrawlOptions, run_crawl
from newsdesk.warehouse import Warehouse


def run_demo(warehouse: str | None = None, n_articles: int = 240, seed: int = 7) -> int:
    """Serve the replica on loopback, crawl it, build the tables and print a sample query."""
    from newsdesk.replica.server import ReplicaServer

    store = Warehouse.at(warehouse)
    t0 = time.monotonic()
    with ReplicaServer(seed=seed, n_articles=n_articles) as server:
        print(f"replica: {len(server.site.ground_truth)} articles served at {server.base_url}")
        try:
            summary = run_crawl(
                CrawlOptions(
                    base_url=server.base_url,
                    warehouse=str(store.root),
                    discovery="both",
                    progress=True,
                )
            )
        except CrawlError as exc:
            print(f"newsdesk: error: {exc}")
            return 1
    print(summary.render())
    from newsdesk.analytics import demo_report

    print(demo_report(store))
    print(f"demo finished in {time.monotonic() - t0:.1f} s; data under {store.root.resolve()}")
    return 0
