"""End to end: serve the replica on loopback, crawl it, compare with its ground truth.

Each crawl runs in a fresh process (Scrapy's reactor cannot restart), through
the same `run_crawl` the CLI uses; the replica is served from this process.
"""

from __future__ import annotations

from typing import Any

import duckdb
import pytest

from newsdesk.crawl import CrawlOptions, CrawlSummary, run_crawl_in_subprocess
from newsdesk.replica.server import ReplicaServer
from newsdesk.store import ArticleStore, row_to_article
from newsdesk.warehouse import Warehouse

N_ARTICLES = 120
# Fields compared with the ground truth: everything but when and how it was crawled.
SKIP_FIELDS = {"crawled_at", "field_layers"}


def _crawl(server: ReplicaServer, warehouse: Warehouse, **kwargs: Any) -> CrawlSummary:
    options = CrawlOptions(base_url=server.base_url, warehouse=str(warehouse.root), **kwargs)
    return run_crawl_in_subprocess(options, timeout=240)


def _rows(warehouse: Warehouse) -> list[dict[str, Any]]:
    return [row_to_article(r).to_dict() for r in ArticleStore(warehouse).read_table().to_pylist()]


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    """One replica, crawled once with both discoveries, then a second time."""
    warehouse = Warehouse(tmp_path_factory.mktemp("e2e") / "wh")
    with ReplicaServer(seed=11, n_articles=N_ARTICLES, slow_seconds=0.3) as server:
        first = _crawl(server, warehouse, discovery="both")
        rows_first = _rows(warehouse)
        requests_first = list(server.requests)
        second = _crawl(server, warehouse, discovery="both")
        rows_second = _rows(warehouse)
        requests_second = list(server.requests)[len(requests_first) :]
        yield {
            "server": server,
            "warehouse": warehouse,
            "first": first,
            "second": second,
            "rows_first": rows_first,
            "rows_second": rows_second,
            "requests_first": requests_first,
            "requests_second": requests_second,
        }


def test_every_article_found_exactly_once(crawled):
    truth = {a.article_id for a in crawled["server"].site.ground_truth}
    ids = [r["article_id"] for r in crawled["rows_first"]]
    assert len(ids) == len(set(ids)), "duplicates in the dataset"
    assert set(ids) == truth
    assert len(truth) == N_ARTICLES


def test_every_field_equals_the_ground_truth(crawled):
    truth = {a.article_id: a.to_dict() for a in crawled["server"].site.ground_truth}
    mismatches = []
    for row in crawled["rows_first"]:
        expected = truth[row["article_id"]]
        for name, value in expected.items():
            if name in SKIP_FIELDS:
                continue
            if row[name] != value:
                mismatches.append((row["url"], name, row[name], value))
    assert mismatches == []


def test_timestamps_are_utc_instants(crawled):
    for row in crawled["rows_first"]:
        for name in ("published_at", "updated_at", "crawled_at"):
            value = row[name]
            if value is not None:
                assert value.utcoffset().total_seconds() == 0


def test_failures_are_logged_with_reasons(crawled):
    site = crawled["server"].site
    log = duckdb.sql(
        "SELECT url, outcome, reason FROM read_parquet(?, hive_partitioning=true)",
        params=[crawled["warehouse"].crawl_log_glob()],
    ).fetchall()
    failed = {(url.split("/", 3)[3], reason) for url, outcome, reason in log if outcome == "failed"}
    for url in site.dead_urls:
        assert ("/".join(url.split("/")[3:]), "http_404") in failed
    for url in site.failing_urls:
        assert ("/".join(url.split("/")[3:]), "http_500") in failed
    # The transient 503 was retried and the article was stored.
    stored = {r["url"] for r in crawled["rows_first"]}
    assert set(site.transient_urls) <= stored
    assert crawled["first"].failures.get("http_500") == len(site.failing_urls)


def test_nothing_offsite_or_disallowed_was_requested(crawled):
    paths = [path for _method, path, _status in crawled["requests_first"]]
    assert not any(p.startswith(("/search", "/live")) for p in paths)
    log = duckdb.sql(
        "SELECT DISTINCT url FROM read_parquet(?, hive_partitioning=true)",
        params=[crawled["warehouse"].crawl_log_glob()],
    ).fetchall()
    assert all(url.startswith(crawled["server"].base_url) for (url,) in log)


def test_each_article_fetched_once_despite_many_links(crawled):
    article_gets = [
        path
        for method, path, status in crawled["requests_first"]
        if method == "GET"
        and status == 200
        and path.count("/") >= 2
        and "?" not in path
        and not path.startswith("/sitemaps")
    ]
    assert len(article_gets) == len(set(article_gets))


def test_second_visit_changes_nothing_and_downloads_no_article(crawled):
    second = crawled["second"]
    assert second.articles_new == 0
    assert second.articles_updated == 0
    # Stored articles it came across (listing first pages, the newest sitemap months).
    assert 0 < second.articles_stored_skipped <= N_ARTICLES
    assert f"{second.articles_stored_skipped} already stored, not fetched" in second.render()
    key = lambda r: r["article_id"]  # noqa: E731
    assert sorted(crawled["rows_second"], key=key) == sorted(crawled["rows_first"], key=key)
    truth_paths = {"/" + a.url.split("/", 3)[3] for a in crawled["server"].site.ground_truth}
    fetched_articles = [p for _m, p, _s in crawled["requests_second"] if p in truth_paths]
    assert fetched_articles == []


def test_summary_counts(crawled):
    first = crawled["first"]
    assert first.articles_new == N_ARTICLES
    assert first.pages_fetched > N_ARTICLES
    assert first.finish_reason == "finished"
    assert not first.blocked


def test_full_recrawl_is_idempotent(tmp_path):
    warehouse = Warehouse(tmp_path / "wh")
    with ReplicaServer(seed=3, n_articles=40, slow_seconds=0.1) as server:
        _crawl(server, warehouse, discovery="listings", sections=["news"])
        before = _rows(warehouse)
        again = _crawl(server, warehouse, discovery="listings", sections=["news"], full=True)
    assert again.articles_unchanged == len(before)
    assert again.articles_new == 0 and again.articles_updated == 0
    assert _rows(warehouse) == before
    assert {r["section_group"] for r in before} == {"news"}
    files = list(warehouse.articles.rglob("*"))
    assert all(not f.name.startswith(".") for f in files)


def test_blocked_site_stops_cleanly(tmp_path):
    warehouse = Warehouse(tmp_path / "wh")
    with ReplicaServer(seed=3, n_articles=30, forbidden=True) as server:
        summary = _crawl(server, warehouse, discovery="both")
        served = len(server.requests)
    assert summary.blocked
    assert summary.articles_new == 0
    assert served < 40
    assert "blocking" in summary.render() or "403/429" in summary.render()
