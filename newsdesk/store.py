"""The Parquet side of the warehouse: schemas, atomic writes and the article merge.

Articles live in one file per (year, month) partition. A merge rewrites only
the partitions it touches: the old file is read, rows being replaced are
filtered out, the new rows are added, and the result is written aside and
renamed over the old file (``os.replace``), so a reader sees the old file or
the new one, never half of one, and a killed crawl leaves nothing behind but
a hidden temporary file that the next writer removes.
"""

from __future__ import annotations

import fcntl
import json
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

from newsdesk.items import CONTENT_FIELDS, SCHEMA_VERSION, Article, CrawlEvent
from newsdesk.warehouse import Warehouse

TS = pa.timestamp("us", tz="UTC")
STRINGS = pa.list_(pa.string())

ARTICLE_SCHEMA = pa.schema(
    [
        pa.field("article_id", pa.string(), nullable=False),
        pa.field("post_id", pa.string()),
        pa.field("url", pa.string(), nullable=False),
        pa.field("edition", pa.string()),
        pa.field("section", pa.string()),
        pa.field("section_group", pa.string()),
        pa.field("content_type", pa.string()),
        pa.field("title", pa.string(), nullable=False),
        pa.field("subtitle", pa.string()),
        pa.field("authors", STRINGS),
        pa.field("tags", STRINGS),
        pa.field("source", pa.string()),
        pa.field("region", pa.string()),
        pa.field("coverage", pa.string()),
        pa.field("published_at", TS, nullable=False),
        pa.field("updated_at", TS),
        pa.field("read_time_min", pa.int32()),
        pa.field("word_count", pa.int32()),
        pa.field("body", pa.string()),
        pa.field("image_url", pa.string()),
        pa.field("image_caption", pa.string()),
        pa.field("links", STRINGS),
        pa.field("field_layers", pa.map_(pa.string(), pa.string())),
        pa.field("crawled_at", TS),
        pa.field("content_hash", pa.string()),
    ],
    metadata={
        b"newsdesk.schema_version": SCHEMA_VERSION.encode(),
        b"newsdesk.dataset": b"articles",
    },
)

CRAWL_LOG_SCHEMA = pa.schema(
    [
        pa.field("run_id", pa.string(), nullable=False),
        pa.field("url", pa.string(), nullable=False),
        pa.field("outcome", pa.string(), nullable=False),
        pa.field("fetched_at", TS, nullable=False),
        pa.field("http_status", pa.int32()),
        pa.field("reason", pa.string()),
        pa.field("detail", pa.string()),
        pa.field("article_id", pa.string()),
    ],
    metadata={
        b"newsdesk.schema_version": SCHEMA_VERSION.encode(),
        b"newsdesk.dataset": b"crawl_log",
    },
)

REVISION_SCHEMA = pa.schema(
    [
        pa.field("article_id", pa.string(), nullable=False),
        pa.field("revision", pa.int32(), nullable=False),
        pa.field("content_hash", pa.string(), nullable=False),
        pa.field("changed_fields", STRINGS),
        pa.field("previous_values", pa.string()),
        pa.field("seen_at", TS),
        pa.field("replaced_at", TS, nullable=False),
    ],
    metadata={
        b"newsdesk.schema_version": SCHEMA_VERSION.encode(),
        b"newsdesk.dataset": b"article_revisions",
    },
)

PART_FILE = "part-0.parquet"


class WarehouseBusy(RuntimeError):
    """Another process holds the warehouse's writer lock."""


