"""The shape of an edition: what one site of the network is, as data.

An `Edition` holds everything site-specific: hosts, language and direction,
menu sections and their groups, URL grammar and id rule, sitemap paths, text
rules, date rules, the full-text stemmer and the dated parser versions (each
with its selectors). The generic machinery (``newsdesk.pages``,
``newsdesk.normalize``, ``newsdesk.urls``) takes an edition and never names a
site itself.

This module imports nothing from ``newsdesk.pages`` at run time, so the page
classes can import it without a cycle.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

if TYPE_CHECKING:
    from newsdesk.pages.article import ArticlePage
    from newsdesk.pages.listing import ListingPage

# Dataclasses below are ``eq=False``: an edition is compared and hashed by
# identity, so it can key caches even though it holds mappings and patterns.


@dataclass(frozen=True, eq=False)
class ArticleSelectors:
    """CSS selectors of an article page (HTML translator). "relative to" = searched inside."""

    metadata_script: str
    meta_tags: str
    canonical_link: str
    title: str
    html_title: str
    breadcrumb_links: str
    author: str
    source: str
    display_date: str
    read_time: str
    lead: str
    main_image: str
    main_image_caption: str
    body: str
    body_paragraphs: str  # relative to body
    body_excluded_boxes: str  # relative to body: boxes whose paragraphs are not body text
    body_links: str  # relative to body
    tags: str
    coverage: str


@dataclass(frozen=True, eq=False)
class ListingSelectors:
    """CSS selectors of a listing page (section listing, home page and its menu)."""

    card: str
    card_link: str  # relative to card: the first link that is not the category
    card_title: str  # relative to card
    card_category: str  # relative to card
    card_date: str  # relative to card
    card_category_class: str  # the class that marks a card's category link
    next_page: str
    menu_group: str
    menu_group_link: str  # relative to menu_group: its first link
    menu_section_link: str  # relative to menu_group


@dataclass(frozen=True, eq=False)
class Selectors:
    """All selectors of one parser version: when the markup changes, a new one is added."""

    article: ArticleSelectors
    listing: ListingSelectors


@dataclass(frozen=True, eq=False)
class TextRules:
    """How an edition writes bylines, sources, titles and reading aids.

    Patterns are matched on cleaned text (whitespace collapsed, trimmed).
    """

    # Removed from the start of a byline and of each name ("By ", "بقلم: ").
    author_prefix: re.Pattern[str]
    # Splits a byline into names (commas, the Arabic comma "،", " and ").
    author_split: re.Pattern[str]
    # A conjunction left at either end of a name (the Oxford comma "A, B, and C").
    author_edge: re.Pattern[str]
    # Whole "names" that are only connecting words, dropped (compared lower-cased).
    author_junk_words: frozenset[str]
    # The site name after the page title in <title> ("| Al Mayadeen English").
    title_suffix: re.Pattern[str]
    # The label before the source line's value ("Source:", "Fuente:").
    source_prefix: re.Pattern[str]
    # Body paragraphs that only point elsewhere ("Read more:", "اقرأ أيضاً:").
    read_more_prefix: re.Pattern[str]
    # Characters removed from every extracted value (direction marks U+200E,
    # U+200F, U+061C on the Arabic site); empty: nothing is removed.
    strip_chars: str = ""


@dataclass(frozen=True, eq=False)
class DateRules:
    """How an edition displays dates, and how they are read.

    Displayed times are wall time in ``timezone``. ``day_month_year`` and
    ``month_names`` are the fast path; anything else goes to dateparser with
    ``dateparser_languages`` / ``dateparser_locales`` (``ar-LB`` knows the
    Levantine month names).
    """

    # "5 Apr 2023 15:23": groups day, month name, year, hour, minute (time optional).
    day_month_year: re.Pattern[str]
    # Month name (lower-case) or abbreviation -> month number, for the fast path.
    month_names: Mapping[str, int]
    timezone: str = "Asia/Beirut"
    dateparser_languages: tuple[str, ...] = ()
    dateparser_locales: tuple[str, ...] = ()
    # Digits other than ASCII that the site displays (Arabic-Indic), as a
    # str.translate table to ASCII; empty: none.
    digit_map: Mapping[int, str] = field(default_factory=lambda: MappingProxyType({}))
    # "حزيران/يونيو": two names for one month joined by this; the first is kept.
    dual_month_separator: str | None = None
    # The visible date shows no year ("23 Julio 19:20"): the year is inferred as
    # the latest such time not after the fetch time (see normalize.infer_year).
    yearless: bool = False


@dataclass(frozen=True, eq=False)
class UrlRule:
    """One shape of URL path, as a regular expression over the normalized path.

    The path is matched as ``/seg1/seg2/...`` (empty segments dropped). Named
    groups: ``group`` (the section group), ``section``, ``post_id``, ``slug``.
    When the pattern has no ``group``, ``group`` here is used, else the group
    the edition's menu files ``section`` under. A match whose ``slug`` is in
    ``listing_slugs`` is a listing (``/videos/tv``), not an article.
    """

    pattern: re.Pattern[str]
    group: str | None = None
    listing_slugs: frozenset[str] = frozenset()


@dataclass(frozen=True)
class UrlMatch:
    """What a URL's path says: group, section, post id, slug, and whether it is an article."""

    group: str | None
    section: str | None
    post_id: str | None
    slug: str | None
    is_article: bool


