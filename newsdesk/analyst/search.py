"""Full-text search over titles, subtitles and bodies, ranked by BM25 per edition.

``newsdesk build`` indexes each edition with its own stemmer (DuckDB's fts:
``newsdesk/sql/editions/``) and defines ``search_scores(words)``, one branch per
edition. A BM25 score depends on its index's statistics, so scores of two
editions are not comparable: results are ranked within each edition and listed
edition by edition, never merged into one ranking.
"""

from __future__ import annotations

import duckdb

from newsdesk import editions
from newsdesk.analyst.database import AnalystError, Result, one_line, render
from newsdesk.analyst.filters import ArticleFilters, utc_day

# ``$limit`` applies per edition (each edition's best matches), ranks restart per edition.
SEARCH_SQL = """
SELECT edition, rank, score, date, section, title, url
FROM (
    SELECT s.edition, s.edition_order,
           row_number() OVER (
               PARTITION BY s.edition ORDER BY s.score DESC, a.published_at DESC, a.article_id
           ) AS rank,
           round(s.score, 3) AS score,
           {day} AS date,
           a.section, a.title, a.url
    FROM search_scores($query) AS s
    JOIN articles AS a ON a.article_id = s.article_id
    WHERE {where}
) AS ranked
WHERE rank <= $limit
ORDER BY edition_order, rank
"""

NO_INDEX = "the database has no per-edition full-text index: run `newsdesk build` again"


def _is_missing_index(exc: duckdb.Error) -> bool:
    # A database built before per-edition indexes has neither the macro nor the schemas.
    text = str(exc)
    return "search_scores" in text or "fts_main_articles_text_" in text


def search_articles(
    con: duckdb.DuckDBPyConnection,
    query: str,
    filters: ArticleFilters | None = None,
    limit: int = 20,
) -> Result:
    """The best ``limit`` matches for ``query`` in each edition.

    Columns: rank, score, date, section, title, url, preceded by ``edition``
    unless ``filters.edition`` names one edition (then only its index is used and
    the rows are what a single-edition search always gave). Rows are grouped by
    edition (registry order), ``rank`` restarting at 1 in each.
    """
    if not query.strip():
        raise AnalystError('search needs some words, e.g. newsdesk search "ceasefire gaza"')
    filters = filters or ArticleFilters()
    where, params = filters.where("a")
    if filters.edition is not None:
        # Also on the scores' side, so the other editions' indexes are skipped.
        where = f"{where} AND s.edition = $f_edition"
    params.update(query=query, limit=limit)
    try:
        cursor = con.execute(SEARCH_SQL.format(where=where, day=utc_day("a")), params)
        columns = [d[0] for d in cursor.description]
        types = [str(d[1]) for d in cursor.description]
        rows = cursor.fetchall()
    except duckdb.CatalogException as exc:
        if _is_missing_index(exc):
            raise AnalystError(NO_INDEX) from exc
        raise AnalystError(f"search failed: {one_line(exc)}") from exc
    except duckdb.Error as exc:
        raise AnalystError(f"search failed: {one_line(exc)}") from exc
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
