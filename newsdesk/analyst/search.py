"""Full-text search over titles, subtitles and bodies, ranked by BM25.

The index is built by ``newsdesk/sql/200_fts.sql`` (DuckDB's fts extension:
English stemmer and stop words, case and accents folded).
"""

from __future__ import annotations

import duckdb

from newsdesk.analyst.database import AnalystError, Result, one_line
from newsdesk.analyst.filters import ArticleFilters, utc_day

SEARCH_SQL = """
SELECT row_number() OVER (ORDER BY score DESC, published_at DESC, article_id) AS rank,
       round(score, 3) AS score,
       day AS date,
       section,
       title,
       url
FROM (
    SELECT a.article_id, a.published_at, {day} AS day, a.section, a.title, a.url,
           fts_main_articles.match_bm25(a.article_id, $query) AS score
    FROM articles AS a
    WHERE {where}
) AS scored
WHERE score IS NOT NULL
ORDER BY rank
LIMIT $limit
"""


def search_articles(
    con: duckdb.DuckDBPyConnection,
    query: str,
    filters: ArticleFilters | None = None,
    limit: int = 20,
) -> Result:
    """The best ``limit`` matches for ``query`` (rank, score, date, section, title, url)."""
    if not query.strip():
        raise AnalystError('search needs some words, e.g. newsdesk search "ceasefire gaza"')
    where, params = (filters or ArticleFilters()).where("a")
    params.update(query=query, limit=limit)
    try:
        cursor = con.execute(SEARCH_SQL.format(where=where, day=utc_day("a")), params)
        columns = [d[0] for d in cursor.description]
        types = [str(d[1]) for d in cursor.description]
        rows = cursor.fetchall()
    except duckdb.CatalogException as exc:
        if "fts_main_articles" in str(exc):
            raise AnalystError(
                "the database has no full-text index: run `newsdesk build` again"
            ) from exc
        raise AnalystError(f"search failed: {one_line(exc)}") from exc
    except duckdb.Error as exc:
        raise AnalystError(f"search failed: {one_line(exc)}") from exc
    return Result(columns=columns, rows=rows, types=types)


def count_articles(con: duckdb.DuckDBPyConnection, filters: ArticleFilters) -> int:
    """How many articles ``filters`` keep (the same condition export and search use)."""
    where, params = filters.where("a")
    try:
        row = con.execute(f"SELECT count(*) FROM articles AS a WHERE {where}", params).fetchone()
    except duckdb.CatalogException as exc:
        if "fts_main_articles" in str(exc):
            raise AnalystError(
                "the database has no full-text index: run `newsdesk build` again"
            ) from exc
        raise AnalystError(f"cannot count the articles: {one_line(exc)}") from exc
    except duckdb.Error as exc:
        raise AnalystError(f"cannot count the articles: {one_line(exc)}") from exc
    return int(row[0]) if row else 0
