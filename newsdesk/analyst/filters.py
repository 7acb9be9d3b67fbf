"""Article filters shared by search, export and report.

Every value the user gives ends up as a *bound parameter* (``$name``); the SQL
text is built only from fixed fragments chosen by which filters are set, so a
section called ``'; DROP TABLE articles; --`` is just a section that matches
nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


def utc_day(alias: str) -> str:
    """SQL for the UTC publication day of ``<alias>``, whatever the session's time zone."""
    return f"CAST({alias}.published_at AT TIME ZONE 'UTC' AS DATE)"


def parse_day(text: str, option: str) -> dt.date:
    """A calendar day ``YYYY-MM-DD`` or an `AnalystError`-friendly ``ValueError``."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{option} must be a date like 2025-07-01, got {text!r}") from None


@dataclass
class ArticleFilters:
    """Which articles to keep. Dates are inclusive UTC publication days.

    ``sections`` match a section slug or a section group (news, articles,
    videos); ``tags`` keep articles carrying any of them; ``author`` and
    ``source`` are exact names. Text matches ignore case. ``search`` keeps
    articles the full-text index matches (title, subtitle, body).
    """

    since: dt.date | None = None
    until: dt.date | None = None
    sections: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    author: str | None = None
    source: str | None = None
    search: str | None = None

    def where(self, alias: str = "a") -> tuple[str, dict[str, Any]]:
        """``(SQL condition, parameters)`` over ``articles AS <alias>``; ``true`` when empty."""
        clauses: list[str] = []
        params: dict[str, Any] = {}
        if self.since is not None:
            clauses.append(f"{utc_day(alias)} >= $f_since")
            params["f_since"] = self.since
        if self.until is not None:
            clauses.append(f"{utc_day(alias)} <= $f_until")
            params["f_until"] = self.until
        if self.sections:
            clauses.append(
                f"(list_contains($f_sections, lower({alias}.section)) "
                f"OR list_contains($f_sections, lower({alias}.section_group)))"
            )
            params["f_sections"] = [s.strip().lower() for s in self.sections]
        if self.tags:
            clauses.append(
                "EXISTS (SELECT 1 FROM article_tags AS ft "
                f"WHERE ft.article_id = {alias}.article_id "
                "AND list_contains($f_tags, lower(ft.tag)))"
            )
            params["f_tags"] = [t.strip().lower() for t in self.tags]
        if self.author is not None:
            clauses.append(
                "EXISTS (SELECT 1 FROM article_authors AS fa "
                f"WHERE fa.article_id = {alias}.article_id AND lower(fa.author) = $f_author)"
            )
            params["f_author"] = self.author.strip().lower()
        if self.source is not None:
            clauses.append(f"lower({alias}.source) = $f_source")
            params["f_source"] = self.source.strip().lower()
        if self.search is not None:
            clauses.append(
                f"fts_main_articles.match_bm25({alias}.article_id, $f_search) IS NOT NULL"
            )
            params["f_search"] = self.search
        return (" AND ".join(clauses) or "true"), params

    def describe(self) -> dict[str, Any]:
        """The filters as plain JSON values (for manifests and report subtitles)."""
        return {
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "sections": list(self.sections),
            "tags": list(self.tags),
            "author": self.author,
            "source": self.source,
            "search": self.search,
        }

    def check(self) -> None:
        """Raise ``ValueError`` for contradictory filters."""
        if self.since and self.until and self.since > self.until:
            raise ValueError(
                f"--since {self.since.isoformat()} is after --until {self.until.isoformat()}"
            )
        if self.search is not None and not self.search.strip():
            raise ValueError("--search needs some words")
