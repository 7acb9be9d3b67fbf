"""The asset graph: crawls into the Parquet dataset, then the DuckDB tables built from it.

* ``parquet/articles_by_month`` (monthly partitions): crawls one publication
  month from its sitemap file.
* ``parquet/articles_latest``: crawls what is new from the section listings.

Both run the Scrapy crawl in a subprocess through Dagster Pipes (one reactor
per process) and write the same Parquet dataset, where the store replaces rows
by article_id, so re-running either is idempotent.

* ``duckdb/<table>``: one asset per table in ``newsdesk/sql/*.sql``, all built
  by one call to `newsdesk.build.build_database` (into a new file that is
  swapped in atomically), one DuckDB writer at a time (the ``newsdesk_duckdb``
  pool).
"""

# No `from __future__ import annotations`: Dagster reads the config and resource
# parameters' annotations at decoration time and needs the real classes.

import re
import shlex
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
from pydantic import Field, create_model

from dagster_project.partitions import (
    edition_month_partitions,
    edition_partitions,
    split_edition_month,
)
from dagster_project.resources import NewsdeskResource
from newsdesk import columns as declared_columns
from newsdesk.build import (
    SQL_DIR,
    BuildError,
    BuildResult,
    build_database,
    build_lake,
    connect,
    sql_files,
)
from newsdesk.crawloptions import dagster_config_fields
from newsdesk.lake import LakeError, open_lake

# The DuckDB build's concurrency pool (limits live in the instance:
# dagster_project/dagster.yaml sets every pool to 1): one writer per database file.
# Crawls have no pool: each edition's writer lock admits one crawl of it at a
# time, and the run queue admits one run per `newsdesk/edition` tag (jobs.py),
# so the three editions crawl side by side.
DUCKDB_POOL = "newsdesk_duckdb"

CRAWL_GROUP = "crawl"
DUCKDB_GROUP = "duckdb"

ARTICLES_BY_MONTH = dg.AssetKey(["parquet", "articles_by_month"])
ARTICLES_LATEST = dg.AssetKey(["parquet", "articles_latest"])
CRAWL_KEYS = (ARTICLES_BY_MONTH, ARTICLES_LATEST)


def table_key(name: str) -> dg.AssetKey:
    """The asset key of a DuckDB table."""
    return dg.AssetKey(["duckdb", name])


# -- crawl assets -------------------------------------------------------------


# The run config of each crawl asset derives from the declared crawl options
# (newsdesk/crawloptions.py, surfaces "month" and "latest"): the launchpad shows
# the same options, defaults and help as `newsdesk crawl --help`. The edition and
# the month come from the partition; the site, warehouse and log level from the
# newsdesk resource.
MonthCrawlConfig = create_model(
    "MonthCrawlConfig",
    __base__=dg.Config,
    __doc__="Options of one edition's monthly crawl.",
    **dagster_config_fields("month"),
)
LatestCrawlConfig = create_model(
    "LatestCrawlConfig",
    __base__=dg.Config,
    __doc__="Options of one edition's crawl of what is new.",
    lookback_days=(
        int,
        Field(
            default=2,
            description="Crawl articles published from this many days ago on (unless since "
            "is given)",
        ),
    ),
    **dagster_config_fields("latest"),
)


def _run_crawl(
    context: dg.AssetExecutionContext,
    client: dg.PipesSubprocessClient,
    newsdesk: NewsdeskResource,
    **crawl: Any,
) -> dg.MaterializeResult:
    try:
        command = newsdesk.crawl_command(**crawl)
    except (KeyError, ValueError) as exc:
        raise dg.Failure(description=str(exc.args[0] if exc.args else exc)) from exc
    context.log.info(f"crawl subprocess: {shlex.join(command)}")
    return client.run(command=command, context=context).get_materialize_result()


def _config_options(config: dg.Config, surface: str) -> dict[str, Any]:
    return {name: getattr(config, name) for name in dagster_config_fields(surface)}


