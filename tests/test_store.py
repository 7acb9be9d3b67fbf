"""The Parquet store: exactly once, atomic, idempotent, revisions recorded."""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb
import pyarrow.parquet as pq
import pytest

from newsdesk.store import (
    ARTICLE_ROW_COLUMNS,
    ArticleStore,
    WarehouseBusy,
    remove_stale_temp_files,
    row_to_article,
    writer_lock,
)
from newsdesk.warehouse import Warehouse
from tests.factories import make_article, rehash

JUL = datetime(2025, 7, 10, 12, 0, tzinfo=UTC)
AUG = datetime(2025, 8, 2, 9, 30, tzinfo=UTC)


def _ids(store: ArticleStore) -> list[str]:
    return sorted(store.read_table(["article_id"]).column("article_id").to_pylist())


def test_merge_writes_one_file_per_partition_with_schema_version(tmp_path):
    wh = Warehouse(tmp_path)
    store = ArticleStore(wh)
    articles = [make_article("a", JUL), make_article("b", JUL), make_article("c", AUG)]
    store.merge(articles, store.load_index())
    files = sorted(p.relative_to(wh.articles).as_posix() for p in wh.articles.rglob("*.parquet"))
    assert files == [
        "edition=en/year=2025/month=7/part-0.parquet",
        "edition=en/year=2025/month=8/part-0.parquet",
    ]
    meta = pq.read_schema(wh.articles / "edition=en/year=2025/month=7/part-0.parquet").metadata
    assert meta[b"newsdesk.schema_version"] == b"2"
    assert _ids(store) == sorted(a.article_id for a in articles)


def test_remerge_same_articles_is_idempotent(tmp_path):
    store = ArticleStore(Warehouse(tmp_path))
    articles = [make_article("a", JUL), make_article("b", AUG)]
    store.merge(articles, store.load_index())
    first = store.read_table().sort_by("article_id")
    store.merge([make_article("a", JUL), make_article("b", AUG)], store.load_index())
    again = store.read_table().sort_by("article_id")
    assert again.num_rows == 2
    assert again.equals(first)
    assert len(list(Warehouse(tmp_path).articles.rglob("*.parquet"))) == 2


def test_changed_article_replaces_its_row_and_records_a_revision(tmp_path):
    wh = Warehouse(tmp_path)
    store = ArticleStore(wh)
    store.merge([make_article("a", JUL)], store.load_index())
    edited = make_article("a", JUL, title="A new headline")
    result = store.merge([edited], store.load_index())
    table = store.read_table()
    assert table.num_rows == 1
    assert table.column("title").to_pylist() == ["A new headline"]
    assert result.revisions == 1
    rev = duckdb.sql(
        f"SELECT article_id, revision, changed_fields, previous_values "
        f"FROM read_parquet('{wh.revisions}/**/*.parquet')"
    ).fetchall()
    assert rev[0][0] == edited.article_id
    assert rev[0][1] == 1
    assert rev[0][2] == ["title"]
    assert "A Title" not in rev[0][3] and '"title": "A"' in rev[0][3]


def test_article_moving_month_leaves_no_copy_behind(tmp_path):
    store = ArticleStore(Warehouse(tmp_path))
    store.merge([make_article("a", JUL), make_article("b", JUL)], store.load_index())
    moved = make_article("a", AUG)
    store.merge([moved], store.load_index())
    table = store.read_table(["article_id", "published_at"])
    assert table.num_rows == 2
    assert _ids(store) == sorted([moved.article_id, make_article("b", JUL).article_id])


def test_partition_emptied_by_a_move_is_removed(tmp_path):
    wh = Warehouse(tmp_path)
    store = ArticleStore(wh)
    store.merge([make_article("a", JUL)], store.load_index())
    store.merge([make_article("a", AUG)], store.load_index())
    assert not (wh.article_partition("en", 2025, 7) / "part-0.parquet").exists()


def test_rows_round_trip_to_articles(tmp_path):
    store = ArticleStore(Warehouse(tmp_path))
    original = make_article("a", JUL, tags=["X", "Y"], authors=["A", "B"])
    store.merge([original], store.load_index())
    back = row_to_article(store.read_table().to_pylist()[0] | {})
    assert back.to_dict() == original.to_dict()


def test_stale_temporary_files_are_removed_and_never_read(tmp_path):
    wh = Warehouse(tmp_path)
    store = ArticleStore(wh)
    store.merge([make_article("a", JUL)], store.load_index())
    stale = wh.article_partition("en", 2025, 7) / ".part-0.parquet.deadbeef.tmp"
    stale.write_bytes(b"half a file")
    assert _ids(store) == [make_article("a", JUL).article_id]  # readers skip hidden files
    assert remove_stale_temp_files(wh.root) == 1
    assert not stale.exists()


def test_writer_lock_is_exclusive(tmp_path):
    wh = Warehouse(tmp_path)
    with writer_lock(wh), pytest.raises(WarehouseBusy), writer_lock(wh):
        pass


def test_empty_store_reads_as_empty_table(tmp_path):
    store = ArticleStore(Warehouse(tmp_path))
    assert store.read_table().schema.names == ARTICLE_ROW_COLUMNS
    assert store.load_index() == {}


def test_rehash_changes_with_content():
    a = make_article("a", JUL)
    before = a.content_hash
    a.body = "Another body."
    assert rehash(a).content_hash != before


def test_writers_of_different_editions_run_side_by_side_but_not_of_one(tmp_path):
    from newsdesk.store import WriterLock

    wh = Warehouse(tmp_path)
    en = WriterLock(wh, "en").acquire()
    ar = WriterLock(wh, "ar").acquire()  # another edition: allowed
    with pytest.raises(WarehouseBusy):
        WriterLock(wh, "en").acquire()
    with pytest.raises(WarehouseBusy):
        WriterLock(wh).acquire()  # the whole warehouse (reparse) waits for both
    en.release()
    ar.release()
    whole = WriterLock(wh).acquire()
    with pytest.raises(WarehouseBusy):
        WriterLock(wh, "es").acquire()
    whole.release()


def test_recovery_by_one_edition_leaves_another_writers_temp_files(tmp_path):
    from newsdesk.store import recover

    wh = Warehouse(tmp_path)
    mine = tmp_path / "articles" / ".part-0.parquet.en-abc.tmp"
    theirs = tmp_path / "articles" / ".part-0.parquet.ar-def.tmp"
    mine.parent.mkdir(parents=True)
    mine.write_bytes(b"x")
    theirs.write_bytes(b"y")
    assert recover(wh.root, "en") == 1
    assert theirs.exists() and not mine.exists()
