"""The Parquet side of the warehouse: schemas, atomic commits and the article merge.

Articles live in one file per (edition, year, month) partition. A merge rewrites only
the partitions it touches: the old file is read, rows being replaced are
filtered out, the new rows are added, and the result is written aside.

Every change is a `Transaction`: its files (partitions, revisions, the crawl
log, the crawl state) are first written aside as hidden ``.tmp`` files, then a
journal naming them is renamed into place (the commit point), then each file
is renamed over its target and the journal removed. A kill before the journal
leaves nothing but temporary files; a kill after it is rolled forward by the
next writer (`recover`). So a commit is all or nothing: an article that moved
to another month is never in two partitions, or in none, and what a crawl
remembers is never ahead of the rows it describes.
"""

from __future__ import annotations

import errno
import fcntl
import json
import logging
import os
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from newsdesk import columns
from newsdesk.failpoints import failpoint
from newsdesk.items import CONTENT_FIELDS, Article, CrawlEvent
from newsdesk.warehouse import Warehouse

logger = logging.getLogger(__name__)

# The schemas are derived from the single column declaration (newsdesk/columns.py).
TS = columns.TS
STRINGS = columns.STRINGS

#: The columns inside an articles part file. ``edition``, ``year`` and ``month`` are
#: hive folder levels only, so every reader sees each of them once, from one source:
#: DuckDB (hive_partitioning) and pyarrow both let the folder's value silently win
#: over a same-named file column, so two copies could disagree unseen.
ARTICLE_SCHEMA = columns.arrow_schema(columns.ARTICLES)
#: The partition levels of the articles dataset and their types.
ARTICLE_PARTITIONING = pa.schema(
    [
        pa.field(c.name, c.arrow, nullable=False)
        for c in columns.ARTICLES.columns
        if c.stored == "partition"
    ]
)
#: An article as a row: the item's fields (the file columns plus its edition).
ARTICLE_ROW_COLUMNS: list[str] = list(columns.ITEM_COLUMNS)
CRAWL_LOG_SCHEMA = columns.arrow_schema(columns.CRAWL_LOG)
REVISION_SCHEMA = columns.arrow_schema(columns.ARTICLE_REVISIONS)

PART_FILE = "part-0.parquet"


class WarehouseBusy(RuntimeError):
    """Another process holds the warehouse's writer lock."""


class StorageError(RuntimeError):
    """A write to the warehouse failed and nothing was changed (one line, says what to do)."""


def storage_error(exc: OSError, path: object) -> StorageError:
    """A one-line `StorageError` for an OSError raised while writing ``path``."""
    where = exc.filename or path
    if exc.errno == errno.ENOSPC or "No space left" in str(exc):
        hint = "free some space"
    elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        hint = "make it writable"
    else:
        hint = "check the disk"
    return StorageError(
        f"cannot write {where}: {exc.strerror or exc}; {hint}, then run the same command "
        "again (nothing was changed)"
    )


