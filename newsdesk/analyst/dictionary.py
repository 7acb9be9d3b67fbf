"""The data dictionary of the ``articles`` table: type, meaning and derivation of every column.

Everything here is derived from the single column declaration, `newsdesk.columns`
(which also generates ``docs/fields.md``), so exports and the report never drift
from the dataset, and an installed wheel has the whole dictionary (it used to
parse docs/fields.md, which a wheel does not carry).
"""

from __future__ import annotations

from dataclasses import dataclass

from newsdesk import columns

_TABLE = columns.TABLES["articles"]

#: One plain-language sentence per column of the ``articles`` table, in table order.
MEANINGS: dict[str, str] = {c.name: c.meaning for c in _TABLE.columns}

#: Derivation of the columns that are not Parquet file columns (build-derived or partitions).
BUILD_DERIVED: dict[str, str] = {
    c.name: c.derivation for c in _TABLE.columns if c.stored != "file" and c.name != "edition"
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


def documented_fields() -> dict[str, tuple[str, str]]:
    """``column -> (documented type, derivation)`` for every declared ``articles`` column."""
    return {c.name: (c.doc_type, c.derivation) for c in _TABLE.columns}


def column_doc(name: str) -> ColumnDoc:
    """Meaning and derivation of one ``articles`` column (an unknown name gets placeholders)."""
    try:
        column = _TABLE.column(name)
    except KeyError:
        return ColumnDoc(name=name, meaning="", derivation="not in the column declaration")
    return ColumnDoc(
        name=name,
        meaning=column.meaning,
        derivation=column.derivation,
        documented_type=column.doc_type,
    )


def frictionless_type(duckdb_type: str) -> str:
    """The Frictionless Table Schema type of a DuckDB column type."""
    return FRICTIONLESS_TYPES.get(duckdb_type.upper(), "any")
