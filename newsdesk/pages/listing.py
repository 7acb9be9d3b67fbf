"""Listing pages (section listings, the home page): article cards, the next page, the menu.

Selectors, date rules and section groups come from the page's edition
(``newsdesk.editions``): given explicitly, or looked up from the URL's host.

When the edition's card selector matches nothing (the site's markup changed),
the cards are the page's own article links instead: every on-site ``<a href>``
whose URL has the shape of an article under the edition's URL grammar, in
page order, once each, titled by the link text and undated. The page says so
(`ListingPage.cards_from_fallback`), so the crawl can raise its drift alarm.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

from lxml import etree

from newsdesk import normalize
from newsdesk.editions.spec import Edition, ListingSelectors, Selectors
from newsdesk.pages.article import css, edition_for_url, element_text, parse_html
from newsdesk.urls import canonicalize_url, on_site


@dataclass(frozen=True)
class Card:
    """One article card of a listing."""

    url: str  # absolute and canonical (tracking parameters dropped)
    title: str | None
    date: date | None  # the day shown on the card, Beirut calendar
    category: str | None


@dataclass(frozen=True)
class SectionLink:
    """One section of the main menu, e.g. ``news`` / ``politics``."""

    group: str
    slug: str
    label: str
    url: str  # absolute


def _text(el: etree._Element | None) -> str | None:
    return None if el is None else normalize.clean_text(element_text(el), unescape=False)


def _first(selector: str, root: etree._Element) -> etree._Element | None:
    found = css(selector)(root)
    return found[0] if found else None


def _path_segments(url: str) -> list[str]:
    return [s for s in urlsplit(url).path.split("/") if s]


class ListingPage:
    """Extracts cards, the load-more link and the menu from one saved page.

    ``url`` is the URL the page was fetched from: links are made absolute
    against it. Construction never raises; an empty page has no cards.
    """

    def __init__(
        self,
        url: str,
        html: str | bytes,
        edition: Edition | None = None,
        selectors: Selectors | None = None,
    ) -> None:
        """``edition`` None: the edition of ``url``'s host (English on any other host)."""
        self.url = url
        self.edition: Edition = edition if edition is not None else edition_for_url(url)
        self.sel: ListingSelectors = (selectors or self.edition.selectors).listing
        self.root = parse_html(html)
        self._cards: list[Card] | None = None
        self._from_fallback = False

    def _strip(self, value: str | None) -> str | None:
        """``value`` without the edition's stray characters (Arabic direction marks)."""
        chars = self.edition.text.strip_chars
        if not chars or value is None:
            return value
        return normalize.clean_text(value.translate({ord(c): None for c in chars}), unescape=False)

    def _absolute(self, href: str | None) -> str | None:
        href = self._strip(normalize.clean_text(href, unescape=False))
        if not href:
            return None
        try:
            absolute = canonicalize_url(href, base=self.url)
        except ValueError:
            return None
        return absolute if urlsplit(absolute).scheme in ("http", "https") else None

    def cards(self) -> list[Card]:
        """The article cards, in page order; cards without a usable link are skipped.

        When the card selector matches nothing, the page's article links
        (`fallback_cards`) stand in, and `cards_from_fallback` is True.
        """
        if self._cards is None:
            if self.root is None:
                self._cards = []
            else:
                elements = css(self.sel.card)(self.root)
                if elements:
                    self._cards = [c for c in map(self._card, elements) if c is not None]
                else:
                    self._cards = self.fallback_cards()
                    self._from_fallback = bool(self._cards)
        return list(self._cards)

    @property
    def cards_from_fallback(self) -> bool:
        """Whether `cards` are the page's article links (the card selector matched nothing)."""
        self.cards()
        return self._from_fallback

    def _card(self, card: etree._Element) -> Card | None:
        link = next(
            (
                a
                for a in css(self.sel.card_link)(card)
                if self.sel.card_category_class not in (a.get("class") or "").split()
            ),
            None,
        )
        url = self._absolute(link.get("href")) if link is not None else None
        if url is None:
            return None
        title = _first(self.sel.card_title, card)
        category = _first(self.sel.card_category, card)
        day = _first(self.sel.card_date, card)
        return Card(
            url=url,
            title=self._strip(_text(title)),
            date=normalize.parse_display_day(self._strip(_text(day)), self.edition.dates),
            category=self._strip(_text(category)),
        )

    def fallback_cards(self) -> list[Card]:
        """Cards from every on-site link whose URL is an article under the edition's grammar.

        Page order, each URL once (titled by the first of its links that has
        text: an image link often comes before the headline's), no date, no
        category. The URL grammar is what keeps menu, section, tag and static
        links out, so this needs no selector at all.
        """
        if self.root is None:
            return []
        try:
            parts = urlsplit(self.url)
        except ValueError:
            return []
        site = f"{parts.scheme}://{parts.netloc}"
        titles: dict[str, str | None] = {}
        for a in self.root.iter("a"):
            url = self._absolute(a.get("href"))
            if url is None or not self._on_site(url, site):
                continue
            if not self.edition.is_article_url(url):
                continue
            if titles.get(url) is None:
                titles[url] = self._strip(_text(a))
        return [
            Card(url=url, title=title, date=None, category=None) for url, title in titles.items()
        ]

    @staticmethod
    def _on_site(url: str, site: str) -> bool:
        try:
            return on_site(url, site)
        except ValueError:  # the page's own URL is not http(s): nothing is on its site
            return False

    def next_page_url(self) -> str | None:
        """The absolute URL of the load-more link (``?page=N``), or ``None`` on the last page."""
        if self.root is None:
            return None
        link = _first(self.sel.next_page, self.root)
        return None if link is None else self._absolute(link.get("href"))

    def menu_sections(self) -> list[SectionLink]:
        """The sections of the menu's group sub-menus (the edition's groups), in menu order."""
        if self.root is None:
            return []
        sections: list[SectionLink] = []
        seen: set[str] = set()
        for group_el in css(self.sel.menu_group)(self.root):
            group_link = _first(self.sel.menu_group_link, group_el)
            group_url = self._absolute(group_link.get("href")) if group_link is not None else None
            group_segments = _path_segments(group_url) if group_url else []
            if len(group_segments) != 1 or group_segments[0] not in self.edition.section_groups:
                continue
            group = group_segments[0]
            for a in css(self.sel.menu_section_link)(group_el):
                url = self._absolute(a.get("href"))
                label = _text(a)
                if url is None or label is None:
                    continue
                segments = _path_segments(url)
                if url in seen:
                    continue
                if len(segments) == 2 and segments[0] == group:
                    # /<group>/<section>: a section of this group.
                    slug, slug_group = segments[1], group
                elif len(segments) == 1 and self.edition.group_of_section(segments[0]):
                    # /<type> (Arabic /video, /articles): a section the edition's
                    # menu files under its own group, whichever sub-menu lists it.
                    slug, slug_group = segments[0], self.edition.group_of_section(segments[0])
                else:
                    continue
                assert slug_group is not None
                seen.add(url)
                sections.append(SectionLink(group=slug_group, slug=slug, label=label, url=url))
        return sections
