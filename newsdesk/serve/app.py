"""The web app behind ``newsdesk serve``: faceted browsing, search, article pages, downloads.

Read-only by construction:

* every route is ``GET`` (Starlette answers anything else with 405);
* the page sends only filter values, each checked here and then bound as a DuckDB
  parameter; the SQL text comes from fixed fragments (`ArticleFilters.where`,
  `newsdesk.analyst.export.articles_sql`), so there is no way to send SQL;
* an unknown query parameter (``?sql=...``) is refused with 400 rather than ignored,
  so a mistyped filter is never silently dropped;
* the DuckDB connection is opened read-only and then has file access turned off, so
  even a bug in a query cannot read other files (for every connection to that file in
  the process: run the app in its own process, as ``newsdesk serve`` does).

DuckDB connections are not thread-safe and Starlette runs these (sync) endpoints in a
thread pool, so each request takes its own ``cursor()`` of one shared connection.
Opening the file costs a few hundred milliseconds (extensions, catalog), hence one
shared connection rather than one per request. ``newsdesk build`` replaces the file
atomically (a new inode), so each request compares the file's identity with the open
one and reopens when it changed, once no request still uses the old connection
(see `Database`).
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import math
import os
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import duckdb
import jinja2
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from newsdesk.analyst.database import AnalystError, one_line, open_database, text_cell, to_jsonable
from newsdesk.analyst.export import articles_sql
from newsdesk.analyst.filters import ArticleFilters, parse_day, utc_day
from newsdesk.warehouse import Warehouse

PAGE_SIZE = 20
MAX_PAGE = 100_000
#: Longer values are refused: no real tag, author or query is this long.
MAX_VALUE_LENGTH = 300
MAX_VALUES = 20
#: Facet values shown per facet (most frequent first); sections and editions are few.
FACET_TOP = {"edition": 20, "section": 40, "tag": 15, "author": 15, "source": 15}
MULTI_VALUED = ("section", "tag")
SINGLE_VALUED = ("q", "edition", "author", "source", "since", "until", "page")
KNOWN_PARAMS = (*SINGLE_VALUED[:1], *MULTI_VALUED, *SINGLE_VALUED[1:])
DOWNLOAD_FORMATS = ("csv", "json")
DOWNLOAD_BATCH = 500

#: Nothing but this page's own styles and forms: no scripts, no images, no frames.
SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
        b"base-uri 'none'; frame-ancestors 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]


# --- filters ---------------------------------------------------------------------------


@dataclass
class ServeFilters(ArticleFilters):
    """`ArticleFilters` plus the site edition (``en``), which the analyst filters lack.

    A subclass rather than a copy, so `articles_sql` and every other user of
    ``where()`` select exactly the rows the page shows.
    """

    edition: str | None = None

    def where(self, alias: str = "a") -> tuple[str, dict[str, Any]]:
        """The analyst filters' condition, and the edition's when one is chosen."""
        where, params = super().where(alias)
        if self.edition is not None:
            where = f"{where} AND lower({alias}.edition) = $s_edition"
            params["s_edition"] = self.edition.strip().lower()
        return where, params


@dataclass
class View:
    """The checked query parameters of one page: what to filter, which page, how to link."""

    params: dict[str, list[str]] = field(default_factory=dict)
    filters: ServeFilters = field(default_factory=ServeFilters)
    page: int = 1

    @property
    def query(self) -> str | None:
        return self.filters.search

    def value(self, name: str) -> str:
        """The first value given for ``name``, or ``""`` (for form fields)."""
        return self.params.get(name, [""])[0]

    def has(self, name: str, value: str) -> bool:
        """True if ``value`` is selected for ``name`` (text compared case-insensitively)."""
        return value.lower() in (v.lower() for v in self.params.get(name, []))

    def url(self, path: str = "/", **changes: list[str]) -> str:
        """``path`` with these parameters, ``changes`` replacing whole parameters."""
        params = {**self.params, **changes}
        if "page" not in changes:  # a new filter starts again at page 1
            params.pop("page", None)
        pairs = [(k, v) for k in KNOWN_PARAMS for v in params.get(k, []) if v]
        return path + ("?" + urlencode(pairs) if pairs else "")

    def toggle(self, name: str, value: str) -> str:
        """The link that adds or removes one facet value (back to page 1)."""
        current = self.params.get(name, [])
        if self.has(name, value):
            chosen = [v for v in current if v.lower() != value.lower()]
        elif name in MULTI_VALUED:
            chosen = [*current, value]
        else:
            chosen = [value]
        return self.url(**{name: chosen})

    def at_page(self, page: int) -> str:
        return self.url(page=[str(page)] if page > 1 else [])

    def download(self, fmt: str) -> str:
        return self.url(f"/articles.{fmt}")

    @property
    def chips(self) -> list[tuple[str, str, str]]:
        """``(label, value, link that removes it)`` for every active filter."""
        return [
            ("search" if name == "q" else name, value, self.toggle(name, value))
            for name in KNOWN_PARAMS
            if name != "page"
            for value in self.params.get(name, [])
        ]


def _bad(message: str) -> HTTPException:
    return HTTPException(400, message)


def parse_view(query: Any) -> View:
    """The `View` for a request's query parameters, or a 400 `HTTPException` saying why.

    ``query`` is Starlette's ``QueryParams`` (a multi-dict). Empty values are dropped,
    because an HTML form sends its empty fields.
    """
    unknown = sorted({k for k in query if k not in KNOWN_PARAMS})
    if unknown:
        raise _bad(
            f"unknown parameter {', '.join(map(repr, unknown))}; known: {', '.join(KNOWN_PARAMS)}"
        )
    params: dict[str, list[str]] = {}
    for name in KNOWN_PARAMS:
        raw = query.getlist(name)
        for value in raw:  # before stripping: a trailing CR LF is refused, not trimmed
            if len(value) > MAX_VALUE_LENGTH:
                raise _bad(f"{name} is longer than {MAX_VALUE_LENGTH} characters")
            if any(ord(c) < 32 or ord(c) == 127 for c in value):
                raise _bad(f"{name} contains control characters")
        values = [v.strip() for v in raw if v.strip()]
        if name in SINGLE_VALUED and len(values) > 1:
            raise _bad(f"give {name} once, not {len(values)} times")
        if len(values) > MAX_VALUES:
            raise _bad(f"at most {MAX_VALUES} values of {name}")
        if values:
            params[name] = values

    def one(name: str) -> str | None:
        return params[name][0] if name in params else None

    try:
        since = parse_day(one("since"), "since") if "since" in params else None
        until = parse_day(one("until"), "until") if "until" in params else None
    except ValueError as exc:
        raise _bad(str(exc)) from None
    page = 1
    if "page" in params:
        text = one("page") or ""
        if not text.isdigit() or not 1 <= int(text) <= MAX_PAGE:
            raise _bad(f"page must be a whole number from 1 to {MAX_PAGE}, got {text!r}")
        page = int(text)
    filters = ServeFilters(
        since=since,
        until=until,
        sections=list(params.get("section", [])),
        tags=list(params.get("tag", [])),
        author=one("author"),
        source=one("source"),
        search=one("q"),
        edition=one("edition"),
    )
    try:
        filters.check()
    except ValueError as exc:
        raise _bad(str(exc).replace("--", "")) from None
    return View(params=params, filters=filters, page=page)


# --- the database ----------------------------------------------------------------------


@dataclass
class _Generation:
    """One open connection to one version of the database file."""

    con: duckdb.DuckDBPyConnection
    identity: tuple[int, int, int, int]
    users: int = 0


def _identity(path: os.PathLike[str]) -> tuple[int, int, int, int]:
    """What changes when ``newsdesk build`` swaps in a new file: device, inode, mtime, size."""
    st = os.stat(path)
    return (st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size)


class Database:
    """The shared read-only connection, reopened when the file is replaced.

    DuckDB keeps one database instance per path in a process: connecting to the path
    again while the old connection is open returns the *old* file. So the old
    connection must be closed before the new file can be opened, and closing it also
    closes its cursors. Requests therefore keep using the old connection while any
    of them is still running (a long download, say), and the first request to find it
    idle closes it and opens the new file.
    """

    def __init__(self, warehouse: Warehouse) -> None:
        self.warehouse = warehouse
        self._lock = threading.Lock()
        self._current: _Generation | None = None

    def _open(self) -> _Generation:
        # Open first: `open_database` says in one line what is missing and what to run.
        con = open_database(self.warehouse)
        try:
            identity = _identity(self.warehouse.duckdb_path)
            # Defence in depth: the page never sends SQL, but should a query ever be
            # built wrongly it still cannot read or write any other file. DuckDB refuses
            # to turn this back on while the database is open.
            con.execute("SET enable_external_access = false")
        except (duckdb.Error, OSError) as exc:
            con.close()
            raise AnalystError(f"cannot open {self.warehouse.duckdb_path}: {exc}") from exc
        return _Generation(con=con, identity=identity)

    def check(self) -> None:
        """Open the database now (at start-up), raising `AnalystError` if it cannot be."""
        with self.cursor():
            pass

    @contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor of the connection to the current file, for one request."""
        with self._lock:
            try:
                identity: tuple[int, int, int, int] | None = _identity(self.warehouse.duckdb_path)
            except OSError:
                identity = None  # gone: `open_database` will say so in one line
            current = self._current
            if current is not None and current.identity != identity and current.users == 0:
                current.con.close()
                self._current = current = None
            if current is None:
                self._current = current = self._open()
            current.users += 1
            try:
                cursor = current.con.cursor()
            except BaseException:
                current.users -= 1
                raise
        try:
            yield cursor
        finally:
            cursor.close()
            with self._lock:
                current.users -= 1

    def close(self) -> None:
        """Close the connection (at server shutdown)."""
        with self._lock:
            if self._current is not None:
                self._current.con.close()
                self._current = None


