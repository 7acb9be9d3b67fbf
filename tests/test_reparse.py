"""Reparse never loses an article: torn archives, damaged parts, pages no longer articles."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

import newsdesk.reparse as reparse_module
from newsdesk import cli
from newsdesk.archive import WarcArchive, iter_archive
from newsdesk.crawl import CrawlOptions, run_crawl_in_subprocess
from newsdesk.reparse import ReparseError, reparse
from newsdesk.replica.server import ReplicaServer
from newsdesk.store import ArticleStore, row_to_article
from newsdesk.warehouse import Warehouse

NEWSDESK = os.path.join(os.path.dirname(sys.executable), "newsdesk")


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One crawl of a small replica, copied by each test (crawling is the slow part)."""
    root = tmp_path_factory.mktemp("crawled") / "wh"
    with ReplicaServer(seed=8, n_articles=60, slow_seconds=0.1) as server:
        options = CrawlOptions(base_url=server.base_url, warehouse=str(root), discovery="both")
        run_crawl_in_subprocess(options, timeout=240)
    return root


@pytest.fixture
def warehouse(crawled: Path, tmp_path: Path) -> Warehouse:
    shutil.copytree(crawled, tmp_path / "wh")
    return Warehouse(tmp_path / "wh")


def _rows(warehouse: Warehouse) -> dict[str, dict[str, Any]]:
    table = ArticleStore(warehouse).read_table()
    return {r["article_id"]: row_to_article(r).to_dict() for r in table.to_pylist()}


def _reparse_cli(warehouse: Warehouse, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [NEWSDESK, "reparse", "--warehouse", str(warehouse.root), *extra],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_torn_warc_keeps_every_row_and_fails_loudly(warehouse):
    before = _rows(warehouse)
    assert len(before) > 20
    warcs = sorted(warehouse.raw.rglob("*.warc.gz"), key=lambda p: p.stat().st_size)
    torn = warcs[-1]
    data = torn.read_bytes()
    torn.write_bytes(data[: len(data) // 2])

    out = _reparse_cli(warehouse)

    assert out.returncode == 1, out.stdout + out.stderr
    assert "Traceback" not in out.stderr
    damage = [line for line in out.stderr.splitlines() if str(torn) in line]
    assert len(damage) == 1 and "damaged archive file" in damage[0]
    assert "archive_unreadable: 1" in out.stdout
    # The torn half held articles: they were kept as stored, not dropped.
    kept = int(out.stdout.split(" kept as stored")[0].rsplit(" ", 1)[1])
    assert kept > 0, out.stdout
    after = _rows(warehouse)
    assert len(after) == len(before)
    assert after == before  # unchanged code: what was re-derived is what was stored
    assert not [p for p in warehouse.root.iterdir() if p.name.startswith((".reparse", ".art"))]


def test_page_that_is_no_longer_an_article_is_removed_and_listed(warehouse):
    before = _rows(warehouse)
    victim = sorted(before.values(), key=lambda r: r["article_id"])[0]
    fetched_url = next(
        r.url
        for r in iter_archive(warehouse.raw, kinds=frozenset({"article"}))
        if r.url.endswith(victim["url"].split("/", 3)[3])
    )
    # A later fetch of the same URL answered with a page that has no article.
    later = datetime.now(UTC) + timedelta(days=1)
    archive = WarcArchive(warehouse.raw, "later-run")
    archive.write(
        url=fetched_url,
        method="GET",
        request_headers=[],
        status=200,
        response_headers=[("Content-Type", "text/html; charset=utf-8")],
        body=b"<html><head><title></title></head><body><p>Moved.</p></body></html>",
        fetched_at=later,
        kind="article",
    )
    archive.close()

    out = _reparse_cli(warehouse)

    assert out.returncode == 0, out.stdout + out.stderr
    removed_lines = [line for line in out.stdout.splitlines() if line.startswith("removed")]
    assert len(removed_lines) == 1 and victim["url"] in removed_lines[0]
    assert "1 removed" in out.stdout
    after = _rows(warehouse)
    assert set(after) == set(before) - {victim["article_id"]}
    assert all(after[i] == before[i] for i in after)


def test_damaged_part_file_is_quarantined_and_rederived(warehouse):
    before = _rows(warehouse)
    part = max(warehouse.articles.rglob("*.parquet"), key=lambda p: p.stat().st_size)
    data = part.read_bytes()
    part.write_bytes(data[: len(data) // 2])

    # A window reparse cannot repair a partition: it says which command does.
    with pytest.raises(ReparseError, match="without --since/--until"):
        reparse(warehouse, since=datetime(2000, 1, 1, tzinfo=UTC))

    out = _reparse_cli(warehouse)

    assert out.returncode == 1
    assert f"damaged file {part}" in out.stderr and "Traceback" not in out.stderr
    assert _rows(warehouse) == before  # every row of the damaged file was in the archive
    quarantined = list(warehouse.quarantine.rglob("*.damaged"))
    assert len(quarantined) == 1 and quarantined[0].read_bytes() == data[: len(data) // 2]
    # Repaired: the next reparse reads everything and succeeds.
    assert _reparse_cli(warehouse).returncode == 0


def test_write_error_is_one_line_naming_the_file(warehouse, monkeypatch, capsys):
    before = _rows(warehouse)
    target = warehouse.root / ".reparse-x" / "articles" / "part-0.parquet"

    def full_disk(*_args: Any, **_kwargs: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(target))

    # The disk fills while the new dataset is written aside.
    monkeypatch.setattr(reparse_module.ArticleStore, "merge", full_disk)
    code = cli.main(["reparse", "--warehouse", str(warehouse.root)])
    err = capsys.readouterr().err
    assert code == 1
    assert err.count("\n") == 1 and str(target) in err and "No space left" in err
    assert "disk has space" in err
    monkeypatch.undo()
    assert _rows(warehouse) == before  # the stored dataset is untouched
    assert not [p for p in warehouse.root.iterdir() if p.name.startswith(".reparse")]


def test_reparse_killed_between_the_two_renames_loses_nothing(warehouse):
    before = _rows(warehouse)
    # What a kill between "dataset renamed away" and "new one renamed in" leaves.
    os.replace(warehouse.articles, warehouse.root / ".articles-old-deadbeef")
    (warehouse.root / ".reparse-deadbeef" / "articles").mkdir(parents=True)
    # Only some responses are re-derivable (a window), yet nothing is lost.
    reparse(warehouse, since=datetime.now(UTC) + timedelta(days=1))
    assert _rows(warehouse) == before
    assert not [p for p in warehouse.root.iterdir() if p.name.startswith((".reparse", ".art"))]
