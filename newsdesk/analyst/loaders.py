"""The pandas and polars code an export's README shows, generated from the bundle's schema.

Untyped readers guess: ``post_id`` (digits) becomes a float, ISO 8601 times stay
text, JSON columns stay text. So the README gives, per format, the exact reader
call with every column's type spelled out (written from the same field list as
``datapackage.json``), and the tests run that very code (tests/test_exports.py).

Every snippet assigns ``df`` and reads ``PATH`` relative to the bundle folder.
"""

from __future__ import annotations

from dataclasses import dataclass

#: DuckDB integer types -> (pandas nullable dtype, polars dtype), so a column keeps its width.
_INTEGERS: dict[str, tuple[str, str]] = {
    "TINYINT": ("Int8", "pl.Int8"),
    "SMALLINT": ("Int16", "pl.Int16"),
    "INTEGER": ("Int32", "pl.Int32"),
    "BIGINT": ("Int64", "pl.Int64"),
}


@dataclass(frozen=True)
class Column:
    """One exported column: its name, Frictionless type and DuckDB type."""

    name: str
    kind: str
    duckdb_type: str


def _pandas_scalar(col: Column) -> str | None:
    """The pandas dtype of a scalar column (None for times, lists and maps)."""
    if col.kind == "integer":
        return _INTEGERS.get(col.duckdb_type.upper(), ("Int64", ""))[0]
    return {"string": "string", "number": "Float64", "boolean": "boolean"}.get(col.kind)


def _polars(col: Column) -> str:
    """The polars dtype expression of a column, as the Parquet export gives it."""
    if col.kind == "integer":
        return _INTEGERS.get(col.duckdb_type.upper(), ("", "pl.Int64"))[1]
    return {
        "string": "pl.String",
        "number": "pl.Float64",
        "boolean": "pl.Boolean",
        "datetime": 'pl.Datetime("us", "UTC")',
        "date": "pl.Date",
        "array": "pl.List(pl.String)",
        "object": "pl.Map(pl.String, pl.String)",
    }.get(col.kind, "pl.String")


def _names(cols: list[Column], kinds: tuple[str, ...]) -> list[str]:
    return [c.name for c in cols if c.kind in kinds]


def _dict(entries: list[tuple[str, str]], indent: str) -> str:
    """A Python dict literal, one entry a line (values are code, keys are quoted)."""
    if not entries:
        return "{}"
    inner = "".join(f'{indent}    "{k}": {v},\n' for k, v in entries)
    return "{\n" + inner + indent + "}"


def _list(names: list[str]) -> str:
    return "[" + ", ".join(f'"{n}"' for n in names) + "]"


def _json_decoders(cols: list[Column], indent: str) -> list[str]:
    """polars ``.str.json_decode`` expressions for the JSON-text list and map columns."""
    lines = []
    targets = (("array", "pl.List(pl.String)"), ("object", "pl.Map(pl.String, pl.String)"))
    for kind, dtype in targets:
        names = _names(cols, (kind,))
        if names:
            cols_arg = ", ".join(f'"{n}"' for n in names)
            lines.append(f"{indent}pl.col({cols_arg}).str.json_decode({dtype}),")
    return lines


