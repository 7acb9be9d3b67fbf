"""Editions: the registry, host mapping, URL grammar, and dated parser versions.

A toy edition (defined here, registered the way a real one is, unregistered
after) proves that `Edition.parser_for` and `newsdesk reparse` pick a parser
version by the archived response's fetch time and the edition by the record.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from newsdesk import editions, normalize
from newsdesk.archive import EDITION_HEADER, WarcArchive, iter_archive
from newsdesk.editions import Edition, ParserVersion
from newsdesk.editions.en import EDITION as EN
from newsdesk.pages.article import ArticlePage
from newsdesk.reparse import replay
from newsdesk.urls import is_article_url, section_from_path, site_origins
from newsdesk.warehouse import Warehouse
from tests.regen_fixtures import FIXTURES

ROOT = Path(__file__).resolve().parent.parent


# --- the registry -----------------------------------------------------------------


def test_english_is_registered_and_default() -> None:
    assert editions.get("en") is EN
    assert EN in editions.all_editions()
    assert editions.DEFAULT_EDITION == "en"
    assert EN.live_base_url == "https://english.almayadeen.net"
    assert EN.language == "en" and EN.direction == "ltr"
    assert len(EN.all_sections) == 17
    assert EN.section_groups == ("news", "articles", "videos")


def test_unknown_edition_names_the_known_ones() -> None:
    with pytest.raises(KeyError, match=r"known: .*en"):
        editions.get("xx-nope")


@pytest.mark.parametrize(
    "host",
    [
        "english.almayadeen.net",
        "www.english.almayadeen.net",
        "ENGLISH.almayadeen.net",
        "english.almayadeen.net:443",
        "https://www.english.almayadeen.net/news/politics/x",
        "http://english.almayadeen.net",
    ],
)
def test_for_host_maps_every_alias(host: str) -> None:
    assert editions.for_host(host) is EN


@pytest.mark.parametrize("host", ["127.0.0.1", "media.almayadeen.net", "example.org", ""])
def test_for_host_unknown_is_none_and_for_url_defaults_to_english(host: str) -> None:
    assert editions.for_host(host) is None
    assert editions.for_url(f"http://{host}/news/politics/x") is EN


def test_fts_indexes_come_from_the_specs() -> None:
    # newsdesk build makes one index per edition present, with its spec's settings
    # (newsdesk/sql/editions/fts_index.sql); the SQL names none of them itself.
    from newsdesk.build import BuildError, search_indexes

    sql = (ROOT / "newsdesk" / "sql" / "editions" / "fts_index.sql").read_text()
    assert "stemmer = '{stemmer}'" in sql and "stopwords = '{stopwords}'" in sql
    by_code = {index.code: index for index in search_indexes(["zz", "ar", "en"])}
    assert list(by_code) == ["en", "ar", "zz"]  # registry order, then unknown codes
    for code in ("en", "ar"):
        spec = editions.get(code)
        assert (by_code[code].stemmer, by_code[code].stopwords, by_code[code].ignore) == (
            spec.fts_stemmer,
            spec.fts_stopwords,
            spec.fts_ignore,
        )
    assert (EN.fts_stemmer, by_code["ar"].stemmer, by_code["zz"].stemmer) == (
        "english",
        "arabic",
        "none",
    )
    with pytest.raises(BuildError, match="not a valid edition code"):
        search_indexes(["en'; DROP TABLE articles; --"])


# --- URL grammar (the English rules, as the old hard-coded ones gave them) ---------


@pytest.mark.parametrize(
    ("path", "groups", "article"),
    [
        ("/news/politics/some-slug", ("news", "politics"), True),
        ("/articles/opinion/x:-y", ("articles", "opinion"), True),
        ("/news/politics/some-slug/", ("news", "politics"), True),
        ("/videos/some-video", ("videos", None), True),
        ("/videos/tv", ("videos", None), False),
        ("/videos/tv/extra", (None, None), False),
        ("/news/politics", (None, None), False),
        ("/news", (None, None), False),
        ("/authors/someone", (None, None), False),
        ("/", (None, None), False),
    ],
)
def test_english_url_grammar(
    path: str, groups: tuple[str | None, str | None], article: bool
) -> None:
    url = "https://english.almayadeen.net" + path
    assert section_from_path(url) == groups == EN.section_from_path(url)
    assert is_article_url(url) is article is EN.is_article_url(url)


def test_edition_validates_its_parser_versions() -> None:
    version = EN.parsers[0]
    with pytest.raises(ValueError, match="date order"):
        dataclasses.replace(
            EN, code="bad", parsers=(version, dataclasses.replace(version, since=date(2019, 1, 1)))
        )
    with pytest.raises(ValueError, match="no parser"):
        dataclasses.replace(EN, code="bad", parsers=())


def test_infer_year_takes_the_latest_not_after_the_fetch() -> None:
    fetched = datetime(2025, 1, 2, 9, 0, tzinfo=UTC)
    # "30 Diciembre 18:00" seen on 2 January: last year's.
    assert normalize.infer_year(12, 30, 18, 0, fetched) == datetime(2024, 12, 30, 16, 0, tzinfo=UTC)
    assert normalize.infer_year(1, 1, 10, 0, fetched) == datetime(2025, 1, 1, 8, 0, tzinfo=UTC)


# --- a toy edition with two dated parser versions ----------------------------------

TOY_HOST = "toy.example"
V2_SINCE = date(2025, 1, 1)


class ToyPage2020(ArticlePage):
    """The toy edition's first version: the English page class as it is."""


