"""Article page: one saved HTML page in, one `Article` (or `NotAnArticle`) out.

The contract for every field is ``docs/fields.md``. Each field comes from the
first layer that yields a non-empty value, most reliable first: ``metadata``
(the ``script#tawsiyat-metadata`` JSON), ``meta`` (``<meta>``/``<link>`` tags),
``page`` (the visible page), ``url`` (derived from the canonical URL). Which
layer gave each field is recorded in ``field_layers``.

The machinery is generic: every selector, text pattern, date rule and URL rule
comes from the page's edition (``newsdesk.editions``), given explicitly or
looked up from the URL's host. When a site's markup changes, its edition gets
a new dated parser version; this module does not change.
"""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from typing import Any, TypeVar
from urllib.parse import urljoin, urlsplit

from lxml import etree
from lxml.cssselect import CSSSelector

from newsdesk import editions, normalize
from newsdesk.editions.spec import ArticleSelectors, Edition, Selectors
from newsdesk.hashing import content_hash
from newsdesk.items import CONTENT_FIELDS, Article
from newsdesk.urls import canonicalize_url, same_host

# Every selector and text pattern is the edition's (newsdesk/editions/<code>/
# selectors.py and spec.py); what is here is the same on every edition.


@functools.lru_cache(maxsize=512)
def css(selector: str) -> CSSSelector:
    """A compiled CSS selector (HTML translator), compiled once per process."""
    return CSSSelector(selector, translator="html")


# Keys of the meta layer: OpenGraph and standard names, the same on every edition.
META_OG_TITLE = "og:title"
META_OG_DESCRIPTION = "og:description"
META_DESCRIPTION = "description"
META_OG_URL = "og:url"
META_OG_IMAGE = "og:image"
META_PUBLISHED = "article:published_time"
META_MODIFIED = "article:modified_time"
META_AUTHOR = "author"
META_KEYWORDS = "keywords"
META_POSTID = "postid"

# Metadata `type` of listings and static pages.
NON_ARTICLE_TYPE = "page"

# Elements whose text is never reading text.
_SKIP_TEXT_TAGS = frozenset({"script", "style", "noscript", "template"})

LAYER_METADATA = "metadata"
LAYER_META = "meta"
LAYER_PAGE = "page"
LAYER_URL = "url"

NOT_ARTICLE_REASONS = ("not_article_type", "no_title", "no_published_at", "empty_page")

# lxml parser objects must not be used by two threads at once: one pair per thread.
_PARSERS = threading.local()


def _parser(utf8: bool) -> etree.HTMLParser:
    key = "utf8" if utf8 else "sniff"
    parser = getattr(_PARSERS, key, None)
    if parser is None:
        parser = etree.HTMLParser(encoding="utf-8" if utf8 else None, remove_comments=True)
        setattr(_PARSERS, key, parser)
    return parser


class NotAnArticle(Exception):
    """The page is not an article; nothing should be written for it.

    ``reason`` is one of ``NOT_ARTICLE_REASONS``; ``detail`` says what was seen.
    """

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason, detail)  # both in args, so the exception pickles
        self.reason = reason
        self.detail = detail

    def __str__(self) -> str:
        return f"{self.reason}: {self.detail}" if self.detail else self.reason


def parse_html(html: str | bytes) -> etree._Element | None:
    """Parse a page once; ``None`` when there is no document at all."""
    if isinstance(html, str):
        data = html.encode("utf-8", errors="replace")
        utf8 = True
    else:
        data = html
        try:
            data.decode("utf-8")
            utf8 = True
        except UnicodeDecodeError:
            # Not UTF-8 (the site's encoding): let libxml2 use the <meta charset>.
            utf8 = False
    if not data.strip():
        return None
    try:
        return etree.fromstring(data, _parser(utf8))
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return None


def element_text(el: etree._Element) -> str:
    """An element's reading text: ``<br>`` is a space, scripts and comments are skipped."""
    parts: list[str] = []
    _collect_text(el, parts)
    return "".join(parts)


def _collect_text(el: etree._Element, parts: list[str]) -> None:
    tag = el.tag
    if not isinstance(tag, str) or tag in _SKIP_TEXT_TAGS:
        return
    if tag == "br":
        parts.append(" ")
        return
    if el.text:
        parts.append(el.text)
    for child in el:
        _collect_text(child, parts)
        if child.tail:
            parts.append(child.tail)


