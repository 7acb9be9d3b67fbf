"""The shared lake: the warehouse's tables in DuckLake, a SQL catalog plus Parquet files.

A warehouse is either a local folder (`newsdesk.warehouse`) or a lake, described by a
``.toml`` file given to ``--warehouse`` / ``NEWSDESK_WAREHOUSE``::

    [lake]
    catalog = "postgresql://user@host:5432/dbname"   # the DuckLake catalog
    data = "s3://bucket/prefix/"                     # the data files (and raw/ archive)
    snapshot_retention = "30 days"                   # optional: how long --as-of reaches back
    metadata_schema = "ducklake"                     # optional: the catalog's Postgres schema
    work = "/var/cache/newsdesk/this-lake"           # optional: this machine's crawl folder

On one machine, or in tests without servers, the catalog may be a file instead: a
SQLite file (``*.sqlite``, ``*.sqlite3``, ``*.db``; several processes at once) or a
DuckDB file (``*.ducklake``, ``*.duckdb``; one process at a time), and ``data`` a
folder; relative paths are relative to the toml's folder.

``newsdesk crawl`` into a lake writes to a local working warehouse first
(`newsdesk.lake_crawl`): ``work`` when given, else
``$XDG_CACHE_HOME/newsdesk/lakes/<hash of catalog and data>/``, one folder per edition.

S3 settings come from the standard environment variables (``AWS_ENDPOINT_URL``,
``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``, ``AWS_REGION``), the catalog password
from the URI or libpq's ``PGPASSWORD`` / ``.pgpass``: no secret is ever in the toml
unless its author puts it in the URI.

Layout inside the lake: the datasets the crawler writes are tables of the schema
``dataset`` (``articles`` partitioned by edition, year and month, ``crawl_log``,
``article_revisions``, ``crawl_runs``, ``crawl_state``), their schemas derived from
`newsdesk.columns`; ``newsdesk build`` makes the analytics tables of
``newsdesk/sql/*.sql`` in the schema ``main``, the same names as in ``newsdesk.duckdb``.
Every connection goes through `newsdesk.duckdb_ext` (extensions loaded by path).
"""

from __future__ import annotations

import os
import re
import time
import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import duckdb
import pyarrow as pa

from newsdesk import columns, duckdb_ext
from newsdesk.failpoints import failpoint

#: The name the lake is attached under in every connection.
LAKE = "lake"
#: The schema of the crawler's datasets (the analytics tables live in ``main``).
DATASET_SCHEMA = "dataset"
DEFAULT_RETENTION = "30 days"

_SQLITE_SUFFIXES = (".sqlite", ".sqlite3", ".db")
_DUCKDB_SUFFIXES = (".ducklake", ".duckdb")
_RETENTION = re.compile(r"^\s*\d+\s+(second|minute|hour|day|week|month|year)s?\s*$", re.I)
_KNOWN_KEYS = {"catalog", "data", "snapshot_retention", "metadata_schema", "work"}

T = TypeVar("T")


class LakeError(RuntimeError):
    """The lake cannot be used: a bad toml, wrong credentials, an unreachable server (one line)."""


def lake_sql_dir() -> Path:
    """``newsdesk/sql/lake`` inside the installed package (not run by ``newsdesk build``'s glob)."""
    return Path(str(resources.files("newsdesk") / "sql" / "lake"))


def lake_sql(name: str) -> str:
    """The text of one of the lake's SQL files."""
    return (lake_sql_dir() / name).read_text(encoding="utf-8")


def is_lake_path(value: str | os.PathLike[str] | None) -> bool:
    """True when a ``--warehouse`` value names a lake (a ``.toml`` file), not a folder."""
    return value is not None and str(value).lower().endswith(".toml")


def first_line(exc: BaseException) -> str:
    """One line of an error message (DuckDB adds context lines and caret diagrams).

    The first line, and when DuckLake's commit fails with only a generic first line,
    the catalog server's own reason (``ERROR: permission denied ...``) after it.
    """
    text = str(exc).strip()
    if not text:
        return type(exc).__name__
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    head = lines[0]
    reasons = [line for line in lines[1:] if "ERROR:" in line]
    if reasons and "ERROR:" not in head:
        head = f"{head} ({reasons[0][reasons[0].index('ERROR:') :]})"
    return head


