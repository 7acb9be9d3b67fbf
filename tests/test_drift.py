"""The drift alarm: pure rules, then pages (listing fallback), then the build and its check.

The end-to-end crawl with broken selectors is at the bottom (a real crawl of the
replica in a subprocess: the slow layer).
"""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from newsdesk import editions
from newsdesk.build import SQL_DIR, build_database, connect, sql_files
from newsdesk.crawl import CrawlOptions, CrawlSummary, run_crawl_in_subprocess
from newsdesk.drift import (
    MIN_ARTICLES,
    STAT_LISTING_PAGES,
    ListingTally,
    check_markup_drift,
    crawl_drift,
    field_drift,
    listing_drift,
    record_article,
    record_listing,
)
from newsdesk.editions.spec import LAYERS, Edition
from newsdesk.items import CONTENT_FIELDS
from newsdesk.pages.article import NotAnArticle
from newsdesk.pages.listing import ListingPage
from newsdesk.replica.server import ReplicaServer
from newsdesk.store import ArticleStore
from newsdesk.warehouse import Warehouse
from tests import drift_edition
from tests.factories import make_article
from tests.regen_fixtures import fixtures_dir

EXPECTED = {"title": "metadata", "body": "page"}


class Stats(dict):
    """The slice of Scrapy's stats collector the counters use."""

    def inc_value(self, key: str, count: int = 1, start: int = 0) -> None:
        self[key] = self.get(key, start) + count


# --- pure: the rules ---------------------------------------------------------------------


def test_a_field_only_from_lower_layers_is_drift() -> None:
    messages = field_drift(EXPECTED, {"title": {"meta": 30, "page": 10}, "body": {"page": 40}})
    assert messages == [
        "field title came only from lower layers (metadata expected) in 40 articles "
        "(meta: 30, page: 10)"
    ]


def test_one_article_from_the_expected_layer_is_no_drift() -> None:
    assert field_drift(EXPECTED, {"title": {"metadata": 1, "meta": 39}}) == []


def test_a_better_layer_than_expected_is_no_drift() -> None:
    assert field_drift({"subtitle": "meta"}, {"subtitle": {"metadata": 40}}) == []
    assert field_drift({"subtitle": "meta"}, {"subtitle": {"page": 40}}) != []


def test_fewer_articles_than_the_threshold_are_noise() -> None:
    few = {"title": {"meta": MIN_ARTICLES - 1}}
    assert field_drift(EXPECTED, few) == []
    assert field_drift(EXPECTED, {"title": {"meta": MIN_ARTICLES}}) != []


def test_listing_fallback_is_drift_on_any_page() -> None:
    assert listing_drift(ListingTally(pages=17, fallback=17)) == [
        "listing selector matched no cards on 17 of 17 listing pages "
        "(fallback used: same-host article links)"
    ]
    assert len(listing_drift(ListingTally(pages=17, fallback=1))) == 1


def test_empty_listings_are_drift_only_when_every_page_is_empty() -> None:
    # One empty section is not a redesign; every listing empty is.
    assert listing_drift(ListingTally(pages=17, empty=2)) == []
    assert listing_drift(ListingTally(pages=17, empty=17)) == [
        "listing selector matched no cards on 17 of 17 listing pages, "
        "and the pages had no article links either"
    ]
    assert listing_drift(ListingTally()) == []


def test_crawl_drift_from_the_counters() -> None:
    stats = Stats()
    en = editions.get("en")
    for _ in range(3):
        record_listing(stats, cards=0, fallback=True)
    record_listing(stats, cards=12, fallback=False)
    for _ in range(6):
        record_article(stats, {"title": "meta", "body": "page", "region": "metadata"}, EXPECTED)
    assert stats[STAT_LISTING_PAGES] == 4
    assert not any("region" in key for key in stats)  # only the modeled fields are counted
    assert crawl_drift(dataclasses.replace(en, expected_layers=EXPECTED), stats) == [
        "listing selector matched no cards on 3 of 4 listing pages "
        "(fallback used: same-host article links)",
        "field title came only from lower layers (metadata expected) in 6 articles (meta: 6)",
    ]
    assert crawl_drift(en, Stats()) == []


def test_every_edition_declares_known_fields_and_layers() -> None:
    for edition in editions.all_editions():
        assert set(edition.expected_layers) <= {"article_id", *CONTENT_FIELDS}, edition.code
        assert set(edition.expected_layers.values()) <= set(LAYERS), edition.code
        assert edition.expected_layers["title"] == "metadata"
        assert edition.expected_layers["body"] == "page"
    with pytest.raises(ValueError, match="unknown layers"):
        dataclasses.replace(editions.get("en"), expected_layers={"title": "headline"})


