"""Migrate a warehouse written before editions to the current layout.

Schema version 1 (everything before editions) stored English articles as
``articles/year=YYYY/month=M/part-0.parquet`` with ``edition`` as a column inside
the files and no ``video_duration_s``. Version 2 makes the edition a partition
level, ``articles/edition=en/year=YYYY/month=M/part-0.parquet``, and adds
``video_duration_s`` (null for articles stored before it existed).

The migration is one `newsdesk.store.Transaction`: every new part file is
written aside, then the journal naming them (and the old files to delete) is
renamed into place, then applied. A kill before the journal leaves the old
layout untouched (the next writer removes the temporary files and migrates
again); a kill after it is rolled forward by `newsdesk.store.recover`, which
every writer, `newsdesk build` and this module run first. Rows, ids and every
field are copied as they are (English ids do not change); the crawl log, the
revisions, the raw archive and the crawl state need no change. Running it
again finds nothing to do.

It runs on first use (the writer session, ``newsdesk reparse`` and ``newsdesk
build`` call `migrate_locked` under the writer lock) or explicitly with
``newsdesk migrate``.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from newsdesk.store import (
    ARTICLE_SCHEMA,
    PART_FILE,
    DamagedPartFile,
    Transaction,
    read_part,
    recover,
    writer_lock,
)
from newsdesk.warehouse import Warehouse

logger = logging.getLogger(__name__)

#: The edition of articles stored before editions existed (only English was crawled).
LEGACY_EDITION = "en"


@dataclass
class MigrationResult:
    """What a migration did: the old files moved and the rows they held."""

    files: list[Path] = field(default_factory=list)
    rows: int = 0
    partitions: list[tuple[str, int, int]] = field(default_factory=list)

    def render(self) -> str:
        if not self.files:
            return "warehouse is up to date: nothing to migrate"
        return (
            f"migrated {self.rows} articles in {len(self.files)} part files to the "
            f"edition=/year=/month= layout ({len(self.partitions)} partitions)"
        )


def legacy_part_files(warehouse: Warehouse) -> Iterator[tuple[Path, int, int]]:
    """``(path, year, month)`` of every part file in the layout before editions."""
    root = warehouse.articles
    if not root.exists():
        return
    for year_dir in sorted(root.glob("year=*")):
        for month_dir in sorted(year_dir.glob("month=*")):
            try:
                year = int(year_dir.name.removeprefix("year="))
                month = int(month_dir.name.removeprefix("month="))
            except ValueError:
                continue
            for path in sorted(month_dir.glob("*.parquet")):
                if not path.name.startswith("."):
                    yield path, year, month


def needs_migration(warehouse: Warehouse) -> bool:
    """True when the articles dataset still has part files in the old layout."""
    return next(legacy_part_files(warehouse), None) is not None


def _upgrade(table: pa.Table) -> pa.Table:
    """A version-1 part file's rows as version-2 file columns (edition dropped, new ones null)."""
    columns = []
    for column in ARTICLE_SCHEMA:
        if column.name in table.column_names:
            columns.append(table[column.name].cast(column.type))
        else:
            # A column added since (video_duration_s): unknown for old rows, so null.
            columns.append(pa.nulls(table.num_rows, column.type))
    return pa.Table.from_arrays(columns, schema=ARTICLE_SCHEMA)


def _split_by_edition(table: pa.Table) -> dict[str, pa.Table]:
    """Rows per edition: the old ``edition`` column when filled, else English."""
    if "edition" not in table.column_names:
        return {LEGACY_EDITION: table}
    editions = pc.fill_null(table["edition"].cast(pa.string()), LEGACY_EDITION)
    parts = {}
    for edition in sorted(set(editions.to_pylist())):
        parts[edition or LEGACY_EDITION] = table.filter(pc.equal(editions, edition))
    return parts


def stage_migration(warehouse: Warehouse, txn: Transaction) -> MigrationResult:
    """Stage the move of every old-layout part file into ``txn`` (nothing installed yet).

    Raises `DamagedPartFile` for an unreadable old file: nothing is staged for
    it, so a damaged file is never silently dropped by a migration.
    """
    result = MigrationResult()
    pending: dict[tuple[str, int, int], list[pa.Table]] = {}
    for path, year, month in legacy_part_files(warehouse):
        try:
            old = pq.read_table(path, page_checksum_verification=True)
        except (pa.ArrowException, OSError, ValueError) as exc:
            raise DamagedPartFile(path, str(exc).splitlines()[0][:200] if str(exc) else "") from exc
        for edition, rows in _split_by_edition(old).items():
            pending.setdefault((edition, year, month), []).append(_upgrade(rows))
        result.files.append(path)
        result.rows += old.num_rows
        txn.delete(path)
    for key in sorted(pending):
        target = warehouse.article_partition(*key) / PART_FILE
        tables = pending[key]
        if target.exists():
            # Both layouts for one month (should not happen): the new layout's rows win.
            current = read_part(target)
            ids = pa.concat_arrays([t["article_id"].combine_chunks() for t in tables])
            keep = pc.invert(pc.is_in(ids, value_set=current["article_id"]))
            tables = [current, pa.concat_tables(tables).filter(keep)]
        table = pa.concat_tables(tables).sort_by(
            [("published_at", "ascending"), ("article_id", "ascending")]
        )
        txn.stage_table(table.replace_schema_metadata(ARTICLE_SCHEMA.metadata), target)
        result.partitions.append(key)
    return result


def _remove_empty_dirs(warehouse: Warehouse) -> None:
    """Remove the emptied ``year=/month=`` folders of the old layout (never a file)."""
    if not warehouse.articles.exists():
        return
    for year_dir in warehouse.articles.glob("year=*"):
        for month_dir in year_dir.glob("month=*"):
            with contextlib.suppress(OSError):  # not empty (a stray file): left as it is
                month_dir.rmdir()
        with contextlib.suppress(OSError):
            year_dir.rmdir()


def migrate_locked(warehouse: Warehouse) -> MigrationResult:
    """Migrate, for a caller that holds the writer lock (and has run `recover`)."""
    if not needs_migration(warehouse):
        # A migration rolled forward by `recover` leaves its empty old folders.
        _remove_empty_dirs(warehouse)
        return MigrationResult()
    txn = Transaction(warehouse.root)
    result = stage_migration(warehouse, txn)
    txn.commit()
    _remove_empty_dirs(warehouse)
    logger.warning("%s", result.render())
    return result


def migrate(warehouse: Warehouse) -> MigrationResult:
    """``newsdesk migrate``: take the writer lock, finish any interrupted commit, migrate."""
    with writer_lock(warehouse):
        recover(warehouse.root)
        return migrate_locked(warehouse)