def redact(uri: str) -> str:
    """A catalog URI without its password, for messages."""
    if "://" not in uri:
        return re.sub(r"(password\s*=\s*)\S+", r"\1***", uri)
    parts = urlsplit(uri)
    if parts.password is None:
        return uri
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urlunsplit(parts._replace(netloc=netloc))


@dataclass(frozen=True)
class LakeConfig:
    """Where a lake's catalog and data files are, read from its toml (`load_config`)."""

    catalog: str
    data: str
    snapshot_retention: str = DEFAULT_RETENTION
    metadata_schema: str | None = None
    source: Path | None = None
    #: The local folder crawls into this lake write to first (None: the cache default).
    work: str | None = None

    @property
    def catalog_kind(self) -> str:
        """``postgres``, ``sqlite`` or ``duckdb``."""
        lowered = self.catalog.lower()
        if lowered.startswith(("postgres://", "postgresql://")) or "dbname=" in lowered:
            return "postgres"
        if lowered.endswith(_SQLITE_SUFFIXES):
            return "sqlite"
        return "duckdb"

    @property
    def on_s3(self) -> bool:
        """True when the data files live in an S3 bucket."""
        return self.data.startswith("s3://")

    @property
    def data_path(self) -> str:
        """The data location, always ending with ``/`` (DuckLake appends file names)."""
        return self.data if self.data.endswith("/") else self.data + "/"

    def attach_target(self) -> str:
        """The string after ``ATTACH``: ``ducklake:<kind>:<catalog>``."""
        if self.catalog_kind == "postgres":
            return f"ducklake:postgres:{_with_connect_timeout(self.catalog)}"
        if self.catalog_kind == "sqlite":
            return f"ducklake:sqlite:{self.catalog}"
        return f"ducklake:{self.catalog}"

    def describe(self) -> str:
        """The lake in one phrase, password removed, for messages."""
        return f"lake {redact(self.catalog)} (data {self.data_path})"


#: Seconds libpq waits for the catalog server (its default is forever): a host that
#: drops packets gives the one-line error instead of a hang.
CONNECT_TIMEOUT_S = 15


def _with_connect_timeout(catalog: str) -> str:
    """The catalog's libpq string with ``connect_timeout`` unless it sets one."""
    if "connect_timeout" in catalog:
        return catalog
    if "://" in catalog:
        joiner = "&" if urlsplit(catalog).query else "?"
        return f"{catalog}{joiner}connect_timeout={CONNECT_TIMEOUT_S}"
    return f"{catalog} connect_timeout={CONNECT_TIMEOUT_S}"


def _resolve_local(value: str, base: Path) -> str:
    path = Path(value).expanduser()
    return str(path if path.is_absolute() else (base / path).resolve())


