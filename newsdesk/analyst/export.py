"""``newsdesk export``: a self-describing bundle of articles (a Frictionless Data Package).

The bundle is a folder::

    <out>/
      data/articles.<parquet|csv|jsonl|xlsx>   the rows
      datapackage.json                          Frictionless descriptor: every column's type,
                                                meaning, derivation and null rate in this export
      README.md                                 the same, for people
      manifest.json                             filters, row count, date range, the crawls that
                                                fetched the rows, schema version, sha256 of files

Filter values are bound parameters (`ArticleFilters.where`); column names are
checked against the table before they reach SQL. Everything is written into a
hidden temporary sibling folder which is renamed into place at the end, so a
failed export leaves nothing behind and an existing path is only replaced with
``force=True``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import xlsxwriter

from newsdesk.analyst.database import AnalystError, one_line, temp_name, to_jsonable
from newsdesk.analyst.dictionary import TEXT_RULE, column_doc, frictionless_type
from newsdesk.analyst.filters import ArticleFilters
from newsdesk.analyst.loaders import Column, snippets
from newsdesk.items import SCHEMA_VERSION

#: Excel's limit on the characters in one cell.
XLSX_CELL_LIMIT = 32767
#: Excel's limit on the rows of one sheet (the header takes one).
XLSX_ROW_LIMIT = 1_048_576
#: Excel number formats: the label names the zone, since Excel cells have none.
XLSX_DATETIME_FORMAT = 'yyyy-mm-dd hh:mm:ss "UTC"'
XLSX_DATE_FORMAT = "yyyy-mm-dd"
#: Column widths in characters: at least the header, at most this (bodies are long).
XLSX_MAX_WIDTH = 60
#: Rows fetched from DuckDB at a time while writing XLSX (bounded memory).
XLSX_FETCH_ROWS = 2_000
UTF8_BOM = b"\xef\xbb\xbf"

DATA_DIR = "data"
RESOURCE = "articles"


@dataclass(frozen=True)
class ExportFormat:
    """How one file format is written and described."""

    name: str
    extension: str
    mediatype: str
    copy_options: str


EXPORT_FORMATS: dict[str, ExportFormat] = {
    "parquet": ExportFormat(
        "parquet", "parquet", "application/vnd.apache.parquet", "FORMAT parquet, COMPRESSION zstd"
    ),
    "csv": ExportFormat("csv", "csv", "text/csv", "FORMAT csv, HEADER true, DELIMITER ','"),
    "jsonl": ExportFormat("jsonl", "jsonl", "application/x-ndjson", "FORMAT json"),
    # Written with xlsxwriter (`_write_xlsx`), not COPY: DuckDB's excel extension writes no
    # frozen header, filter, widths or date formats.
    "xlsx": ExportFormat(
        "xlsx", "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ""
    ),
}

#: How each Frictionless type is written in each format (the dictionary's "encoding" note).
ENCODINGS: dict[str, dict[str, str]] = {
    "array": {
        "parquet": "Parquet list of strings",
        "csv": 'JSON array as text, e.g. ["Gaza","Lebanon"]; [] when empty',
        "jsonl": "JSON array",
        "xlsx": 'JSON array as text, e.g. ["Gaza","Lebanon"]; [] when empty',
    },
    "object": {
        "parquet": "Parquet map string -> string",
        "csv": 'JSON object as text, e.g. {"title":"metadata"}',
        "jsonl": "JSON object",
        "xlsx": 'JSON object as text, e.g. {"title":"metadata"}',
    },
    "datetime": {
        "parquet": "Parquet timestamp, UTC (isAdjustedToUTC), microseconds",
        "csv": "ISO 8601 text in UTC, e.g. 2025-07-10T12:00:00Z (fraction only when non-zero)",
        "jsonl": "ISO 8601 string in UTC, e.g. 2025-07-10T12:00:00Z (fraction only when non-zero)",
        "xlsx": "Excel date-time holding the UTC time, shown as yyyy-mm-dd hh:mm:ss UTC "
        "(Excel cells have no time zone; Excel keeps times to the millisecond)",
    },
    "date": {
        "parquet": "Parquet date",
        "csv": "YYYY-MM-DD",
        "jsonl": "YYYY-MM-DD string",
        "xlsx": "Excel date, shown as yyyy-mm-dd",
    },
    "string": {
        "parquet": "UTF-8 string",
        "csv": "UTF-8 text",
        "jsonl": "JSON string",
        "xlsx": f"text (cut at {XLSX_CELL_LIMIT:,} characters, Excel's cell limit, ending with …)",
    },
    "integer": {
        "parquet": "Parquet integer",
        "csv": "decimal digits",
        "jsonl": "JSON number",
        "xlsx": "Excel number",
    },
}


#: The README's "Reading the data" notes, per format (the pandas and polars code that
#: follows is generated from the schema by `newsdesk.analyst.loaders`).
READING: dict[str, list[str]] = {
    "parquet": [
        "Parquet with native types: lists are lists, `field_layers` a map, times UTC "
        "timestamps, integers stay integers.",
        "",
        "- DuckDB: `SELECT * FROM 'data/articles.parquet'`",
        "- R (arrow): `arrow::read_parquet('data/articles.parquet')`",
    ],
    "csv": [
        "UTF-8, comma separated, a header row, RFC 4180 quoting (bodies contain line breaks).",
        "Empty cells are nulls. List and map columns hold JSON (`json.loads` them).",
        "",
        "- DuckDB: `SELECT * FROM read_csv('data/articles.csv')`",
    ],
    "jsonl": [
        "One JSON object per line (JSON Lines), UTF-8; lists are arrays, maps objects, "
        "nulls are null.",
        "",
        "- DuckDB: `SELECT * FROM read_json('data/articles.jsonl')`",
    ],
    "xlsx": [
        "One sheet, `articles`: a frozen header row with filters, then one row per article. "
        "Open it in Excel or LibreOffice. Empty cells are nulls; list and map columns hold "
        "JSON text; times are date-time cells holding UTC (shown with a `UTC` label).",
        "",
        "- DuckDB: `SELECT * FROM read_xlsx('data/articles.xlsx', empty_as_varchar = true)`",
    ],
}

#: The README's "Checking the file" text, per format: how the bundle is validated.
CHECKING: dict[str, list[str]] = {
    "parquet": [
        "Check the file against `datapackage.json` with pyarrow: every declared field is in "
        "the Parquet schema with the matching type (string -> string, integer -> integer, "
        "datetime -> timestamp in UTC, date -> date, array -> list of strings, object -> "
        "map string to string). newsdesk's tests do exactly this.",
        "",
        "`frictionless validate` is not used for Parquet: frictionless reads Parquet through "
        "pandas, which turns lists into numpy arrays and nullable integers into floats, so it "
        "reports type errors that are the reader's limits, not the data's. The declared types "
        "are the data's true types and are not weakened to please it.",
    ],
    "csv": [
        "`frictionless validate datapackage.json` (pip install frictionless): checks the "
        "header, every cell against its declared type, nulls and the primary key. newsdesk's "
        "tests run it on every CSV export.",
    ],
    "jsonl": [
        "`frictionless validate datapackage.json` (pip install 'frictionless[json]'): checks "
        "every value against its declared type, nulls and the primary key. newsdesk's tests "
        "run it on every JSON Lines export.",
    ],
    "xlsx": [
        "`frictionless validate datapackage.json` (pip install 'frictionless[excel]'): checks "
        "the header, every cell against its declared type, nulls and the primary key. "
        "newsdesk's tests run it on every XLSX export, and read the sheet back with openpyxl "
        "(frozen header, filter, widths, date-time cells).",
    ],
}


@dataclass
class ExportOptions:
    """What to export and where."""

    out: Path
    fmt: str = "parquet"
    filters: ArticleFilters = field(default_factory=ArticleFilters)
    columns: list[str] | None = None
    force: bool = False
    #: CSV only: start the file with a UTF-8 byte order mark, which Excel needs to read
    #: UTF-8 (without it, Excel guesses a legacy code page and garbles Arabic names).
    bom: bool = False


@dataclass
class ExportResult:
    """Where the bundle went and what is in it."""

    path: Path
    rows: int
    data_file: Path
    manifest: dict[str, Any]


def table_columns(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """``(name, DuckDB type)`` of every column of ``articles``, in table order."""
    try:
        rows = con.execute(
            "SELECT column_name, data_type FROM duckdb_columns() "
            "WHERE schema_name = 'main' AND table_name = 'articles' ORDER BY column_index"
        ).fetchall()
    except duckdb.Error as exc:
        raise AnalystError(f"cannot read the articles table: {one_line(exc)}") from exc
    if not rows:
        raise AnalystError("the database has no articles table: run `newsdesk build`")
    return [(str(n), str(t)) for n, t in rows]


def parse_columns(text: str | None) -> list[str] | None:
    """``"title, url"`` -> ``["title", "url"]`` (order kept, repeats dropped); None = all."""
    if text is None:
        return None
    names: list[str] = []
    for part in text.split(","):
        name = part.strip()
        if name and name not in names:
            names.append(name)
    if not names:
        raise AnalystError("--columns is empty; give a comma separated list such as title,url")
    return names


def select_columns(
    available: list[tuple[str, str]], wanted: list[str] | None
) -> list[tuple[str, str]]:
    """The requested columns with their types; an unknown name is a clear error."""
    if wanted is None:
        return list(available)
    types = dict(available)
    unknown = [name for name in wanted if name not in types]
    if unknown:
        raise AnalystError(
            f"unknown column{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))}; "
            f"known: {', '.join(types)}"
        )
    return [(name, types[name]) for name in wanted]


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


#: The order of exported and API rows: oldest first, ties broken by the stable id.
ARTICLE_ORDER = "a.published_at, a.article_id"


def articles_sql(
    filters: ArticleFilters, columns: list[tuple[str, str]] | None = None
) -> tuple[str, dict[str, Any]]:
    """``(SELECT ..., parameters)``: the filtered articles, oldest first.

    The one query behind ``newsdesk export`` and the Python API (`newsdesk.api`), so
    both select exactly the same rows. ``columns`` (checked names, from
    `select_columns`) chooses and orders the columns; None means all. Filter values are
    bound parameters; only checked column names are spliced into the text.
    """
    where, params = filters.where("a")
    select = "a.*" if columns is None else ", ".join(f"a.{_ident(n)}" for n, _ in columns)
    return f"SELECT {select} FROM articles AS a WHERE {where} ORDER BY {ARTICLE_ORDER}", params


def _literal(text: str) -> str:
    """A SQL string literal (only used for file paths, which DuckDB cannot bind in COPY)."""
    return "'" + text.replace("'", "''") + "'"


def _iso_utc(expr: str) -> str:
    utc = f"({expr} AT TIME ZONE 'UTC')"
    return (
        f"CASE WHEN microsecond({expr}) % 1000000 = 0 "
        f"THEN strftime({utc}, '%Y-%m-%dT%H:%M:%SZ') "
        f"ELSE strftime({utc}, '%Y-%m-%dT%H:%M:%S.%fZ') END"
    )


def _xlsx_text(expr: str) -> str:
    return (
        f"CASE WHEN length({expr}) > {XLSX_CELL_LIMIT} "
        f"THEN left({expr}, {XLSX_CELL_LIMIT - 1}) || '…' ELSE {expr} END"
    )


def encode_column(name: str, duckdb_type: str, fmt: str) -> str:
    """The SELECT expression that writes column ``name`` in ``fmt`` (see `ENCODINGS`)."""
    col = _ident(name)
    kind = frictionless_type(duckdb_type)
    expr = col
    if kind in ("array", "object") and fmt in ("csv", "xlsx"):
        expr = f"CAST(to_json({col}) AS VARCHAR)"
    elif kind == "datetime" and "TIME ZONE" in duckdb_type.upper():
        if fmt in ("csv", "jsonl"):
            expr = _iso_utc(col)
        elif fmt == "xlsx":
            expr = f"({col} AT TIME ZONE 'UTC')"
    if fmt == "xlsx" and (kind in ("string", "array", "object")):
        expr = _xlsx_text(expr)
    return f"{expr} AS {col}"


def _prepend_bom(path: Path) -> None:
    """Rewrite ``path`` with a UTF-8 byte order mark in front (DuckDB's COPY writes none)."""
    marked = path.with_name(path.name + ".bom")
    with open(path, "rb") as source, open(marked, "wb") as target:
        target.write(UTF8_BOM)
        shutil.copyfileobj(source, target, 1 << 20)
    os.replace(marked, path)


#: Day 0 of Excel's serial dates (right for every date after 1900-02-28).
EXCEL_EPOCH = dt.datetime(1899, 12, 30)
_MICROSECONDS_PER_DAY = 86_400_000_000


def excel_serial(value: dt.datetime | dt.date) -> float:
    """The Excel serial number (days since 1899-12-30) of a naive UTC date-time or a date.

    Computed from whole microseconds with one correctly rounded division, so the serial
    is the double nearest the exact time and reads back to the same microsecond;
    xlsxwriter's own conversion sums floats and drifts by a microsecond.
    """
    if not isinstance(value, dt.datetime):
        return float((value - EXCEL_EPOCH.date()).days)
    return ((value - EXCEL_EPOCH) // dt.timedelta(microseconds=1)) / _MICROSECONDS_PER_DAY


def _write_xlsx(
    con: duckdb.DuckDBPyConnection, rows_sql: str, path: Path, columns: list[tuple[str, str]]
) -> None:
    """Write the sheet ``articles`` with xlsxwriter: typed cells, frozen header, filter, widths.

    ``rows_sql`` yields the cells already encoded by `encode_column` (naive UTC times, JSON
    text for lists, text cut at Excel's limit). constant_memory streams rows to disk, so
    memory stays flat however many articles; rows come from DuckDB in chunks.
    """
    kinds = [frictionless_type(t) for _, t in columns]
    widths = [len(name) for name, _ in columns]
    workbook = xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": True,
            # Text stays text: no URL, number or formula guessing on string cells.
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
        },
    )
    try:
        sheet = workbook.add_worksheet("articles")
        header = workbook.add_format({"bold": True})
        stamp = workbook.add_format({"num_format": XLSX_DATETIME_FORMAT})
        day = workbook.add_format({"num_format": XLSX_DATE_FORMAT})
        for c, (name, _) in enumerate(columns):
            sheet.write_string(0, c, name, header)
        cursor = con.execute(rows_sql)
        r = 0
        while batch := cursor.fetchmany(XLSX_FETCH_ROWS):
            for values in batch:
                r += 1
                for c, value in enumerate(values):
                    if value is None:
                        continue  # an empty cell is a null (missingValues [""])
                    kind = kinds[c]
                    if kind == "datetime":
                        sheet.write_number(r, c, excel_serial(value), stamp)
                        width = 23
                    elif kind == "date":
                        sheet.write_number(r, c, excel_serial(value), day)
                        width = 10
                    elif kind in ("integer", "number"):
                        sheet.write_number(r, c, value)
                        width = len(str(value))
                    elif kind == "boolean":
                        sheet.write_boolean(r, c, value)
                        width = 5
                    else:
                        text = str(value)
                        sheet.write_string(r, c, text)
                        width = len(text)
                    widths[c] = max(widths[c], width)
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, max(r, 1), len(columns) - 1)
        for c, width in enumerate(widths):
            # +2 for the filter button; long texts are capped (the cell still holds it all).
            sheet.set_column(c, c, min(width + 2, XLSX_MAX_WIDTH))
    finally:
        workbook.close()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_json(path: Path, payload: Any) -> None:
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _column_stats(
    con: duckdb.DuckDBPyConnection, table: str, columns: list[tuple[str, str]], fmt: str
) -> tuple[int, dict[str, dict[str, Any]]]:
    parts = ["count(*)"]
    for name, duckdb_type in columns:
        col = _ident(name)
        kind = frictionless_type(duckdb_type)
        parts.append(f"count(*) - count({col})")
        if kind == "array":
            parts.append(f"count(*) FILTER (WHERE len({col}) = 0)")
        elif kind == "object":
            parts.append(f"count(*) FILTER (WHERE cardinality({col}) = 0)")
        else:
            parts.append("0")
        if fmt == "xlsx" and kind in ("string", "array", "object"):
            text = f"CAST(to_json({col}) AS VARCHAR)" if kind != "string" else col
            parts.append(f"count(*) FILTER (WHERE length({text}) > {XLSX_CELL_LIMIT})")
        else:
            parts.append("0")
    values = con.execute(f"SELECT {', '.join(parts)} FROM {table}").fetchone()
    assert values is not None
    total = int(values[0])
    stats: dict[str, dict[str, Any]] = {}
    for i, (name, _) in enumerate(columns):
        nulls, empties, cut = (int(v) for v in values[1 + 3 * i : 4 + 3 * i])
        stats[name] = {
            "null_count": nulls,
            "null_rate": round(nulls / total, 6) if total else 0.0,
            "empty_count": empties,
            "truncated_cells": cut,
        }
    return total, stats


