"""Full-text search over titles, subtitles and bodies, ranked by BM25 per edition.

``newsdesk search`` reads the tantivy indexes of `newsdesk.search_sync`, one per
edition with its own stemmer: ``<warehouse>/search/<code>/`` (updated by every
``newsdesk build``), or on a lake a per-machine cache brought up to date from the
lake's ``articles`` before searching. A BM25 score depends on its index's
statistics, so scores of two editions are not comparable: results are ranked
within each edition and listed edition by edition, never merged into one ranking.

The hits are joined with ``articles`` in DuckDB (``newsdesk/sql/search/hits.sql``)
for the columns and the filters. The filters apply after the ranking, so an
edition is searched deeper (more hits) until ``limit`` rows pass them or no hit
is left. (The SQL macros ``search_articles``/``search_scores`` are DuckDB's fts,
built by ``newsdesk build`` unless ``--no-sql-search``.)
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import duckdb
import pyarrow as pa

from newsdesk import editions
from newsdesk.analyst.database import AnalystError, Result, one_line, render
from newsdesk.analyst.filters import ArticleFilters, utc_day
from newsdesk.search_sync import indexed_editions, open_for_search

NO_INDEX = "the warehouse has no search index: run `newsdesk build` again"
# How many hits to look at first per edition, as a multiple of the limit; each
# further look is _DEEPER times larger (filters may reject most hits).
_FIRST_LOOK = 5
_DEEPER = 10


def _is_missing_index(exc: duckdb.Error) -> bool:
    # A database built without the SQL search (or before it) lacks the macro.
    text = str(exc)
    return "search_scores" in text or "fts_main_articles_text_" in text


def _edition_order(code: str) -> int:
    codes = [e.code for e in editions.all_editions()]
    return codes.index(code) if code in codes else len(codes)


def _hits_sql(where: str) -> str:
    text = resources.files("newsdesk").joinpath("sql", "search", "hits.sql").read_text()
    return text.format(where=where, day=utc_day("a"))


def search_articles(
    con: duckdb.DuckDBPyConnection,
    query: str,
    filters: ArticleFilters | None = None,
    limit: int = 20,
    *,
    index_root: Path,
) -> Result:
    """The best ``limit`` matches for ``query`` in each edition, from the indexes in ``index_root``.

    Columns: rank, score, date, section, title, url, preceded by ``edition``
    unless ``filters.edition`` names one edition (then only its index is used and
    the rows are what a single-edition search always gave). Rows are grouped by
    edition (registry order), ``rank`` restarting at 1 in each.
    """
    if not query.strip():
        raise AnalystError('search needs some words, e.g. newsdesk search "ceasefire gaza"')
    filters = filters or ArticleFilters()
    where, params = filters.where("a")
    codes = indexed_editions(index_root)
    if not codes:
        raise AnalystError(NO_INDEX)
    if filters.edition is not None:
        codes = [c for c in codes if c == filters.edition.strip().lower()]
    codes.sort(key=lambda c: (_edition_order(c), c))
    sql = _hits_sql(where)
    columns: list[str] = []
    types: list[str] = []
    rows: list[tuple] = []
    for code in codes:
        index = open_for_search(index_root, code)
        if index is None:
            continue
        look = max(limit * _FIRST_LOOK, 100)
        while True:
            hits, total = index.search_counted(query, look)
            table = pa.table(
                {
                    "edition": pa.array([code] * len(hits), pa.string()),
                    "edition_order": pa.array([_edition_order(code)] * len(hits), pa.int32()),
                    "article_id": pa.array([h[0] for h in hits], pa.string()),
                    "score": pa.array([h[1] for h in hits], pa.float64()),
                }
            )
            con.register("search_hits", table)
            try:
                cursor = con.execute(sql, {**params, "limit": limit})
                columns = [d[0] for d in cursor.description]
                types = [str(d[1]) for d in cursor.description]
                found = cursor.fetchall()
            except duckdb.Error as exc:
                raise AnalystError(f"search failed: {one_line(exc)}") from exc
            finally:
                con.unregister("search_hits")
            if len(found) >= limit or look >= total:
                break
            look *= _DEEPER
        rows.extend(found)
    if not columns:
        columns = ["edition", "rank", "score", "date", "section", "title", "url"]
        types = ["VARCHAR", "BIGINT", "DOUBLE", "DATE", "VARCHAR", "VARCHAR", "VARCHAR"]
    if filters.edition is not None:
        columns, types = columns[1:], types[1:]
        rows = [row[1:] for row in rows]
    return Result(columns=columns, rows=rows, types=types)


def edition_heading(code: str) -> str:
    """``ar — Al Mayadeen (Arabic)``: the code and the site's name, or the bare code."""
    try:
        return f"{code} — {editions.get(code).name}"
    except KeyError:
        return code


def render_search(result: Result, fmt: str = "table", *, max_width: int = 60) -> str:
    """The search result; table and markdown get one heading and table per edition.

    csv and json keep one flat list with the ``edition`` column (machines group
    themselves); a result without that column (one ``--edition``) renders as is.
    """
    if fmt not in ("table", "markdown") or "edition" not in result.columns or not result.rows:
        return render(result, fmt, max_width=max_width)
    at = result.columns.index("edition")
    groups: dict[str, list[tuple]] = {}
    for row in result.rows:
        groups.setdefault(str(row[at]), []).append(row[:at] + row[at + 1 :])
    columns = result.columns[:at] + result.columns[at + 1 :]
    types = result.types[:at] + result.types[at + 1 :]
    parts = []
    for code, rows in groups.items():
        heading = edition_heading(code)
        heading = f"## {heading}" if fmt == "markdown" else f"[{heading}]"
        body = render(Result(columns=columns, rows=rows, types=types), fmt, max_width=max_width)
        parts.append(f"{heading}\n\n{body}" if fmt == "markdown" else f"{heading}\n{body}")
    return "\n\n".join(parts)


def count_articles(con: duckdb.DuckDBPyConnection, filters: ArticleFilters) -> int:
    """How many articles ``filters`` keep (the same condition export and search use)."""
    where, params = filters.where("a")
    try:
        row = con.execute(f"SELECT count(*) FROM articles AS a WHERE {where}", params).fetchone()
    except duckdb.CatalogException as exc:
        if _is_missing_index(exc):
            raise AnalystError(NO_INDEX) from exc
        raise AnalystError(f"cannot count the articles: {one_line(exc)}") from exc
    except duckdb.Error as exc:
        raise AnalystError(f"cannot count the articles: {one_line(exc)}") from exc
    return int(row[0]) if row else 0