@dg.asset(
    key=ARTICLES_BY_MONTH,
    partitions_def=edition_month_partitions,
    group_name=CRAWL_GROUP,
    kinds={"scrapy", "parquet"},
    description="Articles of one edition's publication month (Beirut time, as the site files "
    "them), crawled from that month's sitemap file into the Parquet dataset "
    "(<warehouse>/articles/edition=<code>/...). Partitioned by edition x month. Re-running a "
    "partition replaces its articles' rows, never duplicates them; by default it fetches only "
    "what the sitemap says is new or changed (config full=true fetches all). Metadata: the "
    "crawl summary.",
)
def articles_by_month(
    context: dg.AssetExecutionContext,
    config: MonthCrawlConfig,
    newsdesk: NewsdeskResource,
    pipes_subprocess_client: dg.PipesSubprocessClient,
) -> dg.MaterializeResult:
    """Crawl one edition's publication month (``<edition>|YYYY-MM``) in a Pipes subprocess.

    A backfill launches one run per partition (Dagster's default backfill policy), so
    every edition-month is its own crawl and its own materialization with that
    crawl's summary.
    """
    edition, month = split_edition_month(context.partition_key)
    return _run_crawl(
        context,
        pipes_subprocess_client,
        newsdesk,
        edition=edition,
        month=month,
        **_config_options(config, "month"),
    )


@dg.asset(
    key=ARTICLES_LATEST,
    partitions_def=edition_partitions,
    group_name=CRAWL_GROUP,
    kinds={"scrapy", "parquet"},
    description="What is new on one edition: its section listings followed back to a couple "
    "of days ago (and its sitemaps for edits), crawled into the same Parquet dataset as "
    "articles_by_month (rows replaced by article_id). Partitioned by edition. Metadata: the "
    "crawl summary.",
)
def articles_latest(
    context: dg.AssetExecutionContext,
    config: LatestCrawlConfig,
    newsdesk: NewsdeskResource,
    pipes_subprocess_client: dg.PipesSubprocessClient,
) -> dg.MaterializeResult:
    """Crawl one edition's recently published articles in a Pipes subprocess."""
    options = _config_options(config, "latest")
    if options.get("since") is None:
        start = datetime.now(UTC) - timedelta(days=config.lookback_days)
        options["since"] = start.date().isoformat()
    return _run_crawl(
        context, pipes_subprocess_client, newsdesk, edition=context.partition_key, **options
    )


# -- DuckDB tables --------------------------------------------------------------

# Tables in the main schema only: `fts_main_articles_text_<code>.terms` belong to fts.
_TABLE = re.compile(r"\bCREATE\s+(?:OR\s+REPLACE\s+)?TABLE\s+(\w+)\b(?!\.)", re.IGNORECASE)
_READS = re.compile(r"\b(?:FROM|JOIN)\s+(\w+)", re.IGNORECASE)
_COMMENT = re.compile(r"--[^\n]*")


@dataclass(frozen=True)
class TableDef:
    """A table as declared by one ``newsdesk/sql`` file."""

    name: str
    sql_file: Path
    description: str
    reads: tuple[str, ...]


def table_definitions(sql_dir: Path = SQL_DIR) -> list[TableDef]:
    """The tables the build creates, read from the SQL files (so a new file is a new asset).

    ``reads`` are the relations named after FROM/JOIN: other tables, or the
    ``src_*`` views over the Parquet datasets (which come from the crawls).
    """
    tables: list[TableDef] = []
    for path in sql_files(sql_dir):
        text = path.read_text()
        code = _COMMENT.sub("", text)
        match = _TABLE.search(code)
        if match is None:
            continue  # e.g. the fts index: part of the articles table's build, not a table
        leading = []
        for line in text.splitlines():
            if not line.startswith("--"):
                break
            leading.append(line.removeprefix("--").strip())
        description = " ".join(leading) or f"The {match.group(1)} table."
        reads = tuple(dict.fromkeys(r for r in _READS.findall(code) if r != match.group(1)))
        tables.append(TableDef(match.group(1), path, description, reads))
    return tables


def _spec_metadata(table: TableDef) -> dict[str, Any]:
    metadata: dict[str, Any] = {"sql_file": table.sql_file.name}
    declared = declared_columns.TABLES.get(table.name)
    if declared is not None:
        # The declared columns show in the UI before the first materialization.
        metadata["dagster/column_schema"] = dg.TableSchema(
            columns=[
                dg.TableColumn(c.name, _declared_type(c), description=c.meaning)
                for c in declared.columns
            ]
        )
    return metadata


def _declared_type(column: declared_columns.Column) -> str:
    return str(column.arrow) if column.arrow is not None else "computed"