class WriterLock:
    """The writer lock of one warehouse: one writer per edition, or one for everything.

    It is an interface of the storage, not a global: every entry point that
    writes (the CLI, ``scrapy crawl``, Dagster, reparse) goes through the
    storage and so takes it. A crawl of one edition (``edition="ar"``) holds
    ``.writer.lock`` shared and ``.writer-ar.lock`` exclusive, so crawls of
    different editions (whose partitions differ) run side by side, two of one
    edition never. A whole-warehouse writer (``edition=None``: reparse,
    migrate) holds ``.writer.lock`` exclusive. ``acquire`` refuses at once with
    `WarehouseBusy`.
    """

    def __init__(self, warehouse: Warehouse, edition: str | None = None) -> None:
        self.warehouse = warehouse
        self.edition = edition
        self._handles: list[Any] = []

    def _take(self, name: str, mode: int) -> None:
        handle = open(self.warehouse.root / name, "a+")  # noqa: SIM115 - held open
        try:
            fcntl.flock(handle, mode | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            handle.close()
            what = f"the {self.edition} edition of " if self.edition else ""
            raise WarehouseBusy(
                f"another crawl or reparse is writing to {what}{self.warehouse.root}; "
                "wait for it to finish, then run the same command again"
            ) from exc
        self._handles.append(handle)

    def acquire(self) -> WriterLock:
        self.warehouse.root.mkdir(parents=True, exist_ok=True)
        try:
            if self.edition is None:
                self._take(".writer.lock", fcntl.LOCK_EX)
            else:
                self._take(".writer.lock", fcntl.LOCK_SH)
                self._take(f".writer-{self.edition}.lock", fcntl.LOCK_EX)
        except BaseException:
            self.release()
            raise
        return self

    def release(self) -> None:
        for handle in reversed(self._handles):
            fcntl.flock(handle, fcntl.LOCK_UN)
            handle.close()
        self._handles = []

    @property
    def held(self) -> bool:
        return bool(self._handles)


@contextmanager
def writer_lock(warehouse: Warehouse, edition: str | None = None) -> Iterator[None]:
    """The warehouse's writer lock (see `WriterLock`); ``None``: the whole warehouse."""
    lock = WriterLock(warehouse, edition).acquire()
    try:
        yield
    finally:
        lock.release()


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _tmp_for(path: Path, tag: str = "all") -> Path:
    # The writer's tag in the name: recovery removes only its own writer's leftovers,
    # never the files another edition's writer is writing right now.
    return path.parent / f".{path.name}.{tag}-{uuid.uuid4().hex}.tmp"


def _write_parquet(table: pa.Table, path: Path) -> None:
    # Page checksums: a flipped bit is found when the file is read, not served as data.
    pq.write_table(table, path, compression="zstd", row_group_size=50_000, write_page_checksum=True)


def write_table_atomic(table: pa.Table, path: Path) -> None:
    """Write one file via a hidden temporary file and a rename (raises `StorageError`)."""
    tmp = _tmp_for(path)
    try:
        failpoint("stage", tmp)
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_parquet(table, tmp)
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        raise storage_error(exc, path) from exc
    finally:
        tmp.unlink(missing_ok=True)


JOURNAL_NAME = ".commit-journal.json"


def journal_name(tag: str) -> str:
    """The journal file of one writer (``all``: the whole-warehouse writer)."""
    return JOURNAL_NAME if tag == "all" else f".commit-journal-{tag}.json"


class Transaction:
    """Files written aside and installed together: all of them, or none.

    ``root`` is the folder the journal lives in (a warehouse root); staged
    files may be anywhere below it. Paths in the journal are relative to it,
    so a warehouse that is moved still recovers.
    """

    def __init__(self, root: Path, tag: str = "all") -> None:
        self.root = root
        self.tag = tag
        self.installs: list[tuple[Path, Path]] = []
        self.deletes: list[Path] = []

    def __bool__(self) -> bool:
        return bool(self.installs or self.deletes)

    def _stage(self, path: Path, write: Any) -> None:
        tmp = _tmp_for(path, self.tag)
        try:
            failpoint("stage", tmp)
            path.parent.mkdir(parents=True, exist_ok=True)
            write(tmp)
            with open(tmp, "rb") as handle:
                os.fsync(handle.fileno())
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            self.abort()
            raise storage_error(exc, path) from exc
        except BaseException:
            tmp.unlink(missing_ok=True)
            self.abort()
            raise
        self.installs.append((tmp, path))

    def stage_table(self, table: pa.Table, path: Path) -> None:
        """Write ``table`` aside, to be installed at ``path`` on commit."""
        self._stage(path, lambda tmp: _write_parquet(table, tmp))

    def stage_bytes(self, data: bytes, path: Path) -> None:
        """Write ``data`` aside, to be installed at ``path`` on commit."""
        self._stage(path, lambda tmp: tmp.write_bytes(data))

    def stage_move(self, source: Path, target: Path) -> None:
        """Rename ``source`` to ``target`` on commit (both below the root)."""
        self.installs.append((source, target))

    def delete(self, path: Path) -> None:
        """Remove ``path`` on commit."""
        self.deletes.append(path)

    def abort(self) -> None:
        """Drop everything staged (nothing was installed)."""
        for tmp, _final in self.installs:
            if tmp.name.endswith(".tmp"):
                tmp.unlink(missing_ok=True)
        self.installs.clear()
        self.deletes.clear()

    def commit(self) -> None:
        """Install every staged file: the journal's rename is the commit point."""
        if not self:
            return
        payload = {
            "installs": [
                [os.path.relpath(tmp, self.root), os.path.relpath(final, self.root)]
                for tmp, final in self.installs
            ],
            "deletes": [os.path.relpath(path, self.root) for path in self.deletes],
        }
        journal = self.root / journal_name(self.tag)
        tmp = journal.with_name(f"{journal.name}.{self.tag}-{uuid.uuid4().hex}.tmp")
        try:
            failpoint("journal", tmp)
            tmp.write_text(json.dumps(payload))
            with open(tmp, "rb") as handle:
                os.fsync(handle.fileno())
            os.replace(tmp, journal)
            _fsync_dir(self.root)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            self.abort()
            raise storage_error(exc, journal) from exc
        # Committed: from here on a kill is rolled forward by the next writer.
        _apply_journal(self.root, payload)
        journal.unlink()
        _fsync_dir(self.root)
        self.installs.clear()
        self.deletes.clear()


def _apply_journal(root: Path, payload: dict[str, Any]) -> None:
    touched: set[Path] = set()
    for tmp_rel, final_rel in payload["installs"]:
        tmp, final = root / tmp_rel, root / final_rel
        if tmp.exists():  # else: installed before a kill, nothing left to do
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, final)
            touched.add(final.parent)
            failpoint("commit.apply")
    for rel in payload["deletes"]:
        path = root / rel
        path.unlink(missing_ok=True)
        touched.add(path.parent)
    for directory in touched:
        _fsync_dir(directory)


