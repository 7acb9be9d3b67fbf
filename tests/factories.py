"""Synthetic articles for tests that do not need real pages."""

from __future__ import annotations

from datetime import UTC, datetime

from newsdesk.hashing import content_hash
from newsdesk.items import Article
from newsdesk.urls import article_id_for

BASE = "http://127.0.0.1:9"


def make_article(
    slug: str,
    published: datetime,
    *,
    section: str = "politics",
    group: str = "news",
    title: str | None = None,
    body: str = "Body text.",
    tags: list[str] | None = None,
    authors: list[str] | None = None,
    source: str | None = "Agencies",
    edition: str = "en",
    subtitle: str | None = None,
) -> Article:
    url = f"{BASE}/{group}/{section}/{slug}"
    article = Article(
        article_id=article_id_for(url),
        url=url,
        title=title or slug.replace("-", " ").title(),
        published_at=published.astimezone(UTC),
        section=section,
        section_group=group,
        body=body,
        word_count=len(body.split()),
        tags=tags if tags is not None else ["Nato"],
        authors=authors if authors is not None else ["Al Mayadeen English"],
        source=source,
        crawled_at=datetime(2025, 11, 1, tzinfo=UTC),
        field_layers={"title": "metadata"},
        edition=edition,
        subtitle=subtitle,
    )
    article.content_hash = content_hash(article.to_dict())
    return article


def rehash(article: Article) -> Article:
    article.content_hash = content_hash(article.to_dict())
    return article