def _crawls(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, Any]:
    """The crawl runs that fetched the exported articles (from crawl_log and crawl_runs)."""
    columns = (
        "r.run_id, r.base_url, r.started_at, r.finished_at, r.duration_s, r.finish_reason, "
        "r.pages_fetched, r.articles_new, r.articles_updated, r.articles_unchanged"
    )
    linked = con.execute(
        f"""
        SELECT l.run_id, any_value(r.base_url), any_value(r.started_at), any_value(r.finished_at),
               any_value(r.duration_s), any_value(r.finish_reason), any_value(r.pages_fetched),
               any_value(r.articles_new), any_value(r.articles_updated),
               any_value(r.articles_unchanged),
               count(DISTINCT l.article_id) AS exported_articles_fetched,
               min(l.fetched_at), max(l.fetched_at)
        FROM crawl_log AS l LEFT JOIN crawl_runs AS r ON r.run_id = l.run_id
        WHERE l.outcome = 'article' AND l.article_id IN (SELECT article_id FROM {table})
        GROUP BY l.run_id
        ORDER BY min(l.fetched_at), l.run_id
        """
    ).fetchall()
    names = [
        "run_id",
        "base_url",
        "started_at",
        "finished_at",
        "duration_s",
        "finish_reason",
        "pages_fetched",
        "articles_new",
        "articles_updated",
        "articles_unchanged",
    ]
    if linked:
        runs = [
            dict(
                zip(
                    [*names, "exported_articles_fetched", "first_fetch", "last_fetch"],
                    map(to_jsonable, row),
                    strict=True,
                )
            )
            for row in linked
        ]
        basis = "crawl_log: the runs that fetched at least one exported article"
    else:
        rows = con.execute(
            f"SELECT {columns} FROM crawl_runs AS r ORDER BY r.started_at"
        ).fetchall()
        runs = [dict(zip(names, map(to_jsonable, row), strict=True)) for row in rows]
        basis = "crawl_runs: every recorded run (the crawl log links none to these rows)"
    fetched = con.execute(f"SELECT min(crawled_at), max(crawled_at) FROM {table}").fetchone()
    assert fetched is not None
    return {
        "basis": basis,
        "articles_fetched_from": to_jsonable(fetched[0]),
        "articles_fetched_to": to_jsonable(fetched[1]),
        "runs": runs,
    }


