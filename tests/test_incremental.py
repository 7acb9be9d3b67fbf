"""Incremental, resumable crawling: second visits, kills, the raw archive and reparse."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from typing import Any

import duckdb
import pytest

from newsdesk.crawl import CrawlOptions, run_crawl, run_crawl_in_subprocess
from newsdesk.normalize import BEIRUT
from newsdesk.reparse import reparse
from newsdesk.replica.server import ReplicaServer
from newsdesk.store import ArticleStore, row_to_article
from newsdesk.warehouse import Warehouse

SKIP_FIELDS = {"crawled_at", "field_layers"}


def _crawl(server: ReplicaServer, warehouse: Warehouse, **kwargs: Any):
    options = CrawlOptions(base_url=server.base_url, warehouse=str(warehouse.root), **kwargs)
    return run_crawl_in_subprocess(options, timeout=240)


def _rows(warehouse: Warehouse) -> dict[str, dict[str, Any]]:
    table = ArticleStore(warehouse).read_table()
    return {r["article_id"]: row_to_article(r).to_dict() for r in table.to_pylist()}


def _path(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def _content(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k not in SKIP_FIELDS}


def test_second_visit_fetches_only_new_and_edited_articles(tmp_path):
    warehouse = Warehouse(tmp_path / "wh")
    # Seed 12 has edited articles whose page shows no modification time.
    with ReplicaServer(seed=12, n_articles=100, slow_seconds=0.1) as server:
        first = _crawl(server, warehouse, discovery="both")
        truth1 = {a.article_id: a for a in server.site.ground_truth}
        server.set_revision(2)
        truth2 = {a.article_id: a for a in server.site.ground_truth}
        served_before = len(server.requests)
        second = _crawl(server, warehouse, discovery="both")
        requests = server.requests[served_before:]
        served_before = len(server.requests)
        _crawl(server, warehouse, discovery="both")
        third_requests = server.requests[served_before:]

    new = {i for i in truth2 if i not in truth1}
    edited = {i for i in truth2 if i in truth1 and truth1[i].content_hash != truth2[i].content_hash}
    assert new and edited
    article_paths = {_path(a.url) for a in list(truth1.values()) + list(truth2.values())}
    fetched = [path for _m, path, _s in requests if path in article_paths]
    expected = {_path(truth2[i].url) for i in new | edited}
    assert sorted(fetched) == sorted(expected), "second visit fetched more (or less) than needed"
    assert second.articles_new == len(new)
    assert second.articles_updated == len(edited)
    # Sitemaps: the index plus only the monthly files whose content changed.
    changed = [truth2[i] for i in new | edited] + [truth1[i] for i in set(truth1) - set(truth2)]
    # The site files articles by Beirut publication month.
    beirut = [a.published_at.astimezone(BEIRUT) for a in changed]
    months = {f"/sitemaps/all/sitemap-{d.year}-{d.month}.xml" for d in beirut}
    sitemaps = {p for _m, p, _s in requests if p.startswith("/sitemaps/all/")}
    assert months <= sitemaps
    assert len(sitemaps - months) <= 2  # the two newest months are always read again
    # Listings: first pages, and a next page only where new articles filled the first one.
    listing_pages = [p for _m, p, _s in requests if "?page=" in p]
    assert len(listing_pages) <= 2
    # Dead links are not asked for again; permanent 500s get one attempt, no retries.
    dead = {_path(u) for u in server.site.dead_urls}
    assert not dead & {p for _m, p, _s in requests}
    failing = [p for _m, p, _s in requests if p in {_path(u) for u in server.site.failing_urls}]
    assert len(failing) == len(set(failing))
    assert second.requests < first.requests
    # A third visit of the unchanged site downloads no article at all, including
    # edited ones whose page shows no modification time (only their sitemap does).
    assert [p for _m, p, _s in third_requests if p in article_paths] == []

    rows = _rows(warehouse)
    for article_id, truth in truth2.items():
        assert _content(rows[article_id]) == _content(truth.to_dict())
    revisions = duckdb.sql(
        "SELECT article_id, revision, changed_fields FROM read_parquet(?)",
        params=[str(warehouse.revisions / "**" / "*.parquet")],
    ).fetchall()
    assert {r[0] for r in revisions} == edited
    assert all(r[1] == 1 and r[2] for r in revisions)
    # A removed story stays in the archive dataset: analysts study removals too.
    assert set(truth1) - set(truth2) <= set(rows)


def test_reparse_of_the_archive_equals_the_crawled_dataset(tmp_path):
    warehouse = Warehouse(tmp_path / "wh")
    with ReplicaServer(seed=8, n_articles=60, slow_seconds=0.1) as server:
        _crawl(server, warehouse, discovery="both")
        server.set_revision(2)
        _crawl(server, warehouse, discovery="both")
    crawled = _rows(warehouse)
    result = reparse(warehouse)
    assert result.articles == len(crawled)
    assert _rows(warehouse) == crawled  # every field, crawled_at and layers included
    assert not [p for p in warehouse.root.iterdir() if p.name.startswith(".reparse")]


def _kill_when_written(warehouse: Warehouse, proc: Any, minimum_files: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if len(list(warehouse.articles.rglob("*.parquet"))) >= minimum_files:
            break
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.join(timeout=30)


def _crawl_child(options: CrawlOptions) -> None:
    run_crawl(options)


def test_crawl_killed_midway_resumes_to_the_same_dataset(tmp_path):
    killed = Warehouse(tmp_path / "killed")
    clean = Warehouse(tmp_path / "clean")
    # Small flushes and one request at a time, so the kill lands mid-crawl.
    slow = {"NEWSDESK_FLUSH_EVERY": 5, "CONCURRENT_REQUESTS": 1, "DOWNLOAD_DELAY": 0.01}
    with ReplicaServer(seed=9, n_articles=60, slow_seconds=0.1) as server:
        options = CrawlOptions(
            base_url=server.base_url, warehouse=str(killed.root), discovery="both", settings=slow
        )
        ctx = multiprocessing.get_context("spawn")
        proc = ctx.Process(target=_crawl_child, args=(options,))
        proc.start()
        _kill_when_written(killed, proc, minimum_files=2)
        assert proc.exitcode == -signal.SIGKILL
        written_before = set(_rows(killed))
        assert 0 < len(written_before) < 60
        served_before = len(server.requests)
        _crawl(server, killed, discovery="both")
        resumed_requests = server.requests[served_before:]
        _crawl(server, clean, discovery="both")
        truth = {a.article_id: a for a in server.site.ground_truth}

    resumed = _rows(killed)
    assert {k: _content(v) for k, v in resumed.items()} == {
        k: _content(v) for k, v in _rows(clean).items()
    }
    assert set(resumed) == set(truth)
    refetched = {p for _m, p, _s in resumed_requests} & {
        _path(truth[i].url) for i in written_before
    }
    assert refetched == set(), "articles written before the kill were fetched again"
    leftovers = [p for p in killed.root.rglob("*") if p.name.endswith((".tmp", ".open"))]
    assert leftovers == []


@pytest.mark.parametrize("second_discovery", ["listings", "sitemaps"])
def test_failed_pages_are_retried_on_the_next_crawl(tmp_path, second_discovery):
    warehouse = Warehouse(tmp_path / "wh")
    with ReplicaServer(seed=4, n_articles=40, slow_seconds=0.1) as server:
        _crawl(server, warehouse, discovery="listings")
        before = len(server.requests)
        _crawl(server, warehouse, discovery=second_discovery)
        again = {p for _m, p, _s in server.requests[before:]}
        failing = {_path(u) for u in server.site.failing_urls}
    # Permanent 500s are not stored, so each visit asks for them again (and logs them).
    reachable = failing & {p for _m, p, _s in server.requests[:before]}
    assert reachable and reachable <= again
