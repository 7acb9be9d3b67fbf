"""Export bundles checked with the tools analysts use: frictionless, pyarrow, pandas,
polars and openpyxl.

- CSV, JSON Lines and XLSX bundles pass ``frictionless validate`` (its Python API).
- The Parquet bundle's datapackage.json matches the file's schema, read with pyarrow.
- The pandas and polars code in each bundle's README is run as written, in the bundle
  folder, and must give every column its declared type and the database's values.
- The XLSX sheet has a frozen header, an autofilter, column widths and date-time cells
  labelled UTC (read back with openpyxl).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import re
from pathlib import Path
from typing import Any

import frictionless
import openpyxl
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from newsdesk.analyst.export import (
    UTF8_BOM,
    XLSX_DATETIME_FORMAT,
    ExportOptions,
    export_articles,
)
from newsdesk.analyst.filters import ArticleFilters
from newsdesk.build import connect
from newsdesk.warehouse import Warehouse
from tests.test_analyst import make_sample_warehouse, newsdesk, wh_args

FORMATS = ["parquet", "csv", "jsonl", "xlsx"]
#: The columns compared value by value after loading (every kind of type is among them).
CHECKED = [
    "article_id",
    "post_id",
    "published_at",
    "updated_at",
    "published_date",
    "read_time_min",
    "word_count",
    "tags",
    "authors",
    "field_layers",
    "coverage",
    "year",
    "month",
]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    return make_sample_warehouse(tmp_path_factory.mktemp("exports") / "wh")


@pytest.fixture(scope="module")
def bundles(warehouse: Warehouse, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One bundle per format (plus ``csv-bom``) of the articles since 2025-07-01."""
    root = tmp_path_factory.mktemp("bundles")
    con = connect(warehouse.duckdb_path, read_only=True)
    con.execute("SET TimeZone = 'UTC'")
    made: dict[str, Path] = {}
    try:
        for key, fmt, bom in [*((f, f, False) for f in FORMATS), ("csv-bom", "csv", True)]:
            options = ExportOptions(
                out=root / key,
                fmt=fmt,
                filters=ArticleFilters(since=dt.date(2025, 7, 1)),
                bom=bom,
            )
            made[key] = export_articles(con, options).path
    finally:
        con.close()
    return made


@pytest.fixture(scope="module")
def expected(warehouse: Warehouse) -> list[dict[str, Any]]:
    """The exported rows as DuckDB gives them (the reference for every loader)."""
    con = connect(warehouse.duckdb_path, read_only=True)
    con.execute("SET TimeZone = 'UTC'")
    try:
        cursor = con.execute(
            f"SELECT {', '.join(CHECKED)} FROM articles "
            "WHERE published_date >= DATE '2025-07-01' ORDER BY published_at, article_id"
        )
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        con.close()
    for row in rows:
        for name in ("published_at", "updated_at"):
            if row[name] is not None:
                row[name] = row[name].astimezone(dt.UTC)
    return rows


# --- frictionless and pyarrow ------------------------------------------------------------


@pytest.mark.parametrize("key", ["csv", "csv-bom", "jsonl", "xlsx"])
def test_frictionless_validates_the_bundle(bundles, key):
    report = frictionless.validate(str(bundles[key] / "datapackage.json"))
    errors = report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert report.valid, errors[:10]
    (task,) = report.tasks
    assert task.stats["rows"] > 50  # the rows were really read and checked


def test_frictionless_catches_a_wrong_type(bundles, tmp_path):
    """The validation is not vacuous: a word count that is not a number is reported."""
    broken = tmp_path / "broken"
    src = bundles["csv"]
    broken.mkdir()
    (broken / "data").mkdir()
    package = json.loads((src / "datapackage.json").read_text())
    resource = package["resources"][0]
    del resource["hash"], resource["bytes"]  # only the type error should be reported
    (broken / "datapackage.json").write_text(json.dumps(package))
    lines = (src / "data/articles.csv").read_text(encoding="utf-8").split("\n")
    header = lines[0].split(",")
    # The header row has no quoted commas; rows may (so edit the first row from DuckDB's CSV).
    frame = pd.read_csv(src / "data/articles.csv", dtype=str, keep_default_na=False)
    frame.loc[0, "word_count"] = "many"
    frame.to_csv(broken / "data/articles.csv", index=False, columns=header)
    report = frictionless.validate(str(broken / "datapackage.json"))
    assert not report.valid
    types = {(e[1], e[2]) for e in report.flatten(["rowNumber", "fieldName", "type"])}
    assert ("word_count", "type-error") in types


#: Frictionless type -> test of the Arrow type the Parquet file must have.
ARROW_MATCHES = {
    "string": pa.types.is_string,
    "integer": pa.types.is_integer,
    "number": pa.types.is_floating,
    "boolean": pa.types.is_boolean,
    "date": pa.types.is_date,
    "datetime": lambda t: pa.types.is_timestamp(t) and t.tz in ("UTC", "+00:00", "Etc/UTC"),
    "array": lambda t: pa.types.is_list(t) and pa.types.is_string(t.value_type),
    "object": lambda t: (
        pa.types.is_map(t) and pa.types.is_string(t.key_type) and pa.types.is_string(t.item_type)
    ),
}


