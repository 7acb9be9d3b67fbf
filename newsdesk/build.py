"""Build the DuckDB analytics tables from the Parquet datasets.

DuckDB allows one writer per database file, and a reader holding the file open
blocks a writer ("Could not set lock on file"). So the build never opens the
live file for writing: it builds a new file next to it, closes it, and renames
it over ``newsdesk.duckdb``. An analyst's open read-only connection keeps
reading the old file (its inode stays alive) and never sees a half-built
database; a build lock keeps builds one at a time.

The table SQL lives in the package, ``newsdesk/sql/*.sql`` (run in name order,
found with importlib.resources so an installed wheel has it too), and reads the
temporary views ``src_articles``, ``src_crawl_log``, ``src_article_revisions``
and ``src_crawl_runs`` that this module defines over the Parquet/JSON files.
After the SQL, every table, view and column gets a ``COMMENT ON`` from the
single column declaration (`newsdesk.columns`).

The full-text search comes after them, in two forms. ``newsdesk search`` uses
the tantivy indexes under ``<warehouse>/search/<code>/``, brought up to date
incrementally by `newsdesk.search_sync` (only new, edited and removed articles
are touched). The SQL search (``search_articles``/``search_scores`` macros, used
by ``--search`` filters and ``newsdesk serve``) is DuckDB's fts, from the
templates in ``newsdesk/sql/editions/``: one index per edition present in
``articles``, each with its edition's stemmer (`build_search`), rebuilt whole on
every build (``sql_search=False`` skips it: most of a large build's time).
"""

from __future__ import annotations

import fcntl
import os
import re
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from newsdesk import columns, duckdb_ext, editions
from newsdesk.search_sync import SearchSyncError, SyncResult, sync_all
from newsdesk.store import CRAWL_LOG_SCHEMA, REVISION_SCHEMA
from newsdesk.warehouse import Warehouse

if TYPE_CHECKING:
    from newsdesk.lake import LakeConfig


def _package_sql_dir() -> Path:
    """``newsdesk/sql`` inside the installed package (a source checkout or a wheel)."""
    return Path(str(resources.files("newsdesk") / "sql"))


SQL_DIR = _package_sql_dir()

# The keys of a run summary (``crawl_runs/<run_id>.json``, `newsdesk.crawl.CrawlSummary`)
# that the crawl_runs table reads, with their DuckDB types; times are cast in the SQL.
RUN_JSON_COLUMNS: dict[str, str] = {
    "run_id": "VARCHAR",
    "base_url": "VARCHAR",
    "started_at": "VARCHAR",
    "finished_at": "VARCHAR",
    "duration_s": "DOUBLE",
    "finish_reason": "VARCHAR",
    "pages_fetched": "BIGINT",
    "requests": "BIGINT",
    "articles_new": "BIGINT",
    "articles_updated": "BIGINT",
    "articles_unchanged": "BIGINT",
    "revisions": "BIGINT",
    "blocked": "BOOLEAN",
    "edition": "VARCHAR",  # absent before editions were recorded
    "drift": "VARCHAR[]",  # absent before the drift alarm
}
# Templates run per edition (not matched by the top-level ``*.sql`` glob).
EDITION_SQL_DIR = "editions"

# What may be spliced into the fts templates. Edition codes come from the data
# (the ``edition`` partition value), so they are checked before becoming part of a
# table name; stemmers are DuckDB fts's list, stop words its built-in lists.
_EDITION_CODE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
FTS_STEMMERS = frozenset(
    {
        *("arabic", "basque", "catalan", "danish", "dutch", "english", "finnish", "french"),
        *("german", "greek", "hindi", "hungarian", "indonesian", "irish", "italian"),
        *("lithuanian", "nepali", "norwegian", "porter", "portuguese", "romanian"),
        *("russian", "serbian", "spanish", "swedish", "tamil", "turkish", "none"),
    }
)
FTS_STOPWORDS = frozenset({"english", "none"})
# An edition in the data that no registered edition describes (a toy edition
# unregistered after its test, an archive from a newer version): indexed without
# stemming, with every letter a word character, rather than refusing to build.
_UNKNOWN_EDITION_FTS = ("none", "none", r"(\.|[^\p{L}])+")


