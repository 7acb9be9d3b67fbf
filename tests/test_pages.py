"""Page classes against saved pages.

Every fixture case in ``newsdesk/editions/en/fixtures`` is compared field by field with
its ``.expected.json`` (regenerate those with ``tests/regen_fixtures.py`` after
an intended change). The hand-written tests below pin the values that site-notes
and docs/fields.md state outright, so a regeneration cannot quietly change them.
"""

from __future__ import annotations

import dataclasses
import time
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from newsdesk.hashing import content_hash
from newsdesk.items import Article
from newsdesk.pages import (
    ArticlePage,
    Card,
    ListingPage,
    NotAnArticle,
    SectionLink,
    SitemapEntry,
    parse_sitemap,
    sitemap_month,
)
from newsdesk.urls import article_id_for
from tests.regen_fixtures import FIXTURES, SKIPPED_FIELDS, case_names, jsonable, load_case

SEED_URL = (
    "https://english.almayadeen.net/news/politics/"
    "nato-will-discuss-russia--china-rapprochement:-stoltenberg"
)
BASE = "https://english.almayadeen.net"
ARTICLE_FIELDS = [f.name for f in dataclasses.fields(Article) if f.name not in SKIPPED_FIELDS]


def _html(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def _page(name: str, url: str | None = None) -> ArticlePage:
    return ArticlePage(url or load_case(name)["url"], _html(f"{name}.html"))


def _article(name: str) -> Article:
    return _page(name).to_article()


ARTICLE_CASES = [n for n in case_names() if "expected" in load_case(n)]
NOT_ARTICLE_CASES = [n for n in case_names() if "not_article" in load_case(n)]


# --- every fixture, field by field ---------------------------------------------------


def test_every_fixture_case_has_an_expectation() -> None:
    htmls = {p.stem for p in Path(FIXTURES).glob("*.html")}
    assert htmls == set(case_names())
    assert set(ARTICLE_CASES) | set(NOT_ARTICLE_CASES) == htmls


@pytest.mark.parametrize("field", ARTICLE_FIELDS)
@pytest.mark.parametrize("case", ARTICLE_CASES)
def test_fixture_field(case: str, field: str) -> None:
    expected = load_case(case)["expected"]
    assert field in expected, f"{case}.expected.json lacks {field}: run tests/regen_fixtures.py"
    actual = getattr(_article(case), field)
    assert jsonable(actual) == expected[field]


@pytest.mark.parametrize("case", NOT_ARTICLE_CASES)
def test_fixture_not_an_article(case: str) -> None:
    expected = load_case(case)["not_article"]["reason"]
    with pytest.raises(NotAnArticle) as excinfo:
        _article(case)
    assert excinfo.value.reason == expected
    assert excinfo.value.detail


# --- the seed article, by hand (site-notes.md "Expected values") --------------------


@pytest.fixture(scope="module")
def seed() -> Article:
    return ArticlePage(SEED_URL, _html("article-seed.html")).to_article()


def test_seed_title(seed: Article) -> None:
    assert seed.title == "NATO will discuss Russia, China rapprochement: Stoltenberg"


def test_seed_authors(seed: Article) -> None:
    assert seed.authors == ["Al Mayadeen English"]


def test_seed_source(seed: Article) -> None:
    assert seed.source == "Agencies"


def test_seed_published_at(seed: Article) -> None:
    assert seed.published_at == datetime(2023, 4, 5, 12, 23, tzinfo=UTC)
    assert seed.published_at.utcoffset() is not None and not seed.published_at.utcoffset()


def test_seed_never_updated(seed: Article) -> None:
    assert seed.updated_at is None


def test_seed_read_time(seed: Article) -> None:
    assert seed.read_time_min == 2


def test_seed_tags(seed: Article) -> None:
    assert seed.tags == [
        "Nato",
        "Finland",
        "Russia",
        "China",
        "Indo-Pacific Region",
        "Nato Alliance",
        "Jens Stoltenberg",
    ]


def test_seed_coverage_and_region(seed: Article) -> None:
    assert seed.coverage == "Russia & NATO"
    assert seed.region == "Europe"


def test_seed_body(seed: Article) -> None:
    paragraphs = seed.body.split("\n\n")
    assert len(paragraphs) == 11
    assert paragraphs[0].startswith(
        "NATO Secretary-General Jens Stoltenberg said that the coalition member states will discuss"
    )
    assert paragraphs[-1] == (
        '"Naturally, this forces us to take countermeasures to ensure our own security both'
        ' tactically and strategically," he said.'
    )
    assert "China's growing rapprochement" in paragraphs[0]  # &#x27; decoded
    assert not any(p.startswith("Read more") for p in paragraphs)
    assert "Related News" not in seed.body
    assert "Un experts in Moscow" not in seed.body
    assert seed.subtitle not in paragraphs
    # The metadata's own word count agrees with the extracted body.
    assert seed.word_count == 311


def test_seed_image(seed: Article) -> None:
    assert seed.image_caption == "NATO Secretary-General Jens Stoltenberg. (AP)"
    assert seed.image_url == f"{BASE}/media/image/2023/4/5/stoltenberg.jpg?width=1000"


def test_seed_ids_and_section(seed: Article) -> None:
    assert seed.post_id == "1680553"
    assert seed.url == SEED_URL
    assert seed.article_id == article_id_for(SEED_URL)
    assert (seed.section_group, seed.section, seed.content_type) == ("news", "politics", "article")
    assert seed.edition == "en"


def test_seed_links(seed: Article) -> None:
    read_more = [
        f"{BASE}/news/politics/stoltenberg-links-ukraine-nato-accession-to--independence-",
        f"{BASE}/news/politics/austin-looks-forward-to-seeing-sweden-in-nato--as-soon-as-possi",
    ]
    related = [
        f"{BASE}/news/sports/un-experts-in-moscow-confirmed-the-sanctions-package-as-pres",
        f"{BASE}/articles/blog/the-prime-minister-in-cairo-proposed-the-climate-pledge-as-p",
    ]
    for link in read_more + related:
        assert link in seed.links
    assert len(seed.links) == 4  # nothing from Most Read / Read Next / the menu


def test_seed_field_layers(seed: Article) -> None:
    layers = seed.field_layers
    assert layers["title"] == "metadata"
    assert layers["published_at"] == "metadata"
    assert layers["source"] == "page"
    assert layers["section"] == "url"
    assert layers["body"] == "page"
    assert "updated_at" not in layers  # no value, no layer


def test_seed_content_hash(seed: Article) -> None:
    assert seed.content_hash == content_hash(seed.to_dict())
    assert len(seed.content_hash) == 32


def test_crawled_at_is_utc_and_not_content() -> None:
    page = ArticlePage(SEED_URL, _html("article-seed.html"))
    a = page.to_article(crawled_at=datetime(2025, 1, 1, 12, 0))
    b = ArticlePage(SEED_URL, _html("article-seed.html")).to_article(
        crawled_at=datetime(2025, 1, 2, tzinfo=UTC)
    )
    assert a.crawled_at == datetime(2025, 1, 1, 12, 0, tzinfo=UTC)
    assert a.content_hash == b.content_hash


# --- the other reference pages -------------------------------------------------------


def test_video_page() -> None:
    video = _article("article-video")
    assert (video.section_group, video.section, video.content_type) == ("videos", "tv", "video")
    assert video.field_layers["section"] == "page"
    assert video.read_time_min is None


def test_video_without_breadcrumb_section_uses_metadata_category() -> None:
    video = _article("video-empty-body")
    assert (video.section, video.content_type) == ("digital-series", "video")
    assert video.field_layers["section"] == "metadata"
    assert video.body == ""
    assert video.word_count == 0


def test_nometa_page() -> None:
    a = _article("article-nometa")
    assert a.coverage == "Russia & NATO"
    assert a.field_layers["coverage"] == "page"
    assert a.region is None
    assert a.tags == ["Artificial Intelligence", "Syria", "Indo-Pacific Region", "European Union"]
    assert a.source is None
    assert a.post_id == "1700078"
    assert a.field_layers["title"] == "meta"
    assert a.published_at == datetime(2025, 7, 11, 14, 48, tzinfo=UTC)


def test_opinion_page_without_image() -> None:
    a = _article("article-opinion")
    assert a.image_url is None  # empty thumbnail, no og:image, no figure
    assert a.image_caption is None
    assert a.coverage is None
    assert a.authors == ["Mohammad Hammoud"]
    assert a.source == "Al Mayadeen Net"
    assert a.section_group == "articles"


# --- variations that must not change what the seed says -------------------------------


@pytest.mark.parametrize(
    "case",
    [
        "seed-no-metadata",
        "seed-no-meta-tags",
        "seed-visible-only",
        "malformed-metadata",
        "unclosed-p",
        "lead-copy",
    ],
)
def test_seed_variations_agree_with_the_seed(case: str, seed: Article) -> None:
    a = _article(case)
    for name in ("url", "article_id", "title", "published_at", "authors", "tags", "body"):
        assert getattr(a, name) == getattr(seed, name), name
    assert a.subtitle == seed.subtitle
    assert a.coverage == "Russia & NATO"


def test_visible_only_layers() -> None:
    a = _article("seed-visible-only")
    assert a.post_id is None and a.region is None
    assert a.field_layers["url"] == "url"  # the fetched URL, utm and fragment dropped
    assert {a.field_layers[f] for f in ("title", "published_at", "authors", "tags")} == {"page"}
    assert a.image_url == f"{BASE}/media/image/2023/4/5/stoltenberg.jpg?width=1000"


def test_malformed_metadata_falls_back_to_meta_tags() -> None:
    a = _article("malformed-metadata")
    assert a.field_layers["title"] == "meta"
    assert a.region is None  # only the metadata layer has it


def test_updated_articles() -> None:
    a = _article("updated-metadata")
    assert a.updated_at == datetime(2023, 4, 6, 6, 10, tzinfo=UTC)
    assert a.field_layers["updated_at"] == "metadata"
    b = _article("updated-meta-only")
    assert b.updated_at == datetime(2025, 7, 12, 7, 5, tzinfo=UTC)
    assert b.field_layers["updated_at"] == "meta"
    assert _article("updated-not-later").updated_at is None


def test_display_date_forms() -> None:
    assert _article("date-iso-display").published_at == datetime(2024, 1, 15, 10, 24, tzinfo=UTC)
    # 23:30 on 26 Oct 2024 happens twice in Beirut: the first (UTC+3) is meant.
    assert _article("date-dst-ambiguous").published_at == datetime(2024, 10, 26, 20, 30, tzinfo=UTC)


def test_tags_variations() -> None:
    assert _article("tags-duplicates-metadata").tags == ["Nato", "Finland", "Russia", "China"]
    assert _article("tags-duplicates-page").tags == ["Nato", "Finland", "Nato Alliance", "nato"]
    assert _article("no-tags").tags == []


def test_authors_variations() -> None:
    assert _article("authors-two").authors == ["Hadi Hoteit", "Mohammad Hammoud"]
    three = _article("authors-three")
    assert three.authors == ["Ali Rizk", "Hadi Hoteit", "Mohammad Hammoud"]
    assert three.field_layers["authors"] == "meta"
    assert _article("authors-page-junk").authors == ["Ali Rizk", "Hadi Hoteit"]


def test_no_source_line() -> None:
    assert _article("no-source").source is None


def test_body_links_filtering() -> None:
    a = _article("body-links")
    assert a.links == [
        f"{BASE}/news/politics/stoltenberg-links-ukraine-nato-accession-to--independence-",
        f"{BASE}/news/sports/un-experts-in-moscow-confirmed-the-sanctions-package-as-pres",
        f"{BASE}/articles/blog/the-prime-minister-in-cairo-proposed-the-climate-pledge-as-p",
        f"{BASE}/videos/baghdad:-the-prime-minister-confirmed-a-new-round-of-talks",
        f"{BASE}/news/politics/austin-looks-forward-to-seeing-sweden-in-nato--as-soon-as-possi",
    ]
    assert "mail. Second line." in a.body  # <br> is a space


def test_title_from_title_tag() -> None:
    a = _article("title-tag-only")
    assert a.title == (
        "Lawmakers in Manila condemned the film festival as pressure mounts over the sanctions"
        " package"
    )
    assert a.field_layers["title"] == "page"


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("listing-news-politics", "not_article_type"),
        ("listing-news-politics-page-2", "not_article_type"),
        ("no-title", "no_title"),
        ("bad-date", "no_published_at"),
        ("empty-page", "empty_page"),
    ],
)
def test_not_an_article_reasons(case: str, reason: str) -> None:
    with pytest.raises(NotAnArticle) as excinfo:
        _article(case)
    assert excinfo.value.reason == reason


