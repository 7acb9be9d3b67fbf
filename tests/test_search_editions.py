"""Full-text search per edition: each edition indexed with its own stemmer.

A small warehouse with English, Arabic and an unregistered third edition's
rows; the Arabic stemmer (DuckDB fts ``arabic``) must find words through other
forms, and a search without ``--edition`` lists each edition on its own.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

import newsdesk
from newsdesk.build import build_database, connect
from newsdesk.cli import main as run_cli
from newsdesk.store import ArticleStore
from newsdesk.warehouse import Warehouse
from tests.factories import make_article

UTC = dt.UTC
DAY = dt.datetime(2025, 7, 3, 12, tzinfo=UTC)

# Forms DuckDB's arabic stemmer conflates (checked against stem()): the query
# "المفاوضات" (the negotiations) stems like "المفاوض" (the negotiator), and
# "الفلسطينيون" (the Palestinians) like "الفلسطيني" (the Palestinian).
AR_NEGOTIATOR = make_article(
    "ar-negotiator",
    DAY,
    edition="ar",
    title="وصل المفاوض إلى القاهرة",
    body="قال المفاوض إن الجولة المقبلة ستعقد الأسبوع القادم.",
)
AR_PALESTINIAN = make_article(
    "ar-palestinian",
    DAY - dt.timedelta(days=1),
    edition="ar",
    title="الموقف الفلسطيني",
    body="أكد المسؤول الفلسطيني رفض الخطة.",
)
AR_OTHER = make_article("ar-other", DAY, edition="ar", title="الطقس", body="أمطار غزيرة في بيروت.")
EN_TALKS = make_article(
    "en-talks", DAY, title="Negotiators meet in Cairo", body="The negotiations resumed in Cairo."
)
EN_OTHER = make_article("en-other", DAY, title="Weather", body="Heavy rain in Beirut.")
# An edition no registry entry describes still gets an index (no stemming).
XX_TALKS = make_article("xx-talks", DAY, edition="xx", title="Cairo", body="Cairo negotiations.")


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    warehouse = Warehouse.at(tmp_path_factory.mktemp("editions") / "wh")
    store = ArticleStore(warehouse)
    articles = [AR_NEGOTIATOR, AR_PALESTINIAN, AR_OTHER, EN_TALKS, EN_OTHER, XX_TALKS]
    store.merge(articles, store.load_index())
    build_database(warehouse)
    return warehouse


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = run_cli(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def wh(warehouse: Warehouse) -> list[str]:
    return ["--warehouse", str(warehouse.root)]


def test_each_edition_has_its_own_index_and_stemmer(warehouse: Warehouse) -> None:
    con = connect(warehouse.duckdb_path, read_only=True)
    try:
        schemas = {
            name
            for (name,) in con.execute(
                "SELECT schema_name FROM duckdb_schemas() WHERE schema_name LIKE 'fts_%'"
            ).fetchall()
        }
        assert schemas == {f"fts_main_articles_text_{c}" for c in ("en", "ar", "xx")}
        # The English index stems English ("negotiations" -> "negoti"), the Arabic one Arabic.
        en_terms = {
            t for (t,) in con.execute("SELECT term FROM fts_main_articles_text_en.dict").fetchall()
        }
        ar_terms = {
            t for (t,) in con.execute("SELECT term FROM fts_main_articles_text_ar.dict").fetchall()
        }
        assert "negoti" in en_terms and "negotiations" not in en_terms
        assert "مفاوض" in ar_terms and "المفاوض" not in ar_terms
        # The text copies are emptied once indexed (the index keeps what it needs).
        assert con.execute("SELECT count(*) FROM articles_text_ar").fetchone() == (0,)
        # The macros: per edition, with an edition column; search_articles_in picks one.
        rows = con.execute("SELECT edition, url FROM search_articles('cairo')").fetchall()
        assert rows == [("en", EN_TALKS.url), ("xx", XX_TALKS.url)]
        rows = con.execute("SELECT url FROM search_articles_in('ar', 'المفاوضات')").fetchall()
        assert rows == [(AR_NEGOTIATOR.url,)]
    finally:
        con.close()


def test_arabic_search_finds_other_forms_of_a_word(warehouse, capsys) -> None:
    code, out, err = cli(
        capsys, "search", "المفاوضات", "--edition", "ar", "--format", "json", *wh(warehouse)
    )
    assert code == 0, err
    hits = json.loads(out)
    # The body says "المفاوض", never "المفاوضات": found through the stemmer.
    assert [h["url"] for h in hits] == [AR_NEGOTIATOR.url]
    assert "المفاوضات" not in AR_NEGOTIATOR.body
    code, out, _ = cli(
        capsys, "search", "الفلسطينيون", "--edition", "ar", "--format", "json", *wh(warehouse)
    )
    assert [h["url"] for h in json.loads(out)] == [AR_PALESTINIAN.url]
    # --edition ar uses only the Arabic index: an English word finds nothing there.
    code, out, err = cli(capsys, "search", "cairo", "--edition", "ar", *wh(warehouse))
    assert (code, out) == (0, "") and "no matches" in err
    # The edition filter is still checked against the data.
    code, _, err = cli(capsys, "search", "cairo", "--edition", "arr", *wh(warehouse))
    assert code == 2 and "unknown edition 'arr'" in err and "ar" in err


def test_without_edition_results_are_listed_per_edition(warehouse, capsys) -> None:
    code, out, err = cli(capsys, "search", "cairo المفاوضات", "--format", "json", *wh(warehouse))
    assert code == 0, err
    hits = json.loads(out)
    # Registry order (en, ar), then editions the registry lacks; ranks restart per edition.
    assert [(h["edition"], h["rank"], h["url"]) for h in hits] == [
        ("en", 1, EN_TALKS.url),
        ("ar", 1, AR_NEGOTIATOR.url),
        ("xx", 1, XX_TALKS.url),
    ]
    code, out, _ = cli(capsys, "search", "cairo المفاوضات", "--format", "csv", *wh(warehouse))
    assert out.splitlines()[0] == "edition,rank,score,date,section,title,url"
    # Table and markdown: a heading per edition, no edition column.
    code, out, _ = cli(capsys, "search", "cairo المفاوضات", *wh(warehouse))
    headings = [line for line in out.splitlines() if line.startswith("[")]
    assert headings == ["[en — Al Mayadeen English]", "[ar — الميادين]", "[xx]"]
    assert "edition" not in out.splitlines()[1]
    code, out, _ = cli(capsys, "search", "cairo المفاوضات", "--format", "markdown", *wh(warehouse))
    assert [line for line in out.splitlines() if line.startswith("## ")][1].startswith("## ar")
    # --limit applies per edition.
    code, out, _ = cli(
        capsys, "search", "cairo المفاوضات", "--limit", "1", "--format", "json", *wh(warehouse)
    )
    assert [h["edition"] for h in json.loads(out)] == ["en", "ar", "xx"]


def test_export_api_and_serve_search_use_each_editions_index(warehouse, capsys, tmp_path: Path):
    out_dir = tmp_path / "bundle"
    code, _, err = cli(
        capsys,
        "export",
        "--out",
        str(out_dir),
        "--format",
        "jsonl",
        "--search",
        "المفاوضات",
        *wh(warehouse),
    )
    assert code == 0, err
    rows = [
        json.loads(line) for line in (out_dir / "data" / "articles.jsonl").read_text().splitlines()
    ]
    assert [r["url"] for r in rows] == [AR_NEGOTIATOR.url]

    with newsdesk.open(warehouse.root) as desk:
        found = desk.articles(search="cairo", columns=["url", "edition"]).to_pylist()
    assert sorted(r["url"] for r in found) == sorted([EN_TALKS.url, XX_TALKS.url])

    from starlette.testclient import TestClient

    from newsdesk.serve.app import create_app

    client = TestClient(create_app(warehouse), base_url="http://127.0.0.1")
    page = client.get("/", params={"q": "الفلسطينيون"})
    assert page.status_code == 200 and AR_PALESTINIAN.title in page.text
    page = client.get("/", params={"q": "cairo المفاوضات"})
    html = page.text
    # Grouped by edition: the English match is listed before the Arabic one.
    assert html.index(EN_TALKS.title) < html.index(AR_NEGOTIATOR.title)