class BuildError(RuntimeError):
    """The tables could not be built (no data yet, bad SQL, a damaged file)."""


class DamagedFile(NamedTuple):
    """A Parquet file that cannot be read, and what the reader said."""

    path: Path
    detail: str

    def message(self) -> str:
        """One line naming the file and what to do about it."""
        return (
            f"damaged file {self.path} ({self.detail}); "
            "run `newsdesk crawl` (or `newsdesk reparse`) to repair it"
        )


# What pyarrow raises on a truncated or corrupt file (ArrowInvalid, ArrowIOError,
# OSError for a torn footer, ...).
_PARQUET_ERRORS = (pa.ArrowException, OSError, ValueError)


def check_parquet_file(path: Path, *, full: bool = False) -> DamagedFile | None:
    """``None`` when ``path`` reads as Parquet, else what is wrong with it.

    The cheap check reads the footer (a truncated file has none) and the first
    column of the last row group (the bytes nearest the cut). ``full`` reads
    every column chunk: the only way to find a damaged chunk mid-file, used
    when a build has already failed, to name the culprit.
    """
    try:
        parquet = pq.ParquetFile(path)
        groups = parquet.metadata.num_row_groups
        if full:
            for group in range(groups):
                parquet.read_row_group(group)
        elif groups:
            parquet.read_row_group(groups - 1, columns=[parquet.schema_arrow.names[0]])
    except _PARQUET_ERRORS as exc:
        return DamagedFile(path, str(exc).splitlines()[0][:200] or type(exc).__name__)
    return None


def damaged_parquet_files(warehouse: Warehouse, *, full: bool = False) -> list[DamagedFile]:
    """The unreadable Parquet files of the datasets the build reads."""
    damaged = []
    for root in (warehouse.articles, warehouse.crawl_log, warehouse.revisions):
        if not root.exists():
            continue
        for path in sorted(root.rglob("*.parquet")):
            # Hidden files are a writer's temporaries, never read (the glob skips them too).
            if path.name.startswith("."):
                continue
            problem = check_parquet_file(path, full=full)
            if problem is not None:
                damaged.append(problem)
    return damaged


def _check_inputs(warehouse: Warehouse, *, full: bool) -> None:
    damaged = damaged_parquet_files(warehouse, full=full)
    if damaged:
        more = f" (and {len(damaged) - 1} more)" if len(damaged) > 1 else ""
        raise BuildError(damaged[0].message() + more)


@dataclass
class BuildResult:
    path: Path
    tables: dict[str, int] = field(default_factory=dict)
    duration_s: float = 0.0
    # What the tantivy search update did, one entry per edition.
    search: list[SyncResult] = field(default_factory=list)