@pytest.mark.parametrize(
    "html",
    [
        "",
        "   ",
        b"\x00\x01\x02",
        b"\xff\xfe<html>not utf-8 \xe9</html>",
        "<html><body><p>nothing here</p></body></html>",
        '<script id="tawsiyat-metadata" type="text/tawsiyat">{"title": "T", "type": </script>',
        '<script id="tawsiyat-metadata" type="text/tawsiyat">[1, 2, 3]</script>',
        '<script id="tawsiyat-metadata" type="text/tawsiyat">' + "[" * 100_000 + "</script>",
        '<script id="tawsiyat-metadata" type="text/tawsiyat">{"title": 5, "classes": "x",'
        ' "published_time": 12}</script>',
    ],
)
def test_hostile_pages_raise_only_not_an_article(html: str | bytes) -> None:
    page = ArticlePage(SEED_URL, html)
    with pytest.raises(NotAnArticle):
        page.to_article()


def test_str_and_bytes_give_the_same_article() -> None:
    html = _html("article-seed.html")
    a = ArticlePage(SEED_URL, html).to_article()
    b = ArticlePage(SEED_URL, html.decode("utf-8")).to_article()
    assert a == b


def test_throughput_sanity() -> None:
    # The real figure is measured separately; this only catches a pathological slowdown.
    html = _html("article-seed.html")
    start = time.perf_counter()
    for _ in range(50):
        ArticlePage(SEED_URL, html).to_article()
    assert time.perf_counter() - start < 5.0