def load_config(path: str | os.PathLike[str]) -> LakeConfig:
    """Read and check a lake's toml; raises `LakeError` with one readable line."""
    source = Path(path)
    try:
        data = tomllib.loads(source.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise LakeError(f"no lake description at {source}") from None
    except OSError as exc:
        raise LakeError(f"cannot read {source}: {exc.strerror or exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise LakeError(f"{source} is not valid TOML: {first_line(exc)}") from None
    lake = data.get("lake")
    if not isinstance(lake, dict):
        raise LakeError(f"{source} has no [lake] table (with catalog = ... and data = ...)")
    unknown = sorted(set(lake) - _KNOWN_KEYS)
    if unknown:
        raise LakeError(
            f"{source}: unknown key {unknown[0]!r} in [lake] "
            f"(known: {', '.join(sorted(_KNOWN_KEYS))})"
        )
    values: dict[str, str] = {}
    for key in _KNOWN_KEYS:
        if key in lake:
            if not isinstance(lake[key], str) or not lake[key].strip():
                raise LakeError(f"{source}: [lake] {key} must be a non-empty string")
            values[key] = lake[key].strip()
    for key in ("catalog", "data"):
        if key not in values:
            raise LakeError(f'{source}: [lake] needs {key} = "..."')
    retention = values.get("snapshot_retention", DEFAULT_RETENTION)
    if not _RETENTION.match(retention):
        raise LakeError(
            f"{source}: snapshot_retention {retention!r} is not a period such as '30 days'"
        )
    schema = values.get("metadata_schema")
    if schema is not None and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,62}", schema):
        raise LakeError(f"{source}: metadata_schema {schema!r} is not a plain schema name")
    base = source.resolve().parent
    config = LakeConfig(
        catalog=values["catalog"],
        data=values["data"],
        snapshot_retention=retention,
        metadata_schema=schema,
        source=source,
        work=_resolve_local(values["work"], base) if "work" in values else None,
    )
    if config.catalog_kind != "postgres":
        config = _replace(config, catalog=_resolve_local(config.catalog, base))
    if "://" in config.data and not config.on_s3:
        raise LakeError(f"{source}: data {config.data!r}: only s3:// or a local folder")
    if not config.on_s3:
        config = _replace(config, data=_resolve_local(config.data, base) + "/")
    return config


def _replace(config: LakeConfig, **changes: Any) -> LakeConfig:
    from dataclasses import replace

    return replace(config, **changes)


# -- S3 ------------------------------------------------------------------------------


@dataclass(frozen=True)
class S3Settings:
    """The S3 settings from the standard ``AWS_*`` environment variables."""

    endpoint_url: str | None
    key_id: str | None
    secret: str | None
    region: str

    @classmethod
    def from_env(cls) -> S3Settings:
        """The settings from ``AWS_ENDPOINT_URL``, ``AWS_ACCESS_KEY_ID``, ... ``AWS_REGION``."""
        env = os.environ
        return cls(
            endpoint_url=env.get("AWS_ENDPOINT_URL_S3") or env.get("AWS_ENDPOINT_URL") or None,
            key_id=env.get("AWS_ACCESS_KEY_ID") or None,
            secret=env.get("AWS_SECRET_ACCESS_KEY") or None,
            region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1",
        )

    def secret_sql(self) -> str:
        """``CREATE SECRET`` for DuckDB's httpfs: endpoint without scheme, path-style URLs.

        A custom endpoint (SeaweedFS, MinIO) takes path-style addressing, and its
        scheme decides ``USE_SSL``; without one, AWS's own endpoints and defaults.
        """
        options = ["TYPE s3", f"REGION {_literal(self.region)}"]
        if self.key_id:
            options.append(f"KEY_ID {_literal(self.key_id)}")
        if self.secret:
            options.append(f"SECRET {_literal(self.secret)}")
        if self.endpoint_url:
            parts = urlsplit(self.endpoint_url)
            host = parts.netloc or parts.path
            options.append(f"ENDPOINT {_literal(host)}")
            options.append("URL_STYLE 'path'")
            options.append(f"USE_SSL {'false' if parts.scheme == 'http' else 'true'}")
        return f"CREATE OR REPLACE TEMPORARY SECRET newsdesk_lake_s3 ({', '.join(options)})"

    def client(self) -> Any:
        """A boto3 S3 client with these settings (path-style for a custom endpoint)."""
        import boto3
        from botocore.config import Config

        style = {"addressing_style": "path"} if self.endpoint_url else {}
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            aws_access_key_id=self.key_id,
            aws_secret_access_key=self.secret,
            region_name=self.region,
            config=Config(s3=style, retries={"max_attempts": 3}, connect_timeout=10),
        )


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def split_s3(url: str) -> tuple[str, str]:
    """``s3://bucket/prefix/`` -> (bucket, ``prefix/``)."""
    rest = url.removeprefix("s3://")
    bucket, _, prefix = rest.partition("/")
    return bucket, prefix


def check_bucket(config: LakeConfig, settings: S3Settings | None = None) -> None:
    """Fail early, with one line, when the data bucket is missing or the key is refused."""
    from botocore.exceptions import BotoCoreError, ClientError

    settings = settings or S3Settings.from_env()
    bucket, _prefix = split_s3(config.data_path)
    try:
        settings.client().head_bucket(Bucket=bucket)
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", ""))
        if code in ("404", "NoSuchBucket"):
            raise LakeError(f"no bucket {bucket!r} at {settings.endpoint_url or 'AWS'}") from None
        if code in ("403", "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch"):
            raise LakeError(
                f"S3 refused the key for bucket {bucket!r} ({code}): "
                "check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY"
            ) from None
        raise LakeError(f"S3 bucket {bucket!r}: {first_line(exc)}") from None
    except BotoCoreError as exc:
        raise LakeError(
            f"cannot reach S3 at {settings.endpoint_url or 'AWS'}: {first_line(exc)}"
        ) from None