def _text(el: etree._Element | None) -> str | None:
    # lxml already decoded entities in the DOM: unescaping again would turn a
    # literal "&amp;lt;" into "<".
    return None if el is None else normalize.clean_text(element_text(el), unescape=False)


T = TypeVar("T")
_Extractor = Callable[["ArticlePage"], tuple[T, str | None]]


def _field(method: _Extractor[T]) -> Callable[[ArticlePage], T]:
    """Make an extractor returning ``(value, layer)`` a cached field method.

    The page is parsed once and each field computed once; the layer of a
    non-empty value is recorded for ``field_layers``.
    """
    name = method.__name__

    @functools.wraps(method)
    def wrapper(self: ArticlePage) -> T:
        if name in self._values:
            return self._values[name]  # type: ignore[no-any-return]
        value, layer = method(self)
        self._values[name] = value
        if layer is not None and value not in (None, "", []):
            self._layers[name] = layer
        return value

    return wrapper


def _first(*candidates: tuple[str, Callable[[], T | None]]) -> tuple[T | None, str | None]:
    """The first ``(layer, getter)`` whose getter yields a non-empty value."""
    for layer, getter in candidates:
        value = getter()
        if value not in (None, "", []):
            return value, layer
    return None, None


def edition_for_url(url: str) -> Edition:
    """The edition of ``url``'s host; the default (English) for any other or a bad URL."""
    try:
        return editions.for_url(url)
    except ValueError:  # a malformed URL (bad IPv6 host): construction never raises
        return editions.get(editions.DEFAULT_EDITION)