# --- listings ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def listing() -> ListingPage:
    return ListingPage(f"{BASE}/news/politics", _html("listing-news-politics.html"))


def test_listing_cards(listing: ListingPage) -> None:
    cards = listing.cards()
    assert len(cards) == 12
    assert cards[0] == Card(
        url=f"{BASE}/news/politics/tehran:-the-prime-minister-rejected-the-transfer-window",
        title="Tehran: The prime minister rejected the transfer window",
        date=date(2025, 8, 24),
        category="Politics",
    )
    assert all(c.url.startswith(f"{BASE}/") for c in cards)


def test_listing_cards_drop_utm(listing: ListingPage) -> None:
    urls = [c.url for c in listing.cards()]
    assert f"{BASE}/news/politics/tehran:-local-residents-confirmed-the-satellite-launch" in urls
    assert f"{BASE}/news/politics/damascus:-local-residents-proposed-the-trade-agreement" in urls
    assert not any("utm_" in u or "?" in u for u in urls)


def test_listing_card_dates(listing: ListingPage) -> None:
    dates = [c.date for c in listing.cards()]
    assert dates[-1] == date(2025, 6, 29)
    assert None not in dates


def test_listing_next_page(listing: ListingPage) -> None:
    assert listing.next_page_url() == f"{BASE}/news/politics?page=2"