def table_specs(tables: Sequence[TableDef]) -> list[dg.AssetSpec]:
    """One AssetSpec per table, with its lineage (other tables, or the crawl assets)."""
    names = {t.name for t in tables}
    specs = []
    for table in tables:
        deps: list[dg.AssetKey] = []
        for read in table.reads:
            if read in names:
                deps.append(table_key(read))
            elif read.startswith("src_"):
                deps.extend(k for k in CRAWL_KEYS if k not in deps)
        specs.append(
            dg.AssetSpec(
                key=table_key(table.name),
                deps=deps,
                group_name=DUCKDB_GROUP,
                kinds={"duckdb"},
                description=f"{table.description} (SQL: newsdesk/sql/{table.sql_file.name})",
                metadata=_spec_metadata(table),
            )
        )
    return specs


TABLES = table_definitions()


@dg.multi_asset(
    name="duckdb_tables",
    specs=table_specs(TABLES),
    # One build makes every table (a new file swapped in atomically): all or nothing.
    can_subset=False,
    pool=DUCKDB_POOL,
    description="Build <warehouse>/newsdesk.duckdb from the Parquet datasets: every table into a "
    "new file, swapped in atomically, so open read-only connections are never blocked and never "
    "see a half-built database. Same code path as `newsdesk build`.",
)
def duckdb_tables(
    context: dg.AssetExecutionContext, newsdesk: NewsdeskResource
) -> Iterator[dg.MaterializeResult]:
    """Build all tables with one `build_database` (or `build_lake`) call; report each table.

    On a lake the row counts and metadata are read from the lake's new snapshot.
    """
    try:
        lake = newsdesk.lake_config()
        result = build_lake(lake) if lake is not None else build_database(newsdesk.warehouse)
    except (BuildError, LakeError) as exc:
        raise dg.Failure(description=str(exc)) from exc
    context.log.info(f"built {result.path} in {result.duration_s:.1f} s")
    for sync in result.search:  # the tantivy search, updated incrementally by the build
        context.log.info(
            f"search {sync.edition}: {'rebuilt' if sync.rebuilt else 'updated'}, "
            f"{sync.upserted} indexed, {sync.deleted} removed in {sync.duration_s:.2f} s"
        )
    missing = [t.name for t in TABLES if t.name not in result.tables]
    if missing:
        raise dg.Failure(description=f"the build did not create: {', '.join(missing)}")
    con = (
        open_lake(lake, read_only=True, extensions=("fts",))
        if lake is not None
        else connect(result.path, read_only=True)
    )
    try:
        for table in TABLES:
            yield dg.MaterializeResult(
                asset_key=table_key(table.name), metadata=table_metadata(con, table.name, result)
            )
    finally:
        con.close()


# -- metadata ----------------------------------------------------------------------

PREVIEW_ROWS = 10
PER_DAY_DAYS = 31

MetadataFn = Callable[[duckdb.DuckDBPyConnection], dict[str, Any]]


def column_descriptions(name: str) -> dict[str, str]:
    """column -> meaning of a built table, from the single declaration (`newsdesk.columns`)."""
    declared = declared_columns.TABLES.get(name)
    return {c.name: c.meaning for c in declared.columns} if declared is not None else {}


def table_metadata(
    con: duckdb.DuckDBPyConnection, name: str, result: BuildResult
) -> dict[str, Any]:
    """What a person wants to see about a freshly built table in the UI."""
    table_columns = con.execute(
        "SELECT column_name, data_type FROM duckdb_columns() "
        "WHERE schema_name = 'main' AND table_name = ? ORDER BY column_index",
        [name],
    ).fetchall()
    meanings = column_descriptions(name)
    metadata: dict[str, Any] = {
        # Dagster's standard keys: the UI shows them as the row count and the columns.
        "dagster/row_count": dg.MetadataValue.int(result.tables[name]),
        "dagster/column_schema": dg.MetadataValue.table_schema(
            dg.TableSchema(
                columns=[
                    dg.TableColumn(column, str(dtype), description=meanings.get(column))
                    for column, dtype in table_columns
                ]
            )
        ),
        "dagster/table_name": dg.MetadataValue.text(f"newsdesk.main.{name}"),
        # On a lake, the path of its toml (the tables are in the lake's ``main`` schema).
        "duckdb_path": dg.MetadataValue.path(str(result.path)),
        "build_duration_s": dg.MetadataValue.float(float(result.duration_s)),
    }
    extra = _EXTRA_METADATA.get(name)
    if extra is not None:
        metadata.update(extra(con))
    return metadata


