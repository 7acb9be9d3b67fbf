"""The Arabic edition (www.almayadeen.net): spec, saved pages, replica, crawl end to end.

The saved pages in ``newsdesk/editions/ar/fixtures`` are compared field by
field with their ``.expected.json`` (``tests/regen_fixtures.py`` regenerates
every edition's). The hand-written tests pin what site-notes.md ("Arabic" and
"Expected values") states outright, so a regeneration cannot quietly change it.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import duckdb
import pytest

from newsdesk import editions, normalize
from newsdesk.crawl import CrawlOptions, run_crawl_in_subprocess
from newsdesk.editions.ar.replica import generate_site
from newsdesk.items import Article
from newsdesk.pages import NotAnArticle
from newsdesk.replica.server import ReplicaServer
from newsdesk.store import ArticleStore, row_to_article
from newsdesk.urls import canonicalize_url
from newsdesk.warehouse import Warehouse
from tests.regen_fixtures import SKIPPED_FIELDS, case_names, fixtures_dir, jsonable, load_case

AR = editions.get("ar")
FIXTURES = fixtures_dir("ar")
BASE = "https://www.almayadeen.net"
NEWS_URL = (
    BASE
    + "/news/politics/"
    + quote("وزير-الخارجية:-المحادثات-ستستمر-رغم-التصعيد-في-الجنوب-وال", safe=":-")
)
ARTICLE_FIELDS = [f.name for f in dataclasses.fields(Article) if f.name not in SKIPPED_FIELDS]
ARTICLE_CASES = [n for n in case_names(FIXTURES) if "expected" in load_case(n, FIXTURES)]
NOT_ARTICLE_CASES = [n for n in case_names(FIXTURES) if "not_article" in load_case(n, FIXTURES)]


def _article(name: str) -> Article:
    case = load_case(name, FIXTURES)
    html = (FIXTURES / f"{name}.html").read_bytes()
    return AR.article_page(case["url"], html).to_article()


# --- the spec -------------------------------------------------------------------------


def test_registered_by_host_and_aliases() -> None:
    assert editions.get("ar") is AR
    for host in ("www.almayadeen.net", "almayadeen.net", "http://almayadeen.net/news"):
        assert editions.for_host(host) is AR
    assert (AR.language, AR.direction, AR.fts_stemmer) == ("ar", "rtl", "arabic")
    assert AR.replica_module == "newsdesk.editions.ar.replica"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/news/politics/x", ("news", "politics")),
        ("/news/economic/x", ("news", "economic")),
        ("/misc/x", ("news", "misc")),
        ("/press/x", ("news", "press")),
        ("/health/x", ("news", "health")),
        ("/infograph/x", ("news", "infograph")),
        ("/articles/x", ("articles", "articles")),
        ("/analysis/x", ("articles", "analysis")),
        ("/research-papers/x", ("articles", "research-papers")),
        ("/video/x", ("videos", "video")),
        ("/newscast/x", ("videos", "newscast")),
        ("/tv-reports/x", ("videos", "tv-reports")),
        ("/reports/x", ("videos", "reports")),
        ("/podcasts/x", ("videos", "podcasts")),
    ],
)
def test_url_grammar(path: str, expected: tuple[str, str]) -> None:
    assert AR.section_from_path(BASE + path) == expected
    assert AR.is_article_url(BASE + path)


@pytest.mark.parametrize(
    "path",
    ["/", "/news", "/news/politics", "/video", "/authors/x", "/coverage/x", "/tags/x", "/live"],
)
def test_not_article_urls(path: str) -> None:
    assert not AR.is_article_url(BASE + path)


def test_percent_encoded_slugs_round_trip() -> None:
    # A slug cut mid-word, starting with "-", keeping ":"; raw, lower- and upper-case escapes.
    slug = "-وزير-الخارجية:-المحادثات-ستست"
    encoded = quote(slug, safe=":-")
    canonical = canonicalize_url(f"{BASE}/news/politics/{slug}")
    assert canonical == f"{BASE}/news/politics/{encoded}"
    assert canonicalize_url(f"{BASE}/news/politics/{encoded.lower()}") == canonical
    assert canonicalize_url(canonical) == canonical
    assert AR.article_id_for(canonical) == AR.article_id_for(f"{BASE}/news/politics/{slug}")
    assert AR.section_from_path(canonical) == ("news", "politics")


def test_slug_cut_inside_a_letter_keeps_its_bytes() -> None:
    # "%D9" is the first byte of an Arabic letter alone: not valid UTF-8, kept as is.
    url = f"{BASE}/news/politics/%D9%88%D8%B2%D9"
    assert canonicalize_url(url) == url
    assert canonicalize_url(url.lower()) == url  # lower-case escapes: the same URL


# --- dates and text rules -------------------------------------------------------------


@pytest.mark.parametrize(
    ("shown", "utc"),
    [
        ("14 آذار 2024 21:05", datetime(2024, 3, 14, 19, 5, tzinfo=UTC)),  # UTC+2
        ("2 أيار 2024 10:30", datetime(2024, 5, 2, 7, 30, tzinfo=UTC)),  # UTC+3
        ("4 حزيران/يونيو 2024 12:00", datetime(2024, 6, 4, 9, 0, tzinfo=UTC)),
        ("4 يونيو/حزيران 2024 12:00", datetime(2024, 6, 4, 9, 0, tzinfo=UTC)),
        ("١٤ آذار/مارس ٢٠٢٤ ٢١:٠٥", datetime(2024, 3, 14, 19, 5, tzinfo=UTC)),
        ("12 تشرين الأول 2023 09:00", datetime(2023, 10, 12, 6, 0, tzinfo=UTC)),
        ("1 كانون الثاني 2024 08:00", datetime(2024, 1, 1, 6, 0, tzinfo=UTC)),
        ("2024-03-14 21:05", datetime(2024, 3, 14, 19, 5, tzinfo=UTC)),
    ],
)
def test_display_dates(shown: str, utc: datetime) -> None:
    assert normalize.parse_display_date(shown, AR.dates) == utc


def test_levantine_months_through_dateparser() -> None:
    # A form the fast path does not take (a weekday first) goes to dateparser ar-LB.
    assert normalize.parse_display_day("الخميس 14 آذار 2024", AR.dates) == date(2024, 3, 14)
    assert normalize.parse_display_day("الثلاثاء 4 حزيران/يونيو 2024", AR.dates) == date(2024, 6, 4)


@pytest.mark.parametrize(
    ("byline", "names"),
    [
        ("بقلم: سمير الحسن", ["سمير الحسن"]),
        ("بقلم: سمير الحسن، علي حسن", ["سمير الحسن", "علي حسن"]),
        ("سمير الحسن وعلي حسن", ["سمير الحسن", "علي حسن"]),
        ("سمير الحسن و علي حسن", ["سمير الحسن", "علي حسن"]),
        ("محمد وليد", ["محمد وليد"]),  # a name starting with و is not split off
        ("الميادين نت", ["الميادين نت"]),
    ],
)
def test_arabic_bylines(byline: str, names: list[str]) -> None:
    assert normalize.split_authors(byline, AR.text) == names


def test_english_rules_unchanged_by_the_arabic_edition() -> None:
    assert normalize.split_authors("By A and B") == ["A", "B"]
    assert normalize.parse_display_date("5 Apr 2023 15:23") == datetime(
        2023, 4, 5, 12, 23, tzinfo=UTC
    )


# --- every saved page, field by field -------------------------------------------------


def test_every_fixture_case_has_an_expectation() -> None:
    htmls = {p.stem for p in Path(FIXTURES).glob("*.html")}
    assert htmls == set(case_names(FIXTURES))
    assert set(ARTICLE_CASES) | set(NOT_ARTICLE_CASES) == htmls


@pytest.mark.parametrize("field", ARTICLE_FIELDS)
@pytest.mark.parametrize("case", ARTICLE_CASES)
def test_fixture_field(case: str, field: str) -> None:
    expected = load_case(case, FIXTURES)["expected"]
    assert field in expected, f"{case}.expected.json lacks {field}: run tests/regen_fixtures.py"
    assert jsonable(getattr(_article(case), field)) == expected[field]


@pytest.mark.parametrize("case", NOT_ARTICLE_CASES)
def test_fixture_not_an_article(case: str) -> None:
    expected = load_case(case, FIXTURES)["not_article"]["reason"]
    with pytest.raises(NotAnArticle) as excinfo:
        _article(case)
    assert excinfo.value.reason == expected


# --- the contract, by hand (site-notes.md) ---------------------------------------------

NEWS_TITLE = "وزير الخارجية: المحادثات ستستمر رغم التصعيد في الجنوب والحدود"
NEWS_LEAD = "وزير الخارجية يؤكد أن المحادثات ستستمر، ويحذّر من اتساع التصعيد على الحدود الجنوبية."
NEWS_TAGS = ["لبنان", "وزارة الخارجية", "المفاوضات", "الجنوب اللبناني"]
NEWS_PARAGRAPHS = 4  # six <p>: a read-also line left out; the dual-related box has none


def test_news_article_by_hand() -> None:
    a = _article("article-news")
    assert a.url == NEWS_URL
    assert a.edition == "ar"
    assert a.title == NEWS_TITLE
    assert a.subtitle == NEWS_LEAD
    assert a.authors == ["الميادين نت"]
    assert a.tags == NEWS_TAGS  # repeated keyword and stray spaces
    assert a.source is None  # the Arabic pages have no source line
    assert (a.section_group, a.section, a.content_type) == ("news", "politics", "article")
    assert (a.region, a.coverage) == ("لبنان", "طوفان الأقصى")
    assert a.post_id == "1800123"
    assert a.published_at == datetime(2024, 3, 14, 19, 5, tzinfo=UTC)
    assert a.updated_at == datetime(2024, 3, 15, 6, 40, 12, tzinfo=UTC)
    paragraphs = a.body.split("\n\n")
    assert len(paragraphs) == NEWS_PARAGRAPHS
    assert paragraphs[0].startswith("أكد وزير الخارجية")
    assert "اقرأ أيضاً" not in a.body and "قراءة في مسار" not in a.body
    assert "4 آذار/مارس" in paragraphs[2]  # a date in the body is text, left as it is
    assert a.image_caption is None
    assert [u.split("/")[3] for u in a.links] == ["tv-reports", "articles"]


def test_nometa_article_agrees_except_region() -> None:
    with_meta, nometa = _article("article-news"), _article("article-nometa")
    for name in ("url", "title", "subtitle", "authors", "tags", "published_at", "updated_at"):
        assert getattr(nometa, name) == getattr(with_meta, name), name
    assert nometa.body == with_meta.body
    assert nometa.region is None  # only the metadata's classes give it
    assert nometa.coverage == "طوفان الأقصى"  # from the coverage box


def test_opinion_by_hand() -> None:
    a = _article("article-opinion")
    assert a.authors == ["سمير الحسن"]
    assert (a.section_group, a.section) == ("articles", "articles")
    assert a.updated_at is None  # last_updated equals published_time
    assert a.published_at == datetime(2024, 5, 2, 7, 30, tzinfo=UTC)
    assert len(a.body.split("\n\n")) == 4


def test_video_without_body_is_kept() -> None:
    a = _article("article-video")
    assert (a.section_group, a.section, a.content_type) == ("videos", "tv-reports", "video")
    assert a.body == "" and a.word_count == 0
    assert a.tags == ["سوريا", "دمشق", "الأسواق", "تقارير الميادين"]
    assert a.published_at == datetime(2024, 4, 8, 16, 12, 44, tzinfo=UTC)


def test_visible_page_with_marks_and_digits() -> None:
    a = _article("visible-marks-digits")
    assert a.title == NEWS_TITLE
    assert a.authors == ["سمير الحسن", "علي حسن", "محمد وليد"]
    assert a.published_at == datetime(2024, 3, 14, 19, 5, tzinfo=UTC)
    assert a.tags == NEWS_TAGS
    assert a.coverage == "طوفان الأقصى"
    assert a.image_url is not None and a.image_url.startswith("https://alpha-ar-media.")
    values = [a.title, a.subtitle, a.body, a.coverage, a.image_url, *a.authors, *a.tags, *a.links]
    assert not any(ch in str(v) for v in values for ch in "\u200e\u200f\u061c")


def test_video_duration_makes_a_video_anywhere() -> None:
    a = _article("infograph-video-duration")
    assert (a.section_group, a.section, a.content_type) == ("news", "infograph", "video")
    assert a.region == "سوريا"  # leading space and direction mark gone
    assert a.coverage == '"الطوفان" في عامه الثاني'
    assert a.body == ""


@pytest.mark.parametrize("case", ["page-author", "page-coverage", "listing-news-politics"])
def test_non_article_pages(case: str) -> None:
    with pytest.raises(NotAnArticle):
        _article(case)


def test_listing_page() -> None:
    html = (FIXTURES / "listing-news-politics.html").read_bytes()
    page = AR.listing_page(BASE + "/news/politics", html)
    (card,) = page.cards()
    assert card.url == NEWS_URL  # utm_source dropped, slug percent-encoded
    assert card.title == NEWS_TITLE
    assert card.date == date(2024, 3, 14)
    assert page.next_page_url() == BASE + "/news/politics?page=2"
    menu = {s.slug: s.group for s in page.menu_sections()}
    assert menu["politics"] == "news" and menu["video"] == "videos"
    assert menu["articles"] == "articles" and menu["infograph"] == "news"


# --- the replica ------------------------------------------------------------------------

N_ARTICLES = 60
E2E_SKIP = {"crawled_at", "field_layers"}


def test_replica_is_deterministic_and_carries_the_variations() -> None:
    one = generate_site("http://127.0.0.1:1", seed=5, n_articles=N_ARTICLES)
    two = generate_site("http://127.0.0.1:1", seed=5, n_articles=N_ARTICLES)
    assert {k: r.body for k, r in one.resources.items()} == {
        k: r.body for k, r in two.resources.items()
    }
    assert [a.to_dict() for a in one.ground_truth] == [a.to_dict() for a in two.ground_truth]
    for name in (
        "date_levantine",
        "date_dual",
        "date_indic_digits",
        "direction_marks",
        "read_also",
        "dual_related",
        "no_body",
        "keyword_repeated",
        "keyword_stray_spaces",
        "classes_leading_space",
        "visible_only",
        "no_metadata",
        "several_authors",
        "non_article_page",
    ):
        assert one.variations.get(name), name


def test_replica_pages_parse_to_the_ground_truth() -> None:
    # Without a crawl: every page, parsed as the spider would, equals its truth.
    site = generate_site("http://127.0.0.1:1", seed=5, n_articles=N_ARTICLES, revision=2)
    assert len(site.edited) >= 1 and len(site.added) >= 1
    for truth in site.ground_truth:
        page = site.resolve(urlsplit(truth.url).path)
        got = AR.article_page(truth.url, page.body).to_article()
        for name, value in truth.to_dict().items():
            if name not in E2E_SKIP:
                assert getattr(got, name) == value, (truth.url, name)


def _rows(warehouse: Warehouse) -> list[dict[str, Any]]:
    return [row_to_article(r).to_dict() for r in ArticleStore(warehouse).read_table().to_pylist()]


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The Arabic replica, crawled once in a subprocess (listings and sitemaps)."""
    warehouse = Warehouse(tmp_path_factory.mktemp("ar-e2e") / "wh")
    with ReplicaServer(seed=13, n_articles=N_ARTICLES, slow_seconds=0.1, edition="ar") as server:
        options = CrawlOptions(
            base_url=server.base_url, warehouse=str(warehouse.root), edition="ar"
        )
        summary = run_crawl_in_subprocess(options, timeout=300)
        yield {
            "site": server.site,
            "summary": summary,
            "rows": _rows(warehouse),
            "requests": list(server.requests),
            "warehouse": warehouse,
        }


