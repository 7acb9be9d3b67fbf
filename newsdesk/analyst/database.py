"""Read-only access to ``<warehouse>/newsdesk.duckdb`` and rendering of query results.

Every analyst command opens the database with `open_database`: read-only (a
build swaps in a new file atomically and is never blocked by a reader), UTC
session time zone, the fts and excel extensions loaded by path from the pinned
``duckdb-extension-*`` packages (`newsdesk.duckdb_ext`: nothing is downloaded).
Errors become `AnalystError`, one readable line.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import json
import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import duckdb

from newsdesk.analytics import render_table
from newsdesk.build import connect
from newsdesk.duckdb_ext import ExtensionMissing
from newsdesk.warehouse import Warehouse

if TYPE_CHECKING:
    from newsdesk.lake import LakeConfig

FORMATS = ("table", "csv", "json", "markdown")


class AnalystError(RuntimeError):
    """An analyst command failed for a reason the user can act on (one line)."""


def one_line(exc: BaseException) -> str:
    """The first meaningful line of an exception message (DuckDB adds a caret diagram)."""
    text = str(exc).strip()
    first = text.splitlines()[0] if text else type(exc).__name__
    return first.strip()


def open_database(warehouse: Warehouse) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the warehouse's DuckDB file, or a clear `AnalystError`."""
    path = warehouse.duckdb_path
    if not warehouse.root.is_dir():
        raise AnalystError(
            f"no warehouse at {warehouse.root}: run `newsdesk crawl` and then `newsdesk build` "
            "(or pass --warehouse DIR / set NEWSDESK_WAREHOUSE)"
        )
    if not path.is_file():
        raise AnalystError(f"no database at {path}: run `newsdesk build` first")
    try:
        # excel: read_xlsx for analysts' own queries (autoload is off, so load it here).
        con = connect(path, read_only=True, extensions=("fts", "excel"))
    except (duckdb.Error, ExtensionMissing) as exc:
        raise AnalystError(f"cannot open {path}: {one_line(exc)}") from exc
    return con


def open_lake_database(
    config: LakeConfig, as_of: str | None = None, *, need_built: bool = True
) -> duckdb.DuckDBPyConnection:
    """A read-only connection to a lake's built tables (at snapshot ``as_of`` if given).

    The lake is attached read-only and in use, so the same unqualified table names
    (``articles``, ``tags``, ...) work as on ``newsdesk.duckdb``. `AnalystError` (one
    line) for an unreachable lake, an unknown snapshot, or (``need_built``) a lake whose
    analytics tables were never built; without it the ``dataset`` tables can be queried
    at any snapshot.
    """
    from newsdesk.lake import LakeError, open_lake

    try:
        con = open_lake(config, read_only=True, as_of=as_of, extensions=("fts", "excel"))
    except LakeError as exc:
        raise AnalystError(str(exc)) from exc
    built = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = 'lake' "
        "AND schema_name = 'main' AND table_name = 'articles'"
    ).fetchone()
    if need_built and (not built or not built[0]):
        con.close()
        when = f" at snapshot {as_of}" if as_of is not None else ""
        raise AnalystError(
            f"no built tables in {config.describe()}{when}: run `newsdesk build --warehouse "
            f"{config.source}` first"
        )
    return con


@dataclass
class Result:
    """Column names and rows of one query."""

    columns: list[str]
    rows: list[tuple[Any, ...]]
    types: list[str]


def run_query(
    con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any] | None = None
) -> Result:
    """Run ``sql`` (the last statement's result is returned); errors become `AnalystError`."""
    if not sql.strip():
        raise AnalystError("empty query")
    try:
        cursor = con.execute(sql, params) if params else con.execute(sql)
        if cursor.description is None:
            return Result(columns=[], rows=[], types=[])
        columns = [d[0] for d in cursor.description]
        types = [str(d[1]) for d in cursor.description]
        rows = cursor.fetchall()
    except duckdb.Error as exc:
        raise AnalystError(f"query failed: {one_line(exc)}") from exc
    return Result(columns=columns, rows=rows, types=types)


def temp_name(prefix: str) -> str:
    """A unique name for a temporary table."""
    return f"{prefix}_{uuid.uuid4().hex[:12]}"


# --- rendering ----------------------------------------------------------------------


def to_jsonable(value: Any) -> Any:
    """A JSON-friendly version of a DuckDB Python value (ISO 8601 times, UTC ``Z``)."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC)
            return value.replace(tzinfo=None).isoformat() + "Z"
        return value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    return value


def text_cell(value: Any) -> str:
    """One value as text: null empty, lists and maps as JSON, times ISO 8601."""
    if value is None:
        return ""
    if isinstance(value, list | tuple | dict):
        return json.dumps(to_jsonable(value), ensure_ascii=False)
    if isinstance(value, str):
        return value
    if isinstance(value, float):
        return repr(value)
    jsonable = to_jsonable(value)
    return jsonable if isinstance(jsonable, str) else str(jsonable)


def _table_cell(value: Any, max_width: int) -> str:
    text = text_cell(value).replace("\r", " ").replace("\n", " ⏎ ")
    is_url = text.startswith(("http://", "https://")) and " " not in text
    if max_width and len(text) > max_width and not is_url:  # a cut URL is useless
        text = text[: max_width - 1] + "…"
    return text


def render(result: Result, fmt: str = "table", *, max_width: int = 60) -> str:
    """The result as ``table`` (aligned text), ``csv``, ``json`` or ``markdown``."""
    if fmt == "table":
        if not result.columns:
            return "(no result)"
        rows = [[_table_cell(v, max_width) for v in row] for row in result.rows]
        count = len(result.rows)
        table = render_table(result.columns, rows)
        return f"{table}\n({count} row{'s' if count != 1 else ''})"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        if result.columns:
            writer.writerow(result.columns)
        writer.writerows([text_cell(v) for v in row] for row in result.rows)
        return buffer.getvalue().rstrip("\n")
    if fmt == "json":
        records = [
            {c: to_jsonable(v) for c, v in zip(result.columns, row, strict=True)}
            for row in result.rows
        ]
        return json.dumps(records, ensure_ascii=False, indent=2)
    if fmt == "markdown":
        if not result.columns:
            return ""
        return "\n".join(_markdown_lines(result.columns, result.rows, max_width))
    raise AnalystError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")


def _markdown_lines(
    columns: Sequence[str], rows: Sequence[Sequence[Any]], max_width: int
) -> list[str]:
    def cell(value: Any) -> str:
        return _table_cell(value, max_width).replace("\\", "\\\\").replace("|", "\\|")

    lines = ["| " + " | ".join(cell(c) for c in columns) + " |"]
    lines.append("|" + "|".join("---" for _ in columns) + "|")
    lines.extend("| " + " | ".join(cell(v) for v in row) + " |" for row in rows)
    return lines