def _field_descriptor(
    name: str, duckdb_type: str, fmt: str, stats: dict[str, Any]
) -> dict[str, Any]:
    doc = column_doc(name)
    kind = frictionless_type(duckdb_type)
    descriptor: dict[str, Any] = {
        "name": name,
        "type": kind,
        "description": doc.meaning,
        "derivation": doc.derivation,
        "encoding": ENCODINGS.get(kind, {}).get(fmt, "as DuckDB writes it"),
        "duckdbType": duckdb_type,
        "nullCount": stats["null_count"],
        "nullRate": stats["null_rate"],
    }
    if kind in ("array", "object"):
        descriptor["emptyCount"] = stats["empty_count"]
    if fmt == "xlsx" and kind in ("string", "array", "object"):
        descriptor["truncatedCells"] = stats["truncated_cells"]
    if kind == "array":
        descriptor["arrayItem"] = {"type": "string"}
    if name == "article_id":
        descriptor["constraints"] = {"required": True, "unique": True}
    return descriptor


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _reading(fields: list[dict[str, Any]], data_path: str, fmt: str, bom: bool) -> list[str]:
    """The README's "Reading the data" section: notes, then typed pandas and polars code."""
    cols = [Column(f["name"], f["type"], f["duckdbType"]) for f in fields]
    code = snippets(cols, fmt, data_path, bom=bom)
    lines = ["", "## Reading the data", "", *READING[fmt]]
    if fmt == "csv" and bom:
        lines += [
            "",
            "The file starts with a UTF-8 byte order mark (for Excel); readers below skip it.",
        ]
    lines += [
        "",
        "Every column keeps its declared type with these readers (run them in this folder): "
        "`post_id` stays text, times are UTC date-times, integers stay integers with nulls, "
        "lists are lists and `field_layers` a map.",
    ]
    for tool in ("pandas", "polars"):
        lines += ["", f"{tool}:", "", "```python", code[tool], "```"]
    lines += ["", "## Checking the file", "", *CHECKING[fmt]]
    return lines


