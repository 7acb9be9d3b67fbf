"""The English edition: english.almayadeen.net, left to right, Beirut time."""

from __future__ import annotations

import re
from datetime import date
from types import MappingProxyType

from newsdesk.editions.en.pages import EnglishArticlePage_2020
from newsdesk.editions.en.selectors import SELECTORS_2020
from newsdesk.editions.spec import (
    DEFAULT_EXPECTED_LAYERS,
    DateRules,
    Edition,
    ParserVersion,
    TextRules,
    UrlRule,
)

HOST = "english.almayadeen.net"

# The menu's 17 sections (group -> slugs). The spider still reads the live menu;
# this list lets the CLI reject a misspelt section before any request is made.
MENU_SECTIONS: dict[str, tuple[str, ...]] = {
    "news": (
        "politics",
        "economy",
        "sports",
        "arts-culture",
        "health",
        "miscellaneous",
        "technology",
        "environment",
    ),
    "articles": ("opinion", "analysis", "blog", "features"),
    "videos": ("newsfeed", "video-features", "explainers", "tv", "digital-series"),
}

# The menu's video sections: /videos/<one of these> is a listing, not a video.
VIDEO_SECTIONS = frozenset(MENU_SECTIONS["videos"])

URL_RULES = (
    # /news/politics/<slug>, /articles/opinion/<slug>
    UrlRule(re.compile(r"/(?P<group>news|articles)/(?P<section>[^/]+)/(?P<slug>[^/]+)")),
    # /videos/<slug>: a video URL names no section (the breadcrumb does)
    UrlRule(re.compile(r"/(?P<group>videos)/(?P<slug>[^/]+)"), listing_slugs=VIDEO_SECTIONS),
)

_MONTH_NAMES = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
# English month names and their 3-letter abbreviations (plus "sept").
_MONTHS = {name: i for i, name in enumerate(_MONTH_NAMES, start=1)}
_MONTHS.update({name[:3]: i for name, i in list(_MONTHS.items())})
_MONTHS["sept"] = 9

DATE_RULES = DateRules(
    # "5 Apr 2023 15:23" (the seed's form); the time is optional for listing cards.
    day_month_year=re.compile(
        r"(\d{1,2})\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})(?:,?\s+(\d{1,2}):(\d{2}))?", re.ASCII
    ),
    month_names=MappingProxyType(_MONTHS),
    timezone="Asia/Beirut",
    # Spanish too: the English pages quote Spanish-language sources' dates.
    dateparser_languages=("en", "es"),
)

TEXT_RULES = TextRules(
    author_prefix=re.compile(r"^by\s+", re.IGNORECASE),
    author_split=re.compile(r"\s*,\s*|\s+and\s+", re.IGNORECASE),
    author_edge=re.compile(r"^and\s+|\s+and$", re.IGNORECASE),
    author_junk_words=frozenset({"by", "and"}),
    title_suffix=re.compile(r"\s*\|\s*Al Mayadeen English\s*$", re.IGNORECASE),
    source_prefix=re.compile(r"^\s*source\s*:\s*", re.IGNORECASE),
    read_more_prefix=re.compile(r"^read more\s*:", re.IGNORECASE),
)

EDITION = Edition(
    code="en",
    name="Al Mayadeen English",
    language="en",
    direction="ltr",
    host=HOST,
    host_aliases=frozenset({HOST, "www." + HOST}),
    menu_sections=MappingProxyType(MENU_SECTIONS),
    url_rules=URL_RULES,
    text=TEXT_RULES,
    dates=DATE_RULES,
    parsers=(
        ParserVersion(
            since=date(2020, 1, 1), page_class=EnglishArticlePage_2020, selectors=SELECTORS_2020
        ),
    ),
    video_group="videos",
    sitemap_index_path="/sitemaps/all.xml",
    # As the fixtures and the replica show: headline fields from the metadata script
    # (meta tags and the page only where a page lacks it), the body from the page.
    expected_layers=DEFAULT_EXPECTED_LAYERS,
    fts_stemmer="english",
    fts_stopwords="english",
)