# --- pages: fixtures as the site serves them, and as a redesign would ---------------------


def _layer_counts(edition: Edition, article_selectors: object | None = None) -> dict:
    """field -> layer -> articles over an edition's article fixtures."""
    counts: dict[str, dict[str, int]] = {}
    selectors = edition.selectors
    if article_selectors is not None:
        selectors = dataclasses.replace(selectors, article=article_selectors)
    folder = fixtures_dir(edition.code)
    for expected in sorted(folder.glob("*.expected.json")):
        case = json.loads(expected.read_text(encoding="utf-8"))
        if "expected" not in case:
            continue
        html = expected.with_name(expected.name.replace(".expected.json", ".html")).read_bytes()
        page = edition.parser_for(None).page_class(
            case["url"], html, edition=edition, selectors=selectors
        )
        try:
            layers = page.to_article().field_layers
        except NotAnArticle:
            continue
        for name in edition.expected_layers:
            if name in layers:
                counts.setdefault(name, {}).setdefault(layers[name], 0)
                counts[name][layers[name]] += 1
    return counts


@pytest.mark.parametrize("code", ["en", "ar", "es"])
def test_the_fixtures_show_no_drift(code: str) -> None:
    edition = editions.get(code)
    counts = _layer_counts(edition)
    assert counts["title"].get("metadata", 0) > 0
    assert field_drift(edition.expected_layers, counts, min_articles=1) == []


@pytest.mark.parametrize("code", ["en", "ar", "es"])
def test_a_broken_metadata_selector_on_the_fixtures_is_drift(code: str) -> None:
    edition = editions.get(code)
    broken = dataclasses.replace(edition.selectors.article, metadata_script="script#gone")
    messages = field_drift(edition.expected_layers, _layer_counts(edition, broken), 1)
    assert any(m.startswith("field title came only from lower layers") for m in messages)
    assert not any(m.startswith("field body") for m in messages)


def _listing_fixture(code: str) -> tuple[str, str]:
    url = f"https://{editions.get(code).host}/news/politics"
    return url, (fixtures_dir(code) / "listing-news-politics.html").read_text(encoding="utf-8")


def _spanish_listing() -> tuple[str, str]:
    """A Spanish section listing as the Spanish replica serves it (no saved fixture)."""
    base = f"https://{editions.get('es').host}"
    site = editions.get("es").generate_replica(base, seed=5, n_articles=60, revision=1)
    path = "/política"
    return base + "/pol%C3%ADtica", site.resources[path].body.decode("utf-8")


def _redesigned(html: str) -> str:
    """The page after a redesign renamed the card class."""
    assert 'class="white-card"' in html
    return html.replace('class="white-card"', 'class="story-tile"')


@pytest.mark.parametrize("code", ["en", "ar", "es"])
def test_listing_fallback_finds_the_card_links_and_nothing_else(code: str) -> None:
    url, html = _spanish_listing() if code == "es" else _listing_fixture(code)
    edition = editions.get(code)
    modeled = edition.listing_page(url, html)
    cards = modeled.cards()
    assert cards and not modeled.cards_from_fallback

    page = edition.listing_page(url, _redesigned(html))
    fallback = page.cards()
    assert page.cards_from_fallback
    assert [c.url for c in fallback] == [c.url for c in cards]  # page order, once each
    assert [c.title for c in fallback] == [c.title for c in cards]
    assert {c.date for c in fallback} == {None} and {c.category for c in fallback} == {None}


def test_listing_fallback_skips_menu_static_offsite_and_repeated_links() -> None:
    url, html = _listing_fixture("en")
    extra = (
        '<a href="https://www.almayadeen.net/news/politics/an-arabic-story">elsewhere</a>'
        '<a href="/news/politics/tehran:-the-prime-minister-rejected-the-transfer-window'
        '?utm_source=x">again</a><a href="/videos/tv">TV</a><a href="/about-us">About</a>'
    )
    page = ListingPage(url, _redesigned(html).replace("</main>", extra + "</main>"))
    urls = [c.url for c in page.cards()]
    assert len(urls) == 12 == len(set(urls))
    assert all(u.startswith("https://english.almayadeen.net/news/") for u in urls)


def test_a_listing_without_cards_or_article_links_is_not_a_fallback() -> None:
    url, html = _listing_fixture("en")
    # The cards' container gone altogether: only the menu, regions and footer are left.
    bare = re.sub(r'<div class="no-gap.*?(?=<a class="loadmorebtn")', "", html, flags=re.S)
    assert "white-card" not in bare
    page = ListingPage(url, bare)
    assert page.cards() == []
    assert not page.cards_from_fallback
    assert len(page.menu_sections()) == 17


