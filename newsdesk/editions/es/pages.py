"""The Spanish edition's dated page classes.

The generic pages read almost everything through the edition's data; what the
Spanish site does differently is here:

* the author's name is shown twice (photo alt text and text): a byline that is
  one name written twice is that name once;
* ``content_type`` is ``video`` for the videos group and also when the metadata
  gives a ``video_duration`` (a video filed under a news or opinion section);
* the menu links sections at the top level (``/entrevistas``), each filed under
  the group the edition's menu table gives it, not under ``/<group>/<section>``.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from newsdesk import normalize
from newsdesk.pages.article import LAYER_METADATA, ArticlePage, css, element_text
from newsdesk.pages.listing import ListingPage, SectionLink


def _single_name(text: str | None) -> str | None:
    """``"Ana Pérez Ana Pérez"`` (a name shown twice) -> ``"Ana Pérez"``; else as it is."""
    if not text:
        return text
    words = text.split()
    half = len(words) // 2
    if len(words) % 2 == 0 and half and words[:half] == words[half:]:
        return " ".join(words[:half])
    return text


class SpanishArticlePage_2024(ArticlePage):
    """Spanish article pages as modeled (the network's shared template, 2024)."""

    def _page_text(self, selector: str) -> str | None:
        text = super()._page_text(selector)
        # The byline's text may repeat the name when the photo's alt text is
        # rendered as text (what the site shows): keep it once.
        return _single_name(text) if selector == self.sel.author else text

    def content_type(self) -> str:
        """``video`` for the videos group or when the metadata has a ``video_duration``."""
        if "content_type" in self._values:
            return self._values["content_type"]  # type: ignore[no-any-return]
        value = super().content_type()
        if value != "video" and self._metadata.get("video_duration") not in (None, "", 0, "0"):
            value = "video"
            self._layers["content_type"] = LAYER_METADATA
        self._values["content_type"] = value
        return value


class SpanishListingPage_2024(ListingPage):
    """Spanish listings and home page: sections are linked at the top level."""

    def menu_sections(self) -> list[SectionLink]:
        """Every menu link ``/<slug>`` whose slug is one of the edition's sections, in order."""
        if self.root is None:
            return []
        sections: list[SectionLink] = []
        seen: set[str] = set()
        for item in css(self.sel.menu_group)(self.root):
            for a in css(self.sel.menu_section_link)(item):
                url = self._absolute(a.get("href"))
                label = normalize.clean_text(element_text(a), unescape=False)
                if url is None or label is None or url in seen:
                    continue
                segments = [unquote(s) for s in urlsplit(url).path.split("/") if s]
                if len(segments) != 1:
                    continue
                group = self.edition.group_of_section(segments[0])
                if group is None:
                    continue  # a group's own link (/noticias) or a page that is no section
                seen.add(url)
                sections.append(SectionLink(group=group, slug=segments[0], label=label, url=url))
        return sections
