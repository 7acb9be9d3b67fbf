"""``newsdesk crawl --warehouse lake.toml``: crawl into a local working folder, commit to the lake.

A crawl into a lake is the local crawl, unchanged (its writer lock, journal and
crash safety), into a working warehouse that belongs to that lake and edition:
``<work>/<edition>/``, where ``work`` is the toml's ``work`` key or
``$XDG_CACHE_HOME/newsdesk/lakes/<hash of catalog and data>/``. Around it:

1. rows a killed run left in the working folder are imported first (`sync`);
2. the working folder is seeded from the lake (`seed`): the edition's crawl state
   (written as the local state file), its stored articles' ids, hashes and times
   (the writer's index and the spider's "known" map) and the URLs that failed last,
   so incremental crawling works from any machine;
3. the crawl runs and commits locally, batch by batch, as always;
4. at its end (also a Ctrl-C's graceful stop, or a storage error) the edition's new
   articles, crawl log, revisions, run summary and crawl state go into the lake in
   ONE DuckLake transaction (`newsdesk.lake_import`, retried on conflict), the WARC
   files are uploaded to ``<data>/raw/``, and then what was imported is cleared from
   the working folder.

A kill -9 at any point leaves the lake at its last snapshot and the working folder
with committed local batches; the next run imports them before crawling. One writer
per edition: the working folder's writer lock on one machine; across machines,
Dagster's per-edition run limit (and commits retried on conflict).

Import happens once per crawl, not per local batch: ``import.sql`` keys a run's
crawl log by its run id (a partial log would replace the whole run's rows), and an
edit found by such a crawl records no revision (the previous version is in the lake,
not in the working folder).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import uuid
from collections.abc import Callable
from contextlib import suppress
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.parquet as pq

from newsdesk.lake import LakeConfig, LakeError, ensure_tables, lake_sql, open_lake
from newsdesk.warehouse import Warehouse

if TYPE_CHECKING:
    from newsdesk.crawl import CrawlSummary
    from newsdesk.crawloptions import CrawlOptions
    from newsdesk.lake_import import ImportResult

#: Where the seed from the lake is kept inside a working warehouse.
SEED_DIR = "lake_seed"
#: The working warehouse's folders that an import moves into the lake.
IMPORTED_DIRS = ("articles", "crawl_log", "article_revisions", "crawl_runs", "raw")
_TRASH = ".imported"


def work_root(config: LakeConfig) -> Path:
    """This machine's working folder for a lake (all editions)."""
    if config.work:
        return Path(config.work)
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    key = hashlib.sha256(f"{config.catalog}\n{config.data_path}".encode()).hexdigest()[:16]
    return Path(cache) / "newsdesk" / "lakes" / key


def work_warehouse(config: LakeConfig, edition: str) -> Warehouse:
    """The local working warehouse of one edition of a lake."""
    return Warehouse(work_root(config) / edition)


def _statements(name: str) -> list[str]:
    from newsdesk.lake_import import _statements as split

    return split(lake_sql(name))


def has_pending(warehouse: Warehouse) -> bool:
    """True when the working folder holds rows not yet known to be in the lake."""
    return any(
        (warehouse.root / name).is_dir()
        and any(p.is_file() for p in (warehouse.root / name).rglob("*"))
        for name in IMPORTED_DIRS
    )


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:6]}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def seed(config: LakeConfig, warehouse: Warehouse, edition: str) -> int:
    """Write the lake's view of ``edition`` into the working folder; returns articles known.

    Called with nothing pending in the working folder (after `sync`), under its lock.
    """
    from newsdesk.state import CrawlState
    from newsdesk.store import write_table_atomic

    state_sql, index_sql, failed_sql = _statements("seed.sql")
    con = open_lake(config)
    try:
        ensure_tables(con)
        row = con.execute(state_sql, [edition]).fetchone()
        index = con.execute(index_sql, [edition]).fetch_arrow_table()
        failed = con.execute(failed_sql).fetch_arrow_table()
    finally:
        con.close()
    state_path = CrawlState.path_for(warehouse, edition)
    if row is not None:
        _write_atomic(state_path, str(row[0]).encode("utf-8"))
    else:
        state_path.unlink(missing_ok=True)
    seed_dir = warehouse.root / SEED_DIR
    seed_dir.mkdir(parents=True, exist_ok=True)
    write_table_atomic(index, seed_dir / "index.parquet")
    write_table_atomic(failed, seed_dir / "failed.parquet")
    return index.num_rows