def recover(root: Path, tag: str | None = None) -> int:
    """Finish commits a killed writer left half-applied, and drop its uncommitted temp files.

    Call it holding the writer lock: ``tag`` is an edition's (its own journal and
    temporary files only), ``None`` the whole warehouse (every journal, every
    temporary file). Returns how many temporary files were removed.
    """
    if tag is None:
        journals = sorted(root.glob(".commit-journal*.json")) if root.exists() else []
    else:
        # An edition's writer holds the whole-warehouse lock shared, so no
        # whole-warehouse writer runs: its journal, if any, is a killed one's.
        journals = [root / journal_name(tag), root / JOURNAL_NAME]
    for journal in journals:
        if journal.exists():
            _roll_forward(root, journal)
    if tag is None:
        return remove_stale_temp_files(root)
    return remove_stale_temp_files(root, tag) + remove_stale_temp_files(root, "all")


def _roll_forward(root: Path, journal: Path) -> None:
    try:
        payload = json.loads(journal.read_text())
        installs = payload["installs"]
        deletes = payload["deletes"]
    except (OSError, ValueError, KeyError, TypeError):
        # The journal is renamed into place whole, so this is damage, not a torn write:
        # keep it for inspection and install nothing.
        aside = root / "quarantine" / f"{journal.name}.{uuid.uuid4().hex[:8]}"
        aside.parent.mkdir(parents=True, exist_ok=True)
        os.replace(journal, aside)
        logger.warning("unreadable commit journal moved to %s", aside)
        return
    logger.warning("finishing a commit interrupted by a kill (%d files)", len(installs))
    _apply_journal(root, {"installs": installs, "deletes": deletes})
    journal.unlink()
    _fsync_dir(root)


def remove_stale_temp_files(root: Path, tag: str | None = None) -> int:
    """Delete temporary files left by a killed writer (``tag``: that writer's only)."""
    if not root.exists():
        return 0
    pattern = ".*.tmp" if tag is None else f".*.{tag}-*.tmp"
    count = 0
    for tmp in root.rglob(pattern):
        if tmp.is_file():
            tmp.unlink(missing_ok=True)
            count += 1
    return count


def articles_to_table(articles: Iterable[Article]) -> pa.Table:
    """The articles as the columns of a part file (their edition is the partition's)."""
    rows = []
    for article in articles:
        row = article.to_dict()
        rows.append({name: row.get(name) for name in ARTICLE_SCHEMA.names})
    return pa.Table.from_pylist(rows, schema=ARTICLE_SCHEMA)


def events_to_table(events: Iterable[CrawlEvent]) -> pa.Table:
    rows = [{name: getattr(e, name) for name in CRAWL_LOG_SCHEMA.names} for e in events]
    return pa.Table.from_pylist(rows, schema=CRAWL_LOG_SCHEMA)


def row_to_article(row: dict[str, Any]) -> Article:
    """An Article from a dataset row (as given by ``Table.to_pylist``).

    The row's ``edition`` comes from the partition level; a bare part file's row
    (no partition columns) is English, the only edition stored before editions.
    """
    values = {name: row.get(name) for name in ARTICLE_ROW_COLUMNS}
    values["edition"] = values.get("edition") or "en"
    layers = values.get("field_layers") or []
    values["field_layers"] = dict(layers) if not isinstance(layers, dict) else layers
    for name in ("authors", "tags", "links"):
        values[name] = list(values.get(name) or [])
    return Article(**values)