class ToyPage2025(ArticlePage):
    """A toy redesign: marks the title, so a test can tell the versions apart."""

    def title(self) -> str | None:  # type: ignore[override]
        value = super().title()
        return None if value is None else f"[v2] {value}"


@pytest.fixture
def toy() -> Iterator[Edition]:
    edition = dataclasses.replace(
        EN,
        code="toy",
        name="Toy",
        host=TOY_HOST,
        host_aliases=frozenset({TOY_HOST, "www." + TOY_HOST}),
        parsers=(
            ParserVersion(date(2020, 1, 1), ToyPage2020, EN.selectors),
            ParserVersion(V2_SINCE, ToyPage2025, EN.selectors),
        ),
        text=dataclasses.replace(EN.text, title_suffix=re.compile(r"\s*\|\s*Toy$")),
    )
    editions.register(edition)
    try:
        yield edition
    finally:
        editions.unregister("toy")


def test_register_rejects_a_taken_code_or_host(toy: Edition) -> None:
    with pytest.raises(ValueError, match="already registered"):
        editions.register(toy)
    with pytest.raises(ValueError, match="already belongs"):
        editions.register(dataclasses.replace(toy, code="toy2"))
    assert editions.for_host("www.toy.example") is toy
    assert site_origins("https://toy.example") == {
        (s, h, p) for s, p in (("http", 80), ("https", 443)) for h in toy.host_aliases
    }


def test_unregister_forgets_the_hosts(toy: Edition) -> None:
    editions.unregister("toy")
    assert editions.for_host(TOY_HOST) is None
    editions.register(toy)  # the fixture unregisters it again


def test_parser_for_picks_the_version_by_fetch_time(toy: Edition) -> None:
    assert toy.parser_for(datetime(2024, 12, 31, 23, 59, tzinfo=UTC)).page_class is ToyPage2020
    assert toy.parser_for(datetime(2025, 1, 1, 0, 0, tzinfo=UTC)).page_class is ToyPage2025
    assert toy.parser_for(date(2026, 5, 1)).page_class is ToyPage2025
    assert toy.parser_for(None).page_class is ToyPage2025  # fetched now: the newest
    assert toy.parser_for(date(2001, 1, 1)).page_class is ToyPage2020  # before all: the oldest
    assert EN.parser_for(date(2030, 1, 1)) is EN.parsers[-1]


def test_article_page_binds_the_edition(toy: Edition) -> None:
    html = (FIXTURES / "article-seed.html").read_bytes()
    page = toy.article_page("http://127.0.0.1:9/x", html, date(2025, 6, 1))
    assert isinstance(page, ToyPage2025) and page.edition is toy
    # Without an edition, the URL's host decides: a toy host is the toy edition.
    assert ArticlePage(f"https://{TOY_HOST}/news/politics/x", html).edition is toy
    assert ArticlePage("http://127.0.0.1:9/news/politics/x", html).edition is EN


def test_reparse_picks_edition_and_version_by_the_archived_record(
    toy: Edition, tmp_path: Path
) -> None:
    warehouse = Warehouse.at(tmp_path / "wh")
    archive = WarcArchive(warehouse.raw, "run-toy")
    cases = [
        # (fixture, edition recorded, fetched at)
        ("article-seed", "toy", datetime(2024, 6, 1, 12, 0, tzinfo=UTC)),
        ("article-opinion", "toy", datetime(2025, 6, 1, 12, 0, tzinfo=UTC)),
        ("article-video", None, datetime(2025, 6, 2, 12, 0, tzinfo=UTC)),  # legacy: English
    ]
    for name, code, fetched_at in cases:
        archive.write(
            url="http://127.0.0.1:9/" + name,  # a replica: the host says nothing
            method="GET",
            request_headers=[],
            status=200,
            response_headers=[("Content-Type", "text/html; charset=utf-8")],
            body=(FIXTURES / f"{name}.html").read_bytes(),
            fetched_at=fetched_at,
            kind="article",
            edition=code,
        )
    archive.close()
    records = list(iter_archive(warehouse.raw))
    assert [r.edition for r in records] == ["toy", "toy", "en"]
    assert EDITION_HEADER == "WARC-Newsdesk-Edition"

    replayed, result = replay(warehouse)
    assert result.articles == 3
    titles = {a.url.rsplit("/", 2)[-2]: a.title for a in replayed.articles.values()}
    expected = {
        name: ArticlePage("http://127.0.0.1:9/", (FIXTURES / f"{name}.html").read_bytes()).title()
        for name, _, _ in cases
    }
    by_title = {a.title for a in replayed.articles.values()}
    assert expected["article-seed"] in by_title  # toy v1 (fetched before V2_SINCE)
    assert f"[v2] {expected['article-opinion']}" in by_title  # toy v2
    assert expected["article-video"] in by_title  # no header: English
    assert len(titles) == 3
