"""DuckDB extensions from pinned PyPI wheels, loaded by path: nothing is downloaded at run time.

Each ``duckdb-extension-<name>`` wheel (pinned to the same version as ``duckdb`` in
pyproject.toml) holds one binary at
``duckdb_extension_<name>/extensions/v<duckdb version>/<name>.duckdb_extension``.
`connect` opens DuckDB with autoinstall and autoload of known extensions off, so a
query that needs a missing extension fails instead of fetching it from DuckDB's
server (which locked-down machines and CI cannot reach), and then loads the
requested extensions from those files with ``LOAD '<path>'``.

Every DuckDB connection the project opens goes through here. For the DuckDB shell,
``python -m newsdesk.duckdb_ext fts`` prints the same settings and ``LOAD``
statements, ready for ``duckdb -cmd``.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import uuid
from collections.abc import Iterable, Sequence
from pathlib import Path

import duckdb

#: The extensions shipped as ``duckdb-extension-*`` dependencies of the project.
EXTENSIONS: tuple[str, ...] = ("fts", "excel", "ducklake", "httpfs", "postgres", "sqlite")

#: Connection settings that keep DuckDB from downloading (autoinstall) or implicitly
#: loading (autoload) an extension: only what `load` loads by path is available.
OFFLINE_CONFIG: dict[str, str] = {
    "autoinstall_known_extensions": "false",
    "autoload_known_extensions": "false",
}

#: DuckDB derives an extension's init symbol from the file name it is loaded from;
#: these wheels name the file after the short name, while the binary's symbol uses
#: the extension's real name (the postgres wheel holds ``postgres_scanner``, the sqlite
#: wheel ``sqlite_scanner``).
_ENTRYPOINT_NAMES: dict[str, str] = {"postgres": "postgres_scanner", "sqlite": "sqlite_scanner"}


class ExtensionMissing(RuntimeError):
    """A DuckDB extension's package (or its binary for this DuckDB version) is not installed."""


def package_name(name: str) -> str:
    """The importable package of an extension's wheel (``fts`` -> ``duckdb_extension_fts``)."""
    return f"duckdb_extension_{name}"


def extension_path(name: str) -> Path:
    """The packaged binary of extension ``name`` for the running DuckDB version.

    Raises `ExtensionMissing` (one line, naming the pip package) when the package is
    not installed or carries no binary for this DuckDB version.
    """
    version = duckdb.__version__
    requirement = f"duckdb-extension-{name}=={version}"
    spec = importlib.util.find_spec(package_name(name))
    if spec is None or not spec.submodule_search_locations:
        raise ExtensionMissing(
            f"DuckDB extension {name!r} is not installed: add {requirement} (then `make setup`)"
        )
    package_dir = Path(next(iter(spec.submodule_search_locations)))
    path = package_dir / "extensions" / f"v{version}" / f"{name}.duckdb_extension"
    if not path.is_file():
        raise ExtensionMissing(
            f"DuckDB extension {name!r} has no binary for DuckDB {version} at {path}: "
            f"install {requirement} (then `make setup`)"
        )
    return path


def _link_dir() -> Path:
    """A private per-user folder for renamed links to packaged binaries (see `loadable_path`)."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    # Private (0700): a binary found through here is executed, so nobody else may plant one.
    directory = cache / "newsdesk" / "duckdb-extensions" / f"v{duckdb.__version__}"
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    return directory


def loadable_path(name: str) -> Path:
    """The path to give ``LOAD`` for extension ``name``.

    Usually the packaged file itself. When the binary's init symbol is named after
    another name than the file (`_ENTRYPOINT_NAMES`), a symbolic link under that name
    in a private cache folder; it is replaced atomically, so concurrent processes and
    a moved virtual environment are both safe.
    """
    target = extension_path(name)
    entry = _ENTRYPOINT_NAMES.get(name, name)
    if entry == name:
        return target
    link = _link_dir() / f"{entry}.duckdb_extension"
    if link.is_symlink() and Path(os.readlink(link)) == target:
        return link
    # A unique staging name: concurrent processes and threads each replace the link whole.
    staging = link.with_name(f".{entry}.{uuid.uuid4().hex}.tmp")
    staging.symlink_to(target)
    os.replace(staging, link)
    return link


def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def load_statements(names: Iterable[str]) -> list[str]:
    """The SQL that turns autoinstall/autoload off and loads ``names`` by path."""
    statements = [f"SET {key} = {value}" for key, value in OFFLINE_CONFIG.items()]
    statements += [f"LOAD {_quote(loadable_path(name))}" for name in names]
    return statements


def load(con: duckdb.DuckDBPyConnection, names: Iterable[str]) -> None:
    """Load each extension in ``names`` into ``con`` from its packaged binary."""
    for name in names:
        con.execute(f"LOAD {_quote(loadable_path(name))}")


def connect(
    path: str | os.PathLike[str] = ":memory:",
    *,
    read_only: bool = False,
    extensions: Sequence[str] = (),
) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection that never downloads an extension, with ``extensions`` loaded.

    The packages are checked before the database is opened, so a missing one gives
    its one-line `ExtensionMissing` without touching the file.
    """
    paths = [loadable_path(name) for name in extensions]
    con = duckdb.connect(str(path), read_only=read_only, config=dict(OFFLINE_CONFIG))
    try:
        for file in paths:
            con.execute(f"LOAD {_quote(file)}")
    except BaseException:
        con.close()
        raise
    return con


def main(argv: Sequence[str] | None = None) -> int:
    """Print the SQL that loads extensions by path, for the DuckDB shell's ``-cmd``."""
    parser = argparse.ArgumentParser(
        prog="python -m newsdesk.duckdb_ext",
        description="Print SQL that turns extension downloads off and loads packaged "
        "extensions by path, for the DuckDB shell: "
        'duckdb -readonly DB -cmd "$(python -m newsdesk.duckdb_ext fts)"',
    )
    parser.add_argument(
        "names", nargs="*", metavar="NAME", help=f"one of {', '.join(EXTENSIONS)} (default: fts)"
    )
    args = parser.parse_args(argv)
    unknown = [name for name in args.names if name not in EXTENSIONS]
    if unknown:
        parser.error(f"unknown extension {unknown[0]!r}: choose from {', '.join(EXTENSIONS)}")
    names = args.names or ["fts"]
    try:
        print("; ".join(load_statements(names)) + ";")
    except ExtensionMissing as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
