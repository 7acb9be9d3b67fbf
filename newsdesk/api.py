"""The Python API: the articles of a built warehouse as Arrow data, with the CLI's filters.

::

    import newsdesk

    with newsdesk.open("warehouse") as desk:
        table = desk.articles(section="politics", since="2025-07-01", tag="Gaza")
        df = table.to_pandas()                    # or polars.from_arrow(table)
        for batch in desk.articles_reader(columns=["article_id", "body"]):
            ...                                   # a pyarrow.RecordBatch at a time

The rows are those ``newsdesk export`` writes for the same filters: both run
`newsdesk.analyst.export.articles_sql` over `ArticleFilters`. Types are DuckDB's
own, carried over Arrow without a text round trip: ``post_id`` stays a string, times
are ``timestamp[us, tz=UTC]``, ``published_date`` a date, lists are Arrow lists and
``field_layers`` an Arrow map.

The database is opened read-only (`open_database`), like every analyst command, so
a ``newsdesk build`` running meanwhile is neither blocked nor seen half-done.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType
from typing import Any

import duckdb
import pyarrow as pa

from newsdesk.analyst.database import AnalystError, one_line, open_database
from newsdesk.analyst.export import articles_sql, select_columns, table_columns
from newsdesk.analyst.filters import ArticleFilters, parse_day
from newsdesk.warehouse import Warehouse, default_root

#: Rows per record batch of `Newsdesk.articles_reader` (a few MB of article bodies).
DEFAULT_BATCH_SIZE = 10_000

Day = dt.date | str | None
Names = str | Iterable[str] | None


def _names(value: Names) -> list[str]:
    """One name or several -> a list (a bare string is one name, not its characters)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def _day(value: Day, option: str) -> dt.date | None:
    """A date, a datetime (its date) or ``YYYY-MM-DD`` text; an error names the argument."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        # A datetime is read as its UTC day, since the filters compare UTC publication days.
        return (value.astimezone(dt.UTC) if value.tzinfo else value).date()
    if isinstance(value, dt.date):
        return value
    try:
        return parse_day(str(value), option)
    except ValueError as exc:
        raise AnalystError(str(exc)) from None


def make_filters(
    *,
    section: Names = None,
    since: Day = None,
    until: Day = None,
    tag: Names = None,
    author: str | None = None,
    source: str | None = None,
    search: str | None = None,
) -> ArticleFilters:
    """The `ArticleFilters` for the API's keyword arguments (checked like the CLI's)."""
    filters = ArticleFilters(
        since=_day(since, "since"),
        until=_day(until, "until"),
        sections=_names(section),
        tags=_names(tag),
        author=author,
        source=source,
        search=search,
    )
    try:
        filters.check()
    except ValueError as exc:
        raise AnalystError(str(exc).replace("--", "")) from None
    return filters


def utc_schema(schema: pa.Schema) -> pa.Schema:
    """``schema`` with every zoned timestamp labelled plainly ``UTC``.

    DuckDB names its UTC session zone ``Etc/UTC``; the instants are the same, but
    ``UTC`` is what Parquet readers, pandas and polars print for UTC data, so frames
    from the API and from an export compare and concatenate without a zone mismatch.
    """
    fields = []
    for item in schema:
        kind = item.type
        if pa.types.is_timestamp(kind) and kind.tz is not None:
            item = item.with_type(pa.timestamp(kind.unit, tz="UTC"))
        fields.append(item)
    return pa.schema(fields, metadata=schema.metadata)


def _relabel(reader: pa.RecordBatchReader) -> pa.RecordBatchReader:
    """The same stream with `utc_schema` (a metadata-only cast of each batch)."""
    schema = utc_schema(reader.schema)
    if schema.equals(reader.schema):
        return reader
    return pa.RecordBatchReader.from_batches(schema, (b.cast(schema) for b in reader))


class Newsdesk:
    """A read-only handle on a built warehouse. Create it with `newsdesk.open`.

    Close it with `close` or use it as a context manager. One handle is one DuckDB
    connection: use it from one thread at a time.
    """

    def __init__(self, warehouse: Warehouse, con: duckdb.DuckDBPyConnection) -> None:
        self.warehouse = warehouse
        self.con = con

    def __enter__(self) -> Newsdesk:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the database connection (readers already returned stop working)."""
        self.con.close()

    def columns(self) -> list[str]:
        """The names of the ``articles`` columns, in table order."""
        return [name for name, _ in table_columns(self.con)]

    def _query(self, columns: Names, filters: ArticleFilters) -> tuple[str, dict[str, Any]]:
        wanted = _names(columns) or None
        chosen = select_columns(table_columns(self.con), wanted)
        return articles_sql(filters, chosen)

    def articles_relation(
        self,
        *,
        section: Names = None,
        since: Day = None,
        until: Day = None,
        tag: Names = None,
        author: str | None = None,
        source: str | None = None,
        search: str | None = None,
        columns: Names = None,
    ) -> duckdb.DuckDBPyRelation:
        """The filtered articles as a lazy DuckDB relation (nothing is read until used).

        Refine it with DuckDB's relational API (``.filter``, ``.aggregate``,
        ``.limit``...) or fetch it with ``.to_arrow_table()``, ``.to_arrow_reader()``,
        ``.pl()`` or ``.df()`` (since DuckDB 1.5 ``.arrow()`` gives a reader, not a
        table). Arguments as for `articles`.
        """
        filters = make_filters(
            section=section,
            since=since,
            until=until,
            tag=tag,
            author=author,
            source=source,
            search=search,
        )
        sql, params = self._query(columns, filters)
        try:
            return self.con.query(sql, params=params)
        except duckdb.Error as exc:
            raise AnalystError(f"query failed: {one_line(exc)}") from exc

    def articles_reader(
        self,
        *,
        section: Names = None,
        since: Day = None,
        until: Day = None,
        tag: Names = None,
        author: str | None = None,
        source: str | None = None,
        search: str | None = None,
        columns: Names = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> pa.RecordBatchReader:
        """The filtered articles as a stream of Arrow record batches (for large results).

        Only one batch (``batch_size`` rows) is held in memory at a time, so the whole
        dataset can be processed on a small machine. Arguments as for `articles`.
        """
        if batch_size < 1:
            raise AnalystError("batch_size must be at least 1")
        filters = make_filters(
            section=section,
            since=since,
            until=until,
            tag=tag,
            author=author,
            source=source,
            search=search,
        )
        sql, params = self._query(columns, filters)
        try:
            # A cursor of its own, so a second query on this handle does not cut the stream.
            cursor = self.con.cursor()
            return _relabel(cursor.execute(sql, params).to_arrow_reader(batch_size))
        except duckdb.Error as exc:
            raise AnalystError(f"query failed: {one_line(exc)}") from exc

    def articles(
        self,
        *,
        section: Names = None,
        since: Day = None,
        until: Day = None,
        tag: Names = None,
        author: str | None = None,
        source: str | None = None,
        search: str | None = None,
        columns: Names = None,
    ) -> pa.Table:
        """The articles matching every given filter, oldest first, as a `pyarrow.Table`.

        :param section: a section slug (``politics``) or group (``news``, ``articles``,
            ``videos``), or several (any of them); case is ignored.
        :param since: first UTC publication day, inclusive (a date or ``YYYY-MM-DD``).
        :param until: last UTC publication day, inclusive.
        :param tag: a tag or several (articles carrying any of them); case is ignored.
        :param author: an author's name (case is ignored).
        :param source: a credited source (case is ignored).
        :param search: words for the full-text index (title, subtitle, body).
        :param columns: column names to return, in this order (default: all).

        ``post_id`` is a string, times are ``timestamp[us, tz=UTC]``. ``.to_pandas()``
        turns integer columns with nulls into floats (numpy has no integer null);
        ``.to_pandas(types_mapper=pandas.ArrowDtype)`` keeps every type exactly, and
        ``polars.from_arrow(table)`` does so too.
        """
        reader = self.articles_reader(
            section=section,
            since=since,
            until=until,
            tag=tag,
            author=author,
            source=source,
            search=search,
            columns=columns,
        )
        try:
            return reader.read_all()
        except (duckdb.Error, pa.ArrowException) as exc:
            raise AnalystError(f"query failed: {one_line(exc)}") from exc


def open(warehouse: str | os.PathLike[str] | Warehouse | None = None) -> Newsdesk:
    """Open a built warehouse read-only.

    ``warehouse`` is the warehouse folder (default ``$NEWSDESK_WAREHOUSE``, else
    ``./warehouse``, as for the CLI's ``--warehouse``). Raises `AnalystError` when
    there is no warehouse or no database (run ``newsdesk build`` first).
    """
    if isinstance(warehouse, Warehouse):
        target = warehouse
    else:
        target = Warehouse(Path(warehouse) if warehouse is not None else default_root())
    return Newsdesk(target, open_database(target))