# --- the build: crawl_runs.edition and .drift, and the Dagster check ------------------------

D1 = datetime(2025, 7, 10, 12, 0, tzinfo=UTC)


def _write_run(wh: Warehouse, run_id: str, started: str, **values: object) -> None:
    summary = {
        "run_id": run_id,
        "base_url": "http://127.0.0.1:8765",
        "warehouse": str(wh.root),
        "started_at": started,
        "finished_at": started,
        "duration_s": 1.0,
        "finish_reason": "finished",
        "pages_fetched": 3,
        "requests": 3,
        "articles_new": 1,
        "articles_updated": 0,
        "articles_unchanged": 0,
        "revisions": 0,
        "failures": {},
        "blocked": False,
        **values,
    }
    folder = wh.root / "crawl_runs"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{run_id}.json").write_text(json.dumps(summary))


def _warehouse(tmp_path: Path, layers: dict[str, str], n: int = 6) -> Warehouse:
    wh = Warehouse(tmp_path / "wh")
    store = ArticleStore(wh)
    articles = []
    for i in range(n):
        article = make_article(f"story-{i}", D1)
        article.field_layers = dict(layers)
        articles.append(article)
    store.merge(articles, store.load_index())
    return wh


def test_old_run_summaries_build_with_a_derived_edition_and_no_drift(tmp_path) -> None:
    wh = _warehouse(tmp_path, {"title": "metadata"})
    # Written before runs recorded edition and drift: the host says ar, a replica says en.
    _write_run(wh, "old-ar", "2025-07-01T00:00:00+00:00", base_url="https://www.almayadeen.net")
    _write_run(wh, "old-en", "2025-07-02T00:00:00+00:00")
    _write_run(wh, "new-es", "2025-07-03T00:00:00+00:00", edition="es", drift=["x"])
    con = connect(build_database(wh).path, read_only=True)
    rows = con.execute("SELECT run_id, edition, drift FROM crawl_runs ORDER BY run_id").fetchall()
    assert rows == [("new-es", "es", ["x"]), ("old-ar", "ar", []), ("old-en", "en", [])]


def test_the_check_sql_is_not_run_as_a_table_definition(tmp_path) -> None:
    assert (SQL_DIR / "checks" / "markup_drift_layers.sql").is_file()
    assert not [p for p in sql_files() if "markup_drift" in p.name]
    wh = _warehouse(tmp_path, {"title": "metadata"})
    built = build_database(wh)
    assert not [t for t in built.tables if "drift" in t]


def test_check_passes_without_drift_and_fails_on_the_latest_runs_drift(tmp_path) -> None:
    wh = _warehouse(tmp_path, {"title": "metadata", "body": "page"})
    _write_run(wh, "a", "2025-07-01T00:00:00+00:00", edition="en", drift=["old news"])
    _write_run(wh, "b", "2025-07-02T00:00:00+00:00", edition="en", drift=[])
    _write_run(wh, "c", "2025-07-03T00:00:00+00:00", edition="ar", drift=["listing broke"])
    con = connect(build_database(wh).path, read_only=True)
    passed, description, metadata = check_markup_drift(con, "en")
    assert passed, description  # an older run's drift was fixed since
    assert metadata["latest_run_id"] == "b" and metadata["articles_sampled"] == 6
    result = check_markup_drift(con, "ar")
    assert not result.passed
    assert result.description == "markup drift in ar: latest crawl: listing broke"
    assert result.metadata["drift_count"] == 1
    nothing = check_markup_drift(con, "es")
    assert nothing.passed and "no crawl run recorded" in nothing.description


def test_check_fails_when_recent_articles_have_a_field_only_from_lower_layers(tmp_path) -> None:
    wh = _warehouse(tmp_path, {"title": "meta", "body": "page"}, n=MIN_ARTICLES)
    con = connect(build_database(wh).path, read_only=True)
    result = check_markup_drift(con, "en")
    assert not result.passed
    assert result.metadata["article_drift"] == [
        f"field title came only from lower layers (metadata expected) in {MIN_ARTICLES} "
        f"articles (meta: {MIN_ARTICLES})"
    ]
    # A smaller sample than the threshold is noise.
    assert check_markup_drift(con, "en", sample=MIN_ARTICLES - 1).passed


