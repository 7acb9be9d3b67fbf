"""The incremental tantivy search: build updates, rebuilds, kills, readers, lakes.

Unit-level checks drive `newsdesk.search_sync` over a DuckDB ``articles`` table
made here; the warehouse and lake checks go through ``newsdesk build`` and
``newsdesk search``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from newsdesk import search_sync
from newsdesk.build import build_database, connect
from newsdesk.cli import main as run_cli
from newsdesk.lake import load_config
from newsdesk.lake_import import import_warehouse
from newsdesk.search_sync import MANIFEST, lake_cache_root, open_for_search, sync_all
from newsdesk.store import ArticleStore
from newsdesk.warehouse import Warehouse
from tests.factories import make_article, rehash

DAY = dt.datetime(2025, 7, 3, 12, tzinfo=dt.UTC)

SCRIPT = """
import sys, duckdb
from pathlib import Path
from newsdesk.search_sync import sync_all
con = duckdb.connect(sys.argv[1], read_only=True)
print(sync_all(con, Path(sys.argv[2])))
"""


def _articles_db(path: Path, n: int) -> None:
    """A DuckDB file with an ``articles`` table of ``n`` English articles about cairo."""
    con = duckdb.connect(str(path))
    con.execute(
        "CREATE OR REPLACE TABLE articles AS SELECT 'a' || i AS article_id, 'en' AS edition, "
        "'h' || i AS content_hash, 'Title ' || i AS title, NULL::VARCHAR AS subtitle, "
        "'talks in cairo, item ' || i AS body FROM range($n) t(i)",
        {"n": n},
    )
    con.close()


def _ids(root: Path, words: str, edition: str = "en") -> list[str]:
    index = open_for_search(root, edition)
    assert index is not None
    return sorted(i for i, _ in index.search(words, 1000))


def _edit(db: Path) -> None:
    """One edited, one removed, one new article."""
    con = duckdb.connect(str(db))
    con.execute(
        "UPDATE articles SET content_hash = 'x', body = 'gaza truce' WHERE article_id = 'a1'"
    )
    con.execute("DELETE FROM articles WHERE article_id = 'a2'")
    con.execute("INSERT INTO articles VALUES ('new', 'en', 'n', 'New', NULL, 'gaza truce held')")
    con.close()


def test_updates_touch_only_what_changed(tmp_path: Path) -> None:
    db, root = tmp_path / "a.duckdb", tmp_path / "search"
    _articles_db(db, 30)
    con = duckdb.connect(str(db))
    [first] = sync_all(con, root)
    assert first.rebuilt and first.reason == "no index" and first.upserted == 30
    reader = open_for_search(root, "en")
    assert reader is not None and reader.count() == 30
    [again] = sync_all(con, root)
    assert not again.rebuilt and (again.upserted, again.deleted) == (0, 0)
    con.close()
    _edit(db)
    con = duckdb.connect(str(db))
    [update] = sync_all(con, root)
    assert not update.rebuilt and (update.upserted, update.deleted) == (2, 1)
    assert _ids(root, "truce") == ["a1", "new"]
    assert "a1" not in _ids(root, "cairo") and "a2" not in _ids(root, "cairo")
    assert len(_ids(root, "cairo")) == 28
    manifest = pq.read_table(root / "en" / MANIFEST).to_pydict()
    assert dict(zip(manifest["article_id"], manifest["content_hash"], strict=True))["a1"] == "x"
    # An index opened before the update still answers (from the commit it saw).
    assert reader.search("cairo", 100)
    # An edition gone from articles is emptied, not left with stale hits.
    con.execute("UPDATE articles SET edition = 'es'")
    results = {r.edition: r for r in sync_all(con, root)}
    assert results["en"].deleted == 30 and open_for_search(root, "en").count() == 0  # type: ignore[union-attr]
    con.close()


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (lambda m: m.write_bytes(b"junk"), "damaged manifest"),
        (lambda m: m.unlink(), "no manifest"),
        (lambda m: pq.write_table(pq.read_table(m).replace_schema_metadata({}), m), "another"),
    ],
)
def test_a_missing_damaged_or_foreign_manifest_rebuilds_aside(
    tmp_path: Path, damage, reason
) -> None:
    db, root = tmp_path / "a.duckdb", tmp_path / "search"
    _articles_db(db, 10)
    con = duckdb.connect(str(db))
    sync_all(con, root)
    old = os.readlink(root / "en")
    damage(root / "en" / MANIFEST)
    [result] = sync_all(con, root)
    assert result.rebuilt and reason in result.reason and result.upserted == 10
    # A new generation folder replaced the old one, which is gone.
    assert os.readlink(root / "en") != old and not (root / old).exists()
    assert len(_ids(root, "cairo")) == 10
    con.close()


def test_another_index_format_rebuilds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db, root = tmp_path / "a.duckdb", tmp_path / "search"
    _articles_db(db, 5)
    con = duckdb.connect(str(db))
    sync_all(con, root)
    monkeypatch.setattr(search_sync, "INDEX_FORMAT", "999")
    [result] = sync_all(con, root)
    assert result.rebuilt and "another index version" in result.reason
    con.close()


@pytest.mark.parametrize("point", ["search.pending", "search.batch", "search.committed"])
def test_a_kill_mid_update_leaves_a_usable_index_and_the_next_update_completes_it(
    tmp_path: Path, point: str
) -> None:
    db, root = tmp_path / "a.duckdb", tmp_path / "search"
    _articles_db(db, 20)
    con = duckdb.connect(str(db))
    sync_all(con, root)
    con.close()
    _edit(db)
    env = {**os.environ, "NEWSDESK_FAILPOINTS": f"{point}=kill"}
    killed = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(db), str(root)],
        env=env,
        capture_output=True,
        timeout=120,
    )
    assert killed.returncode == -9, killed.stderr
    # Usable right away: it answers, with the old or the new version of each article.
    assert 18 <= len(_ids(root, "cairo")) <= 20
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(db), str(root)], capture_output=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert b"rebuilt=False" in done.stdout  # completed incrementally, not rebuilt
    assert _ids(root, "truce") == ["a1", "new"]
    assert len(_ids(root, "cairo")) == 18
    assert open_for_search(root, "en").count() == 20  # type: ignore[union-attr]


def test_a_kill_mid_rebuild_keeps_the_old_index(tmp_path: Path) -> None:
    db, root = tmp_path / "a.duckdb", tmp_path / "search"
    _articles_db(db, 8)
    con = duckdb.connect(str(db))
    sync_all(con, root)
    con.close()
    (root / "en" / MANIFEST).unlink()
    env = {**os.environ, "NEWSDESK_FAILPOINTS": "search.rebuilt=kill"}
    killed = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(db), str(root)],
        env=env,
        capture_output=True,
        timeout=120,
    )
    assert killed.returncode == -9
    assert len(_ids(root, "cairo")) == 8  # the old index, still in place
    assert any(p.name.endswith(".building") for p in root.iterdir())
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(db), str(root)], timeout=120)
    assert done.returncode == 0
    assert not any(p.name.endswith(".building") for p in root.iterdir())
    assert len(_ids(root, "cairo")) == 8


def _store(root: Path, articles: list) -> Warehouse:
    warehouse = Warehouse.at(root)
    store = ArticleStore(warehouse)
    store.merge(articles, store.load_index())
    return warehouse


def _search(capsys: pytest.CaptureFixture[str], *argv: str) -> list[dict]:
    code = run_cli(["search", *argv, "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out) if out.strip() else []


def test_build_keeps_the_index_up_to_date_and_sql_search_is_optional(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    talks = make_article("talks", DAY, title="Talks in Cairo", body="Negotiators met in Cairo.")
    other = make_article("other", DAY, title="Weather", body="Rain in Beirut.")
    warehouse = _store(tmp_path / "wh", [talks, other])
    result = build_database(warehouse, sql_search=False)
    assert [(r.edition, r.rebuilt, r.upserted) for r in result.search] == [("en", True, 2)]
    con = connect(warehouse.duckdb_path, read_only=True)
    fts = con.execute("SELECT count(*) FROM duckdb_schemas() WHERE schema_name LIKE 'fts_%'")
    assert fts.fetchone() == (0,)  # no DuckDB fts without --sql-search
    con.close()
    wh = ["--warehouse", str(warehouse.root)]
    assert [h["url"] for h in _search(capsys, "negotiations", *wh)] == [talks.url]
    # An edit and a new article: the next build indexes just those two.
    other.body = "Negotiations on the weather."
    rehash(other)
    new = make_article("new", DAY, title="Truce", body="A truce was agreed.")
    store = ArticleStore(warehouse)
    store.merge([other, new], store.load_index())
    result = build_database(warehouse)
    assert [(r.rebuilt, r.upserted, r.deleted) for r in result.search] == [(False, 2, 0)]
    assert sorted(h["url"] for h in _search(capsys, "negotiations", *wh)) == sorted(
        [talks.url, other.url]
    )
    # A filter that rejects the best hit: the search looks deeper, still finds the rest.
    hits = _search(capsys, "negotiations truce", "--limit", "1", "--until", "2025-07-03", *wh)
    assert len(hits) == 1
    # The default build keeps the SQL search macros.
    con = connect(warehouse.duckdb_path, read_only=True)
    assert con.execute("SELECT count(*) FROM search_articles('truce')").fetchone() == (1,)
    con.close()


def test_search_on_a_lake_uses_a_per_machine_cache_kept_up_to_date(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    talks = make_article("talks", DAY, title="Talks in Cairo", body="Negotiators met in Cairo.")
    ar = make_article("ar", DAY, edition="ar", title="وصل المفاوض إلى القاهرة")
    warehouse = _store(tmp_path / "wh", [talks, ar])
    # lake import needs a crawl's bookkeeping files (it fails on none: executemany
    # of an empty list); a minimal run summary and state stand in for a crawl.
    (warehouse.root / "crawl_runs").mkdir()
    (warehouse.root / "crawl_runs" / "run-1.json").write_text('{"run_id": "run-1"}')
    (warehouse.root / "state").mkdir(exist_ok=True)
    (warehouse.root / "state" / "crawl_state.json").write_text("{}")
    lake_dir = tmp_path / "lk"
    lake_dir.mkdir()
    toml = lake_dir / "lake.toml"
    toml.write_text('[lake]\ncatalog = "catalog.sqlite"\ndata = "data/"\n')
    config = load_config(toml)
    import_warehouse(config, warehouse)
    assert run_cli(["build", "--warehouse", str(toml)]) == 0
    capsys.readouterr()
    lk = ["--warehouse", str(toml)]
    assert [h["url"] for h in _search(capsys, "negotiators", *lk)] == [talks.url]
    hits = _search(capsys, "المفاوضات", "--edition", "ar", *lk)
    assert [h["url"] for h in hits] == [ar.url]
    cache = lake_cache_root(config)
    assert cache.is_relative_to(tmp_path / "cache") and (cache / "en").is_symlink()
    # New data in the lake: the next search brings the cache up to date first.
    new = make_article("new", DAY, title="Truce", body="Negotiators agreed a truce.")
    store = ArticleStore(warehouse)
    store.merge([new], store.load_index())
    import_warehouse(config, warehouse)
    assert run_cli(["build", "--warehouse", str(toml)]) == 0
    capsys.readouterr()
    generation = os.readlink(cache / "en")
    hits = _search(capsys, "negotiators", *lk)
    assert sorted(h["url"] for h in hits) == sorted([talks.url, new.url])
    assert os.readlink(cache / "en") == generation  # updated in place, not rebuilt
