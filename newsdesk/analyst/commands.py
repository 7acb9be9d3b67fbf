"""The analyst subcommands of ``newsdesk``: query, sql, search, export, report.

`register` adds them to the main parser's subparsers (``newsdesk.cli``) and
`COMMANDS` maps each name to its function. Library errors (`AnalystError`)
become ``newsdesk.cli.CliError``: one line on stderr, exit status 1. A filter
value that names nothing in the data (``--section politic``) is a usage error,
exit 2, with the nearest known value; a known value that matches no article is
"no matches" on stderr and exit 0 for search and query, and exit 1 for export
unless ``--allow-empty``.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from newsdesk import cli as _cli
from newsdesk.analyst.database import (
    FORMATS,
    AnalystError,
    one_line,
    open_database,
    open_lake_database,
    render,
    run_query,
)
from newsdesk.analyst.filters import ArticleFilters, UnknownFilterValue, parse_day
from newsdesk.lake import is_lake_path
from newsdesk.warehouse import Warehouse


def _day(option: str) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        try:
            return parse_day(text, option)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    return parse


def _width(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 (no limit) or more, got {value}")
    return value


def _add_output(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="table",
        help="output: an aligned table (default), csv, json (array of objects) or markdown",
    )
    parser.add_argument(
        "--max-width",
        metavar="N",
        type=_width,
        default=60,
        help="cut table/markdown cells at N characters (default 60; 0 = never)",
    )


def _add_dates(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--since", metavar="DATE", type=_day("--since"), help="published on or after this UTC day"
    )
    parser.add_argument(
        "--until", metavar="DATE", type=_day("--until"), help="published on or before this UTC day"
    )


def _add_filters(parser: argparse.ArgumentParser) -> None:
    _add_dates(parser)
    parser.add_argument(
        "--section",
        metavar="S",
        action="append",
        default=[],
        help="a section slug (politics) or group (news, articles, videos); repeat for several",
    )
    parser.add_argument(
        "--tag", metavar="T", action="append", default=[], help="articles with this tag; repeatable"
    )
    parser.add_argument("--author", metavar="A", help="articles bylined to this author")
    parser.add_argument("--source", metavar="S", help="articles crediting this source")
    parser.add_argument("--edition", metavar="E", help="articles of this edition (en)")


def _filters(args: argparse.Namespace, search: str | None = None) -> ArticleFilters:
    filters = ArticleFilters(
        since=args.since,
        until=args.until,
        sections=list(getattr(args, "section", []) or []),
        tags=list(getattr(args, "tag", []) or []),
        author=getattr(args, "author", None),
        source=getattr(args, "source", None),
        search=search,
        edition=getattr(args, "edition", None),
    )
    try:
        filters.check()
    except ValueError as exc:
        raise _cli.CliUsageError(str(exc)) from exc
    return filters


def _validate(filters: ArticleFilters, con: duckdb.DuckDBPyConnection) -> None:
    """Refuse a filter value found nowhere in the data (a typo) as a usage error."""
    try:
        filters.validate(con)
    except UnknownFilterValue as exc:
        raise _cli.CliUsageError(str(exc)) from exc
    except duckdb.Error as exc:
        raise AnalystError(f"cannot read the filter values: {one_line(exc)}") from exc


@contextmanager
def ctrl_c_cancels(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Make Ctrl-C stop the DuckDB work done on ``con`` inside the block (then exit 130).

    While a query runs, the main thread is inside DuckDB and Python's SIGINT
    handler only runs when DuckDB happens to poll for it: a long query could
    ignore Ctrl-C. ``signal.set_wakeup_fd`` reports the signal at C level at
    once; a watcher thread then calls ``con.interrupt()``, and the error the
    query raises is turned back into the KeyboardInterrupt it came from.
    Outside the main thread (no signals there) the block runs as is.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    read_fd, write_fd = os.pipe()
    os.set_blocking(write_fd, False)
    interrupted = threading.Event()

    def watch() -> None:
        while data := os.read(read_fd, 64):  # b"" once write_fd is closed
            if signal.SIGINT in data:
                interrupted.set()
                con.interrupt()

    previous = signal.set_wakeup_fd(write_fd, warn_on_full_buffer=False)
    watcher = threading.Thread(target=watch, name="newsdesk-ctrl-c", daemon=True)
    watcher.start()
    try:
        yield
    except (_cli.CliError, AnalystError, duckdb.Error, RuntimeError) as exc:
        if interrupted.is_set():
            raise KeyboardInterrupt from exc
        raise
    finally:
        signal.set_wakeup_fd(previous)
        os.close(write_fd)
        watcher.join(timeout=1)
        os.close(read_fd)


def _no_matches(what: str) -> None:
    # stderr, so that stdout stays a clean (empty) result for pipes.
    print(f"no matches{what}", file=sys.stderr)


def _add_as_of(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--as-of",
        metavar="WHEN",
        default=None,
        help="on a lake: read an earlier snapshot, by id (newsdesk lake snapshots) or "
        "ISO time (2026-12-01T10:00Z)",
    )


def _source_label(args: argparse.Namespace) -> Path:
    """What the connection reads, for banners and reports: the lake's toml or the database."""
    from newsdesk.lake_commands import warehouse_value

    value = warehouse_value(args.warehouse)
    if is_lake_path(value):
        return Path(str(value))
    return Warehouse.at(args.warehouse).duckdb_path