def test_summary_renders_a_drift_line_only_when_there_is_drift() -> None:
    base = dict(
        run_id="r",
        base_url="http://127.0.0.1:1",
        warehouse="wh",
        started_at="",
        finished_at="",
        duration_s=1.0,
        finish_reason="finished",
        pages_fetched=1,
        requests=1,
        articles_new=0,
        articles_updated=0,
        articles_unchanged=0,
        revisions=0,
        failures={},
        blocked=False,
    )
    assert "DRIFT" not in CrawlSummary(**base).render()
    text = CrawlSummary(**base, edition="ar", drift=["a", "b"]).render()
    assert "\n  DRIFT: a; b\n" in text


# --- end to end: the replica crawled with broken selectors --------------------------------


@pytest.fixture
def drift_editions(monkeypatch):
    modules = "tests.drift_edition,tests.drift_edition_metadata"
    monkeypatch.setenv(editions.EXTRA_MODULES_ENV, modules)  # the crawl subprocesses
    for edition in (drift_edition.BROKEN_CARDS, drift_edition.BROKEN_METADATA):
        editions.register(edition)  # this process
    yield
    for edition in (drift_edition.BROKEN_CARDS, drift_edition.BROKEN_METADATA):
        editions.unregister(edition.code)


@pytest.mark.faults
def test_broken_selectors_raise_the_alarm_end_to_end(tmp_path, drift_editions) -> None:
    wh = Warehouse(tmp_path / "wh")

    def crawl(code: str) -> CrawlSummary:
        options = CrawlOptions(
            base_url=server.base_url, warehouse=str(wh.root), edition=code, discovery="listings"
        )
        return run_crawl_in_subprocess(options, timeout=240)

    # One English replica serves all three: the toy editions are its markup, read
    # with one selector broken each.
    with ReplicaServer(seed=5, n_articles=40, slow_seconds=0.1) as server:
        normal = crawl("en")
        cards = crawl("zd")
        metadata = crawl("zm")

    urls = {
        code: set(
            r["url"]
            for r in ArticleStore(wh).read_table(["url", "edition"]).to_pylist()
            if r["edition"] == code
        )
        for code in ("en", "zd", "zm")
    }
    assert normal.drift == [] and "DRIFT" not in normal.render()
    assert urls["en"] and urls["zd"] == urls["en"]  # every article found through the fallback
    assert len(cards.drift) == 1
    assert re.fullmatch(
        r"listing selector matched no cards on (\d+) of \1 listing pages "
        r"\(fallback used: same-host article links\)",
        cards.drift[0],
    )
    assert "\n  DRIFT: listing selector matched no cards" in cards.render()
    assert urls["zm"] == urls["en"]
    assert any(m.startswith("field title came only from lower layers") for m in metadata.drift)

    con = connect(build_database(wh).path, read_only=True)
    runs = dict(con.execute("SELECT edition, drift FROM crawl_runs").fetchall())
    assert runs["en"] == [] and runs["zd"] == cards.drift and runs["zm"] == metadata.drift
    assert check_markup_drift(con, "en").passed
    assert not check_markup_drift(con, "zd").passed
    broken = check_markup_drift(con, "zm")
    assert not broken.passed and broken.metadata["article_drift"]


# --- the spider: paging a listing that fell back --------------------------------------------


def _next_page_requested(html: str, stored: set[str]) -> bool:
    """Whether the spider asks for a politics listing's next page, ``stored`` being known."""
    from scrapy.http import HtmlResponse, Request

    from newsdesk.state import CrawlState
    from spiders.almayadeen import AlMayadeenSpider

    url, _ = _listing_fixture("en")
    spider = AlMayadeenSpider(base_url="https://english.almayadeen.net", edition="en")
    spider.known = {spider.edition.article_id_for(u): D1 for u in stored}
    # An earlier crawl read this listing to its end: stopping at stored articles is allowed.
    done = {"politics": "2025-07-01T00:00:00+00:00"}
    spider.state = CrawlState(Path("never-written.json"), listings_complete=done)
    response = HtmlResponse(url, body=html.encode("utf-8"), encoding="utf-8", request=Request(url))
    out = list(spider.parse_listing(response, section="politics"))
    return any(isinstance(r, Request) and "page=2" in r.url for r in out)


def test_a_fallback_listing_pages_on_until_a_page_holds_only_stored_links() -> None:
    url, html = _listing_fixture("en")
    links = [c.url for c in ListingPage(url, html).cards()]
    broken = _redesigned(html)
    # Modeled cards are newest first: one stored card means the rest is stored too.
    assert not _next_page_requested(html, {links[0]})
    # The fallback's links may include stored ones linked beside the list: a page
    # with any new link goes on, a page of stored links only stops.
    assert _next_page_requested(broken, {links[0]})
    assert not _next_page_requested(broken, set(links))
