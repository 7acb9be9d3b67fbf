"""newsdesk: Al Mayadeen English as a research-grade Parquet + DuckDB news dataset.

``newsdesk.open(warehouse)`` is the Python API (`newsdesk.api`): the articles of a
built warehouse as Arrow tables or record-batch streams, with the CLI's filters.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from newsdesk.api import Newsdesk
    from newsdesk.warehouse import Warehouse

__all__ = ["open"]


def open(warehouse: str | os.PathLike[str] | Warehouse | None = None) -> Newsdesk:
    """Open a built warehouse read-only; see `newsdesk.api.open`.

    Imported lazily: the crawler imports this package too and needs neither DuckDB
    nor pyarrow loaded up front.
    """
    from newsdesk import api

    return api.open(warehouse)