@contextmanager
def _database(
    args: argparse.Namespace, *, need_built: bool = True
) -> Iterator[duckdb.DuckDBPyConnection]:
    """The read-only connection, with `AnalystError` turned into a CLI error.

    A lake's ``.toml`` as the warehouse reads the lake (at ``--as-of`` if given);
    ``need_built=False`` (query, sql) also opens a lake whose tables are not built,
    for its ``dataset`` tables.
    """
    from newsdesk.lake import LakeError
    from newsdesk.lake_commands import lake_config_for

    as_of = getattr(args, "as_of", None)
    try:
        lake = lake_config_for(args.warehouse)
    except LakeError as exc:
        raise _cli.CliError(str(exc)) from exc
    if lake is None and as_of is not None:
        raise _cli.CliUsageError("--as-of needs a lake (--warehouse LAKE.toml)")
    try:
        if lake is not None:
            con = open_lake_database(lake, as_of, need_built=need_built)
        else:
            con = open_database(Warehouse.at(args.warehouse))
    except AnalystError as exc:
        raise _cli.CliError(str(exc)) from exc
    try:
        yield con
    except AnalystError as exc:
        raise _cli.CliError(str(exc)) from exc
    finally:
        con.close()


def register(subparsers: Any) -> None:
    """Add ``query``, ``sql``, ``search``, ``export`` and ``report`` to ``newsdesk``'s parser.

    ``subparsers`` is what ``ArgumentParser.add_subparsers`` returned in
    ``newsdesk.cli.build_parser``. The command functions are also added to
    ``newsdesk.cli.COMMANDS`` (idempotent), so one ``register(sub)`` call wires them.
    """
    from newsdesk.analyst.export import EXPORT_FORMATS

    query = subparsers.add_parser(
        "query",
        help="run SQL on the DuckDB tables (read-only) and print the result",
        description="Run SQL against <warehouse>/newsdesk.duckdb, or a lake (--warehouse "
        "LAKE.toml; its datasets also as dataset.articles, ...), opened read-only. Tables: "
        "articles, article_tags, article_authors, tags, authors, sources, sections, "
        "daily_section_counts, crawl_log, crawl_runs, article_revisions; views and macros: "
        "see `newsdesk sql` then .tables, or the README.",
        epilog='example: newsdesk query "SELECT section, count(*) AS n FROM articles '
        'GROUP BY 1 ORDER BY n DESC" --format markdown',
    )
    query.add_argument("sql", metavar="SQL", help="the query ('-' reads it from stdin)")
    _add_output(query)
    _cli._add_warehouse(query)
    _add_as_of(query)

    shell = subparsers.add_parser(
        "sql",
        help="interactive SQL shell on the DuckDB tables (read-only)",
        description="An interactive SQL shell on <warehouse>/newsdesk.duckdb, read-only. End "
        "statements with ';'. .help lists the shell commands (.tables, .schema, .format). "
        "Reads a script when stdin is not a terminal: newsdesk sql < queries.sql",
    )
    _add_output(shell)
    _cli._add_warehouse(shell)
    _add_as_of(shell)

    search = subparsers.add_parser(
        "search",
        help="full-text search of titles, subtitles and bodies (BM25 ranking)",
        description="Search titles, subtitles and bodies with DuckDB's full-text index (English "
        "stemming and stop words; case and accents ignored), best matches first.",
        epilog='example: newsdesk search "ceasefire negotiations" --since 2025-07-01 '
        "--section politics --limit 10",
    )
    search.add_argument("query", metavar="WORDS", help="the words to look for")
    _add_filters(search)
    search.add_argument(
        "--limit", metavar="N", type=_cli._positive_int, default=20, help="at most N hits (20)"
    )
    _add_output(search)
    _cli._add_warehouse(search)
    _add_as_of(search)

    export = subparsers.add_parser(
        "export",
        help="export articles as a documented bundle (Frictionless Data Package)",
        description="Write the selected articles to a new folder: the data file, "
        "datapackage.json (every column's type, meaning, derivation and null rate), README.md "
        "and manifest.json (filters, row count, date range, crawls, checksums). Nothing is "
        "left behind if it fails; an existing PATH is only replaced with --force.",
        epilog="example: newsdesk export --out exports/gaza-july --format csv --since 2025-07-01 "
        "--until 2025-07-31 --tag Gaza --columns article_id,published_at,title,url",
    )
    export.add_argument("--out", metavar="PATH", required=True, help="the bundle folder to create")
    export.add_argument(
        "--format",
        choices=list(EXPORT_FORMATS),
        default="parquet",
        help="data file format (default parquet; lists become JSON text in csv and xlsx)",
    )
    _add_filters(export)
    export.add_argument("--search", metavar="Q", help="only articles matching these words")
    export.add_argument(
        "--columns",
        metavar="LIST",
        help="comma separated columns to export, in this order (default: all)",
    )
    export.add_argument("--force", action="store_true", help="replace PATH if it exists")
    export.add_argument(
        "--bom",
        action="store_true",
        help="csv only: start with a UTF-8 byte order mark, so Excel reads the text right",
    )
    export.add_argument(
        "--allow-empty",
        action="store_true",
        help="write the bundle even when no article matches (otherwise an error, exit 1)",
    )
    _cli._add_warehouse(export)
    _add_as_of(export)

    report = subparsers.add_parser(
        "report",
        help="write a self-contained HTML report with charts",
        description="Write one HTML file (no network needed to open it) with charts: articles "
        "per day by section, top tags over time, sources and authors, crawl health.",
        epilog="example: newsdesk report --out report.html --since 2025-07-01",
    )
    report.add_argument(
        "--out", metavar="FILE", default="report.html", help="where to write (report.html)"
    )
    _add_dates(report)
    _cli._add_warehouse(report)
    _add_as_of(report)

    _cli.COMMANDS.update(COMMANDS)


