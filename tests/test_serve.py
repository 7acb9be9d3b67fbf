"""``newsdesk serve``: the read-only web view, through Starlette's TestClient and in Chromium.

The warehouse is the analyst tests' sample (tests/test_analyst.py): known articles
(one with hostile tags), seeded filler, a built DuckDB file. Expected numbers come
from SQL on that file, through the same `ArticleFilters` the CLI uses.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import html
import io
import json
import os
import re
import select
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pytest
from starlette.testclient import TestClient

from newsdesk import cli
from newsdesk.analyst.database import open_database
from newsdesk.analyst.export import articles_sql
from newsdesk.build import build_database
from newsdesk.serve.app import PAGE_SIZE, ServeFilters, create_app
from newsdesk.store import ArticleStore
from newsdesk.warehouse import Warehouse
from tests.factories import make_article
from tests.test_analyst import HOSTILE_TAG, HOSTILE_VALUES, KNOWN, SCRIPT_TAG
from tests.test_analyst import make_sample_warehouse as _make_sample
from tests.test_report_browser import DevTools, _problems, artifacts_dir, chromium_binary

REPO = Path(__file__).resolve().parent.parent
BASE = "http://127.0.0.1"
ARTICLE_LINK = re.compile(r'href="/article/([0-9a-f]+)"')


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    return _make_sample(tmp_path_factory.mktemp("serve") / "wh")


@pytest.fixture(scope="module")
def client(warehouse: Warehouse) -> Iterator[TestClient]:
    with TestClient(create_app(warehouse), base_url=BASE) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def con(warehouse: Warehouse) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = open_database(warehouse)
    yield connection
    connection.close()


def expected_ids(con: duckdb.DuckDBPyConnection, filters: ServeFilters) -> list[str]:
    """The article ids `newsdesk export` would write for these filters, oldest first."""
    sql, params = articles_sql(filters)
    return [row[0] for row in con.execute(f"SELECT article_id FROM ({sql})", params).fetchall()]


def total_of(html: str) -> int:
    match = re.search(r'<span id="total">([\d,]+) article', html)
    assert match, html[:2000]
    return int(match.group(1).replace(",", ""))


def facet_counts(html: str, name: str) -> dict[str, int]:
    """``value -> count`` as shown in one facet box of the index page."""
    box = html.split(f'id="facet-{name}"', 1)[1].split("</ul>", 1)[0]
    pairs = re.findall(r'title="([^"]*)">.*?</a>\s*<span class="n">(\d+)</span>', box, re.S)
    return {_unescape(value): int(n) for value, n in pairs}


def _unescape(text: str) -> str:
    return html.unescape(text)


def known_id(key: str) -> str:
    return KNOWN[key].article_id


# --- pages ----------------------------------------------------------------------------


def test_index_lists_every_article_with_facet_counts(client, con):
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    html = response.text
    total = con.execute("SELECT count(*) FROM articles").fetchone()[0]
    assert total_of(html) == total
    assert len(ARTICLE_LINK.findall(html)) == PAGE_SIZE
    sections = dict(con.execute("SELECT section, count(*) FROM articles GROUP BY 1").fetchall())
    assert facet_counts(html, "section") == sections
    editions = dict(con.execute("SELECT edition, count(*) FROM articles GROUP BY 1").fetchall())
    assert facet_counts(html, "edition") == editions
    top_tags = con.execute(
        "SELECT tag, count(DISTINCT article_id) AS n FROM article_tags "
        "GROUP BY 1 ORDER BY n DESC, tag LIMIT 15"
    ).fetchall()
    assert facet_counts(html, "tag") == dict(top_tags)
    sources = con.execute(
        "SELECT source, count(*) FROM articles WHERE source IS NOT NULL GROUP BY 1"
    ).fetchall()
    assert facet_counts(html, "source") == dict(sources)
    # Newest first: the first link is the latest article.
    newest = con.execute(
        "SELECT article_id FROM articles ORDER BY published_at DESC, article_id LIMIT 1"
    ).fetchone()[0]
    assert ARTICLE_LINK.findall(html)[0] == newest


def test_filters_combine_and_facets_keep_their_other_values(client, con):
    html = client.get("/", params=[("section", "politics"), ("tag", "Gaza")]).text
    filters = ServeFilters(sections=["politics"], tags=["Gaza"])
    assert total_of(html) == len(expected_ids(con, filters)) > 0
    # The section facet leaves out its own filter: other sections stay, with the counts
    # they would add under the tag filter.
    sections = facet_counts(html, "section")
    gaza = dict(
        con.execute(
            "SELECT a.section, count(DISTINCT a.article_id) FROM articles a "
            "JOIN article_tags t USING (article_id) WHERE t.tag = 'Gaza' GROUP BY 1"
        ).fetchall()
    )
    assert sections == gaza and len(sections) > 1
    # Chips name each active filter and link to the page without it.
    assert 'class="chip" href="/?tag=Gaza"' in html
    assert 'class="chip" href="/?section=politics"' in html
    # A second section is added (sections OR'ed), a group works like the CLI's.
    two = client.get("/", params=[("section", "politics"), ("section", "economy")]).text
    assert total_of(two) == len(expected_ids(con, ServeFilters(sections=["politics", "economy"])))
    group = client.get("/?section=videos").text
    assert total_of(group) == len(expected_ids(con, ServeFilters(sections=["videos"]))) > 0


@pytest.mark.parametrize(
    "params, filters",
    [
        ({"author": "Omar Saleh"}, ServeFilters(author="Omar Saleh")),
        ({"source": "reuters"}, ServeFilters(source="Reuters")),
        ({"edition": "en", "section": "opinion"}, ServeFilters(edition="en", sections=["opinion"])),
        ({"edition": "ar"}, ServeFilters(edition="ar")),
        (
            {"since": "2025-07-01", "until": "2025-07-31", "tag": "Gaza"},
            ServeFilters(since=dt.date(2025, 7, 1), until=dt.date(2025, 7, 31), tags=["Gaza"]),
        ),
    ],
)
def test_each_filter_matches_the_export_query(client, con, params, filters):
    html = client.get("/", params=params).text
    assert total_of(html) == len(expected_ids(con, filters))


def test_dates_are_utc_days(client):
    late = known_id("late")  # published 2025-07-31 23:30 UTC
    july = client.get("/?since=2025-07-31&until=2025-07-31").text
    assert late in ARTICLE_LINK.findall(july)
    august = client.get("/?since=2025-08-01").text
    assert late not in ARTICLE_LINK.findall(august)


def test_search_ranks_and_combines_with_facets(client):
    html = client.get("/?q=clove zanzibar").text
    ids = ARTICLE_LINK.findall(html)
    assert ids[0] == known_id("clove")
    assert "best match first" in html and "score " in html
    assert total_of(client.get("/?q=clove&section=economy").text) == 1
    assert total_of(client.get("/?q=clove&section=politics").text) == 0
    empty = client.get("/?q=nothingmatchesthisword").text
    assert "No articles match these filters" in empty
    # The search box keeps the chosen facets as hidden fields.
    kept = client.get("/?q=clove&section=economy").text
    assert '<input type="hidden" name="section" value="economy">' in kept


def test_paging(client, con):
    total = con.execute("SELECT count(*) FROM articles").fetchone()[0]
    pages = -(-total // PAGE_SIZE)
    first = client.get("/").text
    second = client.get("/?page=2").text
    assert f"Page 1 of {pages}" in first and 'href="/?page=2"' in first
    assert f"Page 2 of {pages}" in second
    assert not set(ARTICLE_LINK.findall(first)) & set(ARTICLE_LINK.findall(second))
    seen: list[str] = []
    for page in range(1, pages + 1):
        seen += ARTICLE_LINK.findall(client.get(f"/?page={page}").text)
    assert len(seen) == len(set(seen)) == total
    beyond = client.get(f"/?page={pages + 5}")
    assert beyond.status_code == 200 and "Back to page 1" in beyond.text
    # A filter link starts again at page 1.
    assert 'href="/?page=2' not in client.get("/?page=2").text.split('id="facet-section"')[1][:3000]


def test_article_page_shows_fields_and_links_to_the_original(client):
    article = KNOWN["clove"]
    response = client.get(f"/article/{article.article_id}")
    assert response.status_code == 200
    html = response.text
    assert f"<h1>{article.title}</h1>" in html
    assert 'id="original" rel="noopener noreferrer">' in html
    assert f'href="{article.url}" id="original"' in html
    for name in ("post_id", "published_at", "section", "tags", "authors", "source", "url"):
        assert f"<th>{name}</th>" in html
    assert "990001" in html and "2025-07-03 09:15 UTC" in html
    assert 'href="/?tag=Zanzibar"' in html and 'href="/?author=Amina%20Hassan"' in html
    assert "Clove farmers in Zanzibar" in html
    assert f'href="/article/{article.article_id}.csv"' in html
    assert f'href="/article/{article.article_id}.json"' in html


def test_hostile_values_are_text_never_markup(client):
    html = client.get(f"/article/{known_id('hostile')}").text
    assert SCRIPT_TAG not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "O&#39;Brien; DROP TABLE articles; --" in html
    # The hostile tags are facets like any other, matched as bound values.
    for tag in (SCRIPT_TAG, HOSTILE_TAG):
        page = client.get("/", params={"tag": tag})
        assert page.status_code == 200
        assert ARTICLE_LINK.findall(page.text) == [known_id("hostile")]
        assert SCRIPT_TAG not in page.text


@pytest.mark.parametrize("value", HOSTILE_VALUES)
@pytest.mark.parametrize("name", ["section", "tag", "author", "source", "edition", "q"])
def test_hostile_filter_values_match_nothing_and_change_nothing(client, con, name, value):
    response = client.get("/", params={name: value})
    assert response.status_code == 200
    if name != "q":  # words may still match the index; a value is an exact match
        assert total_of(response.text) == 0
    assert con.execute("SELECT count(*) FROM articles").fetchone()[0] > 100


@pytest.mark.parametrize(
    "query, message",
    [
        ("/?sql=DROP+TABLE+articles", "unknown parameter &#39;sql&#39;"),
        ("/articles.csv?sql=SELECT+1", "unknown parameter &#39;sql&#39;"),
        ("/?since=yesterday", "since must be a date"),
        ("/?since=2025-08-01&until=2025-07-01", "is after"),
        ("/?page=0", "page must be a whole number"),
        ("/?page=-1", "page must be a whole number"),
        ("/?page=1e3", "page must be a whole number"),
        ("/?author=a&author=b", "give author once"),
        ("/?tag=" + "x" * 400, "longer than"),
        ("/?tag=a%00b", "control characters"),
        ("/?q=%0d%0aSet-Cookie:x", "control characters"),
        (f"/article/{KNOWN['clove'].article_id}?x=1", "takes no parameters"),
    ],
)
def test_bad_requests_are_refused_with_400(client, query, message):
    response = client.get(query)
    assert response.status_code == 400
    assert message in response.text


def test_unknown_article_and_format_are_404(client):
    assert client.get("/article/0000000000000000").status_code == 404
    assert "no article" in client.get("/article/0000000000000000").text
    assert client.get("/article/0000000000000000.json").status_code == 404
    assert client.get("/article/'; DROP TABLE articles; --").status_code == 404
    assert client.get("/articles.xml").status_code == 404
    assert client.get(f"/article/{known_id('clove')}.parquet").status_code == 404
    assert client.get("/warehouse/newsdesk.duckdb").status_code == 404
    assert client.get("/../../etc/passwd").status_code == 404


def test_read_only_no_post_and_no_other_host(client, con):
    before = con.execute("SELECT count(*), max(crawled_at) FROM articles").fetchone()
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        for path in ("/", "/articles.csv", f"/article/{known_id('clove')}"):
            response = client.request(method, path, content=b"sql=DROP TABLE articles")
            assert response.status_code == 405, (method, path)
    assert client.head("/").status_code == 200
    assert con.execute("SELECT count(*), max(crawled_at) FROM articles").fetchone() == before
    # DNS rebinding: a page on another host name is not answered.
    assert client.get("/", headers={"host": "evil.example"}).status_code == 400
    assert client.get("/", headers={"host": "localhost:8000"}).status_code == 200


# --- downloads -------------------------------------------------------------------------


DOWNLOAD_CASES = [
    ([], ServeFilters()),
    (
        [("section", "politics"), ("tag", "Gaza")],
        ServeFilters(sections=["politics"], tags=["Gaza"]),
    ),
    ([("q", "clove")], ServeFilters(search="clove")),
    (
        [("author", "Lina Haddad"), ("since", "2025-07-01")],
        ServeFilters(author="Lina Haddad", since=dt.date(2025, 7, 1)),
    ),
]


@pytest.mark.parametrize("params, filters", DOWNLOAD_CASES)
def test_downloads_parse_and_match_the_filters(client, con, params, filters):
    expected = expected_ids(con, filters)
    # The page links to exactly these downloads.
    html = client.get("/", params=params).text
    csv_link = re.search(r'href="([^"]+)" id="download-csv"', html).group(1)
    json_link = re.search(r'href="([^"]+)" id="download-json"', html).group(1)
    assert csv_link.startswith("/articles.csv") and json_link.startswith("/articles.json")

    as_csv = client.get(_unescape(csv_link))
    assert as_csv.status_code == 200
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert as_csv.headers["content-disposition"] == 'attachment; filename="articles.csv"'
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert [row["article_id"] for row in rows] == expected

    as_json = client.get(_unescape(json_link))
    assert as_json.headers["content-type"] == "application/json"
    records = json.loads(as_json.text)
    assert [record["article_id"] for record in records] == expected
    columns = [r[0] for r in con.execute("DESCRIBE articles").fetchall()]
    assert list(records[0]) == columns if records else True
    for record in records:  # the filters hold on every row
        if filters.sections:
            assert record["section"] in filters.sections
        if filters.tags:
            assert set(filters.tags) & set(record["tags"])
        if filters.author:
            assert filters.author in record["authors"]
        if filters.since:
            assert record["published_at"][:10] >= filters.since.isoformat()
        assert record["published_at"].endswith("Z")


def test_article_downloads(client):
    article = KNOWN["clove"]
    records = json.loads(client.get(f"/article/{article.article_id}.json").text)
    assert len(records) == 1
    record = records[0]
    assert record["article_id"] == article.article_id and record["post_id"] == "990001"
    assert record["tags"] == ["Zanzibar", "Agriculture"]
    rows = list(csv.DictReader(io.StringIO(client.get(f"/article/{article.article_id}.csv").text)))
    assert len(rows) == 1 and rows[0]["title"] == article.title
    assert json.loads(rows[0]["tags"]) == ["Zanzibar", "Agriculture"]


# --- the database file changing under the server ---------------------------------------


def test_a_rebuild_is_picked_up_without_a_restart(tmp_path):
    warehouse = _make_sample(tmp_path / "wh", n_filler=5)
    with TestClient(create_app(warehouse), base_url=BASE) as test_client:
        before = total_of(test_client.get("/").text)
        inode = os.stat(warehouse.duckdb_path).st_ino
        fresh = make_article(
            "fresh-after-rebuild",
            dt.datetime(2025, 9, 1, 12, tzinfo=dt.UTC),
            title="Fresh after the rebuild",
            tags=["Rebuilt"],
        )
        store = ArticleStore(warehouse)
        store.merge([fresh], store.load_index())
        build_database(warehouse)
        assert os.stat(warehouse.duckdb_path).st_ino != inode  # swapped, not rewritten
        html = test_client.get("/").text
        assert total_of(html) == before + 1
        assert ARTICLE_LINK.findall(html)[0] == fresh.article_id
        assert test_client.get(f"/article/{fresh.article_id}").status_code == 200
        # The database removed while serving: a clear page, not a traceback.
        warehouse.duckdb_path.unlink()
        gone = test_client.get("/")
        assert gone.status_code == 503 and "newsdesk build" in gone.text


# --- the command -----------------------------------------------------------------------


def test_serve_without_a_database_says_to_build(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert cli.main(["serve", "--port", "0", "--warehouse", str(tmp_path / "empty")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "run `newsdesk build`" in err[0]


def test_serve_on_a_busy_port_is_one_line(warehouse, capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        assert cli.main(["serve", "--port", str(port), "--warehouse", str(warehouse.root)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"cannot serve on 127.0.0.1:{port}" in err[0], err


def test_serve_rejects_a_bad_port(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["serve", "--port", "70000"])
    assert exit_info.value.code == 2


@contextmanager
def running_server(warehouse: Warehouse, result: dict[str, Any]) -> Iterator[str]:
    """``newsdesk serve --port 0`` in a subprocess: yields its URL, stops it with SIGINT.

    ``result`` receives the exit code and stderr, for the caller to check after exit.
    """
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("newsdesk")), "serve", "--port", "0"],
        cwd=REPO,
        env={**os.environ, "NEWSDESK_WAREHOUSE": str(warehouse.root)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        ready, _, _ = select.select([process.stdout], [], [], 60)
        assert ready, "newsdesk serve printed nothing in 60 s"
        line = process.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert match, (line, process.stderr.read() if process.poll() is not None else "")
        url = match.group(0)
        for _ in range(100):  # the socket listens before uvicorn's loop starts answering
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    assert response.status == 200
                break
            except OSError:
                time.sleep(0.1)
        yield url
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
        try:
            result["code"] = process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            result["code"] = process.wait()
        result["stderr"] = process.stderr.read()
        process.stdout.close()
        process.stderr.close()


def test_serve_subprocess_answers_and_ctrl_c_exits_130_quietly(warehouse):
    result: dict[str, Any] = {}
    with running_server(warehouse, result) as url:
        with urllib.request.urlopen(url + "articles.json?section=economy", timeout=10) as resp:
            records = json.load(resp)
        assert records and {r["section"] for r in records} == {"economy"}
        request = urllib.request.Request(url, data=b"x", method="POST")
        with pytest.raises(urllib.error.HTTPError) as error:
            urllib.request.urlopen(request, timeout=10)
        assert error.value.code == 405
    assert result["code"] == 130
    assert result["stderr"] == ""


# --- in a real browser -----------------------------------------------------------------


def _evaluate(browser: DevTools, session: str, expression: str) -> Any:
    reply = browser.send(
        "Runtime.evaluate", {"expression": expression, "returnByValue": True}, session=session
    )
    return reply["result"].get("value")


def _navigate_by(browser: DevTools, session: str, action: str) -> None:
    """Run ``action`` (JavaScript that clicks or submits) and wait for the new page."""
    browser.events[:] = [e for e in browser.events if e.get("method") != "Page.loadEventFired"]
    _evaluate(browser, session, action)
    browser.wait_for("Page.loadEventFired")


def _screenshot(browser: DevTools, session: str, path: Path) -> bytes:
    # Back to the window's size first, or the last page's height is measured again.
    browser.send("Emulation.clearDeviceMetricsOverride", session=session)
    height = min(int(_evaluate(browser, session, "document.documentElement.scrollHeight")), 6000)
    browser.send(
        "Emulation.setDeviceMetricsOverride",
        {"width": 1280, "height": height, "deviceScaleFactor": 1, "mobile": False},
        session=session,
    )
    shot = browser.send(
        "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True}, session=session
    )
    png = base64.b64decode(shot["data"])
    path.write_bytes(png)
    return png


@pytest.mark.browser
@pytest.mark.timeout(240)
def test_browse_facet_search_and_article_in_headless_chromium(warehouse, tmp_path):
    binary = chromium_binary()
    artifacts = artifacts_dir()
    result: dict[str, Any] = {}
    with running_server(warehouse, result) as url:
        profile = tmp_path / "chromium-profile"
        profile.mkdir()
        browser = DevTools(binary, profile)
        try:
            target = next(
                t for t in browser.send("Target.getTargets")["targetInfos"] if t["type"] == "page"
            )
            session = browser.send(
                "Target.attachToTarget", {"targetId": target["targetId"], "flatten": True}
            )["sessionId"]
            for domain in ("Runtime", "Log", "Network", "Page"):
                browser.send(f"{domain}.enable", session=session)
            browser.events.clear()
            browser.send("Page.navigate", {"url": url}, session=session)
            browser.wait_for("Page.loadEventFired")
            all_total = _evaluate(browser, session, "document.querySelector('#total').innerText")
            assert re.match(r"\d+ articles, newest first", all_total)
            index_png = _screenshot(browser, session, artifacts / "serve-index.png")

            # A facet: the politics section.
            _navigate_by(
                browser,
                session,
                "[...document.querySelectorAll('#facet-section a')]"
                ".find(a => a.title === 'politics').click()",
            )
            assert _evaluate(browser, session, "location.search") == "?section=politics"
            chips = _evaluate(
                browser, session, "[...document.querySelectorAll('.chip')].map(c => c.innerText)"
            )
            assert chips == ["section: politics ✕"]

            # A search within it, through the form (the facet travels as a hidden field).
            _navigate_by(
                browser,
                session,
                "document.querySelector('input[name=q]').value = 'parliament vote';"
                "document.querySelector('form.search').submit()",
            )
            search = _evaluate(browser, session, "location.search")
            assert "q=parliament+vote" in search and "section=politics" in search
            first = _evaluate(
                browser, session, "document.querySelector('ol.results h2 a').innerText"
            )
            assert first == KNOWN["late"].title
            _screenshot(browser, session, artifacts / "serve-search.png")

            # The article page.
            _navigate_by(browser, session, "document.querySelector('ol.results h2 a').click()")
            assert _evaluate(browser, session, "location.pathname") == (
                f"/article/{KNOWN['late'].article_id}"
            )
            assert _evaluate(browser, session, "document.querySelector('h1').innerText") == (
                KNOWN["late"].title
            )
            original = _evaluate(browser, session, "document.querySelector('#original').href")
            assert original == KNOWN["late"].url
            article_png = _screenshot(browser, session, artifacts / "serve-article.png")
            time.sleep(0.2)  # let late console/log events arrive before the check
            _evaluate(browser, session, "1")
            problems = [
                p for p in _problems(browser.events) if not p.startswith(f"network request: {url}")
            ]
        finally:
            browser.close()
    assert problems == [], problems
    for png in (index_png, article_png):
        assert png.startswith(b"\x89PNG") and len(png) > 20_000
    assert result["code"] == 130 and result["stderr"] == ""