# -- connections -----------------------------------------------------------------------


def _as_of_option(as_of: str | int | None) -> str:
    if as_of is None:
        return ""
    text = str(as_of).strip()
    if text.isdigit():
        return f", SNAPSHOT_VERSION {int(text)}"
    from datetime import datetime

    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise LakeError(
            f"--as-of {text!r} is neither a snapshot id nor an ISO time (2026-12-01T10:00Z)"
        ) from None
    if when.tzinfo is None:
        from datetime import UTC

        when = when.replace(tzinfo=UTC)
    return f", SNAPSHOT_TIME {_literal(when.isoformat())}"


def _explain_attach_error(config: LakeConfig, exc: BaseException) -> str:
    """One line for a failed ATTACH, naming the cause in the user's terms."""
    text = first_line(exc)
    where = redact(config.catalog)
    if "password authentication failed" in text or "no password supplied" in text:
        return f"the catalog {where} refused the login: {text.split(': ')[-1].strip()}"
    if "Connection refused" in text or "could not connect" in text or "timeout" in text.lower():
        return f"cannot reach the catalog {where}: connection refused or timed out"
    if "does not exist" in text and config.catalog_kind == "postgres":
        return f"the catalog {where}: {text.split(': ')[-1]}"
    return f"cannot open the catalog {where}: {redact(text)}"


def _initialising_race(exc: BaseException) -> bool:
    """True when another process was creating the same new catalog at the same moment."""
    text = str(exc)
    return "Failed to initialize DuckLake" in text and (
        "duplicate key" in text or "already exists" in text
    )


def _attach(con: duckdb.DuckDBPyConnection, config: LakeConfig, options: str) -> None:
    statement = f"ATTACH {_literal(config.attach_target())} AS {LAKE} ({options})"
    for attempt in range(1, 6):
        try:
            con.execute(statement)
            return
        except duckdb.Error as exc:
            # Two first writers both create the catalog tables: the loser's DDL
            # transaction is rolled back, and the catalog is there on the next try.
            if attempt < 5 and _initialising_race(exc):
                time.sleep(0.2 * attempt)
                continue
            raise LakeError(_explain_attach_error(config, exc)) from None


