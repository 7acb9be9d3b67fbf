"""``newsdesk lake ...`` and the lake side of the other commands.

``--warehouse`` (or ``NEWSDESK_WAREHOUSE``) naming a ``.toml`` file means a lake
(`newsdesk.lake`); anything else is a local folder, exactly as before. Commands
that cannot use a lake yet refuse it with one line instead of treating the toml
as a folder.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from newsdesk.lake import LakeConfig, LakeError, is_lake_path, load_config
from newsdesk.warehouse import WAREHOUSE_ENV

#: Commands that work against a lake in this version.
LAKE_COMMANDS = frozenset({"build", "query", "sql", "search", "export", "report", "lake", "crawl"})


def warehouse_value(value: str | None) -> str | None:
    """What ``--warehouse`` resolves to: the option, else ``$NEWSDESK_WAREHOUSE``."""
    return value if value is not None else (os.environ.get(WAREHOUSE_ENV) or None)


def lake_config_for(value: str | None) -> LakeConfig | None:
    """The lake a ``--warehouse`` value names, or ``None`` for a local folder.

    Raises `LakeError` (one line) for a toml that cannot be read or is malformed.
    """
    resolved = warehouse_value(value)
    if not is_lake_path(resolved):
        return None
    return load_config(str(resolved))


def refuse_unsupported_lake(args: argparse.Namespace) -> None:
    """A one-line error when a lake is given to a command that cannot use one yet."""
    from newsdesk.cli import CliError

    if not hasattr(args, "warehouse") or args.command in LAKE_COMMANDS:
        return
    if is_lake_path(warehouse_value(args.warehouse)):
        if args.command == "reparse":
            # The archive is in the object store and the articles in the lake: reparsing
            # in place would need both streamed back; a local copy does the same job.
            raise CliError(
                "`newsdesk reparse` does not work on a lake: copy the lake's <data>/raw/ "
                "into DIR/raw/, run `newsdesk reparse --warehouse DIR`, then "
                "`newsdesk lake import --warehouse LAKE.toml --from DIR`"
            )
        raise CliError(
            f"`newsdesk {args.command}` does not work on a lake yet: run it on a local "
            "warehouse folder, then `newsdesk lake import --warehouse LAKE.toml --from DIR`"
        )


def register(subparsers: Any) -> None:
    """Add ``newsdesk lake import|maintain|snapshots``."""
    from newsdesk import cli

    lake = subparsers.add_parser(
        "lake",
        help="the shared lake (DuckLake: a Postgres catalog and S3 data files)",
        description="Work with a lake described by a .toml file (see README, 'The shared lake').",
    )
    actions = lake.add_subparsers(dest="lake_command", metavar="ACTION", parser_class=cli._Parser)
    actions.required = True

    imp = actions.add_parser(
        "import",
        help="copy a local warehouse and its raw archive into the lake",
        description="Copy a local warehouse's articles, crawl log, revisions, crawl runs and "
        "crawl state into the lake in one transaction (a rerun neither duplicates nor loses "
        "a row; counts are checked before the commit), then upload its raw WARC archive to "
        "<data>/raw/ (files already there with the same size are skipped).",
        epilog="example: newsdesk lake import --warehouse lake.toml --from warehouse/",
    )
    imp.add_argument("--from", dest="source", metavar="DIR", required=True, help="local warehouse")
    imp.add_argument("--no-raw", action="store_true", help="do not upload the raw archive")
    _add_lake(imp)

    maintain = actions.add_parser(
        "maintain",
        help="merge small files, expire old snapshots, delete files no longer used",
        description="Flush inlined rows to Parquet, merge adjacent small files, expire "
        "snapshots older than the lake's snapshot_retention (default 30 days), and delete "
        "the files only expired snapshots used.",
    )
    _add_lake(maintain)

    snaps = actions.add_parser(
        "snapshots",
        help="list the lake's snapshots (ids and times for query --as-of)",
        description="List the lake's snapshots: id, time (UTC), what changed, commit message.",
    )
    _add_lake(snaps)

    cli.COMMANDS["lake"] = cmd_lake


def _add_lake(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--warehouse",
        metavar="LAKE.toml",
        default=None,
        help="the lake's .toml file (default: $NEWSDESK_WAREHOUSE)",
    )


def _config(args: argparse.Namespace) -> LakeConfig:
    from newsdesk.cli import CliError, CliUsageError

    try:
        config = lake_config_for(args.warehouse)
    except LakeError as exc:
        raise CliError(str(exc)) from exc
    if config is None:
        raise CliUsageError(
            "--warehouse must name a lake's .toml file (or set NEWSDESK_WAREHOUSE to one)"
        )
    return config


def cmd_lake(args: argparse.Namespace) -> int:
    """``newsdesk lake import|maintain|snapshots``."""
    from newsdesk.cli import CliError

    config = _config(args)
    try:
        if args.lake_command == "import":
            from newsdesk.lake_import import import_warehouse
            from newsdesk.warehouse import Warehouse

            def retrying(attempt: int, exc: BaseException) -> None:
                print(f"commit conflict, retrying ({attempt}): {exc}", file=sys.stderr)

            result = import_warehouse(
                config, Warehouse.at(args.source), upload_raw=not args.no_raw, on_retry=retrying
            )
            print(result.render())
        elif args.lake_command == "maintain":
            from newsdesk.lake import maintain

            print(maintain(config).render())
        else:
            from newsdesk.lake import list_snapshots

            for line in list_snapshots(config):
                print(line)
    except LakeError as exc:
        raise CliError(str(exc)) from exc
    return 0
