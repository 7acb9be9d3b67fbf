"""The Spanish edition: its rules, its saved-page fixtures and its replica crawled end to end.

Fixtures (``newsdesk/editions/es/fixtures``) are compared field by field with
their ``.expected.json``, whose values were written by hand from site-notes.md
before the extractor ran; each case carries its fetch time, which a yearless
displayed date is read against.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime
from typing import Any

import pytest

from newsdesk import editions, normalize
from newsdesk.crawl import CrawlOptions, run_crawl_in_subprocess
from newsdesk.editions.es.replica import generate_site
from newsdesk.items import Article
from newsdesk.replica.server import ReplicaServer
from newsdesk.store import ArticleStore, row_to_article
from newsdesk.warehouse import Warehouse
from tests.regen_fixtures import (
    SKIPPED_FIELDS,
    case_names,
    fixtures_dir,
    jsonable,
    load_case,
    parse_case,
)

ES = editions.get("es")
BASE = "https://espanol.almayadeen.net"
ARTICLE_FIELDS = [f.name for f in dataclasses.fields(Article) if f.name not in SKIPPED_FIELDS]
CASES = case_names("es")


# --- the spec -------------------------------------------------------------------------


def test_registered_by_host_and_aliases() -> None:
    assert editions.for_host("espanol.almayadeen.net") is ES
    assert editions.for_host("http://www.espanol.almayadeen.net/x") is ES
    assert (ES.language, ES.direction, ES.fts_stemmer) == ("es", "ltr", "spanish")
    assert ES.replica_module == "newsdesk.editions.es.replica"


@pytest.mark.parametrize(
    ("path", "group", "section", "post_id"),
    [
        (
            "/entrevistas/2046797/hizbullah-tras-el-martirio--diálo",
            "articles",
            "entrevistas",
            "2046797",
        ),
        ("/pol%C3%ADtica/12/x", "news", "política", "12"),
        ("/televisión/5/programa", "videos", "televisión", "5"),
        ("/focus/7/a", "videos", "focus", "7"),
        ("/infografías/8/a", "news", "infografías", "8"),
        ("/coberturas/9/a", "news", "coberturas", "9"),
        ("/artículos-exclusivos/10/a", "articles", "artículos-exclusivos", "10"),
    ],
)
def test_url_grammar(path: str, group: str, section: str, post_id: str) -> None:
    m = ES.match_url(BASE + path)
    assert m is not None and m.is_article
    assert (m.group, m.section, m.post_id) == (group, section, post_id)


@pytest.mark.parametrize("path", ["/entrevistas", "/política?page=2", "/desconocida/1/a", "/"])
def test_listings_and_unknown_sections_are_not_articles(path: str) -> None:
    assert not ES.is_article_url(BASE + path)


def test_yearless_dates_take_the_latest_year_not_after_the_limit() -> None:
    rules = ES.dates
    jan2 = datetime(2025, 1, 2, 8, 0, tzinfo=UTC)
    assert normalize.parse_yearless_date("30 Diciembre 19:20", rules, jan2) == datetime(
        2024, 12, 30, 17, 20, tzinfo=UTC
    )
    assert normalize.parse_yearless_date("1 Enero 10:00", rules, jan2) == datetime(
        2025, 1, 1, 8, 0, tzinfo=UTC
    )
    # A shown year is read as such, not inferred.
    assert normalize.parse_yearless_date("23 de julio de 2023 19:20", rules, jan2) is None
    assert normalize.parse_display_date("23 de julio de 2023 19:20", rules) == datetime(
        2023, 7, 23, 16, 20, tzinfo=UTC
    )
    # The yearless form is never read by the plain display-date reader.
    assert normalize.parse_display_date("23 Julio 19:20", rules) is None


def test_the_year_boundary_page_by_fetch_time_and_by_sitemap_month() -> None:
    html = (fixtures_dir("es") / "es-nometa-year-boundary.html").read_bytes()
    url = load_case("es-nometa-year-boundary", "es")["url"]
    jan2 = datetime(2025, 1, 2, 8, 0, tzinfo=UTC)
    dec31 = datetime(2024, 12, 31, 8, 0, tzinfo=UTC)
    much_later = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
    expected = datetime(2024, 12, 30, 17, 20, tzinfo=UTC)
    assert ES.article_page(url, html, jan2).published_at() == expected
    assert ES.article_page(url, html, dec31).published_at() == expected
    # Fetched two years on, the clock alone says the latest 30 December, 2025;
    # the sitemap file's month (January 2025, where the page was filed) bounds it.
    assert ES.article_page(url, html, much_later).published_at().year == 2025
    page = ES.article_page(url, html, much_later, sitemap_month=(2025, 1))
    assert page.published_at() == expected
    assert ES.article_page(url, html, much_later, sitemap_month=(2024, 12)).published_at() == (
        expected
    )


def test_views_counter_is_no_field() -> None:
    for name in CASES:
        article = parse_case(name, "es").to_article()
        values = [str(v) for v in article.to_dict().values()]
        assert not any("Visualizaciones" in v for v in values), name


# --- fixtures, field by field ---------------------------------------------------------


def test_fixture_cases_cover_the_brief() -> None:
    assert {
        "es-news-full",
        "es-nometa-year-boundary",
        "es-interview",
        "es-video",
    } <= set(CASES)
    assert {p.stem for p in fixtures_dir("es").glob("*.html")} == set(CASES)
    assert all("fetched_at" in load_case(n, "es") for n in CASES)


@pytest.mark.parametrize("field", ARTICLE_FIELDS)
@pytest.mark.parametrize("case", CASES)
def test_fixture_field(case: str, field: str) -> None:
    expected = load_case(case, "es")["expected"]
    assert field in expected, f"{case}.expected.json lacks {field}: run tests/regen_fixtures.py"
    actual = getattr(parse_case(case, "es").to_article(), field)
    assert jsonable(actual) == expected[field]


def test_fixture_layers_that_matter() -> None:
    nometa = load_case("es-nometa-year-boundary", "es")["expected"]["field_layers"]
    assert nometa["published_at"] == "page"
    assert nometa["post_id"] == "url"
    video = load_case("es-video-duration-news", "es")["expected"]["field_layers"]
    assert video["content_type"] == "metadata"


# --- the replica ----------------------------------------------------------------------


def test_replica_is_deterministic_and_has_the_spanish_variations() -> None:
    one = generate_site("http://127.0.0.1:1", seed=5, n_articles=40)
    two = generate_site("http://127.0.0.1:1", seed=5, n_articles=40)
    assert one.resources == two.resources
    assert [a.to_dict() for a in one.ground_truth] == [a.to_dict() for a in two.ground_truth]
    for name in (
        "bare_yearless_only",
        "year_boundary",
        "filed_in_next_month",
        "video",
        "video_duration_outside_videos",
        "author_text_twice",
        "no_source",
        "transient_503",
    ):
        assert one.variations[name], name
    page = one.resolve(re.sub(r"^http://[^/]+", "", one.variations["year_boundary"][0]))
    text = page.body.decode("utf-8")
    assert "tawsiyat-metadata" not in text and "Visualizaciones" in text
    assert re.search(r'<span class="time">\d{1,2} [A-Z][a-z]+ \d\d:\d\d</span>', text)


# --- end to end -----------------------------------------------------------------------

N_ARTICLES = 60
SKIP_FIELDS = {"crawled_at", "field_layers"}


def _rows(warehouse: Warehouse) -> list[dict[str, Any]]:
    return [row_to_article(r).to_dict() for r in ArticleStore(warehouse).read_table().to_pylist()]


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The Spanish replica, crawled once in a subprocess with both discoveries."""
    warehouse = Warehouse(tmp_path_factory.mktemp("es-e2e") / "wh")
    with ReplicaServer(seed=13, n_articles=N_ARTICLES, slow_seconds=0.2, edition="es") as server:
        options = CrawlOptions(
            base_url=server.base_url, warehouse=str(warehouse.root), edition="es"
        )
        summary = run_crawl_in_subprocess(options, timeout=300)
        yield {"server": server, "summary": summary, "rows": _rows(warehouse)}


