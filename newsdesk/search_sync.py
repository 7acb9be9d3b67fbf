"""Keep the per-edition tantivy search indexes in step with ``articles``, incrementally.

Layout under a search root (``<warehouse>/search``, or a lake's per-machine cache
`lake_cache_root`)::

    search/<code>            -> <code>.<generation>   (a symlink, swapped atomically)
    search/<code>.<gen>/index/            the tantivy index (`newsdesk.search_index`)
    search/<code>.<gen>/manifest.parquet  article_id -> content_hash it holds
    search/.<code>.lock                   one updater at a time per edition

An update (`sync_edition`) diffs ``articles``' content_hash against the manifest
and upserts the new and edited articles, deletes the removed ones, in one tantivy
commit. Readers keep seeing the last commit while it runs. A missing, unreadable
or foreign manifest (another tantivy, index format, stemmer), or an index whose
document count contradicts it, means a full rebuild: built in a new generation
folder aside, then the symlink is replaced (``rename`` is atomic), so a reader
finds either the old index or the new one, never a half-built one.

Crash safety of an update: before the commit, the manifest is rewritten with the
hashes of every article about to change set to NULL ("unknown"); after the commit
it is rewritten with the new hashes. A kill between the two leaves an index that
holds either the old or the new version of those articles (tantivy commits are
atomic) and a manifest that makes the next update redo exactly them: an upsert
deletes before it adds, so redoing one never duplicates it.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import importlib.metadata
import os
import shutil
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.parquet as pq

from newsdesk.failpoints import failpoint
from newsdesk.search_index import SearchIndex, edition_language

if TYPE_CHECKING:
    import duckdb

    from newsdesk.lake import LakeConfig

# Bump when the schema or the text analysis of `newsdesk.search_index` changes:
# an index written by another format is rebuilt, never mixed.
INDEX_FORMAT = "1"
MANIFEST = "manifest.parquet"
INDEX_DIR = "index"
MANIFEST_SCHEMA = pa.schema([("article_id", pa.string()), ("content_hash", pa.string())])
# Text is fetched and indexed in batches so a full rebuild of a large edition does
# not hold every body in memory at once.
_TEXT_BATCH_ROWS = 5_000


class SearchSyncError(RuntimeError):
    """The search index could not be brought up to date (one line)."""


@dataclass
class SyncResult:
    """What one edition's update did."""

    edition: str
    rebuilt: bool = False
    upserted: int = 0
    deleted: int = 0
    articles: int = 0
    duration_s: float = 0.0
    reason: str = ""


def _sql(name: str) -> str:
    return resources.files("newsdesk").joinpath("sql", "search", name).read_text()


def tantivy_version() -> str:
    """The installed tantivy package's version (an index is tied to it)."""
    return importlib.metadata.version("tantivy")


def _expected_meta(edition: str) -> dict[str, str]:
    stemmer, stopwords = edition_language(edition)
    return {
        "newsdesk_search_format": INDEX_FORMAT,
        "tantivy": tantivy_version(),
        "edition": edition,
        "stemmer": stemmer,
        "stopwords": stopwords,
    }


def lake_cache_root(config: LakeConfig) -> Path:
    """This machine's cache of a lake's search indexes: ``$XDG_CACHE_HOME/newsdesk/search/<hash>``.

    The hash names the lake by its catalog and data location, so two lakes never
    share a cache and the same lake always finds its own.
    """
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    key = hashlib.sha256(f"{config.catalog}\n{config.data_path}".encode()).hexdigest()[:16]
    return Path(base) / "newsdesk" / "search" / key


def edition_dir(root: Path, edition: str) -> Path:
    """The edition's current index folder (the symlink ``root/<code>``)."""
    return root / edition


def indexed_editions(root: Path) -> list[str]:
    """The editions that have an index under ``root``."""
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if p.is_symlink() and "." not in p.name)


def open_for_search(root: Path, edition: str) -> SearchIndex | None:
    """The edition's index for reading, or None when it has none."""
    folder = edition_dir(root, edition)
    if not (folder / INDEX_DIR / "meta.json").is_file():
        return None
    return SearchIndex(folder.resolve() / INDEX_DIR, edition)