def _readme(
    manifest: dict[str, Any],
    fields: list[dict[str, Any]],
    data_path: str,
    fmt: str,
    bom: bool = False,
) -> str:
    filters = {k: v for k, v in manifest["filters"].items() if v not in (None, [])}
    dates = manifest["date_range"]
    lines = [
        "# Al Mayadeen English articles: an export from newsdesk",
        "",
        f"{manifest['row_count']} articles published between {dates['published_from']} and "
        f"{dates['published_to']} (UTC), crawled from english.almayadeen.net and exported on "
        f"{manifest['created_at']}.",
        "",
        "Filters: "
        + (
            ", ".join(f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in filters.items())
            or "none (every article in the database)"
        ),
        "",
        "## Files",
        "",
        f"- `{data_path}`: the data, one row per article ({fmt}).",
        "- `datapackage.json`: the Frictionless Data Package descriptor (machine-readable "
        "version of this file; https://specs.frictionlessdata.io/).",
        "- `manifest.json`: filters, row count, date range, the crawls that fetched the rows, "
        "schema version and the sha256 checksum of every other file.",
        "",
        "## Columns",
        "",
        "| column | type | meaning | null rate | encoding in this file |",
        "|---|---|---|---|---|",
    ]
    for f in fields:
        lines.append(
            f"| {f['name']} | {f['type']} | {_cell(f['description'])} | {f['nullRate']:.1%} | "
            f"{_cell(f['encoding'])} |"
        )
    lines += _reading(fields, data_path, fmt, bom)
    lines += ["", "## How each column is derived", "", TEXT_RULE, ""]
    lines += [f"- **{f['name']}**: {f['derivation']}" for f in fields]
    lines += [
        "",
        "## Crawls",
        "",
        f"Articles fetched between {manifest['crawls']['articles_fetched_from']} and "
        f"{manifest['crawls']['articles_fetched_to']}; {len(manifest['crawls']['runs'])} crawl "
        f"run(s) ({manifest['crawls']['basis']}), listed in manifest.json.",
        "",
        "The articles' text and images remain the property of their publisher.",
        "",
    ]
    return "\n".join(lines)