@dataclass
class IndexEntry:
    content_hash: str
    year: int
    month: int
    edition: str = "en"

    @property
    def key(self) -> PartitionKey:
        return (self.edition, self.year, self.month)


#: ``(edition, year, month)``: one part file of the articles dataset.
PartitionKey = tuple[str, int, int]


@dataclass
class MergeResult:
    written_partitions: list[PartitionKey] = field(default_factory=list)
    revisions: int = 0
    # article_id -> entry, to apply to the caller's index once the merge is committed.
    index_updates: dict[str, IndexEntry] = field(default_factory=dict)


class DamagedPartFile(RuntimeError):
    """A part file of the articles dataset cannot be read."""

    def __init__(self, path: Path, detail: str) -> None:
        super().__init__(f"damaged part file {path}: {detail}")
        self.path = path
        self.detail = detail


def partition_of(article: Article) -> PartitionKey:
    """The partition an article belongs in: its edition and UTC publication month."""
    published = article.published_at.astimezone(UTC)
    return article.edition, published.year, published.month


def partition_key(path: Path) -> PartitionKey | None:
    """``(edition, year, month)`` of a part file's hive folders, or None for a stray file.

    A file in the layout before editions (``year=/month=`` straight under
    ``articles/``) is not a partition: `newsdesk.migrate` moves it first.
    """
    edition_dir, year_dir, month_dir = path.parent.parent.parent, path.parent.parent, path.parent
    if not (
        edition_dir.name.startswith("edition=")
        and year_dir.name.startswith("year=")
        and month_dir.name.startswith("month=")
    ):
        return None
    try:
        year = int(year_dir.name.removeprefix("year="))
        month = int(month_dir.name.removeprefix("month="))
    except ValueError:
        return None
    edition = edition_dir.name.removeprefix("edition=")
    return (edition, year, month) if edition else None


INDEX_COLUMNS = ["article_id", "content_hash", "published_at", "updated_at"]


def read_part(path: Path, columns: list[str] | None = None) -> pa.Table:
    """One part file (all columns by default); raises `DamagedPartFile` if unreadable."""
    try:
        table = pq.read_table(path, columns=columns, page_checksum_verification=True)
        if columns is None:
            table = table.cast(ARTICLE_SCHEMA)
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise DamagedPartFile(path, str(exc).splitlines()[0][:200] if str(exc) else "") from exc
    return table


