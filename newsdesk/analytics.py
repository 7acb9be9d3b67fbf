"""Small read-side helpers: table rendering and the demo's sample result."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from newsdesk.build import build_database, connect
from newsdesk.warehouse import Warehouse

DEMO_QUERY = """
SELECT edition, count(*) AS articles, count(DISTINCT section) AS sections,
       count(*) FILTER (WHERE content_type = 'video') AS videos,
       min(published_date) AS first, max(published_date) AS last
FROM articles GROUP BY edition ORDER BY edition
"""


def render_table(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A plain aligned text table."""
    cells = [[("" if v is None else str(v)) for v in row] for row in rows]
    widths = [len(c) for c in columns]
    for row in cells:
        widths = [max(w, len(v)) for w, v in zip(widths, row, strict=True)]
    line = "  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))
    rule = "  ".join("-" * w for w in widths)
    body = ["  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)) for row in cells]
    return "\n".join([line, rule, *body])


def demo_report(warehouse: Warehouse) -> str:
    """Build the DuckDB tables and return the demo's printed result."""
    result = build_database(warehouse)
    con = connect(result.path, read_only=True)
    try:
        cur = con.execute(DEMO_QUERY)
        columns = [d[0] for d in cur.description]
        table = render_table(columns, cur.fetchall())
    finally:
        con.close()
    counts = ", ".join(f"{k} {v}" for k, v in sorted(result.tables.items()))
    return (
        f"duckdb: {result.path} built in {result.duration_s:.1f} s ({counts})\n"
        f"sample query (articles per edition):\n{DEMO_QUERY.strip()}\n\n{table}"
    )