def is_bundle(path: Path) -> bool:
    """True when ``path`` is a folder written by `export_articles` (its manifest says so)."""
    try:
        manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(manifest, dict) and manifest.get("generator") == "newsdesk export"


def check_target(out: Path, force: bool) -> None:
    """Refuse an existing ``out`` unless forced, and never replace a folder that is not a bundle.

    ``--force`` replaces a file or an earlier export; a mistyped ``--out warehouse --force``
    must not delete a warehouse (or a home directory).
    """
    if not (out.exists() or out.is_symlink()):
        return
    if not force:
        raise AnalystError(f"{out} already exists; pass --force to replace it")
    if out.is_dir() and not out.is_symlink() and not is_bundle(out):
        raise AnalystError(
            f"{out} is a folder but not a newsdesk export (no manifest.json from `newsdesk "
            "export`); refusing to replace it even with --force"
        )


def _place(tmp: Path, out: Path, force: bool) -> None:
    """Rename the finished bundle into place (replacing ``out`` only when forced)."""
    if out.exists() or out.is_symlink():
        check_target(out, force)
        old = out.parent / f".{out.name}.{uuid.uuid4().hex[:8]}.old"
        os.replace(out, old)
        try:
            os.replace(tmp, out)
        except OSError:
            os.replace(old, out)
            raise
        if old.is_dir() and not old.is_symlink():
            shutil.rmtree(old, ignore_errors=True)
        else:
            old.unlink(missing_ok=True)
    else:
        os.replace(tmp, out)