def read_seed(warehouse: Warehouse) -> tuple[pa.Table | None, dict[str, str]]:
    """The seed `seed` wrote: the index table (or None) and failed URL -> reason."""
    seed_dir = warehouse.root / SEED_DIR
    index_path, failed_path = seed_dir / "index.parquet", seed_dir / "failed.parquet"
    index = pq.read_table(index_path) if index_path.is_file() else None
    failed: dict[str, str] = {}
    if failed_path.is_file():
        table = pq.read_table(failed_path)
        failed = dict(zip(table["url"].to_pylist(), table["reason"].to_pylist(), strict=True))
    return index, failed


def _clear(warehouse: Warehouse) -> None:
    """Remove what was imported: each folder renamed aside at once, then deleted.

    A rename is atomic, so a kill leaves every folder whole (imported again, a no-op)
    or gone; the crawl state and seed go too (the next run seeds from the lake).
    """
    from newsdesk.state import CrawlState

    trash = warehouse.root / _TRASH / uuid.uuid4().hex[:8]
    trash.mkdir(parents=True, exist_ok=True)
    for name in IMPORTED_DIRS:
        source = warehouse.root / name
        if source.exists():
            source.replace(trash / name)
    for path in CrawlState.path_for(warehouse, "en").parent.glob("crawl_state*.json"):
        path.unlink()
    shutil.rmtree(warehouse.root / SEED_DIR, ignore_errors=True)
    shutil.rmtree(warehouse.root / _TRASH, ignore_errors=True)


def sync(
    config: LakeConfig,
    warehouse: Warehouse,
    *,
    on_retry: Callable[[int, BaseException], None] | None = None,
) -> ImportResult:
    """Import the working folder into the lake in one transaction, then clear it.

    Holds the working folder's whole writer lock throughout: a crawl of this edition
    running on this machine makes it refuse (`LakeError`, one line).
    """
    from newsdesk.build import finish_interrupted_commit
    from newsdesk.lake_import import import_warehouse
    from newsdesk.store import WarehouseBusy, WriterLock

    finish_interrupted_commit(warehouse)
    try:
        lock = WriterLock(warehouse).acquire()
    except WarehouseBusy as exc:
        raise LakeError(str(exc)) from None
    try:
        shutil.rmtree(warehouse.root / _TRASH, ignore_errors=True)
        result = import_warehouse(
            config,
            warehouse,
            on_retry=on_retry,
            locked=True,
            message=f"newsdesk crawl ({warehouse.root.name})",
        )
        _clear(warehouse)
    finally:
        lock.release()
    return result


def run_crawl_into_lake(options: CrawlOptions, lake_path: str) -> CrawlSummary:
    """`newsdesk.crawl.run_crawl` for a lake: sync leftovers, seed, crawl, import, clear."""
    from newsdesk.crawl import CrawlError, run_crawl
    from newsdesk.lake import load_config
    from newsdesk.store import WarehouseBusy, WriterLock

    try:
        config = load_config(lake_path)
    except LakeError as exc:
        raise CrawlError(str(exc)) from None
    warehouse = work_warehouse(config, options.edition)
    try:
        warehouse.ensure_writable()
    except OSError as exc:
        raise CrawlError(str(exc)) from exc
    try:
        if has_pending(warehouse):
            # A run killed before its import: its committed batches go in first.
            sync(config, warehouse)
        # Held while seeding, so a crawl starting meanwhile cannot mix in.
        try:
            lock = WriterLock(warehouse, options.edition).acquire()
        except WarehouseBusy as exc:
            raise CrawlError(str(exc)) from None
        try:
            seed(config, warehouse, options.edition)
        finally:
            lock.release()
    except LakeError as exc:
        raise CrawlError(str(exc)) from None
    local = replace(options, warehouse=str(warehouse.root))
    try:
        summary = run_crawl(local)
    except CrawlError:
        # What was committed locally before the failure still belongs in the lake.
        # If that fails too, the next run imports it; the crawl's own error is the one shown.
        with suppress(LakeError):
            sync(config, warehouse)
        raise
    try:
        result = sync(config, warehouse)
    except LakeError as exc:
        raise CrawlError(
            f"{exc}; the crawl is kept in {warehouse.root}: run the same command again to import it"
        ) from None
    summary.warehouse = lake_path
    summary.lake = result.render()
    return summary