def _rows(cursor: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any]) -> list[dict]:
    cursor.execute(sql, params)
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def _facet_sql(name: str, where: str) -> str:
    """Values of one facet and their article counts among the rows ``where`` keeps."""
    if name in ("tag", "author"):
        table, column = ("article_tags", "tag") if name == "tag" else ("article_authors", "author")
        return (
            f"SELECT x.{column} AS value, count(DISTINCT a.article_id) AS n "
            f"FROM articles AS a JOIN {table} AS x ON x.article_id = a.article_id "
            f"WHERE {where} GROUP BY 1 ORDER BY n DESC, value LIMIT $s_top"
        )
    return (
        f"SELECT a.{name} AS value, count(*) AS n FROM articles AS a "
        f"WHERE {where} AND a.{name} IS NOT NULL GROUP BY 1 ORDER BY n DESC, value LIMIT $s_top"
    )


_FACET_FIELD = {
    "edition": "edition",
    "section": "sections",
    "tag": "tags",
    "author": "author",
    "source": "source",
}


def facets(cursor: duckdb.DuckDBPyConnection, filters: ServeFilters) -> dict[str, list[dict]]:
    """Counts per value of each facet, under every filter but the facet's own.

    Leaving the facet's own filter out keeps its other values visible with the counts
    they would add, so choices can be combined or switched.
    """
    result: dict[str, list[dict]] = {}
    for name, attribute in _FACET_FIELD.items():
        empty = [] if attribute in ("sections", "tags") else None
        where, params = dataclasses.replace(filters, **{attribute: empty}).where("a")
        params["s_top"] = FACET_TOP[name]
        result[name] = _rows(cursor, _facet_sql(name, where), params)
    return result