def test_listing_last_page_has_no_next() -> None:
    page = ListingPage(f"{BASE}/news/politics?page=2", _html("listing-news-politics-page-2.html"))
    assert page.next_page_url() is None
    cards = page.cards()
    assert len(cards) == 3
    assert cards[-1].url == SEED_URL
    assert cards[-1].date == date(2023, 4, 5)


def test_menu_sections(listing: ListingPage) -> None:
    sections = listing.menu_sections()
    assert len(sections) == 17
    assert [s.group for s in sections].count("news") == 8
    assert [s.group for s in sections].count("articles") == 4
    assert [s.group for s in sections].count("videos") == 5
    assert sections[0] == SectionLink(
        group="news", slug="politics", label="Politics", url=f"{BASE}/news/politics"
    )
    arts = next(s for s in sections if s.slug == "arts-culture")
    assert arts.label == "Arts&Culture"
    assert {s.slug for s in sections if s.group == "videos"} == {
        "newsfeed",
        "video-features",
        "explainers",
        "tv",
        "digital-series",
    }


def test_menu_sections_from_an_article_page() -> None:
    page = ListingPage(SEED_URL, _html("article-seed.html"))
    assert len(page.menu_sections()) == 17


def test_listing_on_empty_page() -> None:
    page = ListingPage(f"{BASE}/news/politics", b"")
    assert page.cards() == []
    assert page.next_page_url() is None
    assert page.menu_sections() == []