@dataclass(frozen=True, eq=False)
class ParserVersion:
    """One dated version of an edition's page classes and selectors (fundus-style).

    A response fetched at or after ``since`` (and before the next version's
    ``since``) is parsed by ``page_class`` with ``selectors``.
    """

    since: date
    page_class: type[ArticlePage]
    selectors: Selectors
    listing_class: type[ListingPage] | None = None  # None: the generic ListingPage


# The layers of an article field, most reliable first (``newsdesk.pages.article``'s
# LAYER_* values; repeated here because this module must not import the pages).
LAYERS: tuple[str, ...] = ("metadata", "meta", "page", "url")

# Field -> the layer a healthy page gives it from (what every edition's fixtures and
# replica show: the metadata script for the headline fields, the visible page for
# the body). A crawl in which such a field came only from layers below this one
# means a modeled selector stopped matching (`newsdesk.drift`). Fields whose lower
# layers are normal on healthy pages (coverage: often only in the page) are left out.
DEFAULT_EXPECTED_LAYERS: Mapping[str, str] = MappingProxyType(
    {
        "url": "metadata",
        "post_id": "metadata",
        "title": "metadata",
        "subtitle": "metadata",
        "authors": "metadata",
        "tags": "metadata",
        "published_at": "metadata",
        "image_url": "metadata",
        "body": "page",
    }
)


def _day(value: datetime | date) -> date:
    if isinstance(value, datetime):
        return (value if value.tzinfo is None else value.astimezone(UTC)).date()
    return value


#: The field_coverage check's minimum share of recently crawled articles with each
#: field (body: non-video articles only). A broken selector drops a field to ~0%,
#: far below these; they leave room for what is legitimately missing on the
#: English site: many articles carry no "Source:" line (the replica: ~73% have
#: one), some have no tags or image (~94% and ~93% have them).
DEFAULT_COVERAGE: Mapping[str, float] = MappingProxyType(
    {"authors": 0.8, "source": 0.3, "tags": 0.7, "body": 0.8, "image": 0.7}
)


