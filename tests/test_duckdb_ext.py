"""DuckDB extensions come from the pinned ``duckdb-extension-*`` wheels, loaded by path.

Nothing may be downloaded at run time: every connection has autoinstall and autoload
of known extensions off, and each shipped extension loads from its packaged file.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from newsdesk import duckdb_ext
from newsdesk.build import build_database, connect
from newsdesk.store import ArticleStore
from newsdesk.warehouse import Warehouse
from tests.factories import make_article

REPO = Path(__file__).resolve().parent.parent
DUCKDB_CLI = REPO / ".venv" / "bin" / "duckdb"


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    """Renamed-extension links go to this test's folder, not the user's cache."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def _setting(con: duckdb.DuckDBPyConnection, name: str) -> object:
    return con.execute(f"SELECT current_setting('{name}')").fetchone()[0]


@pytest.mark.parametrize("name", duckdb_ext.EXTENSIONS)
def test_each_extension_loads_by_path_in_a_fresh_offline_connection(name):
    path = duckdb_ext.extension_path(name)
    # The wheel's layout: <package>/extensions/v<duckdb version>/<name>.duckdb_extension
    assert path.parts[-3:] == ("extensions", f"v{duckdb.__version__}", f"{name}.duckdb_extension")
    con = duckdb_ext.connect(extensions=[name])
    try:
        assert _setting(con, "autoinstall_known_extensions") is False
        assert _setting(con, "autoload_known_extensions") is False
        row = con.execute(
            "SELECT loaded, installed, install_mode FROM duckdb_extensions() "
            "WHERE extension_name = ? OR list_contains(aliases, ?)",
            [name, name],
        ).fetchone()
        # Loaded from the file, never installed into DuckDB's extension directory.
        assert row == (True, False, "NOT_INSTALLED")
    finally:
        con.close()


def test_project_connections_never_install_or_autoload(tmp_path):
    con = connect(tmp_path / "x.duckdb")
    try:
        assert _setting(con, "autoinstall_known_extensions") is False
        assert _setting(con, "autoload_known_extensions") is False
        assert _setting(con, "TimeZone") == "UTC"
        # An extension that is not loaded stays unavailable instead of being fetched.
        with pytest.raises(duckdb.Error):
            con.execute("SELECT * FROM read_xlsx('nothing.xlsx')")
    finally:
        con.close()


def test_fts_loaded_by_path_searches():
    con = duckdb_ext.connect(extensions=["fts"])
    try:
        con.execute(
            "CREATE TABLE t AS SELECT * FROM (VALUES (1, 'ceasefire talks in cairo'), "
            "(2, 'a market report')) v(id, body)"
        )
        con.execute("PRAGMA create_fts_index('t', 'id', 'body')")
        hits = con.execute(
            "SELECT id FROM (SELECT id, fts_main_t.match_bm25(id, 'cairo') AS s FROM t) "
            "WHERE s IS NOT NULL"
        ).fetchall()
        assert hits == [(1,)]
    finally:
        con.close()


def test_missing_package_is_one_clear_line(monkeypatch):
    monkeypatch.setattr(duckdb_ext, "package_name", lambda name: f"no_such_package_{name}")
    with pytest.raises(duckdb_ext.ExtensionMissing) as info:
        duckdb_ext.connect(extensions=["fts"])
    message = str(info.value)
    assert "\n" not in message
    assert f"duckdb-extension-fts=={duckdb.__version__}" in message


def test_renamed_entrypoint_link_is_private_and_reused():
    first = duckdb_ext.loadable_path("postgres")
    assert first.name == "postgres_scanner.duckdb_extension"
    assert first.resolve() == duckdb_ext.extension_path("postgres").resolve()
    assert (first.parent.stat().st_mode & 0o077) == 0
    assert duckdb_ext.loadable_path("postgres") == first


def _tiny_warehouse(root: Path) -> Warehouse:
    warehouse = Warehouse(root)
    published = dt.datetime(2025, 7, 1, 12, tzinfo=dt.UTC)
    articles = [
        make_article("ceasefire-talks", published, body="Negotiators met in Cairo."),
        make_article("market-report", published, body="Prices rose in Beirut."),
    ]
    store = ArticleStore(warehouse)
    store.merge(articles, store.load_index())
    build_database(warehouse)
    return warehouse


@pytest.mark.skipif(not DUCKDB_CLI.exists(), reason="the duckdb-cli dev package is not installed")
def test_pinned_cli_opens_a_built_database_read_only_with_fts_by_path(tmp_path):
    warehouse = _tiny_warehouse(tmp_path / "wh")
    version = subprocess.run(
        [str(DUCKDB_CLI), "--version"], capture_output=True, text=True, check=True
    ).stdout
    assert version.startswith(f"v{duckdb.__version__} ")
    load = subprocess.run(
        [sys.executable, "-m", "newsdesk.duckdb_ext", "fts"],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    ).stdout.strip()
    query = (
        "SELECT count(*) FROM articles WHERE "
        "fts_main_articles_text_en.match_bm25(article_id, 'cairo') IS NOT NULL; "
        "SELECT current_setting('access_mode');"
    )
    out = subprocess.run(
        [
            str(DUCKDB_CLI),
            "-readonly",
            "-csv",
            "-noheader",
            str(warehouse.duckdb_path),
            "-cmd",
            load,
            "-c",
            query,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert out == ["1", "read_only"]
