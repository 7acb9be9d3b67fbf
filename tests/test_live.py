"""Live-site smoke test: deselected by default (`-m 'not live'`); run with `pytest -m live`.

It crawls a handful of articles from the real site with the polite live
profile, so it needs the internet and takes a minute or more.
"""

from __future__ import annotations

import pytest

from newsdesk.crawl import CrawlOptions, run_crawl_in_subprocess
from newsdesk.store import ArticleStore
from newsdesk.warehouse import Warehouse


@pytest.mark.live
def test_live_site_yields_articles(tmp_path):
    warehouse = Warehouse(tmp_path / "wh")
    summary = run_crawl_in_subprocess(
        CrawlOptions(warehouse=str(warehouse.root), sections=["politics"], max_articles=3),
        timeout=900,
    )
    if summary.blocked:
        pytest.fail("the live site blocked the crawler (403/429): see the crawl log")
    table = ArticleStore(warehouse).read_table(["title", "published_at"])
    assert table.num_rows >= 1
    assert all(table.column("title").to_pylist())