@dataclass(frozen=True, eq=False)
class Edition:
    """One site of the network: every rule the generic code needs to crawl and parse it."""

    code: str  # "en": the registry key, later the partition value
    name: str  # "Al Mayadeen English": the site's own name (report titles)
    language: str  # BCP 47 language of the pages ("en", "ar", "es")
    direction: str  # "ltr" or "rtl"
    host: str  # the live site's host
    # Every host of the live site (``host`` included): on-site over http and https.
    host_aliases: frozenset[str]
    # Menu group -> section slugs, in menu order (the CLI checks --sections against it).
    menu_sections: Mapping[str, tuple[str, ...]]
    url_rules: tuple[UrlRule, ...]
    text: TextRules
    dates: DateRules
    # Dated parser versions, oldest first; the newest applies to new fetches.
    parsers: tuple[ParserVersion, ...]
    # The group whose articles are videos (content_type "video"); None: no such group.
    video_group: str | None = "videos"
    sitemap_index_path: str = "/sitemaps/all.xml"
    # Path prefixes of pages the sitemaps list that are never articles
    # (Arabic author profiles and dossiers: "/authors/", "/coverage/").
    non_article_paths: tuple[str, ...] = ()
    # DuckDB fts stemmer and stop-word list for this edition's language; each
    # edition gets its own index (`newsdesk.build`), so each is searched with its own.
    fts_stemmer: str = "english"
    fts_stopwords: str = "english"
    # The fts tokenizer's ``ignore`` pattern: what separates words once the text is
    # lower-cased and its accents stripped. DuckDB's default keeps only a-z, fine for
    # Latin scripts; a non-Latin edition widens it to every letter (``\p{L}``).
    fts_ignore: str = r"(\.|[^a-z])+"
    schemes: tuple[str, ...] = ("http", "https")
    # What the checks expect of this edition's articles: field -> minimum coverage.
    # A field its pages do not carry is left out (the Arabic pages have no source line).
    expected_coverage: Mapping[str, float] = field(default_factory=lambda: DEFAULT_COVERAGE)
    # The article id of a URL; None: ``newsdesk.urls.article_id_for`` (path hash) for
    # English, ``newsdesk.urls.edition_article_id`` (edition-prefixed) for any other.
    id_rule: Callable[[str], str] | None = None
    # Module of this edition's offline replica: it defines ``generate_site(base_url,
    # *, seed, n_articles, revision) -> newsdesk.replica.generator.Site``.
    replica_module: str = "newsdesk.replica.generator"
    # Field -> the layer it is expected from on this edition's pages (drift alarm:
    # ``newsdesk.drift``); one of `LAYERS` each.
    expected_layers: Mapping[str, str] = field(default_factory=lambda: DEFAULT_EXPECTED_LAYERS)

    def generate_replica(self, base_url: str, *, seed: int, n_articles: int, revision: int) -> Any:
        """This edition's offline replica site (``newsdesk.replica.generator.Site``)."""
        import importlib

        module = importlib.import_module(self.replica_module)
        return module.generate_site(base_url, seed=seed, n_articles=n_articles, revision=revision)

    def __post_init__(self) -> None:
        if not self.parsers:
            raise ValueError(f"edition {self.code!r} has no parser version")
        if self.host not in self.host_aliases:
            raise ValueError(f"edition {self.code!r}: host must be one of host_aliases")
        days = [v.since for v in self.parsers]
        if days != sorted(days) or len(set(days)) != len(days):
            raise ValueError(f"edition {self.code!r}: parser versions must be in date order")
        unknown = sorted(set(self.expected_layers.values()) - set(LAYERS))
        if unknown:
            raise ValueError(
                f"edition {self.code!r}: expected_layers names unknown layers {unknown}"
            )

    # --- site ---------------------------------------------------------------------

    @property
    def live_base_url(self) -> str:
        """``https://<host>``: the default base URL of a crawl."""
        return f"https://{self.host}"

    @property
    def section_groups(self) -> tuple[str, ...]:
        """The menu's groups, in menu order (``news``, ``articles``, ``videos``)."""
        return tuple(self.menu_sections)

    @property
    def all_sections(self) -> tuple[str, ...]:
        """Every menu section slug, in menu order."""
        return tuple(s for group in self.menu_sections.values() for s in group)

    def group_of_section(self, section: str) -> str | None:
        """The menu group a section slug belongs to, or None."""
        for group, slugs in self.menu_sections.items():
            if section in slugs:
                return group
        return None

    # --- URLs ---------------------------------------------------------------------

    def match_url(self, url: str) -> UrlMatch | None:
        """What the URL's path says under this edition's grammar; None when no rule matches."""
        # Canonical URLs percent-encode non-ASCII (Spanish "política", Arabic slugs):
        # the grammar and the menu slugs are written decoded.
        raw_path = unquote(urlsplit(url).path)
        path = "/" + "/".join(s for s in raw_path.split("/") if s)
        if any(path.startswith(prefix) for prefix in self.non_article_paths):
            return None
        for rule in self.url_rules:
            m = rule.pattern.fullmatch(path)
            if m is None:
                continue
            named = m.groupdict()
            section = named.get("section")
            group = named.get("group") or rule.group
            if group is None and section is not None:
                group = self.group_of_section(section)
            slug = named.get("slug")
            return UrlMatch(
                group=group,
                section=section,
                post_id=named.get("post_id"),
                slug=slug,
                is_article=group is not None and slug not in rule.listing_slugs,
            )
        return None

    def section_from_path(self, url: str) -> tuple[str | None, str | None]:
        """``(section_group, section)`` from an article URL's path; ``(None, None)`` if none."""
        m = self.match_url(url)
        return (None, None) if m is None else (m.group, m.section)

    def is_article_url(self, url: str) -> bool:
        """Whether a URL's path has the shape of an article (not a listing or static page)."""
        m = self.match_url(url)
        return m is not None and m.is_article

    def article_id_for(self, url: str) -> str:
        """The stable article id of a URL (the edition's id rule).

        Ids are unique across editions: the editions share one CMS, so the same
        path may exist on two sites. English keeps the ids it always had.
        """
        if self.id_rule is not None:
            return self.id_rule(url)
        from newsdesk.urls import article_id_for, edition_article_id

        return article_id_for(url) if self.code == "en" else edition_article_id(self.code, url)

    # --- parsers ------------------------------------------------------------------

    def parser_for(self, fetched_at: datetime | date | None = None) -> ParserVersion:
        """The newest parser version whose ``since`` is on or before ``fetched_at``.

        ``None`` (a page fetched now) gives the newest version; a fetch before
        the first version's date gives the first (the oldest markup known).
        """
        if fetched_at is None:
            return self.parsers[-1]
        day = _day(fetched_at)
        chosen = self.parsers[0]
        for version in self.parsers:
            if version.since <= day:
                chosen = version
        return chosen

    @property
    def selectors(self) -> Selectors:
        """The newest version's selectors (what a page fetched now is read with)."""
        return self.parsers[-1].selectors

    def article_page(
        self,
        url: str,
        html: str | bytes,
        fetched_at: datetime | date | None = None,
        *,
        sitemap_month: tuple[int, int] | None = None,
    ) -> ArticlePage:
        """The page class of the version for ``fetched_at``, bound to this edition.

        The page gets the fetch time too (a yearless date is the latest one not
        after it) and ``sitemap_month`` (year, month) when the page was found in
        a monthly sitemap file (the date is then not after that month's end).
        """
        version = self.parser_for(fetched_at)
        return version.page_class(
            url,
            html,
            edition=self,
            selectors=version.selectors,
            fetched_at=fetched_at,
            sitemap_month=sitemap_month,
        )

    def listing_page(
        self, url: str, html: str | bytes, fetched_at: datetime | date | None = None
    ) -> ListingPage:
        """The listing class of the version for ``fetched_at``, bound to this edition."""
        version = self.parser_for(fetched_at)
        cls = version.listing_class
        if cls is None:
            from newsdesk.pages.listing import ListingPage

            cls = ListingPage
        return cls(url, html, edition=self, selectors=version.selectors)