def list_articles(
    cursor: duckdb.DuckDBPyConnection, filters: ServeFilters, page: int
) -> tuple[int, list[dict]]:
    """``(matching articles, this page's rows)``: best match first when searching, else newest."""
    where, params = filters.where("a")
    total = cursor.execute(f"SELECT count(*) FROM articles AS a WHERE {where}", params).fetchone()
    columns = (
        "a.article_id, a.title, a.subtitle, a.section, a.edition, a.source, a.authors, "
        f"a.published_at, {utc_day('a')} AS day"
    )
    order = "a.published_at DESC, a.article_id"
    if filters.search is None:
        sql = f"SELECT {columns}, NULL AS score FROM articles AS a WHERE {where}"
    else:
        # Scores from each article's own edition index are comparable only within an
        # edition: the list goes edition by edition (registry order), best first in each.
        where, params = dataclasses.replace(filters, search=None).where("a")
        params["f_search"] = filters.search
        sql = (
            f"SELECT {columns}, s.score FROM articles AS a "
            "JOIN search_scores($f_search) AS s ON s.article_id = a.article_id "
            f"WHERE {where}"
        )
        order = f"s.edition_order, s.score DESC, {order}"
    sql += f" ORDER BY {order} LIMIT $s_limit OFFSET $s_offset"
    params.update(s_limit=PAGE_SIZE, s_offset=(page - 1) * PAGE_SIZE)
    return int(total[0]) if total else 0, _rows(cursor, sql, params)


