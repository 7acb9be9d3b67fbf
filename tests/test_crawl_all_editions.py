"""`newsdesk crawl --edition all`: every edition in its own process, in parallel."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from newsdesk import editions
from newsdesk.cli import main
from newsdesk.crawl import parse_base_urls
from newsdesk.replica.server import ReplicaServer
from newsdesk.store import ArticleStore
from newsdesk.warehouse import Warehouse

CODES = [e.code for e in editions.all_editions()]
N_ARTICLES = 24


def _run(capsys: Any, argv: list[str]) -> tuple[int, str]:
    try:
        code = main(argv)
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, capsys.readouterr().err


def test_parse_base_urls() -> None:
    assert parse_base_urls("en=http://a:1, ar=http://b:2", CODES) == {
        "en": "http://a:1",
        "ar": "http://b:2",
    }
    assert parse_base_urls(None, CODES) == {}
    for bad in ("http://a:1", "fr=http://a", "en=http://a,en=http://b"):
        with pytest.raises(ValueError):
            parse_base_urls(bad, CODES)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--base-url", "http://127.0.0.1:9"], "CODE=URL"),
        (["--base-url", "xx=http://127.0.0.1:9"], "not one of"),
        (["--sections", "politics"], "--sections"),
        (["--base-url", "en=ftp://example.org"], "http(s)"),
    ],
)
def test_all_usage_errors(capsys: Any, tmp_path: Path, argv: list[str], message: str) -> None:
    code, err = _run(capsys, ["crawl", "--edition", "all", *argv, "--warehouse", str(tmp_path)])
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1


def test_single_edition_base_url_naming_another_edition(capsys: Any, tmp_path: Path) -> None:
    argv = ["crawl", "--edition", "ar", "--base-url", "en=http://127.0.0.1:9"]
    code, err = _run(capsys, [*argv, "--warehouse", str(tmp_path)])
    assert code == 2 and "--edition is 'ar'" in err


def test_crawl_all_editions_in_parallel(tmp_path: Path) -> None:
    warehouse = Warehouse(tmp_path / "wh")
    servers = [
        ReplicaServer(seed=13, n_articles=N_ARTICLES, slow_seconds=0.1, edition=code)
        for code in CODES
    ]
    for server in servers:
        server.start()
    try:
        pairs = ",".join(f"{code}={s.base_url}" for code, s in zip(CODES, servers, strict=True))
        argv = ["crawl", "--edition", "all", "--base-url", pairs]
        argv += ["--warehouse", str(warehouse.root)]
        proc = subprocess.run(
            [sys.executable, "-m", "newsdesk.cli", *argv],
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        for server in servers:
            server.stop()
    assert proc.returncode == 0, proc.stderr
    for code in CODES:
        assert f"[{code}] crawl " in proc.stdout
    rows = ArticleStore(warehouse).read_table().to_pylist()
    ids = [r["article_id"] for r in rows]
    assert len(ids) == len(set(ids)), "duplicates in the dataset"
    for code, server in zip(CODES, servers, strict=True):
        truth = {a.article_id for a in server.site.ground_truth}
        got = {r["article_id"] for r in rows if r["edition"] == code}
        assert got == truth, code
        assert (warehouse.root / "articles" / f"edition={code}").is_dir()


def test_recovery_leaves_other_editions_open_files(tmp_path: Path) -> None:
    from newsdesk.archive import recover_open_files

    day = tmp_path / "date=2025-01-01"
    day.mkdir()
    for name in (".a.warc.gz.ar.open", ".b.warc.gz.es.open", ".c.warc.gz.open"):
        (day / name).write_bytes(b"")
    assert recover_open_files(tmp_path, "ar") == 2  # its own, and an untagged (older) one
    assert sorted(p.name for p in day.iterdir()) == [".b.warc.gz.es.open", "a.warc.gz", "c.warc.gz"]
    assert recover_open_files(tmp_path) == 1  # no edition: every one (reparse, whole lock)
    assert (day / "b.warc.gz").exists()


def test_demo_crawls_every_edition(tmp_path: Path, capsys: Any) -> None:
    import duckdb

    from newsdesk.demo import run_demo

    assert run_demo(warehouse=str(tmp_path / "wh"), n_articles=24) == 0
    out = capsys.readouterr().out
    for code in CODES:
        assert f"replica {code}: 24 articles" in out and f"[{code}] crawl " in out
    con = duckdb.connect(str(tmp_path / "wh" / "newsdesk.duckdb"), read_only=True)
    counts = dict(con.execute("SELECT edition, count(*) FROM articles GROUP BY 1").fetchall())
    assert counts == dict.fromkeys(CODES, 24)
