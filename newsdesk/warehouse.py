"""The warehouse layout. Every storage path the project uses is owned here.

<root>/articles/edition=E/year=YYYY/month=M/part-0.parquet   one file per partition
<root>/crawl_log/date=YYYY-MM-DD/<run_id>.parquet   one file per crawl run
<root>/quarantine/date=YYYY-MM-DD/<run_id>.parquet  pages rejected as articles
<root>/article_revisions/...                        previous versions of edited articles
<root>/raw/                                         WARC archive of fetched responses
<root>/newsdesk.duckdb                              analytics tables (built, swapped in atomically)
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_WAREHOUSE = "warehouse"
WAREHOUSE_ENV = "NEWSDESK_WAREHOUSE"


def default_root() -> Path:
    """The warehouse root from ``NEWSDESK_WAREHOUSE``, else ``warehouse/``."""
    return Path(os.environ.get(WAREHOUSE_ENV) or DEFAULT_WAREHOUSE)


class WarehouseIsLake(ValueError):
    """A lake's ``.toml`` was given where only a local warehouse folder works (one line)."""


@dataclass(frozen=True)
class Warehouse:
    """Paths inside one warehouse root."""

    root: Path

    @classmethod
    def at(cls, root: str | os.PathLike[str] | None = None) -> Warehouse:
        """The local warehouse at ``root`` (default `default_root`).

        A ``.toml`` names a lake (`newsdesk.lake`), never a folder: `WarehouseIsLake`
        rather than a folder called ``lake.toml`` for writers that cannot use a lake yet.
        """
        path = Path(root) if root is not None else default_root()
        if path.suffix.lower() == ".toml":
            raise WarehouseIsLake(
                f"{path} describes a lake, and this writer works on a local warehouse "
                "folder only: crawl into a folder, then `newsdesk lake import`"
            )
        return cls(path)

    @property
    def articles(self) -> Path:
        return self.root / "articles"

    @property
    def crawl_log(self) -> Path:
        return self.root / "crawl_log"

    @property
    def quarantine(self) -> Path:
        return self.root / "quarantine"

    @property
    def revisions(self) -> Path:
        return self.root / "article_revisions"

    @property
    def raw(self) -> Path:
        return self.root / "raw"

    @property
    def duckdb_path(self) -> Path:
        return self.root / "newsdesk.duckdb"

    @property
    def search(self) -> Path:
        """The per-edition tantivy search indexes (`newsdesk.search_sync`)."""
        return self.root / "search"

    @property
    def dagster_home(self) -> Path:
        return self.root / ".dagster"

    def article_partition(self, edition: str, year: int, month: int) -> Path:
        """The folder of one articles partition: the edition, then the UTC month."""
        return self.articles / f"edition={edition}" / f"year={year}" / f"month={month}"

    def articles_glob(self) -> str:
        return str(self.articles / "**" / "*.parquet")

    def crawl_log_glob(self) -> str:
        return str(self.crawl_log / "**" / "*.parquet")

    def ensure_writable(self) -> None:
        """Create the root and check it can be written; raises OSError with a clear message."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            probe = self.root / f".write-probe-{os.getpid()}"
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as exc:
            raise OSError(f"warehouse {self.root} is not writable: {exc.strerror or exc}") from exc