def test_e2e_every_article_exactly_once(crawled: Any) -> None:
    site = crawled["server"].site
    truth = {a.article_id for a in site.ground_truth}
    ids = [r["article_id"] for r in crawled["rows"]]
    assert len(ids) == len(set(ids)), "duplicates in the dataset"
    assert set(ids) == truth
    assert len(truth) == N_ARTICLES


def test_e2e_every_field_equals_the_ground_truth(crawled: Any) -> None:
    truth = {a.article_id: a.to_dict() for a in crawled["server"].site.ground_truth}
    mismatches = []
    for row in crawled["rows"]:
        expected = truth[row["article_id"]]
        for name, value in expected.items():
            if name not in SKIP_FIELDS and row[name] != value:
                mismatches.append((row["url"], name, row[name], value))
    assert mismatches == []


def test_e2e_yearless_dates_across_the_year_boundary(crawled: Any) -> None:
    site = crawled["server"].site
    by_url = {r["url"]: r for r in crawled["rows"]}
    boundary = site.variations["year_boundary"]
    assert len(boundary) >= 4
    years = set()
    for url in boundary:
        row = by_url[url]
        assert row["field_layers"]["published_at"] == "page"  # the yearless date, inferred
        assert row["published_at"] == site.truth_by_url()[url].published_at
        years.add(row["published_at"].year)
    assert years == {2024, 2025}
    for url in site.variations["filed_in_next_month"]:
        assert by_url[url]["published_at"].month == 12