#: Test hook: called with the step name as the export goes ("data", "datapackage", ...).
_step_hook: Callable[[str], None] | None = None


def _step(name: str) -> None:
    if _step_hook is not None:
        _step_hook(name)


def export_articles(con: duckdb.DuckDBPyConnection, options: ExportOptions) -> ExportResult:
    """Write the bundle described by ``options``; returns where and how many rows."""
    fmt = EXPORT_FORMATS.get(options.fmt)
    if fmt is None:
        raise AnalystError(
            f"unknown export format {options.fmt!r}; choose one of {', '.join(EXPORT_FORMATS)}"
        )
    try:
        options.filters.check()
    except ValueError as exc:
        raise AnalystError(str(exc)) from exc
    if options.bom and fmt.name != "csv":
        raise AnalystError("--bom applies to --format csv only")
    columns = select_columns(table_columns(con), options.columns)
    out = Path(options.out)
    check_target(out, options.force)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.parent / f".{out.name}.{uuid.uuid4().hex[:12]}.partial"
        (tmp / DATA_DIR).mkdir(parents=True)
    except OSError as exc:
        raise AnalystError(f"cannot write to {out.parent}: {exc.strerror or exc}") from exc
    table = temp_name("export_rows")
    try:
        query, params = articles_sql(options.filters)
        con.execute(f"CREATE TEMP TABLE {table} AS {query}", params)
        rows, stats = _column_stats(con, table, columns, fmt.name)
        if fmt.name == "xlsx" and rows >= XLSX_ROW_LIMIT:
            raise AnalystError(
                f"{rows:,} articles do not fit in one Excel sheet ({XLSX_ROW_LIMIT - 1:,} rows "
                "at most); narrow the filters or use --format parquet or csv"
            )
        data_rel = f"{DATA_DIR}/{RESOURCE}.{fmt.extension}"
        data_path = tmp / data_rel
        select = ", ".join(encode_column(n, t, fmt.name) for n, t in columns)
        rows_sql = f"SELECT {select} FROM {table} ORDER BY published_at, article_id"
        _step("data")
        if fmt.name == "xlsx":
            _write_xlsx(con, rows_sql, data_path, columns)
        else:
            con.execute(f"COPY ({rows_sql}) TO {_literal(str(data_path))} ({fmt.copy_options})")
        if options.bom:
            _prepend_bom(data_path)
        dates = con.execute(f"SELECT min(published_at), max(published_at) FROM {table}").fetchone()
        assert dates is not None
        crawls = _crawls(con, table)
        created = dt.datetime.now(dt.UTC).replace(microsecond=0)
        fields = [_field_descriptor(n, t, fmt.name, stats[n]) for n, t in columns]
        data_sha = _sha256(data_path)
        resource: dict[str, Any] = {
            "name": RESOURCE,
            "path": data_rel,
            "profile": "tabular-data-resource",
            "title": "Al Mayadeen English articles",
            "description": "One row per article. " + TEXT_RULE,
            "format": fmt.extension,
            "mediatype": fmt.mediatype,
            "bytes": data_path.stat().st_size,
            "hash": f"sha256:{data_sha}",
            "schema": {"fields": fields, "missingValues": [""]},
        }
        if fmt.name == "csv":
            # utf-8-sig reads a file with or without the BOM; frictionless then skips it.
            resource["encoding"] = "utf-8-sig" if options.bom else "utf-8"
            resource["dialect"] = {"delimiter": ",", "doubleQuote": True, "header": True}
        if fmt.name == "xlsx":
            resource["dialect"] = {"sheet": "articles", "header": True}
        if any(name == "article_id" for name, _ in columns):
            resource["schema"]["primaryKey"] = "article_id"
        manifest: dict[str, Any] = {
            "created_at": to_jsonable(created),
            "generator": "newsdesk export",
            "schema_version": SCHEMA_VERSION,
            "format": fmt.name,
            "filters": options.filters.describe(),
            "columns": [name for name, _ in columns],
            "row_count": rows,
            "date_range": {
                "published_from": to_jsonable(dates[0]),
                "published_to": to_jsonable(dates[1]),
            },
            "crawls": crawls,
            "database": {"duckdb_version": duckdb.__version__},
        }
        _step("datapackage")
        package = {
            "profile": "tabular-data-package",
            "name": "newsdesk-articles",
            "id": str(uuid.uuid4()),
            "title": "Al Mayadeen English articles (newsdesk export)",
            "description": "News articles crawled from english.almayadeen.net and normalized by "
            "newsdesk. Timestamps are UTC. See README.md for the columns and manifest.json for "
            "the filters, the crawls and the checksums.",
            "created": manifest["created_at"],
            "version": SCHEMA_VERSION,
            "sources": [{"title": "Al Mayadeen English", "path": "https://english.almayadeen.net"}],
            "newsdesk": {k: manifest[k] for k in ("filters", "row_count", "date_range")},
            "resources": [resource],
        }
        _write_json(tmp / "datapackage.json", package)
        _step("readme")
        (tmp / "README.md").write_text(
            _readme(manifest, fields, data_rel, fmt.name, options.bom), "utf-8"
        )
        _step("manifest")
        manifest["files"] = [
            {"path": rel, "bytes": (tmp / rel).stat().st_size, "sha256": _sha256(tmp / rel)}
            for rel in (data_rel, "datapackage.json", "README.md")
        ]
        _write_json(tmp / "manifest.json", manifest)
        _step("place")
        _place(tmp, out, options.force)
    except duckdb.Error as exc:
        raise AnalystError(f"export failed: {one_line(exc)}") from exc
    except OSError as exc:
        raise AnalystError(f"export failed: {exc.strerror or exc}") from exc
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        with contextlib.suppress(duckdb.Error):
            con.execute(f"DROP TABLE IF EXISTS {table}")
    return ExportResult(path=out, rows=rows, data_file=out / data_rel, manifest=manifest)