def open_lake(
    config: LakeConfig,
    *,
    read_only: bool = False,
    as_of: str | int | None = None,
    extensions: tuple[str, ...] = (),
    check_storage: bool = True,
) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with the lake attached as ``lake`` (and in use).

    ``read_only`` attaches it read-only; ``as_of`` (a snapshot id, or a time) reads
    that snapshot, read-only. Session time zone UTC. Raises `LakeError` (one line)
    for wrong credentials, an unreachable catalog, a missing bucket or snapshot.
    """
    needed = ["ducklake"]
    if config.catalog_kind == "postgres":
        needed.append("postgres")
    elif config.catalog_kind == "sqlite":
        needed.append("sqlite")
    if config.on_s3:
        needed.append("httpfs")
    needed += [name for name in extensions if name not in needed]
    try:
        con = duckdb_ext.connect(extensions=needed)
    except duckdb_ext.ExtensionMissing as exc:
        raise LakeError(str(exc)) from None
    try:
        con.execute("SET TimeZone = 'UTC'")
        settings = S3Settings.from_env()
        if config.on_s3:
            con.execute(settings.secret_sql())
            if check_storage:
                check_bucket(config, settings)
        elif not read_only and as_of is None:
            Path(config.data_path).mkdir(parents=True, exist_ok=True)
        if config.catalog_kind != "postgres":
            catalog = Path(config.catalog)
            if (read_only or as_of is not None) and not catalog.exists():
                raise LakeError(f"no lake catalog at {catalog}: run `newsdesk lake import` first")
            catalog.parent.mkdir(parents=True, exist_ok=True)
        options = f"DATA_PATH {_literal(config.data_path)}"
        if config.metadata_schema:
            options += f", METADATA_SCHEMA {_literal(config.metadata_schema)}"
        if read_only or as_of is not None:
            options += ", READ_ONLY"
        options += _as_of_option(as_of)
        _attach(con, config, options)
        con.execute(f"USE {LAKE}")
    except BaseException:
        con.close()
        raise
    return con


@contextmanager
def connection(
    config: LakeConfig, *, read_only: bool = False, as_of: str | int | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    """`open_lake` as a context manager that closes the connection."""
    con = open_lake(config, read_only=read_only, as_of=as_of)
    try:
        yield con
    finally:
        con.close()


# -- tables ----------------------------------------------------------------------------


def duckdb_type(kind: pa.DataType) -> str:
    """The DuckDB type of an Arrow type used in `newsdesk.columns`."""
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return "VARCHAR"
    if pa.types.is_boolean(kind):
        return "BOOLEAN"
    if pa.types.is_int8(kind) or pa.types.is_int16(kind) or pa.types.is_int32(kind):
        return "INTEGER"
    if pa.types.is_integer(kind):
        return "BIGINT"
    if pa.types.is_floating(kind):
        return "DOUBLE"
    if pa.types.is_timestamp(kind):
        return "TIMESTAMPTZ" if kind.tz else "TIMESTAMP"
    if pa.types.is_date(kind):
        return "DATE"
    if pa.types.is_list(kind) or pa.types.is_large_list(kind):
        return f"{duckdb_type(kind.value_type)}[]"
    if pa.types.is_map(kind):
        return f"MAP({duckdb_type(kind.key_type)}, {duckdb_type(kind.item_type)})"
    raise ValueError(f"no DuckDB type for Arrow {kind}")


def create_table_sql(dataset: columns.Dataset, name: str | None = None) -> str:
    """``CREATE TABLE IF NOT EXISTS`` for a dataset, partition levels included, from columns.py."""
    parts = []
    for column in dataset.columns:
        if column.arrow is None:
            continue
        null = "" if column.nullable else " NOT NULL"
        parts.append(f'"{column.name}" {duckdb_type(column.arrow)}{null}')
    table = f'{LAKE}.{DATASET_SCHEMA}."{name or dataset.name}"'
    return f"CREATE TABLE IF NOT EXISTS {table} ({', '.join(parts)})"


#: The datasets stored as lake tables, with the columns declared in newsdesk/columns.py.
LAKE_DATASETS: tuple[columns.Dataset, ...] = (
    columns.ARTICLES,
    columns.CRAWL_LOG,
    columns.ARTICLE_REVISIONS,
)


def ensure_tables(con: duckdb.DuckDBPyConnection) -> bool:
    """Create the dataset schema and tables when missing; True if anything was created.

    Its own transaction (retried on conflict): two first writers may race to create them.
    """
    existing = {
        name
        for (name,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = ? AND schema_name = ?",
            [LAKE, DATASET_SCHEMA],
        ).fetchall()
    }
    wanted = [d.name for d in LAKE_DATASETS] + ["crawl_runs", "crawl_state"]
    if all(name in existing for name in wanted):
        return False

    def create(c: duckdb.DuckDBPyConnection) -> None:
        c.execute(f"CREATE SCHEMA IF NOT EXISTS {LAKE}.{DATASET_SCHEMA}")
        for dataset in LAKE_DATASETS:
            c.execute(create_table_sql(dataset))
        c.execute(lake_sql("create_crawl_tables.sql"))
        if "articles" not in existing:
            table = f"{LAKE}.{DATASET_SCHEMA}.articles"
            c.execute(f"ALTER TABLE {table} SET PARTITIONED BY (edition, year, month)")

    in_transaction(con, create)
    return True


_CONFLICT = ("conflict", "Transaction conflict", "could not serialize", "deadlock")


def is_conflict(exc: BaseException) -> bool:
    """True for a commit refused because another writer committed first (worth retrying)."""
    text = str(exc)
    return isinstance(exc, duckdb.TransactionException) or any(c in text for c in _CONFLICT)


def in_transaction(
    con: duckdb.DuckDBPyConnection,
    work: Callable[[duckdb.DuckDBPyConnection], T],
    *,
    attempts: int = 8,
    on_retry: Callable[[int, BaseException], None] | None = None,
) -> T:
    """Run ``work`` in one lake transaction (one snapshot), retried when a commit conflicts.

    ``work`` must be safe to run again from the start (delete-then-insert by key).
    """
    for attempt in range(1, attempts + 1):
        con.execute("BEGIN TRANSACTION")
        try:
            result = work(con)
            # Data files are written by now (small batches are inlined in the catalog
            # instead); only the catalog commit is left. Tests kill the writer here.
            failpoint("lake.commit")
            con.execute("COMMIT")
            return result
        except duckdb.Error as exc:
            # A failed COMMIT has already ended the transaction.
            with suppress(duckdb.Error):
                con.execute("ROLLBACK")
            if attempt == attempts or not is_conflict(exc):
                raise
            if on_retry is not None:
                on_retry(attempt, exc)
            # Back off a little longer each time, so racing writers fall out of step.
            time.sleep(min(0.1 * 2**attempt, 3.0))
        except BaseException:
            with suppress(duckdb.Error):
                con.execute("ROLLBACK")
            raise
    raise AssertionError("unreachable")


def snapshots(con: duckdb.DuckDBPyConnection) -> list[tuple[int, Any]]:
    """The lake's snapshots: (id, time), oldest first."""
    return [
        (int(sid), when)
        for sid, when in con.execute(
            f"SELECT snapshot_id, snapshot_time FROM ducklake_snapshots('{LAKE}') ORDER BY 1"
        ).fetchall()
    ]


