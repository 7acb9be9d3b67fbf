"""Typed items. Field names are the dataset's column names.

The columns themselves (types, meanings, derivations) are declared once in
`newsdesk.columns`; a test checks that `Article`'s fields are its ``ITEM_COLUMNS``.

`Article` is what a page class returns and what lands, one row per article, in
``<warehouse>/articles/``. `CrawlEvent` is one row of ``<warehouse>/crawl_log/``:
every fetched URL with what became of it, so failures are data, not noise.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from newsdesk.columns import SCHEMA_VERSION

__all__ = ["CONTENT_FIELDS", "HASH_IF_SET", "SCHEMA_VERSION", "Article", "CrawlEvent"]


@dataclass
class Article:
    """One news article, normalized. Timestamps are timezone-aware UTC datetimes."""

    article_id: str
    url: str
    title: str
    published_at: datetime
    post_id: str | None = None
    edition: str = "en"
    section: str | None = None
    section_group: str | None = None
    content_type: str = "article"
    subtitle: str | None = None
    authors: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    source: str | None = None
    region: str | None = None
    coverage: str | None = None
    updated_at: datetime | None = None
    read_time_min: int | None = None
    word_count: int | None = None
    # Seconds of the article's video (metadata ``video_duration``); None when absent.
    video_duration_s: int | None = None
    body: str = ""
    image_url: str | None = None
    image_caption: str | None = None
    links: list[str] = field(default_factory=list)
    # Which extraction layer gave each field: "metadata", "meta", "page" or "url".
    field_layers: dict[str, str] = field(default_factory=dict)
    crawled_at: datetime | None = None
    content_hash: str = ""

    def to_dict(self) -> dict[str, Any]:
        """A shallow dict of the fields (lists and dicts copied)."""
        return {f.name: _copy(getattr(self, f.name)) for f in dataclasses.fields(self)}


# Fields that make up an article's content: a change in any of them is an edit
# (a new content_hash), a change elsewhere (crawled_at, field_layers) is not.
CONTENT_FIELDS: tuple[str, ...] = (
    "post_id",
    "url",
    "section",
    "section_group",
    "content_type",
    "title",
    "subtitle",
    "authors",
    "tags",
    "source",
    "region",
    "coverage",
    "published_at",
    "updated_at",
    "read_time_min",
    "word_count",
    "video_duration_s",
    "body",
    "image_url",
    "image_caption",
    "links",
)

# Content fields added after articles were first stored: hashed only when set, so
# an article stored before the field existed (its value None) keeps its hash and
# does not look edited on the next crawl or reparse.
HASH_IF_SET: frozenset[str] = frozenset({"video_duration_s"})


@dataclass
class CrawlEvent:
    """One fetched URL and its outcome.

    ``outcome`` is one of: ``article`` (an article was extracted), ``listing``,
    ``sitemap``, ``page`` (a fetched non-article page, e.g. the home page or
    robots.txt), ``failed`` (nothing usable: see ``reason``).
    """

    run_id: str
    url: str
    outcome: str
    fetched_at: datetime
    http_status: int | None = None
    reason: str | None = None
    detail: str | None = None
    article_id: str | None = None
    # The URL as requested (before redirects): what the crawl ledger waits for.
    # Not a crawl-log column.
    requested_url: str | None = field(default=None, compare=False)


def _copy(value: Any) -> Any:
    if isinstance(value, list):
        return list(value)
    if isinstance(value, dict):
        return dict(value)
    return value
