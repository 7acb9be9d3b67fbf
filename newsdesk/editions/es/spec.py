"""The Spanish edition: espanol.almayadeen.net, left to right, Beirut time.

What differs from the other editions (site-notes.md, "Spanish"): article URLs
carry the CMS id (``/{section}/{postid}/{slug}``, accents kept in slugs);
sections are top-level paths filed into groups by the menu table below; the
source line is "Fuente: ..."; the visible date shows no year ("23 Julio
19:20"), so the year is inferred (``DateRules.yearless``).
"""

from __future__ import annotations

import re
from datetime import date
from types import MappingProxyType

from newsdesk.editions.es.pages import SpanishArticlePage_2024, SpanishListingPage_2024
from newsdesk.editions.es.selectors import SELECTORS_2024
from newsdesk.editions.spec import (
    DEFAULT_EXPECTED_LAYERS,
    DateRules,
    Edition,
    ParserVersion,
    TextRules,
    UrlRule,
)

HOST = "espanol.almayadeen.net"

# The menu's sections (menu label lower-cased, spaces as "-", accents kept, as the
# site keeps them in slugs; only "entrevistas" is seen as a path), by the group
# the dataset files them under: Noticias, Multimedia and Coberturas -> news;
# Opinión -> articles; Video and Televisión -> videos.
MENU_SECTIONS: dict[str, tuple[str, ...]] = {
    "news": (
        # Noticias
        "política",
        "cultura-y-arte",
        "deportes",
        "salud",
        "tecnología",
        "medio-ambiente",
        "medios-internacionales",
        "crónicas-del-medio-oriente",
        # Multimedia
        "infografías",
        "caricaturas",
        "historietas",
        # Coberturas (a menu item of its own)
        "coberturas",
    ),
    "articles": (
        "artículos-exclusivos",
        "artículos",
        "entrevistas",
        "a-profundidad",
        "escritores",
    ),
    "videos": (
        # Video
        "focus",
        "como-te-cuento",
        "al-mayadeen-semanal",
        "poesía-en-resistencia",
        "imagínate",
        "flashdotnet",
        "despixelado",
        # Televisión (a menu item of its own)
        "televisión",
    ),
}

URL_RULES = (
    # /entrevistas/2046797/hizbullah-tras-el-martirio-...: the group comes from the
    # menu table (an unknown section is not filed, so not an article).
    UrlRule(re.compile(r"/(?P<section>[^/]+)/(?P<post_id>\d+)/(?P<slug>[^/]+)")),
)

_MONTH_NAMES = (
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
)
_MONTHS = {name: i for i, name in enumerate(_MONTH_NAMES, start=1)}
_MONTHS.update({name[:3]: i for name, i in list(_MONTHS.items())})
_MONTHS.update({"sept": 9, "setiembre": 9})

DATE_RULES = DateRules(
    # "23 Julio 19:20" (seen: no year); "23 de julio de 2024 19:20" and "23 Jul
    # 2024" too. Groups: day, month name, year (optional), hour, minute.
    day_month_year=re.compile(
        r"(\d{1,2})\s+(?:de\s+)?([^\W\d_]{3,10})\.?(?:,?\s+(?:de\s+)?(\d{4}))?"
        r"(?:,?\s+(\d{1,2}):(\d{2}))?"
    ),
    month_names=MappingProxyType(_MONTHS),
    timezone="Asia/Beirut",
    dateparser_languages=("es",),
    yearless=True,
)

TEXT_RULES = TextRules(
    author_prefix=re.compile(r"^por\s+", re.IGNORECASE),
    author_split=re.compile(r"\s*,\s*|\s+y\s+", re.IGNORECASE),
    author_edge=re.compile(r"^y\s+|\s+y$", re.IGNORECASE),
    author_junk_words=frozenset({"por", "y"}),
    title_suffix=re.compile(r"\s*\|\s*Al Mayadeen Español\s*$", re.IGNORECASE),
    source_prefix=re.compile(r"^\s*fuente\s*:\s*", re.IGNORECASE),
    read_more_prefix=re.compile(r"^(?:lee|leer|lea) (?:también|más)\s*:", re.IGNORECASE),
)

EDITION = Edition(
    code="es",
    name="Al Mayadeen Español",
    language="es",
    direction="ltr",
    host=HOST,
    host_aliases=frozenset({HOST, "www." + HOST}),
    menu_sections=MappingProxyType(MENU_SECTIONS),
    url_rules=URL_RULES,
    text=TEXT_RULES,
    dates=DATE_RULES,
    parsers=(
        ParserVersion(
            since=date(2020, 1, 1),
            page_class=SpanishArticlePage_2024,
            selectors=SELECTORS_2024,
            listing_class=SpanishListingPage_2024,
        ),
    ),
    video_group="videos",
    sitemap_index_path="/sitemaps/all.xml",
    # As the fixtures and the replica show (the shared template): headline fields
    # from the metadata script (post_id from the URL only where it lacks one), the body
    # from the page.
    expected_layers=DEFAULT_EXPECTED_LAYERS,
    fts_stemmer="spanish",
    fts_stopwords="none",  # DuckDB fts has only the english list (build.FTS_STOPWORDS)
    replica_module="newsdesk.editions.es.replica",
)