def cmd_query(args: argparse.Namespace) -> int:
    """``newsdesk query SQL``."""
    sql = sys.stdin.read() if args.sql == "-" else args.sql
    with _database(args, need_built=False) as con:
        with ctrl_c_cancels(con):
            result = run_query(con, sql)
        if result.columns and not result.rows:
            _no_matches("")
            if args.format == "table":
                return 0
        print(render(result, args.format, max_width=args.max_width))
    return 0


def cmd_sql(args: argparse.Namespace) -> int:
    """``newsdesk sql``: the interactive shell."""
    from newsdesk.analyst.shell import run_shell

    with _database(args, need_built=False) as con:
        banner = (
            f"newsdesk sql on {_source_label(args)} (read-only). End statements with ';'. "
            ".help for help, .quit to leave."
        )
        return run_shell(con, fmt=args.format, max_width=args.max_width, banner=banner)


def cmd_search(args: argparse.Namespace) -> int:
    """``newsdesk search WORDS``."""
    from newsdesk.analyst.search import render_search, search_articles
    from newsdesk.lake import LakeError
    from newsdesk.lake_commands import lake_config_for
    from newsdesk.search_sync import SearchSyncError, lake_cache_root, sync_all

    filters = _filters(args)
    try:
        lake = lake_config_for(args.warehouse)
    except LakeError as exc:
        raise _cli.CliError(str(exc)) from exc
    with _database(args) as con:
        _validate(filters, con)
        if lake is not None:
            # The lake's index is this machine's cache, derived from the lake's
            # articles: brought up to date (incrementally) before every search.
            root = lake_cache_root(lake)
            only = [filters.edition.strip().lower()] if filters.edition else None
            try:
                sync_all(con, root, only)
            except (SearchSyncError, duckdb.Error) as exc:
                raise _cli.CliError(f"cannot update the search cache {root}: {exc}") from exc
        else:
            root = Warehouse.at(args.warehouse).search
        with ctrl_c_cancels(con):
            result = search_articles(con, args.query, filters, limit=args.limit, index_root=root)
        if not result.rows:
            _no_matches(f": no article matches {args.query!r} with these filters")
            if args.format == "table":
                return 0
        print(render_search(result, args.format, max_width=args.max_width))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """``newsdesk export --out PATH``."""
    from newsdesk.analyst.export import ExportOptions, export_articles, parse_columns
    from newsdesk.analyst.search import count_articles

    filters = _filters(args, search=args.search)
    with _database(args) as con:
        _validate(filters, con)
        if not args.allow_empty and count_articles(con, filters) == 0:
            # Checked before anything is written: a 0-row bundle is almost
            # always a mistake, and a failed export leaves nothing behind.
            raise _cli.CliError(
                "no matches: no article matches these filters; nothing exported "
                "(--allow-empty writes an empty bundle)"
            )
        options = ExportOptions(
            out=Path(args.out),
            fmt=args.format,
            filters=filters,
            columns=parse_columns(args.columns),
            force=args.force,
            bom=args.bom,
        )
        with ctrl_c_cancels(con):
            result = export_articles(con, options)
    dates = result.manifest["date_range"]
    span = ""
    if result.rows:
        span = f", published {dates['published_from']} to {dates['published_to']}"
    print(f"exported {result.rows} articles to {result.path}{span}")
    print(f"  data: {result.data_file}")
    print(f"  dictionary: {result.path / 'datapackage.json'}, {result.path / 'README.md'}")
    print(f"  manifest: {result.path / 'manifest.json'}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """``newsdesk report``."""
    from newsdesk.analyst.report import write_report

    filters = _filters(args)
    out = Path(args.out)
    with _database(args) as con:
        data = write_report(con, out, filters, _source_label(args))
    print(f"wrote {out} ({data.articles} articles, {out.stat().st_size // 1024} KiB)")
    return 0


#: Command name -> function, for ``newsdesk.cli.main``'s dispatch.
COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "query": cmd_query,
    "sql": cmd_sql,
    "search": cmd_search,
    "export": cmd_export,
    "report": cmd_report,
}