class ArticlePage:
    """Extracts an `Article` from one saved article page.

    ``url`` is the URL the page was fetched from (the last resort for the
    article's URL, and the base for relative links if the page names none).
    Nothing is fetched; construction never raises.
    """

    # Every output field: the id, then the content fields in the contract's order.
    FIELDS: tuple[str, ...] = ("article_id", *CONTENT_FIELDS)

    def __init__(
        self,
        url: str,
        html: str | bytes,
        edition: Edition | None = None,
        selectors: Selectors | None = None,
        fetched_at: datetime | date | None = None,
        sitemap_month: tuple[int, int] | None = None,
    ) -> None:
        """``edition`` None: the edition of ``url``'s host, English on any other host
        (a replica on 127.0.0.1 must pass its edition). ``selectors`` None: the
        edition's newest (``Edition.article_page`` passes the version's own).

        ``fetched_at`` (None: now) and ``sitemap_month`` (the ``(year, month)``
        of the monthly sitemap file that listed the page, if any) bound a
        displayed date that shows no year (``DateRules.yearless``).
        """
        self.fetched_url = url
        self.fetched_at = fetched_at
        self.sitemap_month = sitemap_month
        self.edition: Edition = edition if edition is not None else edition_for_url(url)
        self.sel: ArticleSelectors = (selectors or self.edition.selectors).article
        self.root = parse_html(html)
        self._values: dict[str, Any] = {}
        self._layers: dict[str, str] = {}
        self._metadata = self._read_metadata()
        self._meta = self._read_meta_tags()

    # --- layers -------------------------------------------------------------------

    def _read_metadata(self) -> dict[str, Any]:
        """The metadata JSON as a dict; malformed or absent -> empty (a missing layer)."""
        if self.root is None:
            return {}
        for script in css(self.sel.metadata_script)(self.root):
            try:
                data = json.loads(script.text or "")
            except (ValueError, RecursionError):
                continue
            if isinstance(data, dict):
                return data
        return {}

    def _read_meta_tags(self) -> dict[str, str]:
        """``property``/``name`` -> ``content`` of every meta tag; the first one wins."""
        tags: dict[str, str] = {}
        if self.root is None:
            return tags
        for el in css(self.sel.meta_tags)(self.root):
            key = el.get("property") or el.get("name")
            if key:
                tags.setdefault(key.strip().lower(), el.get("content", ""))
        return tags

    def _md(self, key: str) -> str | None:
        value = self._metadata.get(key)
        if isinstance(value, bool):
            return None
        if isinstance(value, int | float):
            value = str(value)
        return self._strip(normalize.clean_text(value))

    def _md_class(self, mapping: str) -> str | None:
        classes = self._metadata.get("classes")
        if not isinstance(classes, list):
            return None
        for entry in classes:
            if isinstance(entry, dict) and entry.get("mapping") == mapping:
                # Trimmed (the Arabic CMS leaves " سياسة"), direction marks removed.
                value = self._strip(normalize.clean_text(entry.get("value")))
                if value:
                    return value
        return None

    def _meta_tag(self, key: str) -> str | None:
        # Attribute values were decoded by the parser, but CMSs often
        # double-encode them ("&amp;amp;"), so they are unescaped like metadata.
        return self._strip(normalize.clean_text(self._meta.get(key)))

    def _strip(self, value: str | None) -> str | None:
        """``value`` without the edition's stray characters (direction marks)."""
        chars = self.edition.text.strip_chars
        if not chars or value is None:
            return value
        return normalize.clean_text(value.translate({ord(c): None for c in chars}), unescape=False)

    def _one(self, selector: str, root: etree._Element | None = None) -> Any:
        base = self.root if root is None else root
        if base is None:
            return None
        found = css(selector)(base)
        return found[0] if found else None

    def _page_text(self, selector: str) -> str | None:
        return self._strip(_text(self._one(selector)))

    def _canonical_link(self) -> str | None:
        el = self._one(self.sel.canonical_link)
        return None if el is None else self._strip(normalize.clean_text(el.get("href")))

    def _absolute(self, candidate: str | None) -> str | None:
        """An http(s) URL resolved against the fetched URL, or ``None``."""
        if not candidate:
            return None
        try:
            absolute = urljoin(self.fetched_url, candidate)
        except ValueError:
            return None
        return absolute if urlsplit(absolute).scheme in ("http", "https") else None

    def _base_url(self) -> str:
        # Relative links are resolved against the article's own (canonical)
        # URL, so the output is the same whether the page came from the live
        # site or from a mirror serving the same HTML.
        return self.url()

    def _body_container(self) -> etree._Element | None:
        return self._one(self.sel.body)

    # --- fields -------------------------------------------------------------------

    @_field
    def url(self) -> tuple[str, str]:
        """metadata ``url`` -> canonical link -> ``og:url`` -> fetched URL; canonicalized."""
        value, layer = _first(
            (LAYER_METADATA, lambda: self._absolute(self._md("url"))),
            (LAYER_META, lambda: self._absolute(self._canonical_link())),
            (LAYER_META, lambda: self._absolute(self._meta_tag(META_OG_URL))),
        )
        if value is None:
            return canonicalize_url(self.fetched_url), LAYER_URL
        return canonicalize_url(value), layer

    @_field
    def article_id(self) -> tuple[str, str]:
        """The edition's id rule (English: sha1 of the canonical URL's path)."""
        return self.edition.article_id_for(self.url()), LAYER_URL

    @_field
    def post_id(self) -> tuple[str | None, str | None]:
        """metadata ``postid`` -> ``meta[name=postid]`` -> the URL's id (Spanish URLs carry it)."""
        return _first(
            (LAYER_METADATA, lambda: self._md("postid")),
            (LAYER_META, lambda: self._meta_tag(META_POSTID)),
            (LAYER_URL, self._url_post_id),
        )

    def _url_post_id(self) -> str | None:
        m = self.edition.match_url(self.url())
        return None if m is None else m.post_id

    @_field
    def section_group(self) -> tuple[str | None, str | None]:
        """``news`` / ``articles`` / ``videos``, from the URL path."""
        group, _ = self.edition.section_from_path(self.url())
        return group, LAYER_URL

    @_field
    def section(self) -> tuple[str | None, str | None]:
        """From the URL path; for videos the breadcrumb's last link, else metadata ``category``."""
        group, section = self.edition.section_from_path(self.url())
        if section is not None:
            return section, LAYER_URL
        if group is None or group != self.edition.video_group:
            return None, None
        return _first(
            (LAYER_PAGE, self._video_section_from_breadcrumb),
            (LAYER_METADATA, lambda: normalize.slugify_section(self._md_class("category"))),
        )

    def _video_section_from_breadcrumb(self) -> str | None:
        if self.root is None:
            return None
        links = css(self.sel.breadcrumb_links)(self.root)
        if not links:
            return None
        path = urlsplit(self._strip(links[-1].get("href", "")) or "").path
        segments = [s for s in path.split("/") if s]
        # Only a /videos/<section> link names a section; a trail that stops
        # at /videos would otherwise give the section "videos".
        if len(segments) == 2 and segments[0] == self.edition.video_group:
            return segments[1]
        return None

    @_field
    def content_type(self) -> tuple[str, str]:
        """``video`` when the section group is ``videos`` or the metadata has a ``video_duration``.

        The Arabic site files video reports under ``/reports`` and ``/podcasts``
        too; a page whose metadata gives the player's duration is a video
        wherever it is filed (site-notes.md). Else ``article``.
        """
        group = self.section_group()
        if group is not None and group == self.edition.video_group:
            return "video", LAYER_URL
        if self._md("video_duration") is not None:
            return "video", LAYER_METADATA
        return "article", LAYER_URL

    @_field
    def title(self) -> tuple[str | None, str | None]:
        """metadata ``title`` -> ``og:title`` -> ``h1.article-title`` -> ``<title>`` (no suffix)."""
        return _first(
            (LAYER_METADATA, lambda: self._md("title")),
            (LAYER_META, lambda: self._meta_tag(META_OG_TITLE)),
            (LAYER_PAGE, lambda: self._page_text(self.sel.title)),
            (LAYER_PAGE, self._html_title),
        )

    def _html_title(self) -> str | None:
        text = self._page_text(self.sel.html_title)
        suffix = self.edition.text.title_suffix
        return normalize.clean_text(suffix.sub("", text)) if text else None

    @_field
    def subtitle(self) -> tuple[str | None, str | None]:
        """metadata ``description`` -> ``og:description`` -> ``meta[name=description]`` -> lead."""
        return _first(
            (LAYER_METADATA, lambda: self._md("description")),
            (LAYER_META, lambda: self._meta_tag(META_OG_DESCRIPTION)),
            (LAYER_META, lambda: self._meta_tag(META_DESCRIPTION)),
            (LAYER_PAGE, lambda: self._page_text(self.sel.lead)),
        )

    @_field
    def authors(self) -> tuple[list[str], str | None]:
        """metadata ``author`` -> ``meta[name=author]`` -> ``li.author``, split into names."""
        rules = self.edition.text
        value, layer = _first(
            (LAYER_METADATA, lambda: normalize.split_authors(self._md("author"), rules)),
            (LAYER_META, lambda: normalize.split_authors(self._meta_tag(META_AUTHOR), rules)),
            (LAYER_PAGE, lambda: normalize.split_authors(self._page_text(self.sel.author), rules)),
        )
        return value or [], layer

    @_field
    def tags(self) -> tuple[list[str], str | None]:
        """metadata ``keywords`` -> ``meta[name=keywords]`` -> ``div.tags li a``; deduplicated."""
        value, layer = _first(
            (LAYER_METADATA, lambda: normalize.clean_tags(self._md("keywords"))),
            (LAYER_META, lambda: normalize.clean_tags(self._meta_tag(META_KEYWORDS))),
            (LAYER_PAGE, self._page_tags),
        )
        return value or [], layer

    def _page_tags(self) -> list[str]:
        if self.root is None:
            return []
        return normalize.clean_tags(self._strip(_text(a)) for a in css(self.sel.tags)(self.root))

    @_field
    def source(self) -> tuple[str | None, str | None]:
        """``li.source`` text after ``Source:``; ``None`` when absent."""
        text = self._page_text(self.sel.source)
        prefix = self.edition.text.source_prefix
        value = normalize.clean_text(prefix.sub("", text)) if text else None
        return value, LAYER_PAGE

    @_field
    def region(self) -> tuple[str | None, str | None]:
        """metadata ``classes`` entry with mapping ``country``."""
        return self._md_class("country"), LAYER_METADATA

    @_field
    def coverage(self) -> tuple[str | None, str | None]:
        """metadata ``classes`` entry with mapping ``coverage`` -> ``div.coverage-box h4``."""
        return _first(
            (LAYER_METADATA, lambda: self._md_class("coverage")),
            (LAYER_PAGE, lambda: self._page_text(self.sel.coverage)),
        )

    @_field
    def published_at(self) -> tuple[datetime | None, str | None]:
        """metadata ``published_time`` -> ``article:published_time`` -> shown Beirut time; UTC."""
        dates = self.edition.dates
        return _first(
            (LAYER_METADATA, lambda: normalize.parse_iso_utc(self._md("published_time"))),
            (LAYER_META, lambda: normalize.parse_iso_utc(self._meta_tag(META_PUBLISHED))),
            (
                LAYER_PAGE,
                lambda: normalize.parse_display_date(self._page_text(self.sel.display_date), dates),
            ),
            (LAYER_PAGE, self._yearless_display_date),
        )

    def _yearless_display_date(self) -> datetime | None:
        """A displayed date without a year ("23 Julio 19:20"), on editions that show one.

        The latest such time not after the fetch, and, for a page listed in a
        monthly sitemap file, not after that month's end: a page fetched on
        2 January (or listed in January) that shows "30 Diciembre" is from the
        previous year.
        """
        dates = self.edition.dates
        if not dates.yearless:
            return None
        return normalize.parse_yearless_date(
            self._page_text(self.sel.display_date), dates, self._date_limit()
        )

    def _date_limit(self) -> datetime:
        """The latest instant the page's date can be: the fetch, or its sitemap month's end."""
        fetched = self.fetched_at
        if fetched is None:
            limit = datetime.now(UTC)
        elif isinstance(fetched, datetime):
            limit = fetched if fetched.tzinfo else fetched.replace(tzinfo=UTC)
        else:  # a day: its end
            limit = datetime.combine(fetched, time.max, tzinfo=UTC)
        if self.sitemap_month is not None:
            month_end = normalize.month_end(*self.sitemap_month, self.edition.dates.timezone)
            if month_end is not None:
                limit = min(limit, month_end)
        return limit

    @_field
    def updated_at(self) -> tuple[datetime | None, str | None]:
        """metadata ``last_updated`` -> ``article:modified_time``; only if after published_at."""
        value, layer = _first(
            (LAYER_METADATA, lambda: normalize.parse_iso_utc(self._md("last_updated"))),
            (LAYER_META, lambda: normalize.parse_iso_utc(self._meta_tag(META_MODIFIED))),
        )
        published = self.published_at()
        if value is None or published is None or value <= published:
            return None, None
        return value, layer

    @_field
    def read_time_min(self) -> tuple[int | None, str | None]:
        """The integer of ``li.read-time`` (``"2 Min Read"`` -> 2)."""
        return normalize.parse_read_time(self._page_text(self.sel.read_time)), LAYER_PAGE

    @_field
    def video_duration_s(self) -> tuple[int | None, str | None]:
        """metadata ``video_duration`` in seconds (``"00:03:12"`` -> 192); None when absent."""
        return normalize.parse_duration_s(self._metadata.get("video_duration")), LAYER_METADATA

    @_field
    def body(self) -> tuple[str, str | None]:
        """The article's own paragraphs of ``div.p-content``, joined by a blank line.

        Left out: empty paragraphs, ``Read more:`` lines, anything in
        ``div.related-news``, and copies of the lead (paragraphs equal to the subtitle).
        """
        container = self._body_container()
        if container is None:
            return "", None
        boxes = css(self.sel.body_excluded_boxes)(container)
        excluded = {p for box in boxes for p in box.iter("p")}
        read_more = self.edition.text.read_more_prefix
        lead = self.subtitle()
        paragraphs: list[str] = []
        for p in css(self.sel.body_paragraphs)(container):
            if p in excluded:
                continue
            text = self._strip(_text(p))
            if text is None or text == lead or read_more.match(text):
                continue
            paragraphs.append(text)
        return "\n\n".join(paragraphs), LAYER_PAGE

    @_field
    def word_count(self) -> tuple[int, str | None]:
        """Whitespace-separated words in ``body`` (computed, whatever layer gave the body)."""
        body = self.body()
        return len(body.split()), self._layers.get("body")

    @_field
    def image_url(self) -> tuple[str | None, str | None]:
        """metadata ``thumbnail`` -> ``og:image`` -> ``figure.main-image img``; made absolute."""
        return _first(
            (LAYER_METADATA, lambda: self._join(self._md("thumbnail"))),
            (LAYER_META, lambda: self._join(self._meta_tag(META_OG_IMAGE))),
            (LAYER_PAGE, self._page_image),
        )

    def _page_image(self) -> str | None:
        img = self._one(self.sel.main_image)
        if img is None:
            return None
        return self._join(self._strip(normalize.clean_text(img.get("src"))))

    def _join(self, candidate: str | None) -> str | None:
        if not candidate:
            return None
        try:
            absolute = urljoin(self._base_url(), candidate)
        except ValueError:
            return None
        return absolute if urlsplit(absolute).scheme in ("http", "https") else None

    @_field
    def image_caption(self) -> tuple[str | None, str | None]:
        """``figure.main-image figcaption`` text, credit included."""
        return self._page_text(self.sel.main_image_caption), LAYER_PAGE

    @_field
    def links(self) -> tuple[list[str], str | None]:
        """Article URLs on the page's host linked from the body (Read more and related included)."""
        container = self._body_container()
        if container is None:
            return [], None
        base = self._base_url()
        links: list[str] = []
        seen: set[str] = set()
        for a in css(self.sel.body_links)(container):
            href = self._strip(normalize.clean_text(a.get("href"), unescape=False))
            if not href:
                continue
            try:
                link = canonicalize_url(href, base=base)
            except ValueError:  # e.g. a malformed IPv6 host
                continue
            if link in seen or not same_host(link, base) or not self.edition.is_article_url(link):
                continue
            seen.add(link)
            links.append(link)
        return links, LAYER_PAGE

    # --- the article --------------------------------------------------------------

    def field_layers(self) -> dict[str, str]:
        """Field -> layer that gave its (non-empty) value, for every field."""
        for name in self.FIELDS:
            getattr(self, name)()
        return {name: self._layers[name] for name in self.FIELDS if name in self._layers}

    def not_article_reason(self) -> NotAnArticle | None:
        """Why this page is not an article, or ``None`` when it is one."""
        if self.root is None:
            return NotAnArticle("empty_page", "no HTML document")
        non_article = self._non_article_path()
        if non_article is not None:
            # Author profiles and dossiers (Arabic /authors/, /coverage/) are in
            # the sitemaps but are never articles, whatever their metadata says.
            return NotAnArticle("not_article_type", f"path under {non_article!r}")
        page_type = self._md("type")
        if page_type == NON_ARTICLE_TYPE:
            return NotAnArticle("not_article_type", f"metadata type {page_type!r}")
        if self.title() is None:
            return NotAnArticle("no_title", "no metadata title, og:title, h1 or <title>")
        if self.published_at() is None:
            shown = self._page_text(self.sel.display_date)
            return NotAnArticle(
                "no_published_at",
                f"no readable publication time (displayed date: {shown!r})",
            )
        return None

    def _non_article_path(self) -> str | None:
        """The edition's non-article prefix that the fetched or canonical path is under."""
        prefixes = self.edition.non_article_paths
        if not prefixes:
            return None
        for url in (self.fetched_url, self.url()):
            try:
                raw = urlsplit(url).path
            except ValueError:
                continue
            path = "/" + "/".join(s for s in raw.split("/") if s)
            for prefix in prefixes:
                if path.startswith(prefix):
                    return prefix
        return None

    def to_article(self, crawled_at: datetime | None = None) -> Article:
        """The `Article`, ``content_hash`` filled; raises `NotAnArticle` otherwise.

        ``crawled_at`` is when the page was fetched (a naive value is taken as UTC).
        """
        reason = self.not_article_reason()
        if reason is not None:
            raise reason
        title = self.title()
        published_at = self.published_at()
        assert title is not None and published_at is not None  # checked above
        if crawled_at is not None:
            crawled_at = (
                crawled_at.replace(tzinfo=UTC)
                if crawled_at.tzinfo is None
                else crawled_at.astimezone(UTC)
            )
        article = Article(
            article_id=self.article_id(),
            url=self.url(),
            title=title,
            published_at=published_at,
            post_id=self.post_id(),
            edition=self.edition.code,
            section=self.section(),
            section_group=self.section_group(),
            content_type=self.content_type(),
            subtitle=self.subtitle(),
            authors=self.authors(),
            tags=self.tags(),
            source=self.source(),
            region=self.region(),
            coverage=self.coverage(),
            updated_at=self.updated_at(),
            read_time_min=self.read_time_min(),
            word_count=self.word_count(),
            video_duration_s=self.video_duration_s(),
            body=self.body(),
            image_url=self.image_url(),
            image_caption=self.image_caption(),
            links=self.links(),
            field_layers=self.field_layers(),
            crawled_at=crawled_at,
        )
        article.content_hash = content_hash(article.to_dict())
        return article
