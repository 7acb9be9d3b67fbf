"""`newsdesk demo`: replicas -> crawl -> Parquet -> DuckDB -> a printed result, offline.

One replica per registered edition is served on loopback (one port each), and
every edition is crawled at once, each in its own process, as
``newsdesk crawl --edition all --base-url en=URL,ar=URL,...`` does.
"""

from __future__ import annotations

import time
from contextlib import ExitStack

from newsdesk.crawl import (
    CrawlError,
    CrawlOptions,
    editions_exit_status,
    run_editions_in_parallel,
)
from newsdesk.warehouse import Warehouse


def run_demo(warehouse: str | None = None, n_articles: int = 120, seed: int = 7) -> int:
    """Serve every edition's replica, crawl them all, build the tables, print a summary."""
    from newsdesk import editions
    from newsdesk.replica.server import ReplicaServer

    store = Warehouse.at(warehouse)
    t0 = time.monotonic()
    codes = [e.code for e in editions.all_editions()]
    with ExitStack() as stack:
        servers = {
            code: stack.enter_context(ReplicaServer(seed=seed, n_articles=n_articles, edition=code))
            for code in codes
        }
        for code, server in servers.items():
            print(
                f"replica {code}: {len(server.site.ground_truth)} articles served at "
                f"{server.base_url}"
            )
        options = [
            CrawlOptions(
                base_url=server.base_url,
                warehouse=str(store.root),
                edition=code,
                discovery="both",
                log_level="ERROR",  # the replicas' deliberate faults are in the summaries
            )
            for code, server in servers.items()
        ]
        try:
            outcomes = run_editions_in_parallel(options)
        except CrawlError as exc:
            print(f"newsdesk: error: {exc}")
            return 1
    for outcome in outcomes:
        print(outcome.render())
    status = editions_exit_status(outcomes)
    if status:
        return status
    from newsdesk.analytics import demo_report
    from newsdesk.build import BuildError

    try:
        print(demo_report(store))
    except BuildError as exc:
        print(f"newsdesk: error: {exc}")
        return 1
    print(f"demo finished in {time.monotonic() - t0:.1f} s; data under {store.root.resolve()}")
    return 0