def connect(
    path: str | os.PathLike[str] = ":memory:",
    *,
    read_only: bool = False,
    extensions: Sequence[str] = ("fts",),
) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection in UTC with ``extensions`` (fts by default) loaded by path.

    The extensions come from the pinned ``duckdb-extension-*`` packages and nothing is
    downloaded at run time (`newsdesk.duckdb_ext`).
    """
    con = duckdb_ext.connect(path, read_only=read_only, extensions=extensions)
    # Days and displays in UTC whatever the machine's time zone: every timestamp is UTC.
    con.execute("SET TimeZone = 'UTC'")
    return con


def sql_files(directory: Path = SQL_DIR) -> list[Path]:
    return sorted(p for p in directory.glob("*.sql") if p.is_file())


@contextmanager
def build_lock(warehouse: Warehouse) -> Iterator[None]:
    """One build at a time per warehouse (a second one waits)."""
    warehouse.root.mkdir(parents=True, exist_ok=True)
    with open(warehouse.root / ".build.lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _has_files(root: Path, pattern: str) -> bool:
    return root.exists() and any(root.rglob(pattern))


def _define_sources(
    con: duckdb.DuckDBPyConnection, warehouse: Warehouse, *, articles_optional: bool = False
) -> None:
    has_articles = _has_files(warehouse.articles, "*.parquet")
    if not has_articles and not articles_optional:
        raise BuildError(f"no articles under {warehouse.articles}; run `newsdesk crawl` first")
    if has_articles:
        con.execute("SET VARIABLE articles_glob = ?", [warehouse.articles_glob()])
        con.execute(
            "CREATE TEMP VIEW src_articles AS SELECT * FROM read_parquet("
            "getvariable('articles_glob'), hive_partitioning = true, union_by_name = true)"
        )
    else:
        # A crawl into a lake that found nothing new still has a log and a run to import.
        from newsdesk.store import ARTICLE_SCHEMA

        empty = ARTICLE_SCHEMA
        for name in ("edition", "year", "month"):
            if name not in empty.names:
                empty = empty.append(
                    pa.field(name, pa.string() if name == "edition" else pa.int32())
                )
        con.register("src_articles_empty", empty.empty_table())
        con.execute("CREATE TEMP VIEW src_articles AS SELECT * FROM src_articles_empty")
    _optional_parquet(con, "src_crawl_log", warehouse.crawl_log, CRAWL_LOG_SCHEMA)
    _optional_parquet(con, "src_article_revisions", warehouse.revisions, REVISION_SCHEMA)
    runs = warehouse.root / "crawl_runs"
    if _has_files(runs, "*.json"):
        # The keys are named, not inferred: a key that older summaries lack
        # (edition, drift) is then NULL in them instead of a missing column.
        con.execute("SET VARIABLE runs_glob = ?", [str(runs / "*.json")])
        spec = ", ".join(f"{name}: '{kind}'" for name, kind in RUN_JSON_COLUMNS.items())
        con.execute(
            "CREATE TEMP VIEW src_crawl_runs AS SELECT * FROM read_json("
            f"getvariable('runs_glob'), columns = {{{spec}}})"
        )
    else:
        nulls = ", ".join(f"NULL::{kind} AS {name}" for name, kind in RUN_JSON_COLUMNS.items())
        con.execute(f"CREATE TEMP VIEW src_crawl_runs AS SELECT {nulls} WHERE false")
    _define_edition_hosts(con)


def _define_edition_hosts(con: duckdb.DuckDBPyConnection) -> None:
    # Every registered edition's hosts: crawl_runs derives the edition of a run
    # summary written before it recorded one from its base URL's host.
    hosts = [(host, e.code) for e in editions.all_editions() for host in sorted(e.host_aliases)]
    con.register(
        "src_edition_hosts_data",
        pa.table({"host": [h for h, _ in hosts], "edition": [c for _, c in hosts]}),
    )
    con.execute("CREATE TEMP VIEW src_edition_hosts AS SELECT * FROM src_edition_hosts_data")


def _optional_parquet(
    con: duckdb.DuckDBPyConnection, name: str, root: Path, schema: pa.Schema
) -> None:
    if _has_files(root, "*.parquet"):
        con.execute(f"SET VARIABLE {name}_glob = ?", [str(root / "**" / "*.parquet")])
        con.execute(
            f"CREATE TEMP VIEW {name} AS SELECT * FROM read_parquet("
            f"getvariable('{name}_glob'), hive_partitioning = true, union_by_name = true)"
        )
    else:
        empty = schema.empty_table()
        con.register(f"{name}_empty", empty)
        con.execute(f"CREATE TEMP VIEW {name} AS SELECT * FROM {name}_empty")


def remove_build_leftovers(warehouse: Warehouse) -> list[Path]:
    """Delete the files of killed builds; call only while holding the build lock.

    The lock is exclusive, so its holder knows no other build is writing: any
    ``.newsdesk.duckdb.<uuid>.building`` (and its ``.wal``) is a leftover.
    """
    target = warehouse.duckdb_path
    removed = []
    for pattern in (f".{target.name}.*.building", f".{target.name}.*.building.wal"):
        for leftover in target.parent.glob(pattern):
            leftover.unlink(missing_ok=True)
            removed.append(leftover)
    return removed


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _build_into(
    tmp: Path,
    warehouse: Warehouse,
    sql_dir: Path,
    *,
    sql_search: bool = True,
    search: list[SyncResult] | None = None,
) -> dict[str, int]:
    """Run the table SQL into the new file ``tmp``; returns rows per table.

    Also brings the tantivy search indexes up to date from the new ``articles``
    (their results go into ``search``); ``sql_search`` builds DuckDB's fts too.
    """
    try:
        con = connect(tmp)
    except duckdb_ext.ExtensionMissing as exc:
        raise BuildError(str(exc)) from exc
    try:
        _define_sources(con, warehouse)
        scripts = sql_files(sql_dir)
        if not scripts:
            # Never "build" an empty database: a packaging mistake must be loud.
            raise BuildError(f"no table SQL (*.sql) in {sql_dir}: the installation is incomplete")
        for sql_path in scripts:
            try:
                con.execute(sql_path.read_text())
            except duckdb.Error as exc:
                _check_inputs(warehouse, full=True)
                raise BuildError(f"{sql_path.name}: {exc}") from exc
        if sql_search:
            try:
                build_search(con, sql_dir / EDITION_SQL_DIR)
            except duckdb.Error as exc:
                raise BuildError(f"full-text index: {_first_line(exc)}") from exc
        try:
            # Before the swap: a failed update fails the build and the old
            # database stays; the index may then be ahead, which only adds hits
            # that the old database's articles join drops.
            results = sync_all(con, warehouse.search)
        except (SearchSyncError, duckdb.Error) as exc:
            raise BuildError(f"search index: {_first_line(exc)}") from exc
        if search is not None:
            search.extend(results)
        _comment(con)
        tables = {
            name: int(con.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0])
            for (name,) in con.execute(
                "SELECT table_name FROM duckdb_tables() "
                "WHERE schema_name = 'main' AND NOT temporary ORDER BY table_name"
            ).fetchall()
            # The fts index's own tables, and the emptied per-edition text tables.
            if not name.startswith(("fts_", "articles_text_"))
        }
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return tables


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _comment(con: duckdb.DuckDBPyConnection, *, view_columns: bool = True) -> None:
    """``COMMENT ON`` every declared table, view and column: meanings where analysts look.

    Only the database in use (a lake connection also sees the lake's catalog database).
    ``view_columns=False`` skips the columns of views (DuckLake cannot comment on them).
    """
    kinds = {
        name: "TABLE"
        for (name,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' "
            "AND database_name = current_database() AND NOT temporary"
        ).fetchall()
    }
    kinds.update(
        (name, "VIEW")
        for (name,) in con.execute(
            "SELECT view_name FROM duckdb_views() WHERE schema_name = 'main' "
            "AND database_name = current_database() AND NOT temporary AND NOT internal"
        ).fetchall()
    )
    views = tuple(f'COMMENT ON COLUMN "{n}".' for n, kind in kinds.items() if kind == "VIEW")
    for statement in columns.comment_statements(kinds):
        if not view_columns and statement.startswith(views):
            continue
        con.execute(statement)
    for name in (n for n in kinds if n.startswith(columns.SEARCH_TEXT_PREFIX)):
        for (column,) in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'main' "
            "AND database_name = current_database() AND table_name = ?",
            [name],
        ).fetchall():
            meaning = f"The article's {column}, as indexed (articles.{column})."
            con.execute(f'COMMENT ON COLUMN "{name}"."{column}" IS {_sql_text(meaning)}')


@dataclass(frozen=True)
class SearchIndex:
    """The full-text index of one edition: its code and the fts settings it is built with."""

    code: str
    stemmer: str
    stopwords: str
    ignore: str

    @property
    def schema(self) -> str:
        """The fts schema DuckDB names after the indexed table."""
        return f"fts_main_articles_text_{self.code}"


def search_indexes(codes: Sequence[str]) -> list[SearchIndex]:
    """The index of each edition code, registry order first, settings from its spec.

    Raises `BuildError` for a code that cannot be a table name (it comes from the
    data) or a spec naming a stemmer or stop-word list DuckDB's fts lacks.
    """
    registered = {edition.code: edition for edition in editions.all_editions()}
    order = {code: i for i, code in enumerate(registered)}
    indexes = []
    for code in sorted(codes, key=lambda c: (order.get(c, len(order)), c)):
        if not _EDITION_CODE.match(code):
            raise BuildError(f"edition {code!r} in the articles is not a valid edition code")
        edition = registered.get(code)
        stemmer, stopwords, ignore = (
            (edition.fts_stemmer, edition.fts_stopwords, edition.fts_ignore)
            if edition is not None
            else _UNKNOWN_EDITION_FTS
        )
        if stemmer not in FTS_STEMMERS or stopwords not in FTS_STOPWORDS:
            raise BuildError(
                f"edition {code!r}: fts stemmer {stemmer!r} / stop words {stopwords!r} "
                "are not DuckDB fts settings"
            )
        indexes.append(SearchIndex(code, stemmer, stopwords, ignore))
    return indexes


def _has_sql(text: str) -> bool:
    """True if ``text`` holds more than comments and blank lines."""
    return any(line.strip() and not line.strip().startswith("--") for line in text.splitlines())


def _sql_literal(text: str) -> str:
    """``text`` as the inside of a single-quoted SQL string."""
    return text.replace("'", "''")


def build_search(con: duckdb.DuckDBPyConnection, template_dir: Path) -> list[SearchIndex]:
    """Index each edition present in ``articles`` with its stemmer; define the search macros.

    ``search_scores(words)`` is a UNION ALL of one branch per edition, over that
    edition's index only, so an article is scored by its own edition's stemmer and
    statistics; ``search_articles`` and ``search_articles_in`` build on it.
    """
    codes = [
        str(code)
        for (code,) in con.execute(
            "SELECT DISTINCT edition FROM articles WHERE edition IS NOT NULL"
        ).fetchall()
    ]
    indexes = search_indexes(codes)
    index_sql = (template_dir / "fts_index.sql").read_text()
    # One statement at a time: the fts PRAGMA expands into SQL when it is parsed, so
    # in one script (or extract_statements) it looks for the table before the CREATE
    # has run. The template is split before filling, on its own statement ends.
    statements = [part for part in re.split(r";[ \t]*\n", index_sql) if _has_sql(part)]
    for index in indexes:
        for statement in statements:
            con.execute(
                statement.format(
                    code=index.code,
                    stemmer=index.stemmer,
                    stopwords=index.stopwords,
                    ignore=_sql_literal(index.ignore),
                )
            )
    branches = "\n    UNION ALL\n".join(
        f"    SELECT '{index.code}' AS edition, {order} AS edition_order, "
        f"name AS article_id, {index.schema}.match_bm25(name, words) AS score "
        f"FROM {index.schema}.docs"
        for order, index in enumerate(indexes)
    )
    if not branches:  # no article has an edition: searches find nothing, but work
        branches = (
            "    SELECT NULL::VARCHAR AS edition, NULL::INTEGER AS edition_order, "
            "NULL::VARCHAR AS article_id, NULL::DOUBLE AS score WHERE false"
        )
    con.execute((template_dir / "search_macros.sql").read_text().format(branches=branches))
    return indexes


def finish_interrupted_commit(warehouse: Warehouse) -> None:
    """Roll forward a crawl's commit cut by a kill, when no writer is running.

    Until the next writer starts, such a warehouse may hold an article twice (its
    old and new partition); the build must not read it that way. A running
    writer has done this itself when it started.
    """
    from newsdesk.store import DamagedPartFile, WarehouseBusy, WriterLock, recover

    try:
        lock = WriterLock(warehouse).acquire()
    except (WarehouseBusy, OSError):
        return  # a writer runs (it recovered), or a read-only copy of a warehouse
    try:
        recover(warehouse.root)
        # A warehouse from before editions is migrated on first use, here too.
        from newsdesk.migrate import migrate_locked

        migrate_locked(warehouse)
    except (OSError, DamagedPartFile):
        pass  # read-only, or a damaged file that the input check names next
    finally:
        lock.release()


def build_database(
    warehouse: Warehouse, sql_dir: Path = SQL_DIR, *, sql_search: bool = True
) -> BuildResult:
    """Build every table into a new file and swap it in atomically.

    The tantivy search indexes are updated incrementally on the way;
    ``sql_search=False`` leaves out DuckDB's fts index and the SQL search macros.

    Raises ``BuildError`` (one line) when there is nothing to build, a table's
    SQL fails, or an input Parquet file is damaged (named, with what to do).
    """
    t0 = time.monotonic()
    target = warehouse.duckdb_path
    with build_lock(warehouse):
        remove_build_leftovers(warehouse)
        finish_interrupted_commit(warehouse)
        # Footers and the last row group only: a truncated file (the usual
        # damage of a torn copy or a full disk) fails here, before DuckDB.
        _check_inputs(warehouse, full=False)
        tmp = target.parent / f".{target.name}.{uuid.uuid4().hex}.building"
        search: list[SyncResult] = []
        try:
            try:
                tables = _build_into(tmp, warehouse, sql_dir, sql_search=sql_search, search=search)
            except duckdb.Error as exc:
                # A damaged chunk mid-file passes the cheap check; name the
                # file rather than echo DuckDB's page-level message.
                _check_inputs(warehouse, full=True)
                raise BuildError(f"cannot build {tmp}: {_first_line(exc)}") from exc
            with open(tmp, "rb") as handle:
                os.fsync(handle.fileno())
            os.replace(tmp, target)
        finally:
            for leftover in (tmp, Path(str(tmp) + ".wal")):
                leftover.unlink(missing_ok=True)
    return BuildResult(
        path=target, tables=tables, duration_s=round(time.monotonic() - t0, 3), search=search
    )


def build_lake(config: LakeConfig, sql_dir: Path = SQL_DIR) -> BuildResult:
    """Build the analytics tables of ``sql_dir`` as lake tables, in one lake transaction.

    The same ``newsdesk/sql/*.sql`` as the local build, reading the same ``src_*``
    temporary views, defined here over the lake's ``dataset`` tables
    (``newsdesk/sql/lake/sources.sql``); the tables land in the lake's ``main``
    schema under the same names, with the same comments. Readers see the previous
    tables until the commit (one snapshot), and a commit conflict with another
    build is retried. The full-text index is not built on a lake yet.
    Raises `BuildError` (one line).
    """
    from newsdesk.lake import LakeError, in_transaction, lake_sql, open_lake
    from newsdesk.lake import first_line as lake_first_line

    t0 = time.monotonic()
    try:
        con = open_lake(config)
    except LakeError as exc:
        raise BuildError(str(exc)) from exc
    try:
        present = {
            name
            for (name,) in con.execute(
                "SELECT table_name FROM duckdb_tables() "
                "WHERE database_name = 'lake' AND schema_name = 'dataset'"
            ).fetchall()
        }
        if "articles" not in present:
            raise BuildError(
                f"no articles in {config.describe()}; run `newsdesk lake import` first"
            )
        con.execute(lake_sql("sources.sql"))
        # Not in sources.sql: generated from the edition registry, as for a local build.
        _define_edition_hosts(con)
        scripts = sql_files(sql_dir)
        if not scripts:
            raise BuildError(f"no table SQL (*.sql) in {sql_dir}: the installation is incomplete")

        def build(c: duckdb.DuckDBPyConnection) -> None:
            c.execute("CALL ducklake_set_commit_message('lake', 'newsdesk', 'newsdesk build')")
            for sql_path in scripts:
                try:
                    c.execute(sql_path.read_text())
                except duckdb.Error as exc:
                    if is_conflict(exc):
                        raise
                    raise BuildError(f"{sql_path.name}: {lake_first_line(exc)}") from exc
            _comment(c, view_columns=False)

        from newsdesk.lake import is_conflict

        try:
            in_transaction(con, build)
        except duckdb.Error as exc:
            raise BuildError(f"cannot build {config.describe()}: {lake_first_line(exc)}") from exc
        tables = {
            name: int(con.execute(f'SELECT count(*) FROM lake.main."{name}"').fetchone()[0])
            for (name,) in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE database_name = 'lake' "
                "AND schema_name = 'main' ORDER BY table_name"
            ).fetchall()
        }
    finally:
        con.close()
    return BuildResult(
        path=Path(config.source or "lake"),
        tables=tables,
        duration_s=round(time.monotonic() - t0, 3),
    )