def date_span(cursor: duckdb.DuckDBPyConnection) -> tuple[dt.date | None, dt.date | None]:
    """The first and last UTC publication day in the database (the date inputs' bounds)."""
    row = cursor.execute(f"SELECT min({utc_day('a')}), max({utc_day('a')}) FROM articles AS a")
    first, last = row.fetchone() or (None, None)
    return first, last


# --- downloads -------------------------------------------------------------------------


def _stream(database: Database, sql: str, params: dict[str, Any], fmt: str) -> Iterator[str]:
    """The rows of ``sql`` as CSV or a JSON array, batch by batch (a view may be large)."""
    with database.cursor() as cursor:
        cursor.execute(sql, params)
        columns = [d[0] for d in cursor.description]
        first = True
        if fmt == "json":
            yield "["
        else:
            buffer = io.StringIO()
            csv.writer(buffer, lineterminator="\n").writerow(columns)
            yield buffer.getvalue()
        while batch := cursor.fetchmany(DOWNLOAD_BATCH):
            buffer = io.StringIO()
            if fmt == "json":
                for row in batch:
                    record = {c: to_jsonable(v) for c, v in zip(columns, row, strict=True)}
                    text = json.dumps(record, ensure_ascii=False)
                    buffer.write(("\n" if first else ",\n") + text)
                    first = False
            else:
                writer = csv.writer(buffer, lineterminator="\n")
                writer.writerows([text_cell(v) for v in row] for row in batch)
            yield buffer.getvalue()
        if fmt == "json":
            yield "\n]\n"


def _download(
    database: Database, sql: str, params: dict[str, Any], fmt: str, name: str
) -> Response:
    media = "text/csv; charset=utf-8" if fmt == "csv" else "application/json"
    return StreamingResponse(
        _stream(database, sql, params, fmt),
        media_type=media,
        headers={"content-disposition": f'attachment; filename="{name}.{fmt}"'},
    )


# --- the app ---------------------------------------------------------------------------


class SecurityHeaders:
    """ASGI middleware adding `SECURITY_HEADERS` to every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _templates() -> Jinja2Templates:
    # PackageLoader finds the templates inside the installed package (they ship in the
    # wheel), and autoescaping makes a tag like <script> plain text on the page.
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("newsdesk.serve", "templates"),
        autoescape=jinja2.select_autoescape(default=True),
        undefined=jinja2.StrictUndefined,
    )
    env.filters["cell"] = text_cell
    env.filters["when"] = _when
    env.tests["weblink"] = _is_web_link
    return Jinja2Templates(env=env)


def _when(value: Any) -> str:
    """A UTC timestamp as ``2025-07-03 09:15 UTC``."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC)
        return value.strftime("%Y-%m-%d %H:%M UTC")
    return text_cell(value)


def _is_web_link(value: Any) -> bool:
    """Only http(s) URLs become links: a stored ``javascript:`` URL stays text."""
    return isinstance(value, str) and value.lower().startswith(("http://", "https://"))


#: Fields shown at the top of the article page, in this order; the rest follow.
ARTICLE_FIRST = ("title", "subtitle", "published_at", "updated_at", "section", "authors", "tags")
LINK_FIELDS = ("url", "image_url")
ARTICLE_SQL = "SELECT * FROM articles WHERE article_id = $id"