def test_parquet_schema_matches_its_datapackage(bundles):
    bundle = bundles["parquet"]
    package = json.loads((bundle / "datapackage.json").read_text())
    (resource,) = package["resources"]
    schema = pq.read_schema(bundle / resource["path"])
    fields = resource["schema"]["fields"]
    assert [f["name"] for f in fields] == schema.names
    for field in fields:
        arrow_type = schema.field(field["name"]).type
        assert ARROW_MATCHES[field["type"]](arrow_type), (field["name"], field["type"], arrow_type)
    # Native types kept (never weakened to JSON text to please a validator).
    assert schema.field("post_id").type == pa.string()
    assert pa.types.is_map(schema.field("field_layers").type)
    table = pq.read_table(bundle / resource["path"])
    assert table.num_rows == package["newsdesk"]["row_count"]
    nulls = {f["name"]: f["nullCount"] for f in fields}
    assert {n: table.column(n).null_count for n in table.column_names} == nulls


@pytest.mark.parametrize("fmt", FORMATS)
def test_readme_says_how_the_file_is_checked(bundles, fmt):
    readme = (bundles[fmt] / "README.md").read_text()
    section = readme.split("## Checking the file", 1)[1].split("\n## ", 1)[0]
    if fmt == "parquet":
        assert "pyarrow" in section and "frictionless" in section
    else:
        assert "frictionless validate datapackage.json" in section


# --- the README's pandas and polars code -------------------------------------------------


def readme_code(bundle: Path, tool: str) -> str:
    """The python block that follows ``<tool>:`` in the bundle's README."""
    readme = (bundle / "README.md").read_text()
    match = re.search(rf"^{tool}:\n\n```python\n(.*?)```", readme, re.S | re.M)
    assert match, f"no {tool} code in {bundle / 'README.md'}"
    return match.group(1)


def run_loader(bundle: Path, tool: str) -> Any:
    """Run the README's code for ``tool`` in the bundle folder; returns its ``df``."""
    namespace: dict[str, Any] = {}
    here = Path.cwd()
    os.chdir(bundle)
    try:
        exec(readme_code(bundle, tool), namespace)
    finally:
        os.chdir(here)
    return namespace["df"]