@contextlib.contextmanager
def _lock(root: Path, edition: str) -> Iterator[None]:
    root.mkdir(parents=True, exist_ok=True)
    with open(root / f".{edition}.lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _write_manifest(path: Path, table: pa.Table, meta: dict[str, str]) -> None:
    """Replace the manifest atomically (write aside, fsync, rename)."""
    table = table.cast(MANIFEST_SCHEMA).replace_schema_metadata(meta)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
    try:
        pq.write_table(table, tmp, compression="zstd")
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _read_manifest(folder: Path, meta: dict[str, str]) -> tuple[pa.Table | None, str]:
    """The manifest, or None and why it cannot be trusted."""
    path = folder / MANIFEST
    if not path.is_file():
        return None, "no manifest"
    try:
        table = pq.read_table(path)
    except (OSError, pa.ArrowException) as exc:
        return None, f"damaged manifest ({exc})"
    stored = {
        k.decode(): v.decode() for k, v in (table.schema.metadata or {}).items() if k != b"pandas"
    }
    if any(stored.get(k) != v for k, v in meta.items()):
        return None, "manifest of another index version"
    if table.schema.names != MANIFEST_SCHEMA.names:
        return None, "damaged manifest (columns)"
    return table.cast(MANIFEST_SCHEMA), ""


def _remove_leftovers(root: Path, edition: str) -> None:
    """Delete generation folders the symlink does not point to (killed rebuilds, old ones)."""
    link = edition_dir(root, edition)
    current = os.readlink(link) if link.is_symlink() else None
    for folder in root.glob(f"{edition}.*"):
        if folder.name != current and folder.is_dir() and not folder.is_symlink():
            shutil.rmtree(folder, ignore_errors=True)


def _ids(con: duckdb.DuckDBPyConnection, sql: str) -> pa.Table:
    return con.execute(sql).to_arrow_table()


def _rows(con: duckdb.DuckDBPyConnection, edition: str) -> Iterator[dict[str, Any]]:
    reader = con.execute(_sql("texts.sql"), {"edition": edition}).to_arrow_reader(_TEXT_BATCH_ROWS)
    for batch in reader:
        yield from batch.to_pylist()
        failpoint("search.batch")


def _unregister(con: duckdb.DuckDBPyConnection, *names: str) -> None:
    for name in names:
        with contextlib.suppress(Exception):
            con.unregister(name)


def _rebuild(
    con: duckdb.DuckDBPyConnection, root: Path, edition: str, current: pa.Table, meta: dict
) -> int:
    """Index every article aside, then swap the symlink; returns the articles indexed."""
    generation = root / f"{edition}.{uuid.uuid4().hex[:12]}"
    building = root / f"{generation.name}.building"
    try:
        index = SearchIndex(building / INDEX_DIR, edition)
        con.register("search_ids", current.select(["article_id"]))
        n = index.upsert(_rows(con, edition))
        _write_manifest(building / MANIFEST, current, meta)
        failpoint("search.rebuilt")
        del index
        os.rename(building, generation)
        link = root / f".{edition}.link.{uuid.uuid4().hex[:8]}"
        os.symlink(generation.name, link)
        os.replace(link, edition_dir(root, edition))  # atomic: readers see old or new
    finally:
        _unregister(con, "search_ids")
        if building.exists():
            shutil.rmtree(building, ignore_errors=True)
    return n


def sync_edition(con: duckdb.DuckDBPyConnection, root: Path, edition: str) -> SyncResult:
    """Bring ``root/<edition>`` up to date with ``articles`` of ``con`` (read-only is enough)."""
    t0 = time.monotonic()
    result = SyncResult(edition=edition)
    meta = _expected_meta(edition)
    with _lock(root, edition):
        _remove_leftovers(root, edition)
        current = con.execute(_sql("current.sql"), {"edition": edition}).to_arrow_table()
        result.articles = current.num_rows
        folder = edition_dir(root, edition)
        manifest, reason = (
            _read_manifest(folder, meta) if folder.is_symlink() else (None, "no index")
        )
        index: SearchIndex | None = None
        if manifest is not None:
            try:
                index = SearchIndex(folder.resolve() / INDEX_DIR, edition)
                known = manifest.filter(manifest["content_hash"].is_valid()).num_rows
                if not known <= index.count() <= manifest.num_rows:
                    manifest, reason = None, "index and manifest disagree"
            except (OSError, ValueError) as exc:
                manifest, reason = None, f"unreadable index ({exc})"
        if manifest is None or index is None:
            result.rebuilt, result.reason = True, reason
            result.upserted = _rebuild(con, root, edition, current, meta)
            _remove_leftovers(root, edition)
            result.duration_s = round(time.monotonic() - t0, 3)
            return result
        con.register("search_current", current)
        con.register("search_manifest", manifest)
        try:
            changed = _ids(con, _sql("changed.sql"))
            removed = _ids(con, _sql("removed.sql"))
        finally:
            _unregister(con, "search_current", "search_manifest")
        if changed.num_rows or removed.num_rows:
            touched = pa.concat_arrays(
                [
                    changed["article_id"].combine_chunks().cast(pa.string()),
                    removed["article_id"].combine_chunks().cast(pa.string()),
                ]
            )
            # Before the commit: every article about to change is "unknown", so a
            # kill from here on makes the next update redo exactly these.
            import pyarrow.compute as pc

            unknown = pc.is_in(manifest["article_id"], value_set=touched)
            pending = manifest.set_column(
                1,
                "content_hash",
                pc.if_else(unknown, pa.scalar(None, pa.string()), manifest["content_hash"]),
            )
            new_ids = changed.filter(
                pc.invert(pc.is_in(changed["article_id"], value_set=manifest["article_id"]))
            )
            pending = pa.concat_tables(
                [
                    pending,
                    pa.table(
                        {
                            "article_id": new_ids["article_id"].cast(pa.string()),
                            "content_hash": pa.nulls(new_ids.num_rows, pa.string()),
                        }
                    ),
                ]
            )
            _write_manifest(folder / MANIFEST, pending, meta)
            failpoint("search.pending")
            con.register("search_ids", changed)
            try:
                result.upserted = index._write(
                    _rows(con, edition), [str(i) for i in removed["article_id"].to_pylist()]
                )
            finally:
                _unregister(con, "search_ids")
            result.deleted = removed.num_rows
            failpoint("search.committed")
            _write_manifest(folder / MANIFEST, current, meta)
    result.duration_s = round(time.monotonic() - t0, 3)
    return result


def sync_all(
    con: duckdb.DuckDBPyConnection, root: Path, editions: Sequence[str] | None = None
) -> list[SyncResult]:
    """Update the index of every edition in ``articles`` (and empty those gone from it).

    ``editions`` limits the update to those codes. Raises `SearchSyncError`.
    """
    try:
        present = [str(c) for (c,) in con.execute(_sql("codes.sql")).fetchall()]
        codes = sorted(set(present) | set(indexed_editions(root)))
        if editions is not None:
            codes = [c for c in codes if c in set(editions)]
        return [sync_edition(con, root, code) for code in codes]
    except (OSError, ValueError) as exc:
        raise SearchSyncError(f"search index under {root}: {exc}") from exc
