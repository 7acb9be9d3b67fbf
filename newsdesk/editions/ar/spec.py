"""The Arabic edition: www.almayadeen.net, right to left, Beirut time.

Everything here follows ``site-notes.md`` ("Arabic"): the two-segment URL types
and their groups, the Arabic byline and comma, the Levantine month names (read
by dateparser's ``ar-LB`` locale; the fast path knows them too), the dual form
"حزيران/يونيو", Arabic-Indic digits, and the direction marks stripped from
every value.
"""

from __future__ import annotations

import re
from datetime import date
from types import MappingProxyType

from newsdesk.editions.ar.pages import ArabicArticlePage_2020
from newsdesk.editions.ar.selectors import SELECTORS_2020
from newsdesk.editions.spec import (
    DEFAULT_COVERAGE,
    DEFAULT_EXPECTED_LAYERS,
    DateRules,
    Edition,
    ParserVersion,
    TextRules,
    UrlRule,
)

HOST = "www.almayadeen.net"

# Group -> section slugs as the dataset files them (site-notes.md's table). The
# /news/<s> sections are the menu's; every other "section" is a URL's first
# segment (/video/<slug> is section "video" of group "videos").
NEWS_TYPES = ("misc", "press", "health", "infograph")
ARTICLE_TYPES = ("articles", "analysis", "research-papers")
VIDEO_TYPES = ("video", "newscast", "tv-reports", "reports", "podcasts")
MENU_SECTIONS: dict[str, tuple[str, ...]] = {
    "news": ("politics", "economic", *NEWS_TYPES),
    "articles": ARTICLE_TYPES,
    "videos": VIDEO_TYPES,
}


def _types(names: tuple[str, ...]) -> str:
    return "|".join(re.escape(n) for n in names)


# Slugs travel percent-encoded (UTF-8) and may start or end with "-" or keep
# ":": any non-empty segment is a slug. Matched on the path as fetched.
URL_RULES = (
    # /news/politics/<slug>, /news/economic/<slug>
    UrlRule(re.compile(r"/news/(?P<section>[^/]+)/(?P<slug>[^/]+)"), group="news"),
    # /<type>/<slug>: the type is the section, its group from the table
    UrlRule(re.compile(rf"/(?P<section>{_types(NEWS_TYPES)})/(?P<slug>[^/]+)"), group="news"),
    UrlRule(
        re.compile(rf"/(?P<section>{_types(ARTICLE_TYPES)})/(?P<slug>[^/]+)"), group="articles"
    ),
    UrlRule(re.compile(rf"/(?P<section>{_types(VIDEO_TYPES)})/(?P<slug>[^/]+)"), group="videos"),
)

# Levantine month names (what the site shows) and the Egyptian ones (the second
# half of the dual form, and some pages), with common spelling variants (hamza
# dropped). The fast path reads these; anything else goes to dateparser ar-LB.
_LEVANTINE = (
    ("كانون الثاني",),
    ("شباط",),
    ("آذار", "اذار"),
    ("نيسان",),
    ("أيار", "ايار"),
    ("حزيران",),
    ("تموز",),
    ("آب", "اب"),
    ("أيلول", "ايلول"),
    ("تشرين الأول", "تشرين الاول"),
    ("تشرين الثاني",),
    ("كانون الأول", "كانون الاول"),
)
_EGYPTIAN = (
    ("يناير",),
    ("فبراير",),
    ("مارس",),
    ("أبريل", "ابريل", "إبريل"),
    ("مايو",),
    ("يونيو", "يونيه"),
    ("يوليو", "يوليه"),
    ("أغسطس", "اغسطس"),
    ("سبتمبر",),
    ("أكتوبر", "اكتوبر"),
    ("نوفمبر",),
    ("ديسمبر",),
)
_MONTHS = {
    name: month
    for table in (_LEVANTINE, _EGYPTIAN)
    for month, names in enumerate(table, start=1)
    for name in names
}

