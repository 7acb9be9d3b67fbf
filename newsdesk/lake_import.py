"""``newsdesk lake import``: move a local warehouse (and its raw archive) into a lake.

Everything the local warehouse holds as data (articles, crawl log, revisions, crawl
runs, crawl state) is written into the lake's ``dataset`` tables in ONE transaction
(one snapshot): delete-then-insert by each table's key, so a rerun neither
duplicates nor loses a row, and a commit conflict with another writer is retried
from the start. Before committing, the rows the lake now holds for the imported
keys are counted against the source; a mismatch rolls everything back.

Then the raw WARC files go to ``<data>/raw/<same relative path>`` (a file already
there with the same size is skipped), after the commit: the tables never wait on
the archive, and a rerun finishes an interrupted upload.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from newsdesk import columns
from newsdesk.lake import (
    LakeConfig,
    LakeError,
    S3Settings,
    ensure_tables,
    first_line,
    in_transaction,
    lake_sql,
    open_lake,
    split_s3,
)
from newsdesk.warehouse import Warehouse

COUNTED = ("articles", "crawl_log", "article_revisions", "crawl_runs", "crawl_state")


@dataclass
class ImportResult:
    """What one import wrote: rows per table, raw files uploaded or skipped, the snapshot."""

    rows: dict[str, int] = field(default_factory=dict)
    changed: dict[str, int] = field(default_factory=dict)
    raw_uploaded: int = 0
    raw_skipped: int = 0
    raw_bytes: int = 0
    snapshot: int | None = None
    retries: int = 0

    def render(self) -> str:
        """One line for the CLI."""
        counts = ", ".join(f"{name} {self.rows.get(name, 0)}" for name in COUNTED)
        moved = ", ".join(f"{name} {self.changed.get(name, 0)}" for name in COUNTED)
        tables = (
            f"new or changed rows: {moved}"
            if any(self.changed.values())
            else "nothing new (no new snapshot)"
        )
        return (
            f"imported into snapshot {self.snapshot}: {counts}; {tables}; raw archive: "
            f"{self.raw_uploaded} files uploaded ({self.raw_bytes} bytes), "
            f"{self.raw_skipped} already there"
        )


def _statements(text: str) -> list[str]:
    parts = re.split(r";[ \t]*\n", text)
    return [
        p
        for p in parts
        if any(line.strip() and not line.strip().startswith("--") for line in p.splitlines())
    ]


def _column_list(dataset: columns.Dataset) -> str:
    return ", ".join(f'"{c.name}"' for c in dataset.columns if c.arrow is not None)


def _state_edition(path: Path) -> str:
    match = re.fullmatch(r"crawl_state\.([^.]+)\.json", path.name)
    return match.group(1) if match else "en"


def _load_bookkeeping(con: duckdb.DuckDBPyConnection, warehouse: Warehouse) -> None:
    """Fill src_run_files and src_state_files from the local JSON files, verbatim."""
    runs = sorted((warehouse.root / "crawl_runs").glob("*.json"))
    # A crawl killed before its end has no run summary (executemany refuses no rows).
    if runs:
        con.executemany(
            "INSERT INTO src_run_files VALUES (?, ?)",
            [[path.stem, path.read_text(encoding="utf-8")] for path in runs],
        )
    states = sorted((warehouse.root / "state").glob("crawl_state*.json"))
    if states:
        con.executemany(
            "INSERT INTO src_state_files VALUES (?, ?, ?)",
            [
                [
                    _state_edition(path),
                    path.read_text(encoding="utf-8"),
                    datetime.fromtimestamp(path.stat().st_mtime, UTC),
                ]
                for path in states
            ],
        )


def import_warehouse(
    config: LakeConfig,
    source: Warehouse,
    *,
    upload_raw: bool = True,
    on_retry: Callable[[int, BaseException], None] | None = None,
    locked: bool = False,
    message: str | None = None,
) -> ImportResult:
    """Copy ``source`` into the lake in one transaction, then upload its raw archive.

    ``locked``: the caller already holds ``source``'s whole writer lock (and rolled
    a cut commit forward), as a crawl into the lake does around import and clean-up;
    a source without articles is then fine (a crawl that found nothing new).
    ``message`` is the snapshot's commit message. Raises `LakeError` (one line) for an
    unusable lake or source; the lake is unchanged then (the transaction is rolled back).
    """
    from newsdesk.build import BuildError, _define_sources, finish_interrupted_commit
    from newsdesk.store import WarehouseBusy, writer_lock

    if not source.root.is_dir():
        raise LakeError(f"no local warehouse at {source.root}")
    result = ImportResult()
    con = open_lake(config)
    try:
        # A crawl cut by a kill is rolled forward first, then held off while we read.
        lock: AbstractContextManager[None] = nullcontext() if locked else writer_lock(source)
        if not locked:
            finish_interrupted_commit(source)
        try:
            lock.__enter__()
        except WarehouseBusy as exc:
            raise LakeError(str(exc)) from None
        try:
            try:
                _define_sources(con, source, articles_optional=locked)
            except BuildError as exc:
                raise LakeError(str(exc)) from None
            ensure_tables(con)
            for statement in _statements(lake_sql("import_sources.sql")):
                con.execute(statement)
            _load_bookkeeping(con, source)
            script = lake_sql("import.sql").format(
                articles=_column_list(columns.ARTICLES),
                crawl_log=_column_list(columns.CRAWL_LOG),
                article_revisions=_column_list(columns.ARTICLE_REVISIONS),
            )
            statements = _statements(script)
            expected = dict(
                zip(COUNTED, con.execute("FROM source_counts").fetchone() or (), strict=True)
            )

            def write(c: duckdb.DuckDBPyConnection) -> dict[str, int]:
                c.execute(
                    "CALL ducklake_set_commit_message(?, ?, ?)",
                    ["lake", "newsdesk", message or f"lake import from {source.root}"],
                )
                result.changed = dict(
                    zip(COUNTED, c.execute("FROM changed_counts").fetchone() or (), strict=True)
                )
                for statement in statements:
                    c.execute(statement)
                found = dict(
                    zip(COUNTED, c.execute("FROM import_counts").fetchone() or (), strict=True)
                )
                if found != expected:
                    wrong = [
                        f"{k} {found[k]} != {expected[k]}"
                        for k in COUNTED
                        if found[k] != expected[k]
                    ]
                    raise LakeError(
                        f"import check failed ({'; '.join(wrong)}): nothing was committed"
                    )
                return found

            def retried(attempt: int, exc: BaseException) -> None:
                result.retries = attempt
                if on_retry is not None:
                    on_retry(attempt, exc)

            try:
                result.rows = in_transaction(con, write, on_retry=retried)
            except duckdb.Error as exc:
                raise LakeError(
                    f"import into {config.describe()} failed: {first_line(exc)}"
                ) from None
            result.snapshot = int(
                con.execute("SELECT id FROM lake.current_snapshot()").fetchone()[0]
            )
        except duckdb.Error as exc:
            raise LakeError(f"import into {config.describe()} failed: {first_line(exc)}") from None
        finally:
            lock.__exit__(None, None, None)
    finally:
        con.close()
    if upload_raw:
        upload_archive(config, source, result)
    return result


def raw_files(source: Warehouse) -> list[Path]:
    """The archive's files (``*.warc.gz``), skipping writers' hidden temporaries."""
    if not source.raw.is_dir():
        return []
    return sorted(p for p in source.raw.rglob("*") if p.is_file() and not p.name.startswith("."))


def upload_archive(config: LakeConfig, source: Warehouse, result: ImportResult) -> None:
    """Copy the raw archive to ``<data>/raw/``; a same-sized file already there is skipped."""
    files = raw_files(source)
    if not files:
        return
    if config.on_s3:
        _upload_s3(config, source, files, result)
        return
    target_root = Path(config.data_path) / "raw"
    for path in files:
        target = target_root / path.relative_to(source.raw)
        size = path.stat().st_size
        if target.is_file() and target.stat().st_size == size:
            result.raw_skipped += 1
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.tmp")
        shutil.copyfile(path, tmp)
        tmp.replace(target)
        result.raw_uploaded += 1
        result.raw_bytes += size


def _upload_s3(
    config: LakeConfig, source: Warehouse, files: list[Path], result: ImportResult
) -> None:
    from botocore.exceptions import BotoCoreError, ClientError

    bucket, prefix = split_s3(config.data_path)
    client = S3Settings.from_env().client()
    raw_prefix = f"{prefix}raw/"
    try:
        present: dict[str, int] = {}
        for page in client.get_paginator("list_objects_v2").paginate(
            Bucket=bucket, Prefix=raw_prefix
        ):
            for item in page.get("Contents", []):
                present[item["Key"]] = int(item["Size"])
        for path in files:
            key = raw_prefix + path.relative_to(source.raw).as_posix()
            size = path.stat().st_size
            if present.get(key) == size:
                result.raw_skipped += 1
                continue
            # A single PUT is all or nothing: a cut upload leaves no partial object.
            client.upload_file(str(path), bucket, key)
            result.raw_uploaded += 1
            result.raw_bytes += size
    except (BotoCoreError, ClientError) as exc:
        raise LakeError(
            f"uploading the raw archive to s3://{bucket}/{raw_prefix} failed: {first_line(exc)}; "
            "the tables are imported, run the same command again to finish the upload"
        ) from None
