"""The Python API (`newsdesk.open`): the CLI export's filters, Arrow types that survive.

Runs on the synthetic warehouse of tests/test_analyst.py and checks the results
with the real tools: pyarrow, pandas and polars.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import newsdesk
from newsdesk.analyst import AnalystError
from newsdesk.analyst.export import ExportOptions, export_articles
from newsdesk.analyst.filters import ArticleFilters
from newsdesk.api import Newsdesk
from newsdesk.build import connect
from newsdesk.warehouse import Warehouse
from tests.test_analyst import HOSTILE_VALUES, KNOWN, make_sample_warehouse

UTC_TS = pa.timestamp("us", tz="UTC")


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    return make_sample_warehouse(tmp_path_factory.mktemp("api") / "wh")


@pytest.fixture
def desk(warehouse: Warehouse):
    with newsdesk.open(warehouse.root) as handle:
        yield handle


def exported(warehouse: Warehouse, tmp_path: Path, filters: ArticleFilters) -> pa.Table:
    """What ``newsdesk export --format parquet`` writes for ``filters``."""
    con = connect(warehouse.duckdb_path, read_only=True)
    con.execute("SET TimeZone = 'UTC'")
    try:
        result = export_articles(con, ExportOptions(out=tmp_path / "bundle", filters=filters))
    finally:
        con.close()
    return pq.read_table(result.data_file)


def test_articles_are_the_exports_rows_with_the_same_filters(warehouse, desk, tmp_path):
    table = desk.articles(section=["politics", "OPINION"], since="2025-07-01", tag="gaza")
    filters = ArticleFilters(
        since=dt.date(2025, 7, 1), sections=["politics", "OPINION"], tags=["gaza"]
    )
    expected = exported(warehouse, tmp_path, filters)
    assert 0 < table.num_rows == expected.num_rows
    assert table.column_names == expected.column_names
    # Same rows, same order, same values (the export's Parquet is the reference).
    assert table.to_pylist() == expected.to_pylist()


def test_every_filter_is_applied(desk):
    hostile = KNOWN["hostile"]
    rows = desk.articles(
        section="politics",
        tag=["Gaza", "nothing-like-this"],
        author="OMAR SALEH",
        source="afp",
        since=dt.date(2025, 7, 20),
        until=dt.datetime(2025, 7, 20, 23, 0, tzinfo=dt.UTC),
        columns=["url", "title"],
    ).to_pylist()
    assert rows == [{"url": hostile.url, "title": hostile.title}]
    found = desk.articles(search="zanzibar clove", columns=["article_id"])
    assert found.column("article_id").to_pylist() == [KNOWN["clove"].article_id]


def test_types_survive_in_arrow_pandas_and_polars(desk):
    table = desk.articles()
    schema = table.schema
    assert schema.field("post_id").type == pa.string()
    assert table.column("post_id").drop_null().to_pylist()  # some ids, kept as text
    for name in ("published_at", "updated_at", "crawled_at"):
        assert schema.field(name).type == UTC_TS, name
    assert schema.field("published_date").type == pa.date32()
    assert schema.field("tags").type == pa.list_(pa.string())
    assert pa.types.is_map(schema.field("field_layers").type)
    assert schema.field("year").type == pa.int32() and schema.field("month").type == pa.int32()

    frame = table.to_pandas()
    assert pd.api.types.is_string_dtype(frame["post_id"])
    assert str(frame["published_at"].dtype) == "datetime64[us, UTC]"
    assert pd.api.types.is_integer_dtype(frame["year"])  # not a categorical
    assert list(frame["tags"].iloc[0])  # a sequence of strings (pyarrow gives a numpy array)

    exact = table.to_pandas(types_mapper=pd.ArrowDtype)
    assert exact["read_time_min"].dtype == pd.ArrowDtype(pa.int32())  # nulls stay nulls
    assert exact["published_at"].dtype == pd.ArrowDtype(UTC_TS)

    frame_pl = pl.from_arrow(table)
    assert isinstance(frame_pl, pl.DataFrame)
    assert frame_pl.schema["post_id"] == pl.String
    assert frame_pl.schema["published_at"] == pl.Datetime("us", "UTC")
    assert frame_pl.schema["tags"] == pl.List(pl.String)
    assert frame_pl.schema["year"] == pl.Int32
    layers = frame_pl.row(0, named=True)["field_layers"]
    assert isinstance(layers, dict) and layers


def test_reader_streams_batches_and_relation_is_lazy(desk):
    whole = desk.articles(columns=["article_id", "published_at", "body"])
    reader = desk.articles_reader(columns=["article_id", "published_at", "body"], batch_size=16)
    assert isinstance(reader, pa.RecordBatchReader)
    assert reader.schema.field("published_at").type == UTC_TS
    batches = list(reader)
    assert len(batches) > 1 and all(b.num_rows <= 16 for b in batches)
    assert pa.Table.from_batches(batches).equals(whole)
    # A second query on the same handle does not disturb a stream in progress.
    reader = desk.articles_reader(columns=["article_id"], batch_size=8)
    first = reader.read_next_batch()
    assert desk.articles(columns=["title"], section="politics").num_rows > 0
    rest = reader.read_all()
    assert first.num_rows + rest.num_rows == whole.num_rows

    relation = desk.articles_relation(section="news", columns=["section", "word_count"])
    assert isinstance(relation, duckdb.DuckDBPyRelation)
    counts = dict(relation.aggregate("section, count(*)", "section").fetchall())
    expected = desk.con.execute(
        "SELECT section, count(*) FROM articles WHERE section_group = 'news' GROUP BY 1"
    ).fetchall()
    assert counts == dict(expected)


def test_hostile_values_match_nothing_and_change_nothing(desk):
    before = desk.articles(columns=["article_id"]).num_rows
    for value in HOSTILE_VALUES:
        assert desk.articles(section=value, author=value, source=value).num_rows == 0
        assert desk.articles(tag=value).num_rows == 0
    assert desk.articles(columns=["article_id"]).num_rows == before


def test_errors_are_analyst_errors(warehouse, desk, tmp_path):
    with pytest.raises(AnalystError, match="unknown column 'nope'"):
        desk.articles(columns=["title", "nope"])
    with pytest.raises(AnalystError, match="since must be a date"):
        desk.articles(since="July")
    with pytest.raises(AnalystError, match="after"):
        desk.articles(since="2025-08-01", until="2025-07-01")
    with pytest.raises(AnalystError, match="batch_size"):
        desk.articles_reader(batch_size=0)
    with pytest.raises(AnalystError, match="no warehouse"):
        newsdesk.open(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(AnalystError, match="newsdesk build"):
        newsdesk.open(tmp_path / "empty")


def test_the_database_is_opened_read_only(warehouse, monkeypatch):
    monkeypatch.setenv("NEWSDESK_WAREHOUSE", str(warehouse.root))
    handle = newsdesk.open()
    assert isinstance(handle, Newsdesk) and handle.warehouse.root == warehouse.root
    with pytest.raises(duckdb.Error, match="read-only"):
        handle.con.execute("CREATE TABLE scratch (x INTEGER)")
    # A read-only handle does not lock the file: a second one opens beside it.
    with newsdesk.open(warehouse.root) as other:
        assert other.columns() == handle.columns()
    handle.close()


def test_the_readme_example_runs(warehouse):
    """The "From Python" example in README.md runs as written (on the test warehouse)."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    section = readme.split("### From Python", 1)[1]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    assert 'newsdesk.open("warehouse")' in code
    namespace: dict[str, object] = {}
    exec(code.replace('"warehouse"', repr(str(warehouse.root)), 1), namespace)
    frame = namespace["frame"]
    assert isinstance(frame, pl.DataFrame)
    assert frame.schema["published_at"] == pl.Datetime("us", "UTC")
    assert str(namespace["df"]["published_at"].dtype) == "datetime64[us, UTC]"
    assert namespace["per_section"]


def test_the_readme_dataset_reader_types_the_partition_keys(warehouse, monkeypatch):
    """README's pyarrow lines for the raw Parquet dataset: year/month int32, not categoricals."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    section = readme.split("## The warehouse", 1)[1].split("## Analysing the data", 1)[0]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    monkeypatch.chdir(warehouse.root.parent)
    assert warehouse.root.name == "wh"
    namespace: dict[str, object] = {}
    exec(code.replace('"warehouse/articles"', '"wh/articles"'), namespace)
    frame = namespace["df"]
    assert isinstance(frame, pd.DataFrame)
    for name in ("year", "month"):
        assert frame[name].dtype == "int32", frame[name].dtype
    # The edition partition level: one string column, not a categorical.
    assert list(frame.columns).count("edition") == 1
    assert pd.api.types.is_string_dtype(frame["edition"]) and set(frame["edition"]) == {"en"}
    assert str(frame["published_at"].dtype) == "datetime64[us, UTC]"
    assert pd.api.types.is_string_dtype(frame["post_id"])