def pandas_snippet(cols: list[Column], fmt: str, path: str, *, bom: bool = False) -> str:
    """Code that reads the data file into a correctly typed pandas DataFrame ``df``."""
    scalars = [(c.name, f'"{d}"') for c in cols if (d := _pandas_scalar(c))]
    times = _names(cols, ("datetime",))
    days = _names(cols, ("date",))
    nested = _names(cols, ("array", "object"))
    if fmt == "parquet":
        # numpy_nullable keeps integer nulls (no float drift); maps as dicts, not tuples.
        return (
            "import pandas as pd\n\n"
            f'df = pd.read_parquet("{path}", dtype_backend="numpy_nullable",\n'
            '                     to_pandas_kwargs={"maps_as_pydicts": "strict"})'
        )
    if fmt == "jsonl":
        typed = [
            *scalars,
            *((n, '"datetime64[us, UTC]"') for n in times),
            *((n, '"datetime64[us]"') for n in days),
        ]
        return (
            "import pandas as pd\n\n"
            f'df = pd.read_json("{path}", lines=True, dtype={_dict(typed, "")})'
        )
    decode = (
        "import json\n\nimport pandas as pd\n\n\n"
        "def from_json(text):\n"
        "    return json.loads(text) if isinstance(text, str) and text else None\n\n\n"
    )
    if fmt == "csv":
        encoding = ', encoding="utf-8-sig"' if bom else ""
        converters = _dict([(n, "from_json") for n in nested], "    ")
        return (
            decode + f'df = pd.read_csv(\n    "{path}"{encoding},\n'
            f"    dtype={_dict(scalars, '    ')},\n"
            f"    parse_dates={_list(times + days)},\n"
            '    date_format="ISO8601",\n'
            f"    converters={converters},\n"
            '    keep_default_na=False,\n    na_values=[""],\n)'
        )
    # xlsx: JSON text is decoded after reading (read_excel's converters choke on lists), and
    # date-time cells come back naive (Excel has no zones): they hold UTC.
    text = [*scalars, *((n, '"object"') for n in nested)]
    return (
        decode + f'df = pd.read_excel(\n    "{path}",\n    sheet_name="articles",\n'
        f"    dtype={_dict(text, '    ')},\n)\n"
        f"for name in {_list(nested)}:\n"
        "    df[name] = df[name].map(from_json)\n"
        f"for name in {_list(times)}:\n"
        '    df[name] = pd.to_datetime(df[name]).dt.tz_localize("UTC")\n'
        f"for name in {_list(days)}:\n"
        "    df[name] = pd.to_datetime(df[name])"
    )


def polars_snippet(cols: list[Column], fmt: str, path: str) -> str:
    """Code that reads the data file into a correctly typed polars DataFrame ``df``."""
    if fmt == "parquet":
        return f'import polars as pl\n\ndf = pl.read_parquet("{path}")'
    schema = [(c.name, _polars(c)) for c in cols]
    if fmt == "jsonl":
        return f'import polars as pl\n\ndf = pl.read_ndjson("{path}", schema={_dict(schema, "")})'
    # csv and xlsx hold lists and maps as JSON text: read it as text, then decode.
    flat = [(n, "pl.String" if t.startswith(("pl.List", "pl.Map")) else t) for n, t in schema]
    decoders = _json_decoders(cols, "    ")
    if fmt == "csv":
        head = f'df = pl.read_csv(\n    "{path}",\n    schema_overrides={_dict(flat, "    ")},\n)'
        fixes = decoders
    else:
        # Excel cells are naive date-times holding UTC, and Excel has no date-only type.
        flat = [
            (n, t if not t.startswith(("pl.Datetime", "pl.Date")) else "pl.Datetime")
            for n, t in flat
        ]
        head = (
            f'df = pl.read_excel(\n    "{path}",\n    sheet_name="articles",\n'
            f'    engine="openpyxl",\n    schema_overrides={_dict(flat, "    ")},\n)'
        )
        fixes = list(decoders)
        times = _names(cols, ("datetime",))
        days = _names(cols, ("date",))
        if times:
            fixes.append(
                "    pl.col(" + ", ".join(f'"{n}"' for n in times) + ")"
                '.dt.replace_time_zone("UTC"),'
            )
        if days:
            fixes.append("    pl.col(" + ", ".join(f'"{n}"' for n in days) + ").cast(pl.Date),")
    if fixes:
        head += ".with_columns(\n" + "\n".join(fixes) + "\n)"
    return "import polars as pl\n\n" + head


def snippets(cols: list[Column], fmt: str, path: str, *, bom: bool = False) -> dict[str, str]:
    """``{"pandas": code, "polars": code}`` for one bundle."""
    return {
        "pandas": pandas_snippet(cols, fmt, path, bom=bom),
        "polars": polars_snippet(cols, fmt, path),
    }