class ArticleStore:
    """Reads and merges the articles dataset of one warehouse."""

    def __init__(self, warehouse: Warehouse) -> None:
        self.warehouse = warehouse

    def part_files(self) -> list[Path]:
        """Every part file of the dataset (hidden temporary files excluded)."""
        root = self.warehouse.articles
        if not root.exists():
            return []
        return sorted(p for p in root.rglob("*.parquet") if not p.name.startswith("."))

    def dataset(self) -> ds.Dataset | None:
        root = self.warehouse.articles
        if not root.exists() or not any(root.rglob("*.parquet")):
            return None
        # The partition levels typed explicitly: ``edition`` a string, year/month int32.
        partitioning = ds.partitioning(ARTICLE_PARTITIONING, flavor="hive")
        return ds.dataset(
            root,
            format="parquet",
            partitioning=partitioning,
            schema=pa.unify_schemas([ARTICLE_SCHEMA, ARTICLE_PARTITIONING]),
        )

    def read_table(self, columns: list[str] | None = None) -> pa.Table:
        """The whole articles dataset as item rows (edition included from its partition)."""
        wanted = columns or ARTICLE_ROW_COLUMNS
        dataset = self.dataset()
        if dataset is None:
            return (
                pa.unify_schemas([ARTICLE_SCHEMA, ARTICLE_PARTITIONING])
                .empty_table()
                .select(wanted)
            )
        return dataset.to_table(columns=wanted)

    def read_index_columns(self) -> tuple[pa.Table, list[DamagedPartFile]]:
        """article_id, content_hash, published_at, updated_at, edition, year, month of every row.

        Files are read one by one, so a damaged one is reported (not raised) and
        the rest still read.
        """
        tables: list[pa.Table] = []
        damaged: list[DamagedPartFile] = []
        for path in self.part_files():
            key = partition_key(path)
            if key is None:
                continue
            try:
                table = read_part(path, INDEX_COLUMNS)
            except DamagedPartFile as exc:
                damaged.append(exc)
                continue
            n = table.num_rows
            table = table.append_column("edition", pa.array([key[0]] * n, pa.string()))
            table = table.append_column("year", pa.array([key[1]] * n, pa.int32()))
            table = table.append_column("month", pa.array([key[2]] * n, pa.int32()))
            tables.append(table)
        if not tables:
            empty = pa.schema(
                [ARTICLE_SCHEMA.field(name) for name in INDEX_COLUMNS]
                + [
                    pa.field("edition", pa.string()),
                    pa.field("year", pa.int32()),
                    pa.field("month", pa.int32()),
                ]
            )
            return empty.empty_table(), damaged
        return pa.concat_tables(tables, promote_options="permissive"), damaged

    def verify(self, cache: Path) -> list[DamagedPartFile]:
        """Read every part file whole (checksums included) unless already verified as it is.

        ``cache`` remembers (size, mtime) of files found sound, so a file is read
        whole once after each change, not on every crawl.
        """
        try:
            seen = json.loads(cache.read_text())
            if not isinstance(seen, dict):
                seen = {}
        except (OSError, ValueError):
            seen = {}
        damaged: list[DamagedPartFile] = []
        verified: dict[str, list[int]] = {}
        for path in self.part_files():
            rel = path.relative_to(self.warehouse.root).as_posix()
            try:
                st = path.stat()
            except OSError:
                continue
            stamp = [st.st_size, st.st_mtime_ns]
            if seen.get(rel) != stamp:
                try:
                    read_part(path)
                except DamagedPartFile as exc:
                    damaged.append(exc)
                    continue
            verified[rel] = stamp
        if verified != seen:
            try:
                cache.parent.mkdir(parents=True, exist_ok=True)
                tmp = _tmp_for(cache)
                tmp.write_text(json.dumps(verified))
                os.replace(tmp, cache)
            except OSError:
                pass  # only a cache: the files are read whole again next time
        return damaged

    def load_index(self) -> dict[str, IndexEntry]:
        """article_id -> (content_hash, partition) for every stored article."""
        table, damaged = self.read_index_columns()
        if damaged:
            raise damaged[0]
        return index_from_table(table)

    def merge(
        self,
        articles: list[Article],
        index: dict[str, IndexEntry],
        now: datetime | None = None,
        txn: Transaction | None = None,
    ) -> MergeResult:
        """Write ``articles`` (new or changed) into their partitions, replacing old rows.

        ``index`` is the stored state *before* these articles. An article whose
        month changed is removed from its old partition. Replaced versions are
        appended to the ``article_revisions`` dataset. Without ``txn`` the merge
        is committed at once and ``index`` updated; with one, the caller commits
        and then applies ``result.index_updates``.
        """
        own = txn is None
        txn = txn if txn is not None else Transaction(self.warehouse.root)
        result = self.stage_merge(articles, index, txn, now)
        if own:
            txn.commit()
            index.update(result.index_updates)
        return result

    def stage_merge(
        self,
        articles: list[Article],
        index: dict[str, IndexEntry],
        txn: Transaction,
        now: datetime | None = None,
    ) -> MergeResult:
        """Stage the merge of ``articles`` in ``txn`` (see `merge`)."""
        now = now or datetime.now(UTC)
        result = MergeResult()
        if not articles:
            return result
        by_partition: dict[PartitionKey, list[Article]] = {}
        removals: dict[PartitionKey, set[str]] = {}
        for article in articles:
            key = partition_of(article)
            by_partition.setdefault(key, []).append(article)
            old = index.get(article.article_id)
            if old is not None:
                removals.setdefault(old.key, set()).add(article.article_id)
        replaced_rows: list[dict[str, Any]] = []
        for key in sorted(set(by_partition) | set(removals)):
            replaced_rows.extend(
                self._stage_partition(txn, key, by_partition.get(key, []), removals.get(key, set()))
            )
            result.written_partitions.append(key)
        for article in articles:
            edition, year, month = partition_of(article)
            result.index_updates[article.article_id] = IndexEntry(
                article.content_hash, year, month, edition
            )
        if replaced_rows:
            result.revisions = self._stage_revisions(txn, replaced_rows, articles, now)
        return result

    def _stage_partition(
        self,
        txn: Transaction,
        key: PartitionKey,
        additions: list[Article],
        removal_ids: set[str],
    ) -> list[dict[str, Any]]:
        path = self.warehouse.article_partition(*key) / PART_FILE
        replaced: list[dict[str, Any]] = []
        parts: list[pa.Table] = []
        if path.exists():
            existing = read_part(path)
            ids = set(a.article_id for a in additions) | removal_ids
            if ids:
                mask = pc.is_in(existing["article_id"], value_set=pa.array(sorted(ids)))
                replaced = existing.filter(mask).to_pylist()
                existing = existing.filter(pc.invert(mask))
            parts.append(existing)
        if additions:
            parts.append(articles_to_table(additions))
        table = pa.concat_tables(parts) if parts else ARTICLE_SCHEMA.empty_table()
        if table.num_rows == 0:
            if path.exists():
                txn.delete(path)
            return replaced
        table = table.sort_by([("published_at", "ascending"), ("article_id", "ascending")])
        txn.stage_table(table.replace_schema_metadata(ARTICLE_SCHEMA.metadata), path)
        return replaced

    def _stage_revisions(
        self,
        txn: Transaction,
        replaced_rows: list[dict[str, Any]],
        articles: list[Article],
        now: datetime,
    ) -> int:
        new_by_id = {a.article_id: a.to_dict() for a in articles}
        counts = self._revision_counts()
        rows = []
        for old in replaced_rows:
            new = new_by_id[old["article_id"]]
            if old.get("content_hash") == new.get("content_hash"):
                continue
            changed = [
                name for name in CONTENT_FIELDS if _norm(old.get(name)) != _norm(new.get(name))
            ]
            revision = counts.get(old["article_id"], 0) + 1
            counts[old["article_id"]] = revision
            rows.append(
                {
                    "article_id": old["article_id"],
                    "revision": revision,
                    "content_hash": old["content_hash"],
                    "changed_fields": changed,
                    "previous_values": json.dumps(
                        {name: _jsonable(old.get(name)) for name in changed}, ensure_ascii=False
                    ),
                    "seen_at": old.get("crawled_at"),
                    "replaced_at": now,
                }
            )
        if not rows:
            return 0
        table = pa.Table.from_pylist(rows, schema=REVISION_SCHEMA)
        path = (
            self.warehouse.revisions
            / f"date={now.date().isoformat()}"
            / f"{now.strftime('%H%M%S')}-{uuid.uuid4().hex[:8]}.parquet"
        )
        txn.stage_table(table, path)
        return len(rows)

    def _revision_counts(self) -> dict[str, int]:
        root = self.warehouse.revisions
        if not root.exists() or not any(root.rglob("*.parquet")):
            return {}
        table = ds.dataset(root, format="parquet", partitioning="hive").to_table(
            columns=["article_id", "revision"]
        )
        counts: dict[str, int] = {}
        for row in table.to_pylist():
            counts[row["article_id"]] = max(counts.get(row["article_id"], 0), row["revision"])
        return counts

    def quarantine(self, path: Path, now: datetime | None = None) -> Path:
        """Move a damaged part file aside (never deleted); returns where it went."""
        now = now or datetime.now(UTC)
        rel = path.relative_to(self.warehouse.articles)
        stamp = now.strftime("%Y%m%dT%H%M%SZ")
        target = self.warehouse.quarantine / "articles" / f"{rel}.{stamp}.damaged"
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, target)
        _fsync_dir(path.parent)
        return target


