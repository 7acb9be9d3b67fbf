"""The replica's own data: sections, stories and the blocks of a story's body.

Both the HTML (``markup``) and the ground truth (``generator``) are computed from
these objects, never one from the other. The few rules that both need (slugs,
which paragraphs are body text, word count, read time, display dates) live here
so that they are written once.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from newsdesk.replica.vocab import GROUP_LABELS, MONTHS_ABBR

BEIRUT = ZoneInfo("Asia/Beirut")
SLUG_MAX = 60
_SPACES = re.compile(r"\s+")


def slugify(title: str) -> str:
    """The site's slug: lower case, ASCII punctuation and spaces become ``-``, colons kept.

    Non-ASCII characters (curly quotes, dashes) are dropped, runs of ``-`` are left
    as they are, and the result is cut at 60 characters, even mid-word:
    ``"NATO will discuss Russia, China rapprochement: Stoltenberg"`` ->
    ``"nato-will-discuss-russia--china-rapprochement:-stoltenberg"``.
    """
    out = []
    for ch in title.lower():
        if not ch.isascii():
            continue
        out.append(ch if ch.isalnum() or ch in ":-" else "-")
    return "".join(out)[:SLUG_MAX]


def collapse(text: str) -> str:
    """Whitespace collapsed to single spaces, trimmed."""
    return _SPACES.sub(" ", text).strip()


@dataclass(frozen=True)
class Section:
    """One of the 17 menu sections."""

    group: str
    slug: str
    label: str

    @property
    def path(self) -> str:
        """The listing path, e.g. ``/news/politics``."""
        return f"/{self.group}/{self.slug}"

    @property
    def group_label(self) -> str:
        """``News``, ``Articles`` or ``Videos``."""
        return GROUP_LABELS[self.group]

    def as_tuple(self) -> tuple[str, str, str]:
        """``(group, slug, label)``."""
        return (self.group, self.slug, self.label)


# A run of text, with the href it links to (None: plain text).
Segment = tuple[str, str | None]


@dataclass
class Para:
    """A body paragraph; ``unclosed`` renders it without its ``</p>``."""

    segments: tuple[Segment, ...]
    unclosed: bool = False

    @property
    def text(self) -> str:
        """The paragraph's text, as a reader (or an HTML parser) sees it."""
        return collapse("".join(t for t, _ in self.segments))


@dataclass(frozen=True)
class LeadCopy:
    """A paragraph repeating the article's lead (not body text)."""


@dataclass(frozen=True)
class ReadMore:
    """A ``<p><strong>Read more: <a>..</a></strong></p>`` paragraph (not body text)."""

    href: str
    text: str


@dataclass(frozen=True)
class Related:
    """The inline ``div.related-news`` box (not body text)."""

    items: tuple[tuple[str, str], ...]  # (href, anchor text)


Block = Para | LeadCopy | ReadMore | Related


@dataclass
class Ghost:
    """A listing card that leads nowhere: a dead (404) or failing (500) URL."""

    path: str
    kind: str  # "dead" or "failing"
    listed_in: Section


@dataclass
class Story:
    """One article or video of the replica, with every choice made about its page."""

    post_id: str
    section: Section
    slug: str
    title: str
    subtitle: str
    published: datetime  # aware, Asia/Beirut wall time
    authors: list[str]
    source: str | None = None
    region: str | None = None
    coverage: str | None = None
    updated: datetime | None = None  # aware; always later than `published`
    tags: list[str] = field(default_factory=list)  # as displayed: dups, stray spaces
    blocks: list[Block] = field(default_factory=list)
    image: str | None = None  # site path with query, e.g. /media/image/...jpg?width=1000
    caption: str | None = None
    video_duration: str | None = None
    head: str = "full"  # "full" | "no_metadata" | "no_meta" | "bare"
    date_form: str = "dmy"  # "dmy" (5 Apr 2023 15:23) | "iso" (2024-01-15 12:24)
    fault: str | None = None  # None | "transient_503" | "slow"
    utm_card: bool = False  # its card in its own listing carries ?utm_source=...
    also_in: list[Section] = field(default_factory=list)  # cards in other listings
    escaped_title: bool = False  # the title has &, quotes or apostrophes

    @property
    def is_video(self) -> bool:
        """Whether the story is a video (URL ``/videos/<slug>``)."""
        return self.section.group == "videos"

    @property
    def path(self) -> str:
        """The canonical path."""
        if self.is_video:
            return f"/videos/{self.slug}"
        return f"{self.section.path}/{self.slug}"

    @property
    def has_metadata(self) -> bool:
        """Whether the page carries the ``tawsiyat-metadata`` script."""
        return self.head in ("full", "no_meta")

    @property
    def has_meta_tags(self) -> bool:
        """Whether the page carries the og/meta tags."""
        return self.head in ("full", "no_metadata")

    @property
    def last_modified(self) -> datetime:
        """``updated`` if any, else ``published`` (what sitemaps show as lastmod)."""
        return self.updated or self.published


def body_paragraphs(story: Story) -> list[str]:
    """The body as the contract defines it, from the story's blocks.

    Every rendered ``p`` of ``div.p-content`` in order (plain paragraphs, lead
    copies, Read more lines), minus empty ones, ``Read more:`` ones and those equal
    to the subtitle; the related-news box is skipped.
    """
    lead = collapse(story.subtitle)
    out: list[str] = []
    for block in story.blocks:
        if isinstance(block, Para):
            text = block.text
        elif isinstance(block, LeadCopy):
            text = lead
        elif isinstance(block, ReadMore):
            text = collapse(f"Read more: {block.text}")
        else:
            continue
        if not text or text.startswith("Read more:") or text == lead:
            continue
        out.append(text)
    return out


def body_text(story: Story) -> str:
    """The body paragraphs joined by a blank line."""
    return "\n\n".join(body_paragraphs(story))


def word_count(story: Story) -> int:
    """Whitespace-separated words of the body."""
    return len(body_text(story).split())


def read_time(story: Story) -> int | None:
    """Minutes shown as ``N Min Read``; videos show none."""
    if story.is_video:
        return None
    return max(1, math.ceil(word_count(story) / 200))


def display_datetime(moment: datetime, form: str) -> str:
    """Beirut wall time as the page shows it: ``5 Apr 2023 15:23`` or ``2024-01-15 12:24``."""
    local = moment.astimezone(BEIRUT)
    if form == "iso":
        return f"{local:%Y-%m-%d %H:%M}"
    return f"{local.day} {MONTHS_ABBR[local.month]} {local.year} {local:%H:%M}"


def display_date(moment: datetime) -> str:
    """The date on cards: ``24 Aug 2025``."""
    local = moment.astimezone(BEIRUT)
    return f"{local.day} {MONTHS_ABBR[local.month]} {local.year}"
