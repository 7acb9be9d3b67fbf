"""Listing pages (section listings, the home page): article cards, the next page, the menu.

All selectors are the constants below: when the site's markup changes, this
block is what changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

from lxml import etree
from lxml.cssselect import CSSSelector

from newsdesk import normalize
from newsdesk.pages.article import element_text, parse_html
from newsdesk.urls import SECTION_GROUPS, canonicalize_url

# --- selectors ------------------------------------------------------------------


def _css(selector: str) -> CSSSelector:
    return CSSSelector(selector, translator="html")


CARD = _css("div.white-card")
CARD_LINK = _css("a[href]")  # relative to CARD: the first link that is not the category
CARD_TITLE = _css("h4")  # relative to CARD
CARD_CATEGORY = _css("a.category-meta")  # relative to CARD
CARD_DATE = _css("div.time p")  # relative to CARD
CARD_CATEGORY_CLASS = "category-meta"
NEXT_PAGE = _css("a.loadmorebtn[href]")
MENU_GROUP = _css("nav.main-menu li.has-sub")
MENU_GROUP_LINK = _css("a[href]")  # relative to MENU_GROUP: its first link
MENU_SECTION_LINK = _css("ul.sub-menu li a[href]")  # relative to MENU_GROUP


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


def _first(selector: CSSSelector, root: etree._Element) -> etree._Element | None:
    found = selector(root)
    return found[0] if found else None


def _path_segments(url: str) -> list[str]:
    return [s for s in urlsplit(url).path.split("/") if s]


class ListingPage:
    """Extracts cards, the load-more link and the menu from one saved page.

    ``url`` is the URL the page was fetched from: links are made absolute
    against it. Construction never raises; an empty page has no cards.
    """

    def __init__(self, url: str, html: str | bytes) -> None:
        self.url = url
        self.root = parse_html(html)

    def _absolute(self, href: str | None) -> str | None:
        href = normalize.clean_text(href, unescape=False)
        if not href:
            return None
        try:
            absolute = canonicalize_url(href, base=self.url)
        except ValueError:
            return None
        return absolute if urlsplit(absolute).scheme in ("http", "https") else None

    def cards(self) -> list[Card]:
        """The article cards, in page order; cards without a usable link are skipped."""
        if self.root is None:
            return []
        cards: list[Card] = []
        for card in CARD(self.root):
            link = next(
                (
                    a
                    for a in CARD_LINK(card)
                    if CARD_CATEGORY_CLASS not in (a.get("class") or "").split()
                ),
                None,
            )
            url = self._absolute(link.get("href")) if link is not None else None
            if url is None:
                continue
            title = _first(CARD_TITLE, card)
            category = _first(CARD_CATEGORY, card)
            day = _first(CARD_DATE, card)
            cards.append(
                Card(
                    url=url,
                    title=_text(title),
                    date=normalize.parse_display_day(_text(day)),
                    category=_text(category),
                )
            )
        return cards

    def next_page_url(self) -> str | None:
        """The absolute URL of the load-more link (``?page=N``), or ``None`` on the last page."""
        if self.root is None:
            return None
        link = _first(NEXT_PAGE, self.root)
        return None if link is None else self._absolute(link.get("href"))

    def menu_sections(self) -> list[SectionLink]:
        """The sections of the menu's News / Articles / Videos sub-menus, in menu order."""
        if self.root is None:
            return []
        sections: list[SectionLink] = []
        seen: set[str] = set()
        for group_el in MENU_GROUP(self.root):
            group_link = _first(MENU_GROUP_LINK, group_el)
            group_url = self._absolute(group_link.get("href")) if group_link is not None else None
            group_segments = _path_segments(group_url) if group_url else []
            if len(group_segments) != 1 or group_segments[0] not in SECTION_GROUPS:
                continue
            group = group_segments[0]
            for a in MENU_SECTION_LINK(group_el):
                url = self._absolute(a.get("href"))
                label = _text(a)
                if url is None or label is None:
                    continue
                segments = _path_segments(url)
                # Only /<group>/<section> links are sections of this group.
                if len(segments) != 2 or segments[0] != group or url in seen:
                    continue
                seen.add(url)
                sections.append(SectionLink(group=group, slug=segments[1], label=label, url=url))
        return sections