def _plain(value: Any) -> Any:
    """A pandas/numpy cell as a plain Python value (None for every kind of null)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if hasattr(value, "tolist"):  # numpy arrays and scalars
        return value.tolist()
    if isinstance(value, list | tuple):
        return list(value)
    return value


def _as_expected(name: str, value: Any) -> Any:
    if name == "published_date" and isinstance(value, dt.datetime):
        assert value.time() == dt.time(0) and value.tzinfo is None
        return value.date()
    if isinstance(value, list) and value and isinstance(value[0], tuple):
        return dict(value)  # a map read as (key, value) pairs
    return value


def check_pandas(frame: pd.DataFrame, expected: list[dict[str, Any]]) -> None:
    dtypes = frame.dtypes
    assert pd.api.types.is_string_dtype(dtypes["post_id"]), dtypes["post_id"]
    assert pd.api.types.is_string_dtype(dtypes["article_id"])
    for name in ("published_at", "updated_at"):
        assert isinstance(dtypes[name], pd.DatetimeTZDtype) and str(dtypes[name].tz) == "UTC"
    for name in ("read_time_min", "word_count", "year", "month"):
        # nullable integers: not float (nulls) and not categorical (partition keys)
        assert pd.api.types.is_integer_dtype(dtypes[name]), (name, dtypes[name])
        assert not isinstance(dtypes[name], pd.CategoricalDtype)
    got = [
        {n: _as_expected(n, _plain(v)) for n, v in row.items()}
        for row in frame[CHECKED].to_dict("records")
    ]
    assert len(got) == len(expected)
    for mine, want in zip(got, expected, strict=True):
        assert mine == want, {k: (mine[k], want[k]) for k in want if mine[k] != want[k]}


def check_polars(frame: pl.DataFrame, expected: list[dict[str, Any]]) -> None:
    schema = frame.schema
    assert schema["post_id"] == pl.String and schema["article_id"] == pl.String
    for name in ("published_at", "updated_at"):
        assert schema[name] == pl.Datetime("us", "UTC"), (name, schema[name])
    assert schema["published_date"] == pl.Date
    for name in ("read_time_min", "word_count", "year", "month"):
        assert schema[name] == pl.Int32, (name, schema[name])
    assert schema["tags"] == pl.List(pl.String) and schema["authors"] == pl.List(pl.String)
    assert schema["field_layers"] == pl.Map(pl.String, pl.String)
    got = [
        {n: _as_expected(n, v) for n, v in row.items()}
        for row in frame.select(CHECKED).iter_rows(named=True)
    ]
    assert len(got) == len(expected)
    for mine, want in zip(got, expected, strict=True):
        assert mine == want, {k: (mine[k], want[k]) for k in want if mine[k] != want[k]}


@pytest.mark.parametrize("key", [*FORMATS, "csv-bom"])
def test_readme_pandas_code_loads_every_type(bundles, expected, key):
    frame = run_loader(bundles[key], "pandas")
    assert isinstance(frame, pd.DataFrame)
    assert frame.columns[0] == "article_id"  # no BOM glued to the first name
    check_pandas(frame, expected)


@pytest.mark.parametrize("key", [*FORMATS, "csv-bom"])
def test_readme_polars_code_loads_every_type(bundles, expected, key):
    frame = run_loader(bundles[key], "polars")
    assert isinstance(frame, pl.DataFrame)
    assert frame.columns[0] == "article_id"
    check_polars(frame, expected)


# --- CSV BOM and XLSX presentation --------------------------------------------------------


def test_csv_bom_option(bundles, warehouse, capsys, tmp_path):
    plain = (bundles["csv"] / "data/articles.csv").read_bytes()
    marked = (bundles["csv-bom"] / "data/articles.csv").read_bytes()
    assert not plain.startswith(UTF8_BOM)
    assert marked == UTF8_BOM + plain
    package = json.loads((bundles["csv-bom"] / "datapackage.json").read_text())
    assert package["resources"][0]["encoding"] == "utf-8-sig"
    assert "byte order mark" in (bundles["csv-bom"] / "README.md").read_text()

    out = tmp_path / "cli"
    code, _, err = newsdesk(
        capsys, "export", "--out", str(out), "--format", "csv", "--bom", *wh_args(warehouse)
    )
    assert code == 0, err
    assert (out / "data/articles.csv").read_bytes().startswith(UTF8_BOM)
    code, _, err = newsdesk(
        capsys, "export", "--out", str(tmp_path / "no"), "--bom", *wh_args(warehouse)
    )
    assert code != 0 and "--bom applies to --format csv only" in err
    assert not (tmp_path / "no").exists()


def test_xlsx_sheet_has_frozen_header_filter_widths_and_utc_datetimes(bundles, expected):
    book = openpyxl.load_workbook(bundles["xlsx"] / "data/articles.xlsx")
    assert book.sheetnames == ["articles"]
    sheet = book["articles"]
    header = [cell.value for cell in sheet[1]]
    assert header[0] == "article_id" and "published_at" in header
    assert sheet.freeze_panes == "A2"
    last = openpyxl.utils.get_column_letter(len(header))
    assert sheet.auto_filter.ref == f"A1:{last}{len(expected) + 1}"
    widths = {
        name: sheet.column_dimensions[openpyxl.utils.get_column_letter(i + 1)].width
        for i, name in enumerate(header)
    }
    assert all(w and w >= len(name) for name, w in widths.items()), widths
    # long text capped (Excel stores a little padding on top), numbers narrow
    assert 60 <= widths["body"] < 62 and widths["year"] < 10

    col = {name: i for i, name in enumerate(header)}
    for row, want in zip(sheet.iter_rows(min_row=2), expected, strict=True):
        stamp = row[col["published_at"]]
        assert stamp.is_date and stamp.number_format == XLSX_DATETIME_FORMAT
        assert "UTC" in stamp.number_format
        assert stamp.value == want["published_at"].replace(tzinfo=None)
        day = row[col["published_date"]]
        assert day.is_date and day.value.date() == want["published_date"]
        post = row[col["post_id"]]
        assert post.value == want["post_id"] and (post.value is None or post.data_type == "s")
        assert row[col["word_count"]].value == want["word_count"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_readme_code_for_a_few_columns(warehouse, tmp_path, fmt):
    """The generated code fits the exported columns (here no map, one list, one time)."""
    con = connect(warehouse.duckdb_path, read_only=True)
    con.execute("SET TimeZone = 'UTC'")
    try:
        options = ExportOptions(
            out=tmp_path / fmt, fmt=fmt, columns=["post_id", "published_at", "tags"]
        )
        bundle = export_articles(con, options).path
        want = con.execute(
            "SELECT post_id, published_at, tags FROM articles ORDER BY published_at, article_id"
        ).fetchall()
    finally:
        con.close()
    frame = run_loader(bundle, "pandas")
    assert list(frame.columns) == ["post_id", "published_at", "tags"]
    assert pd.api.types.is_string_dtype(frame["post_id"])
    assert str(frame["published_at"].dtype).endswith("UTC]")
    got = [tuple(_plain(v) for v in row) for row in frame.itertuples(index=False)]
    assert got == [(p, t.astimezone(dt.UTC), tags) for p, t, tags in want]
    frame_pl = run_loader(bundle, "polars")
    assert frame_pl.schema == pl.Schema(
        {"post_id": pl.String, "published_at": pl.Datetime("us", "UTC"), "tags": pl.List(pl.String)}
    )
    assert frame_pl.rows() == [(p, t.astimezone(dt.UTC), tags) for p, t, tags in want]