def markdown_table(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A Markdown table (cells with ``|`` or newlines escaped)."""

    def cell(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, datetime):
            value = value.astimezone(UTC).strftime("%Y-%m-%d %H:%M")
        return str(value).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def _md(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> dg.MetadataValue:
    cursor = con.execute(sql, list(params))
    columns = [d[0] for d in cursor.description or []]
    return dg.MetadataValue.md(markdown_table(columns, cursor.fetchall()))


def articles_metadata(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """The newest articles and articles per day."""
    newest, days = con.execute(
        "SELECT max(published_at), count(DISTINCT published_date) FROM articles"
    ).fetchone()
    return {
        "newest_published_at": dg.MetadataValue.text(
            newest.astimezone(UTC).isoformat() if newest else "none"
        ),
        "days_with_articles": dg.MetadataValue.int(int(days or 0)),
        "newest_articles": _md(
            con,
            'SELECT published_at AS "published (UTC)", section, title, url FROM articles '
            "ORDER BY published_at DESC, article_id LIMIT ?",
            [PREVIEW_ROWS],
        ),
        "articles_per_day": _md(
            con,
            "SELECT published_date AS day, count(*) AS total, "
            "count(*) FILTER (WHERE section_group = 'news') AS news, "
            "count(*) FILTER (WHERE section_group = 'articles') AS articles, "
            "count(*) FILTER (WHERE section_group = 'videos') AS videos "
            "FROM articles WHERE published_date > "
            "(SELECT max(published_date) FROM articles) - CAST(? AS INTEGER) "
            "GROUP BY day ORDER BY day DESC",
            [PER_DAY_DAYS],
        ),
        "articles_per_section": _md(
            con,
            "SELECT section_group, section, articles, first_seen, last_seen FROM sections "
            "ORDER BY articles DESC, section",
        )
        if _has_table(con, "sections")
        else dg.MetadataValue.text("n/a"),
    }


def _has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    row = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'main' AND table_name = ?",
        [name],
    ).fetchone()
    return bool(row and row[0])


def _top(column: str, table: str) -> MetadataFn:
    """Metadata with a table's top rows by article count."""

    def extra(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
        return {
            f"top_{table}": _md(
                con,
                f'SELECT "{column}", articles, first_seen, last_seen FROM "{table}" '
                f'ORDER BY articles DESC, "{column}" LIMIT ?',
                [PREVIEW_ROWS],
            )
        }

    return extra


def daily_counts_metadata(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Articles per day (last days with articles) by section group."""
    return {
        "articles_per_day": _md(
            con,
            "SELECT day, sum(articles) AS total, "
            "coalesce(sum(articles) FILTER (WHERE section_group = 'news'), 0) AS news, "
            "coalesce(sum(articles) FILTER (WHERE section_group = 'articles'), 0) AS articles, "
            "coalesce(sum(articles) FILTER (WHERE section_group = 'videos'), 0) AS videos "
            "FROM daily_section_counts WHERE day > "
            "(SELECT max(day) FROM daily_section_counts) - CAST(? AS INTEGER) "
            "GROUP BY day ORDER BY day DESC",
            [PER_DAY_DAYS],
        )
    }


def crawl_runs_metadata(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """The most recent crawl runs."""
    return {
        "latest_runs": _md(
            con,
            "SELECT run_id, started_at, duration_s, pages_fetched, articles_new, "
            "articles_updated, articles_unchanged, blocked FROM crawl_runs "
            "ORDER BY started_at DESC LIMIT ?",
            [PREVIEW_ROWS],
        )
    }


def crawl_log_metadata(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Outcomes of the latest crawl run's URLs, failures by reason."""
    return {
        "latest_run_outcomes": _md(
            con,
            "SELECT outcome, coalesce(reason, '') AS reason, count(*) AS urls FROM crawl_log "
            "WHERE run_id = (SELECT run_id FROM crawl_log ORDER BY fetched_at DESC LIMIT 1) "
            "GROUP BY ALL ORDER BY urls DESC, outcome, reason",
        )
    }


_EXTRA_METADATA: dict[str, MetadataFn] = {
    "articles": articles_metadata,
    "daily_section_counts": daily_counts_metadata,
    "tags": _top("tag", "tags"),
    "authors": _top("author", "authors"),
    "sources": _top("source", "sources"),
    "crawl_runs": crawl_runs_metadata,
    "crawl_log": crawl_log_metadata,
}
