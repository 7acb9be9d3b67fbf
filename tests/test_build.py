"""The DuckDB build: tables from Parquet, atomic swap, readers never blocked."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime

import pyarrow.parquet as pq
import pytest

from newsdesk.build import BuildError, build_database, connect
from newsdesk.store import ArticleStore
from newsdesk.warehouse import Warehouse
from tests.factories import make_article

D1 = datetime(2025, 7, 10, 12, 0, tzinfo=UTC)
D2 = datetime(2025, 8, 2, 9, 30, tzinfo=UTC)


@pytest.fixture
def warehouse(tmp_path):
    wh = Warehouse(tmp_path / "wh")
    store = ArticleStore(wh)
    store.merge(
        [
            make_article("a", D1, tags=["Nato", "Russia"], authors=["A One", "B Two"]),
            make_article("b", D1, section="economy", tags=["Nato"], source=None),
            make_article(
                "c",
                D2,
                group="articles",
                section="opinion",
                body="Ceasefire talks in Cairo",
                tags=[],
            ),
        ],
        store.load_index(),
    )
    return wh


def test_build_creates_the_tables(warehouse):
    result = build_database(warehouse)
    assert result.path == warehouse.duckdb_path
    for name in (
        "articles",
        "article_tags",
        "article_authors",
        "tags",
        "authors",
        "sources",
        "sections",
        "daily_section_counts",
        "crawl_log",
        "crawl_runs",
        "article_revisions",
    ):
        assert name in result.tables
    assert result.tables["articles"] == 3
    con = connect(warehouse.duckdb_path, read_only=True)
    assert con.execute("SELECT tag, articles FROM tags ORDER BY tag").fetchall() == [
        ("Nato", 2),
        ("Russia", 1),
    ]
    assert con.execute("SELECT source, articles FROM sources").fetchall() == [("Agencies", 2)]
    assert con.execute(
        "SELECT day, section, articles FROM daily_section_counts ORDER BY day, section"
    ).fetchall() == [
        (D1.date(), "economy", 1),
        (D1.date(), "politics", 1),
        (D2.date(), "opinion", 1),
    ]
    hit = con.execute(
        "SELECT article_id FROM (SELECT article_id, "
        "fts_main_articles_text_en.match_bm25(article_id, 'ceasefire cairo') AS score "
        "FROM articles) WHERE score IS NOT NULL"
    ).fetchall()
    assert hit == [(make_article("c", D2, group="articles", section="opinion").article_id,)]


def test_rebuild_gives_the_same_tables(warehouse):
    first = build_database(warehouse).tables
    assert build_database(warehouse).tables == first


def test_build_without_articles_is_a_clear_error(tmp_path):
    with pytest.raises(BuildError, match="run `newsdesk crawl` first"):
        build_database(Warehouse(tmp_path))


def test_open_reader_neither_blocks_the_build_nor_sees_partial_tables(warehouse):
    build_database(warehouse)
    reader = connect(warehouse.duckdb_path, read_only=True)
    before = reader.execute("SELECT count(*) FROM articles").fetchone()[0]
    store = ArticleStore(warehouse)
    store.merge([make_article("d", D2)], store.load_index())
    errors: list[BaseException] = []

    def rebuild() -> None:
        try:
            build_database(warehouse)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    thread = threading.Thread(target=rebuild)
    thread.start()
    # While the build runs (and after), the open reader keeps a complete, consistent view.
    for _ in range(20):
        assert reader.execute("SELECT count(*) FROM articles").fetchone()[0] == before
        assert reader.execute("SELECT count(*) FROM article_tags").fetchone()[0] >= before
    thread.join(timeout=60)
    assert not errors
    reader.close()
    fresh = connect(warehouse.duckdb_path, read_only=True)
    assert fresh.execute("SELECT count(*) FROM articles").fetchone()[0] == before + 1
    assert not list(warehouse.root.glob(".*.building*"))


def test_days_are_utc_whatever_the_machine_time_zone(tmp_path):
    # DuckDB takes the time zone from the OS when the process starts: use a fresh one.
    wh = Warehouse(tmp_path / "wh")
    store = ArticleStore(wh)
    late = datetime(2025, 7, 10, 20, 0, tzinfo=UTC)  # already 11 July in Tokyo
    store.merge([make_article("late", late)], store.load_index())
    script = (
        "import sys; from newsdesk.build import build_database, connect; "
        "from newsdesk.warehouse import Warehouse; wh = Warehouse.at(sys.argv[1]); "
        "build_database(wh); con = connect(wh.duckdb_path, read_only=True); "
        "print(con.execute('SELECT published_date FROM articles').fetchone()[0], "
        "con.execute('SELECT day FROM daily_section_counts').fetchone()[0])"
    )
    env = {**os.environ, "TZ": "Asia/Tokyo"}
    out = subprocess.run(
        [sys.executable, "-c", script, str(wh.root)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout.split()
    assert out == ["2025-07-10", "2025-07-10"]


NEWSDESK = os.path.join(os.path.dirname(sys.executable), "newsdesk")


def _part_files(warehouse: Warehouse) -> list:
    return sorted(warehouse.articles.rglob("*.parquet"))


def test_leftovers_of_a_killed_build_are_removed_by_the_next_build(warehouse):
    # A real kill -9 while a build writes its .building file (a loop, so the
    # kill lands mid-build whatever the machine's speed).
    script = (
        "import sys; from newsdesk.build import build_database; "
        "from newsdesk.warehouse import Warehouse; wh = Warehouse.at(sys.argv[1])\n"
        "while True: build_database(wh)"
    )
    proc = subprocess.Popen([sys.executable, "-c", script, str(warehouse.root)])
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not list(warehouse.root.glob(".*.building")):
            time.sleep(0.005)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    # Whatever the kill left, plus leftovers of older killed builds.
    (warehouse.root / ".newsdesk.duckdb.0123abcd.building").write_bytes(b"x")
    (warehouse.root / ".newsdesk.duckdb.0123abcd.building.wal").write_bytes(b"x")
    (warehouse.root / ".newsdesk.duckdb.4567ef.building.wal").write_bytes(b"x")
    build_database(warehouse)
    assert not list(warehouse.root.glob(".*.building*"))
    assert build_database(warehouse).tables["articles"] == 3


def test_truncated_part_file_is_a_one_line_error_naming_it(warehouse):
    part = _part_files(warehouse)[0]
    data = part.read_bytes()
    part.write_bytes(data[: len(data) // 2])
    with pytest.raises(BuildError, match=r"damaged file .*part-0\.parquet") as caught:
        build_database(warehouse)
    assert str(part) in str(caught.value)
    assert "newsdesk crawl` (or `newsdesk reparse`) to repair it" in str(caught.value)
    out = subprocess.run(
        [NEWSDESK, "build", "--warehouse", str(warehouse.root)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 1
    assert out.stdout == ""
    assert out.stderr.count("\n") == 1 and "Traceback" not in out.stderr
    assert f"damaged file {part}" in out.stderr
    assert not list(warehouse.root.glob(".*.building*"))


def test_damaged_chunk_mid_file_names_the_file(tmp_path):
    wh = Warehouse(tmp_path / "wh")
    store = ArticleStore(wh)
    articles = [make_article(f"s{i}", D1, body=f"body {i} " * 400) for i in range(300)]
    store.merge(articles, store.load_index())
    part = _part_files(wh)[0]
    meta = pq.ParquetFile(part).metadata
    body = meta.schema.names.index("body")
    start = meta.row_group(0).column(body).data_page_offset
    data = bytearray(part.read_bytes())
    # The body chunk's page header, mid-file (the footer is intact, so the
    # cheap check passes): only reading the data finds the damage.
    for offset in range(start, start + 32):
        data[offset] ^= 0xFF
    part.write_bytes(bytes(data))
    with pytest.raises(BuildError, match=re.escape(f"damaged file {part}")):
        build_database(wh)
    assert not list(wh.root.glob(".*.building*"))


def test_cli_build_write_error_is_one_line(tmp_path):
    # An OSError (here: the warehouse is below a regular file; a full disk or
    # a permission error is the same path) is one line naming the file.
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    out = subprocess.run(
        [NEWSDESK, "build", "--warehouse", str(blocker / "wh")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 1
    assert out.stderr.count("\n") == 1 and "Traceback" not in out.stderr
    assert str(blocker) in out.stderr


# --- column comments, the edition partition level, the packaged SQL -----------------


def test_every_table_view_and_column_carries_its_declared_meaning(warehouse):
    from newsdesk import columns

    build_database(warehouse)
    con = connect(warehouse.duckdb_path, read_only=True)
    relations = con.execute(
        "SELECT table_name, comment FROM duckdb_tables() WHERE schema_name = 'main' "
        "UNION ALL SELECT view_name, comment FROM duckdb_views() "
        "WHERE schema_name = 'main' AND NOT internal"
    ).fetchall()
    search_text = [r for r in relations if r[0].startswith(columns.SEARCH_TEXT_PREFIX)]
    assert search_text and all(c == columns.SEARCH_TEXT_MEANING for _, c in search_text)
    relations = [r for r in relations if r not in search_text]
    assert {name for name, _ in relations} == set(columns.TABLES)
    for name, comment in relations:
        assert comment == columns.TABLES[name].meaning, name
        built = con.execute(
            "SELECT column_name, comment FROM duckdb_columns() "
            "WHERE schema_name = 'main' AND table_name = ? ORDER BY column_index",
            [name],
        ).fetchall()
        # Every built column is declared, in the built order, and commented.
        assert [c for c, _ in built] == columns.TABLES[name].names, name
        for column, comment in built:
            assert comment == columns.TABLES[name].column(column).meaning, (name, column)


def test_edition_is_one_string_column_for_duckdb_pyarrow_and_pandas(warehouse):
    import duckdb
    import pyarrow as pa
    import pyarrow.dataset as ds

    files = sorted(
        p.relative_to(warehouse.articles).as_posix() for p in warehouse.articles.rglob("*.parquet")
    )
    assert all(f.startswith("edition=en/year=") for f in files), files
    # DuckDB: the hive key is the only edition (no file column to conflict with).
    rows = duckdb.sql(
        "SELECT edition, typeof(edition), count(*) FROM read_parquet(?, hive_partitioning = true) "
        "GROUP BY ALL",
        params=[warehouse.articles_glob()],
    ).fetchall()
    assert rows == [("en", "VARCHAR", 3)]
    # pyarrow and pandas, with the README's partitioning line.
    parts = ds.partitioning(
        pa.schema([("edition", pa.string()), ("year", pa.int32()), ("month", pa.int32())]),
        flavor="hive",
    )
    table = ds.dataset(warehouse.articles, format="parquet", partitioning=parts).to_table()
    assert table.schema.names.count("edition") == 1
    assert table.schema.field("edition").type == pa.string()
    frame = table.to_pandas()
    assert frame["edition"].tolist() == ["en"] * 3
    con = connect(build_database(warehouse).path, read_only=True)
    assert con.execute("SELECT DISTINCT edition FROM articles").fetchall() == [("en",)]
    assert con.execute("SELECT typeof(video_duration_s) FROM articles LIMIT 1").fetchone() == (
        "INTEGER",
    )