# Arabic-Indic (U+0660..) and Eastern Arabic-Indic (U+06F0..) digits -> ASCII.
DIGITS = MappingProxyType(
    {**{0x0660 + i: str(i) for i in range(10)}, **{0x06F0 + i: str(i) for i in range(10)}}
)

DATE_RULES = DateRules(
    # "14 آذار 2024 21:05", "12 تشرين الأول 2023": a month name of one or two
    # words; the time is optional for listing cards.
    day_month_year=re.compile(r"(\d{1,2})\s+(\S+(?:\s\S+)?)\s+(\d{4})(?:\s+(\d{1,2}):(\d{2}))?"),
    month_names=MappingProxyType(_MONTHS),
    timezone="Asia/Beirut",
    # languages=['ar'] alone does not know the Levantine names; the ar-LB
    # locale does (and reads the Egyptian ones too).
    dateparser_languages=("ar",),
    dateparser_locales=("ar-LB",),
    digit_map=DIGITS,
    # "4 حزيران/يونيو 2024": the first of the two names is kept.
    dual_month_separator="/",
)

# Direction marks the CMS leaves in values: LRM, RLM and the Arabic letter mark.
DIRECTION_MARKS = "\u200e\u200f\u061c"

TEXT_RULES = TextRules(
    # Opinion pieces: "بقلم: سمير الحسن".
    author_prefix=re.compile(r"^بقلم\s*:?\s*"),
    # Commas (Arabic "،" and Latin), a free-standing " و " and the conjunction
    # "و" glued to the next name ("سمير الحسن وعلي حسن"). A glued "و" splits only
    # before at least two words, so a single name starting with و (وليد) in a
    # two-word name ("محمد وليد") is kept whole.
    author_split=re.compile(r"\s*[,،]\s*|\s+و\s+|\s+و(?=[^\s,،]+\s+[^\s,،]+)"),
    author_edge=re.compile(r"^و\s+|\s+و$"),
    author_junk_words=frozenset({"بقلم", "و"}),
    title_suffix=re.compile(r"\s*\|\s*الميادين(?:\s+نت)?\s*$"),
    # The Arabic pages have no source line (source is null); the label, if one appears.
    source_prefix=re.compile(r"^\s*المصدر\s*:\s*"),
    # "اقرأ أيضاً: <link>" (with or without the hamza and the tanween).
    read_more_prefix=re.compile(r"^[اإ]قر[أا]\s+أيض[اً\u064b]*\s*:?"),
    strip_chars=DIRECTION_MARKS,
)

EDITION = Edition(
    code="ar",
    name="الميادين",
    language="ar",
    direction="rtl",
    host=HOST,
    host_aliases=frozenset({HOST, "almayadeen.net"}),
    menu_sections=MappingProxyType(MENU_SECTIONS),
    url_rules=URL_RULES,
    text=TEXT_RULES,
    dates=DATE_RULES,
    parsers=(
        ParserVersion(
            since=date(2020, 1, 1), page_class=ArabicArticlePage_2020, selectors=SELECTORS_2020
        ),
    ),
    video_group="videos",
    sitemap_index_path="/sitemaps/all.xml",
    # As the fixtures and the replica show (the shared template): headline fields
    # from the metadata script, the body from the page.
    expected_layers=DEFAULT_EXPECTED_LAYERS,
    # Listed in the sitemaps, but author profiles and dossiers (metadata type "page").
    non_article_paths=("/authors/", "/coverage/"),
    fts_stemmer="arabic",
    fts_stopwords="none",
    # DuckDB's default tokenizer keeps only a-z and would drop every Arabic word.
    fts_ignore=r"(\.|[^\p{L}])+",
    replica_module="newsdesk.editions.ar.replica",
    # The Arabic pages have no source line: source coverage is not expected.
    expected_coverage=MappingProxyType(
        {k: v for k, v in DEFAULT_COVERAGE.items() if k != "source"}
    ),
)