def create_app(warehouse: Warehouse, allowed_hosts: list[str] | None = None) -> Starlette:
    """The Starlette app serving ``warehouse``'s database read-only.

    ``allowed_hosts`` guards against DNS rebinding (a web page on another site
    resolving its name to 127.0.0.1 to read the data): only requests addressed to
    these host names are answered.
    """
    database = Database(warehouse)
    templates = _templates()

    def page(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
        context = {"warehouse": str(warehouse.root), **context}
        return templates.TemplateResponse(request, name, context, status_code=status)

    def index(request: Request) -> Response:
        view = parse_view(request.query_params)
        with database.cursor() as cursor:
            total, rows = list_articles(cursor, view.filters, view.page)
            counts = facets(cursor, view.filters)
            first, last = date_span(cursor)
        pages = max(1, math.ceil(total / PAGE_SIZE))
        return page(
            request,
            "index.html",
            {
                "view": view,
                "total": total,
                "rows": rows,
                "facets": counts,
                "page": view.page,
                "pages": pages,
                "first_day": first,
                "last_day": last,
                "page_size": PAGE_SIZE,
            },
        )

    def download_list(request: Request) -> Response:
        fmt = request.path_params["fmt"]
        view = parse_view(request.query_params)
        # The same query as `newsdesk export` and the Python API: the same rows, in
        # the same order (oldest first), for the same filters.
        sql, params = articles_sql(view.filters)
        return _download(database, sql, params, fmt, "articles")

    def _article(article_id: str) -> tuple[list[str], dict[str, Any]]:
        with database.cursor() as cursor:
            rows = _rows(cursor, ARTICLE_SQL, {"id": article_id})
        if not rows:
            raise HTTPException(404, f"no article {article_id!r} in this database")
        return list(rows[0]), rows[0]

    def article(request: Request) -> Response:
        if request.query_params:
            raise _bad("an article page takes no parameters")
        article_id = request.path_params["article_id"]
        columns, record = _article(article_id)
        rest = [c for c in columns if c not in (*ARTICLE_FIRST, "body")]
        paragraphs = [p for p in (record.get("body") or "").split("\n") if p.strip()]
        return page(
            request,
            "article.html",
            {
                "a": record,
                "fields": [c for c in ARTICLE_FIRST if c in record] + rest,
                "paragraphs": paragraphs,
                "link_fields": LINK_FIELDS,
            },
        )

    def download_article(request: Request) -> Response:
        if request.query_params:
            raise _bad("a download takes no parameters")
        article_id = request.path_params["article_id"]
        _article(article_id)  # 404 before the streaming response starts
        fmt = request.path_params["fmt"]
        return _download(database, ARTICLE_SQL, {"id": article_id}, fmt, article_id)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return page(
            request,
            "error.html",
            {"status": exc.status_code, "message": exc.detail},
            exc.status_code,
        )

    async def analyst_error(request: Request, exc: Exception) -> Response:
        # No database (removed, or not built yet): say what to run, like the CLI does.
        return page(request, "error.html", {"status": 503, "message": str(exc)}, 503)

    async def database_error(request: Request, exc: Exception) -> Response:
        message = f"the database could not answer: {one_line(exc)}"
        return page(request, "error.html", {"status": 500, "message": message}, 500)

    formats = "{fmt:str}"
    routes = [
        Route("/", index, methods=["GET"]),
        Route("/articles.{fmt:str}", _only_formats(download_list), methods=["GET"]),
        Route(
            f"/article/{{article_id:str}}.{formats}",
            _only_formats(download_article),
            methods=["GET"],
        ),
        Route("/article/{article_id:str}", article, methods=["GET"]),
    ]
    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts or LOCAL_HOSTS),
            Middleware(SecurityHeaders),
        ],
        exception_handlers={
            HTTPException: http_error,
            AnalystError: analyst_error,
            duckdb.Error: database_error,
        },
        lifespan=_lifespan(database),
    )
    app.state.database = database
    return app


#: The server binds 127.0.0.1 only, so these are the names a browser can use for it.
LOCAL_HOSTS = ["127.0.0.1", "localhost"]


def _only_formats(endpoint: Any) -> Any:
    """``endpoint`` for ``csv`` and ``json`` only; any other extension is a 404."""

    def checked(request: Request) -> Response:
        if request.path_params.get("fmt") not in DOWNLOAD_FORMATS:
            raise HTTPException(404, "downloads are .csv or .json")
        return endpoint(request)

    return checked


def _lifespan(database: Database) -> Any:
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        database.close()  # on server shutdown, not per request

    return lifespan