def index_from_table(table: pa.Table) -> dict[str, IndexEntry]:
    """The writer's index from `ArticleStore.read_index_columns`' table."""
    editions = (
        table["edition"].to_pylist() if "edition" in table.column_names else ["en"] * table.num_rows
    )
    return {
        article_id: IndexEntry(content_hash, int(year), int(month), edition)
        for article_id, content_hash, year, month, edition in zip(
            table["article_id"].to_pylist(),
            table["content_hash"].to_pylist(),
            table["year"].to_pylist(),
            table["month"].to_pylist(),
            editions,
            strict=True,
        )
    }


def crawl_log_path(warehouse: Warehouse, run_id: str, day: str, sequence: int = 0) -> Path:
    """Where one commit's crawl log rows go (``<run_id>.parquet``, then ``<run_id>-N``)."""
    name = f"{run_id}.parquet" if sequence == 0 else f"{run_id}-{sequence:05d}.parquet"
    return warehouse.crawl_log / f"date={day}" / name


def write_crawl_log(warehouse: Warehouse, run_id: str, events: list[CrawlEvent], day: str) -> Path:
    path = crawl_log_path(warehouse, run_id, day)
    write_table_atomic(events_to_table(events), path)
    return path


def _norm(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, list) and value and isinstance(value[0], tuple):
        return dict(value)
    return value


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    return value