@contextmanager
def writer_lock(warehouse: Warehouse) -> Iterator[None]:
    """Exclusive writer lock on the warehouse (one crawl or reparse at a time)."""
    warehouse.root.mkdir(parents=True, exist_ok=True)
    path = warehouse.root / ".writer.lock"
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise WarehouseBusy(
                f"another crawl is writing to {warehouse.root}; wait for it to finish"
            ) from exc
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def write_table_atomic(table: pa.Table, path: Path) -> None:
    """Write ``table`` to ``path`` via a hidden temporary file and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".{path.name}.{uuid.uuid4().hex}.tmp"
    try:
        pq.write_table(table, tmp, compression="zstd", row_group_size=50_000)
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def remove_stale_temp_files(root: Path) -> int:
    """Delete temporary files left by a writer that was killed; returns how many."""
    if not root.exists():
        return 0
    count = 0
    for tmp in root.rglob(".*.tmp"):
        tmp.unlink(missing_ok=True)
        count += 1
    return count


def articles_to_table(articles: Iterable[Article]) -> pa.Table:
    rows = []
    for article in articles:
        row = article.to_dict()
        rows.append({name: row.get(name) for name in ARTICLE_SCHEMA.names})
    return pa.Table.from_pylist(rows, schema=ARTICLE_SCHEMA)


def events_to_table(events: Iterable[CrawlEvent]) -> pa.Table:
    rows = [{name: getattr(e, name) for name in CRAWL_LOG_SCHEMA.names} for e in events]
    return pa.Table.from_pylist(rows, schema=CRAWL_LOG_SCHEMA)


def row_to_article(row: dict[str, Any]) -> Article:
    """An Article from a dataset row (as given by ``Table.to_pylist``)."""
    values = {name: row.get(name) for name in ARTICLE_SCHEMA.names}
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


@dataclass
class MergeResult:
    written_partitions: list[tuple[int, int]] = field(default_factory=list)
    revisions: int = 0


def partition_of(article: Article) -> tuple[int, int]:
    published = article.published_at.astimezone(UTC)
    return published.year, published.month


class ArticleStore:
    """Reads and merges the articles dataset of one warehouse."""

    def __init__(self, warehouse: Warehouse) -> None:
        self.warehouse = warehouse

    def dataset(self) -> ds.Dataset | None:
        root = self.warehouse.articles
        if not root.exists() or not any(root.rglob("*.parquet")):
            return None
        return ds.dataset(root, format="parquet", partitioning="hive", schema=None)

    def read_table(self, columns: list[str] | None = None) -> pa.Table:
        """The whole articles dataset (empty table with the schema when there is none)."""
        dataset = self.dataset()
        if dataset is None:
            return ARTICLE_SCHEMA.empty_table().select(columns or ARTICLE_SCHEMA.names)
        return dataset.to_table(columns=columns or ARTICLE_SCHEMA.names)

    def load_index(self) -> dict[str, IndexEntry]:
        """article_id -> (content_hash, partition) for every stored article."""
        dataset = self.dataset()
        if dataset is None:
            return {}
        table = dataset.to_table(columns=["article_id", "content_hash", "year", "month"])
        return {
            row["article_id"]: IndexEntry(row["content_hash"], int(row["year"]), int(row["month"]))
            for row in table.to_pylist()
        }

    def merge(
        self,
        articles: list[Article],
        index: dict[str, IndexEntry],
        now: datetime | None = None,
    ) -> MergeResult:
        """Write ``articles`` (new or changed) into their partitions, replacing old rows.

        ``index`` is the stored state *before* these articles (it is updated in
        place). An article whose month changed is removed from its old partition.
        Replaced versions are appended to the ``article_revisions`` dataset.
        """
        now = now or datetime.now(UTC)
        result = MergeResult()
        if not articles:
            return result
        by_partition: dict[tuple[int, int], list[Article]] = {}
        removals: dict[tuple[int, int], set[str]] = {}
        for article in articles:
            key = partition_of(article)
            by_partition.setdefault(key, []).append(article)
            old = index.get(article.article_id)
            if old is not None:
                removals.setdefault((old.year, old.month), set()).add(article.article_id)
        replaced_rows: list[dict[str, Any]] = []
        for key in sorted(set(by_partition) | set(removals)):
            replaced_rows.extend(
                self._rewrite_partition(key, by_partition.get(key, []), removals.get(key, set()))
            )
            result.written_partitions.append(key)
        for article in articles:
            year, month = partition_of(article)
            index[article.article_id] = IndexEntry(article.content_hash, year, month)
        if replaced_rows:
            result.revisions = self._record_revisions(replaced_rows, articles, now)
        return result

    def _rewrite_partition(
        self, key: tuple[int, int], additions: list[Article], removal_ids: set[str]
    ) -> list[dict[str, Any]]:
        path = self.warehouse.article_partition(*key) / PART_FILE
        replaced: list[dict[str, Any]] = []
        parts: list[pa.Table] = []
        if path.exists():
            existing = pq.read_table(path).cast(ARTICLE_SCHEMA)
            if removal_ids:
                mask = pc.is_in(existing["article_id"], value_set=pa.array(sorted(removal_ids)))
                replaced = existing.filter(mask).to_pylist()
                existing = existing.filter(pc.invert(mask))
            parts.append(existing)
        if additions:
            parts.append(articles_to_table(additions))
        table = pa.concat_tables(parts) if parts else ARTICLE_SCHEMA.empty_table()
        if table.num_rows == 0:
            path.unlink(missing_ok=True)
            return replaced
        table = table.sort_by([("published_at", "ascending"), ("article_id", "ascending")])
        write_table_atomic(table.replace_schema_metadata(ARTICLE_SCHEMA.metadata), path)
        return replaced

    def _record_revisions(
        self, replaced_rows: list[dict[str, Any]], articles: list[Article], now: datetime
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
        write_table_atomic(table, path)
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


def write_crawl_log(warehouse: Warehouse, run_id: str, events: list[CrawlEvent], day: str) -> Path:
    path = warehouse.crawl_log / f"date={day}" / f"{run_id}.parquet"
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