# --- sitemaps ------------------------------------------------------------------------


def test_sitemap_index() -> None:
    kind, entries = parse_sitemap(_html("sitemap-index.xml"))
    assert kind == "index"
    assert len(entries) == 6
    assert entries[0] == SitemapEntry(
        loc=f"{BASE}/sitemaps/all/sitemap-2023-4.xml",
        lastmod=datetime(2023, 4, 5, 12, 23, tzinfo=UTC),
    )
    assert [sitemap_month(e.loc) for e in entries] == [
        (2023, 4),
        (2025, 6),
        (2025, 7),
        (2025, 8),
        (2025, 9),
        (2025, 10),
    ]


def test_sitemap_urlset() -> None:
    kind, entries = parse_sitemap(_html("sitemap-month.xml"))
    assert kind == "urlset"
    assert len(entries) == 7
    assert entries[0].loc == (
        f"{BASE}/news/technology/sanaa:-a-senior-official-denied-the-reconstruction-effort"
    )
    assert entries[0].lastmod == datetime(2025, 9, 4, 12, 16, tzinfo=UTC)


def test_sitemap_gzip() -> None:
    import gzip

    kind, entries = parse_sitemap(gzip.compress(_html("sitemap-month.xml")))
    assert (kind, len(entries)) == ("urlset", 7)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (f"{BASE}/sitemaps/all/sitemap-2025-7.xml", (2025, 7)),
        (f"{BASE}/sitemaps/all/sitemap-2025-10.xml", (2025, 10)),
        ("/sitemaps/all/sitemap-2023-4.xml", (2023, 4)),
        (f"{BASE}/sitemaps/all/sitemap-2025-13.xml", None),
        (f"{BASE}/sitemaps/all/sitemap-2025-0.xml", None),
        (f"{BASE}/sitemaps/all.xml", None),
        (f"{BASE}/news/politics", None),
        ("", None),
    ],
)
def test_sitemap_month(url: str, expected: tuple[int, int] | None) -> None:
    assert sitemap_month(url) == expected


def test_sitemap_does_not_resolve_external_entities(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    body = (
        '<?xml version="1.0"?>\n'
        f'<!DOCTYPE urlset [<!ENTITY xxe SYSTEM "file://{secret}">'
        '<!ENTITY internal "https://evil.example/x">]>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<url><loc>&xxe;</loc></url>"
        "<url><loc>&internal;</loc></url>"
        f"<url><loc>{BASE}/news/politics/real</loc></url>"
        "</urlset>"
    ).encode()
    kind, entries = parse_sitemap(body)
    assert kind == "urlset"
    assert all("TOP-SECRET" not in e.loc and "evil" not in e.loc for e in entries)
    assert [e.loc for e in entries] == [f"{BASE}/news/politics/real"]


def test_sitemap_billion_laughs_is_not_expanded() -> None:
    body = (
        b'<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>&c;</loc></url>'
        b"</urlset>"
    )
    kind, entries = parse_sitemap(body)
    assert (kind, entries) == ("urlset", [])


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"<urlset><url><loc>x</loc></url>", "not well-formed"),
        (b"<html><body>Just a moment...</body></html>", "neither"),
        (b"\x1f\x8bnot really gzip", "gzip"),
    ],
)
def test_broken_sitemaps_raise_value_error(body: bytes, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_sitemap(body)


def test_not_an_article_pickles_with_its_reason() -> None:
    import pickle

    exc = pickle.loads(pickle.dumps(NotAnArticle("no_title", "nothing")))
    assert (exc.reason, exc.detail, str(exc)) == ("no_title", "nothing", "no_title: nothing")


@pytest.mark.parametrize(
    "html",
    [
        b"\xef\xbb\xbf<html><head><title>Caf\xc3\xa9 | Al Mayadeen English</title></head></html>",
        "<html><head><title>Café | Al Mayadeen English</title></head></html>".encode("utf-16"),
        '<meta charset="windows-1252"><title>Café</title>'.encode("cp1252"),
    ],
)
def test_encodings(html: bytes) -> None:
    assert ArticlePage(SEED_URL, html).title() == "Café"
