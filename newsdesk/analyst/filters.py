"""Article filters shared by search, export and report.

Every value the user gives ends up as a *bound parameter* (``$name``); the SQL
text is built only from fixed fragments chosen by which filters are set, so a
section called ``'; DROP TABLE articles; --`` is just a section that matches
nothing.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import duckdb

from newsdesk.crawlconfig import ALL_SECTIONS, MENU_SECTIONS

# The values each filter can take, read from the built tables (one row per
# distinct value, so the check stays cheap on a million articles). Fixed SQL:
# the user's value is never part of it, it is compared in Python.
KNOWN_VALUES_SQL: dict[str, str] = {
    "edition": "SELECT DISTINCT edition FROM articles WHERE edition IS NOT NULL",
    "section": "SELECT section FROM sections UNION SELECT section_group FROM sections",
    "tag": "SELECT tag FROM tags",
    "author": "SELECT author FROM authors",
    "source": "SELECT source FROM sources",
}


class UnknownFilterValue(ValueError):
    """A filter value that names nothing in the data: a typo, reported as a usage error."""

    def __init__(
        self, kind: str, value: str, suggestion: str | None, known: Iterable[str] = ()
    ) -> None:
        self.kind = kind
        self.value = value
        self.suggestion = suggestion
        choices = sorted(known, key=str.lower)
        if suggestion:
            hint = f" — did you mean {suggestion}?"
        elif 0 < len(choices) <= 20:
            # A short list (editions, sections) is more help than "no match".
            hint = f" (known: {', '.join(choices)})"
        else:
            hint = f" (no {kind} like it)"
        super().__init__(f"unknown {kind} {value!r}{hint}")


def nearest(value: str, known: Iterable[str]) -> str | None:
    """The known value closest to ``value`` ignoring case (difflib), or None."""
    by_lower: dict[str, str] = {}
    for name in known:
        by_lower.setdefault(name.lower(), name)
    matches = difflib.get_close_matches(value.strip().lower(), list(by_lower), n=1, cutoff=0.6)
    return by_lower[matches[0]] if matches else None


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
    edition: str | None = None

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
        if self.edition is not None:
            clauses.append(f"lower({alias}.edition) = $f_edition")
            params["f_edition"] = self.edition.strip().lower()
        if self.search is not None:
            # search_scores scores each article with its own edition's index (stemmer).
            clauses.append(
                f"{alias}.article_id IN (SELECT article_id FROM search_scores($f_search))"
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
            "edition": self.edition,
        }

    def values(self) -> list[tuple[str, str]]:
        """Every ``(kind, value)`` pair to check against the data, in option order."""
        pairs: list[tuple[str, str]] = []
        if self.edition is not None:
            pairs.append(("edition", self.edition))
        pairs += [("section", s) for s in self.sections]
        pairs += [("tag", t) for t in self.tags]
        if self.author is not None:
            pairs.append(("author", self.author))
        if self.source is not None:
            pairs.append(("source", self.source))
        return pairs

    def validate(self, con: duckdb.DuckDBPyConnection) -> None:
        """Raise `UnknownFilterValue` for the first value found nowhere in the database.

        A section is known when some article has it (slug or group) or when
        it is one of the site's menu sections (a real section that merely has
        no articles yet is "no matches", not a typo). Case is ignored, as in
        `where`. The user's values are only compared in Python.
        """
        known: dict[str, set[str]] = {}
        lowered: dict[str, set[str]] = {}
        for kind, value in self.values():
            if kind not in known:
                rows = con.execute(KNOWN_VALUES_SQL[kind]).fetchall()
                names = {str(name) for (name,) in rows if name is not None}
                if kind == "section":
                    names |= set(ALL_SECTIONS) | set(MENU_SECTIONS)
                known[kind] = names
                lowered[kind] = {name.lower() for name in names}
            if value.strip().lower() not in lowered[kind]:
                raise UnknownFilterValue(kind, value, nearest(value, known[kind]), known[kind])

    def check(self) -> None:
        """Raise ``ValueError`` for contradictory filters."""
        if self.since and self.until and self.since > self.until:
            raise ValueError(
                f"--since {self.since.isoformat()} is after --until {self.until.isoformat()}"
            )
        if self.search is not None and not self.search.strip():
            raise ValueError("--search needs some words")