def test_crawl_finds_every_article_once(crawled: Any) -> None:
    truth = {a.article_id for a in crawled["site"].ground_truth}
    ids = [r["article_id"] for r in crawled["rows"]]
    assert len(ids) == len(set(ids)), "duplicates in the dataset"
    assert set(ids) == truth and len(truth) == N_ARTICLES
    assert crawled["summary"].finish_reason == "finished"


def test_crawl_every_field_equals_the_ground_truth(crawled: Any) -> None:
    truth = {a.article_id: a.to_dict() for a in crawled["site"].ground_truth}
    mismatches = [
        (row["url"], name, row[name], value)
        for row in crawled["rows"]
        for name, value in truth[row["article_id"]].items()
        if name not in E2E_SKIP and row[name] != value
    ]
    assert mismatches == []


def test_crawl_makes_no_row_of_author_or_dossier_pages(crawled: Any) -> None:
    paths = [urlsplit(r["url"]).path for r in crawled["rows"]]
    assert not any(p.startswith(("/authors/", "/coverage/")) for p in paths)
    assert all(r["edition"] == "ar" for r in crawled["rows"])
    assert {r["content_type"] for r in crawled["rows"]} == {"article", "video"}
    assert any(r["body"] == "" for r in crawled["rows"])  # no-body items kept


def test_crawl_logs_the_faults(crawled: Any) -> None:
    site = crawled["site"]
    log = duckdb.sql(
        "SELECT url, outcome, reason FROM read_parquet(?, hive_partitioning=true)",
        params=[crawled["warehouse"].crawl_log_glob()],
    ).fetchall()
    failed = {
        (canonicalize_url(url), reason) for url, outcome, reason in log if outcome == "failed"
    }
    for url in site.dead_urls:
        assert (url, "http_404") in failed
    for url in site.failing_urls:
        assert (url, "http_500") in failed
    stored = {r["url"] for r in crawled["rows"]}
    assert set(site.transient_urls) <= stored