def current_snapshot(con: duckdb.DuckDBPyConnection) -> int:
    """The id of the lake's newest snapshot."""
    return int(con.execute(f"SELECT id FROM {LAKE}.current_snapshot()").fetchone()[0])


# -- maintenance -------------------------------------------------------------------------


@dataclass
class MaintainResult:
    """Rows each maintenance step acted on (see newsdesk/sql/lake/maintain.sql)."""

    steps: dict[str, int]
    snapshot: int

    def render(self) -> str:
        """One line for the CLI."""
        done = ", ".join(f"{name} {count}" for name, count in self.steps.items())
        return f"maintained the lake (now at snapshot {self.snapshot}): {done}"


_MAINTAIN_STEPS = ("flushed", "merged", "expired", "deleted", "orphaned")


def maintain(config: LakeConfig, *, grace: str = "1 hour") -> MaintainResult:
    """Flush inlined rows, merge adjacent files, expire old snapshots, delete unused files.

    Snapshots older than ``config.snapshot_retention`` are expired; files no longer
    used are deleted once they have been unused for ``grace`` (readers that started
    before may still be scanning them), and files no commit ever named (a writer
    killed before its commit) once older than ``grace``. Callable from Dagster as is.
    """
    if not _RETENTION.match(grace):
        raise LakeError(f"grace {grace!r} is not a period such as '1 hour'")
    script = lake_sql("maintain.sql").format(
        retention=config.snapshot_retention.strip(), grace=grace
    )
    statements = [
        part
        for part in re.split(r";[ \t]*\n", script)
        if any(line.strip() and not line.strip().startswith("--") for line in part.splitlines())
    ]
    steps: dict[str, int] = {}
    with connection(config) as con:
        try:
            for name, statement in zip(_MAINTAIN_STEPS, statements, strict=True):
                steps[name] = len(con.execute(statement).fetchall())
            snapshot = current_snapshot(con)
        except duckdb.Error as exc:
            raise LakeError(
                f"maintenance of {config.describe()} failed: {first_line(exc)}"
            ) from None
    return MaintainResult(steps=steps, snapshot=snapshot)


def list_snapshots(config: LakeConfig) -> list[str]:
    """One line per snapshot: id, UTC time, changes, commit message."""
    with connection(config, read_only=True) as con:
        rows = con.execute(
            f"SELECT snapshot_id, snapshot_time, changes, commit_message "
            f"FROM ducklake_snapshots('{LAKE}') ORDER BY snapshot_id"
        ).fetchall()
    lines = []
    for sid, when, changes, message in rows:
        what = "; ".join(f"{k}: {', '.join(map(str, v))}" for k, v in (changes or {}).items())
        lines.append(f"{sid}\t{when.isoformat()}\t{what}\t{message or ''}")
    return lines
