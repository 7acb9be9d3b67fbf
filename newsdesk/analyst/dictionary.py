"""The data dictionary of the ``articles`` table: type, meaning and derivation of every column.

How each column is *derived* is written once, in ``docs/fields.md`` (the contract
between the page classes, the replica and the dataset); this module parses that
table so exports and the report never drift from it. What each column *means*
(one plain sentence for a colleague who has never seen this project) and the
derivation of the columns the SQL build adds (``published_date``, ``year``,
``month``) live here, in `MEANINGS` and `BUILD_DERIVED`.

`column_dictionary()` joins the two; a test checks that every column of the
built ``articles`` table is covered and that ``docs/fields.md`` names no column
the table lacks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

FIELDS_MD = Path(__file__).resolve().parents[2] / "docs" / "fields.md"

#: One plain-language sentence per column of the ``articles`` table, in table order.
MEANINGS: dict[str, str] = {
    "article_id": "Stable identifier of the article (the same URL always gives the same id).",
    "post_id": "The site's own numeric post id, when the page exposes it.",
    "url": "Canonical address of the article on english.almayadeen.net.",
    "edition": "Language edition of the site (always 'en').",
    "section_group": "Top-level part of the site: news, articles (opinion, analysis...) or videos.",
    "section": "Site section the article is filed under, as a URL slug (politics, opinion, tv...).",
    "content_type": "'video' for pages under /videos/, otherwise 'article'.",
    "title": "Headline.",
    "subtitle": "Standfirst / summary shown under the headline.",
    "authors": "Bylined authors in byline order (often the desk, 'Al Mayadeen English').",
    "tags": "Topic keywords the site attached to the article, in the order shown.",
    "source": "Credited source line ('Source: Agencies'), null when the page credits none.",
    "region": "Country or region the site classified the article under.",
    "coverage": "Ongoing coverage / dossier the article belongs to (e.g. 'Russia & NATO').",
    "published_at": "Publication time, UTC.",
    "updated_at": "Last update time, UTC, when the site reports one later than publication.",
    "published_date": "Publication day (UTC calendar day).",
    "read_time_min": "Reading time the site displays, in minutes.",
    "word_count": "Number of words in the body text.",
    "body": "Article text: paragraphs separated by a blank line, without related-link blocks.",
    "image_url": "Lead image address.",
    "image_caption": "Lead image caption including the photo credit.",
    "links": "Other Al Mayadeen articles linked from the body.",
    "field_layers": "Provenance: for each field, which part of the page it was read from.",
    "crawled_at": "When the page was fetched by the crawler, UTC.",
    "content_hash": "Fingerprint of the content fields; changes whenever the article is edited.",
    "year": "Publication year (UTC), the dataset's partition key.",
    "month": "Publication month 1-12 (UTC), the dataset's partition key.",
}

#: Derivation of the columns that the SQL build adds (warehouse/sql/010_articles.sql).
BUILD_DERIVED: dict[str, str] = {
    "published_date": "`CAST(published_at AS DATE)`: the UTC calendar day of published_at "
    "(added by the DuckDB build, warehouse/sql/010_articles.sql)",
    "year": "the `year=YYYY` partition of the Parquet dataset, i.e. the UTC year of published_at",
    "month": "the `month=M` partition of the Parquet dataset, i.e. the UTC month of published_at",
}

#: How text values are cleaned (the preamble of docs/fields.md, applied to every text column).
TEXT_RULE = (
    "Text values are HTML-unescaped, whitespace collapsed to single spaces, trimmed; "
    "an empty string becomes null (lists: an empty list)."
)

#: DuckDB type (as ``DESCRIBE`` prints it) -> Frictionless Table Schema type.
FRICTIONLESS_TYPES: dict[str, str] = {
    "VARCHAR": "string",
    "INTEGER": "integer",
    "BIGINT": "integer",
    "SMALLINT": "integer",
    "HUGEINT": "integer",
    "DOUBLE": "number",
    "FLOAT": "number",
    "BOOLEAN": "boolean",
    "DATE": "date",
    "TIMESTAMP": "datetime",
    "TIMESTAMP WITH TIME ZONE": "datetime",
    "VARCHAR[]": "array",
    "MAP(VARCHAR, VARCHAR)": "object",
}


@dataclass(frozen=True)
class ColumnDoc:
    """One column of the dictionary."""

    name: str
    meaning: str
    derivation: str
    documented_type: str | None = None  # the type as docs/fields.md writes it


def _split_row(line: str) -> list[str]:
    """The cells of one markdown table row (``\\|`` is a literal pipe)."""
    cells = re.split(r"(?<!\\)\|", line.strip().strip("|"))
    return [cell.strip().replace("\\|", "|") for cell in cells]


def _plain(markdown: str) -> str:
    """Cell text as written (code spans kept: they mark literal values such as `,`)."""
    return markdown.replace("**", "").strip()


def parse_fields_md(text: str) -> dict[str, tuple[str, str]]:
    """``column -> (documented type, rule)`` from the table in docs/fields.md.

    A row may document several columns at once (``section_group, section``).
    """
    found: dict[str, tuple[str, str]] = {}
    for line in text.splitlines():
        if not line.lstrip().startswith("|"):
            continue
        cells = _split_row(line)
        if len(cells) < 3 or cells[0] in ("column", "") or set(cells[0]) <= {"-", ":"}:
            continue
        for name in (n.strip() for n in cells[0].split(",")):
            if name:
                found[name] = (_plain(cells[1]), _plain(cells[2]))
    return found


@lru_cache(maxsize=1)
def documented_fields(path: Path = FIELDS_MD) -> dict[str, tuple[str, str]]:
    """The parsed docs/fields.md (empty when the file is not there, e.g. an installed wheel)."""
    try:
        return parse_fields_md(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}


def column_doc(name: str) -> ColumnDoc:
    """Meaning and derivation of one ``articles`` column (an unknown name gets placeholders)."""
    documented = documented_fields()
    doc_type, rule = documented.get(name, (None, ""))
    derivation = rule or BUILD_DERIVED.get(name, "")
    if not derivation:
        derivation = "see docs/fields.md in the newsdesk repository"
    return ColumnDoc(
        name=name,
        meaning=MEANINGS.get(name, ""),
        derivation=derivation,
        documented_type=doc_type,
    )


def frictionless_type(duckdb_type: str) -> str:
    """The Frictionless Table Schema type of a DuckDB column type."""
    return FRICTIONLESS_TYPES.get(duckdb_type.upper(), "any")
