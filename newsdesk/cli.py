"""The `newsdesk` command.

Every subcommand has ``--help``; every one that reads or writes data takes
``--warehouse DIR`` (default: ``NEWSDESK_WAREHOUSE`` or ``warehouse/``). Errors
are one readable line on stderr and a non-zero exit, never a traceback.

Exit statuses: 0 done; 1 failed (`EXIT_FAILED`); 2 usage error, a bad option
or filter value (`EXIT_USAGE`); 130 interrupted by Ctrl-C (`EXIT_INTERRUPTED`);
141 the reader of stdout went away, as in ``newsdesk query ... | head``
(`EXIT_BROKEN_PIPE`, what a shell reports for a tool killed by SIGPIPE).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Callable, Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

if TYPE_CHECKING:
    from newsdesk.build import BuildResult

EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141


class CliError(Exception):
    """An error to report as one line and exit non-zero (1)."""


class CliUsageError(CliError):
    """A bad option or filter value: one line, exit 2 like argparse's own usage errors."""


def package_version() -> str:
    """The installed ``newsdesk`` distribution's version (``unknown`` when not installed)."""
    try:
        return version("newsdesk")
    except PackageNotFoundError:
        return "unknown"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"{self.prog}: error: {message} (see --help)\n")
        raise SystemExit(EXIT_USAGE)


def _positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1 (the crawl options' rule)."""
    from newsdesk.crawloptions import positive_int

    return positive_int(text)


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"port must be 0-65535, got {value}")
    return value


def _add_warehouse(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--warehouse",
        metavar="DIR",
        default=None,
        help="warehouse root, or a lake's .toml file (default: $NEWSDESK_WAREHOUSE or ./warehouse)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="newsdesk",
        description="Crawl Al Mayadeen English into a Parquet dataset and DuckDB tables.",
    )
    parser.add_argument("--version", action="version", version=f"newsdesk {package_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    demo = sub.add_parser(
        "demo",
        help="serve every edition's offline replica, crawl them, build DuckDB, print a result",
        description="Generate and serve one offline replica per edition on loopback, crawl them "
        "all at once (each edition in its own process, fast profile) into the warehouse, build "
        "DuckDB, and print each edition's crawl summary and its rows.",
    )
    demo.add_argument(
        "--articles", type=_positive_int, default=120, help="replica size, per edition"
    )
    demo.add_argument("--seed", type=int, default=7, help="replica seed")
    _add_warehouse(demo)

    crawl = sub.add_parser(
        "crawl",
        help="crawl the site (live by default) into the warehouse",
        description="Crawl an Al Mayadeen edition section by section. The live site is the default "
        "target (polite profile: robots.txt, >= 1 s between requests, AutoThrottle); a loopback "
        "base URL (the offline replica) gets the fast profile automatically.",
    )
    from newsdesk import crawloptions, editions

    # The options are declared once (newsdesk/crawloptions.py); this surface adds
    # `--edition all` and CODE=URL pairs for it.
    crawloptions.add_arguments(
        crawl,
        "cli",
        extra_choices={"edition": ("all",)},
        help_overrides={
            "edition": "which edition's site (default en); all: every edition at once, each "
            "in its own process",
            "base_url": "site to crawl (default: $NEWSDESK_BASE_URL or the edition's live "
            "site); with --edition all, CODE=URL pairs such as en=URL,ar=URL (editions not "
            "named: live site)",
        },
    )
    crawl.add_argument("--no-progress", action="store_true", help="do not show the progress line")

    build = sub.add_parser(
        "build",
        help="build the DuckDB tables from the Parquet datasets",
        description="Build <warehouse>/newsdesk.duckdb from the Parquet datasets (a new file, "
        "swapped in atomically: open read-only connections are never blocked). On a lake "
        "(--warehouse LAKE.toml) the same tables are built in the lake, in one transaction.",
    )
    _add_warehouse(build)
    build.add_argument(
        "--no-sql-search",
        dest="sql_search",
        action="store_false",
        help="skip DuckDB's full-text index and the SQL search macros (search_articles, "
        "search_scores; used by --search filters and `newsdesk serve`): most of a large "
        "build's time. `newsdesk search` works either way (its tantivy index is updated "
        "incrementally by every build)",
    )

    reparse = sub.add_parser(
        "reparse",
        help="rebuild the articles dataset from the raw WARC archive, offline",
        description="Re-extract every archived article response with the current code. Without "
        "--since/--until the dataset is rebuilt aside and swapped in; with them, responses "
        "fetched in that window are re-parsed and merged.",
    )
    reparse.add_argument("--since", metavar="DATE", default=None, help="fetched from this date")
    reparse.add_argument("--until", metavar="DATE", default=None, help="fetched before this date")
    _add_warehouse(reparse)

    migrate = sub.add_parser(
        "migrate",
        help="move a warehouse written before editions to the current layout",
        description="Move articles/year=/month= part files to articles/edition=en/year=/month= "
        "and add the columns introduced since (null), in one atomic commit. Crawl, reparse and "
        "build do this on first use; running it again does nothing.",
    )
    _add_warehouse(migrate)

    from newsdesk.analyst.commands import register as register_analyst_commands

    register_analyst_commands(sub)

    from newsdesk.serve.commands import register as register_serve_command

    register_serve_command(sub)

    from newsdesk.lake_commands import register as register_lake_commands

    register_lake_commands(sub)

    mirror = sub.add_parser("mirror", help="the offline replica of the site")
    mirror_sub = mirror.add_subparsers(
        dest="mirror_command", metavar="ACTION", parser_class=_Parser
    )
    mirror_sub.required = True
    serve = mirror_sub.add_parser(
        "serve",
        help="serve the replica on loopback until Ctrl-C",
        description="Generate the deterministic offline replica and serve it on 127.0.0.1.",
    )
    serve.add_argument("--port", type=_port, default=8765, help="port (default 8765; 0 = any)")
    serve.add_argument("--articles", type=_positive_int, default=240, help="number of articles")
    serve.add_argument("--seed", type=int, default=7, help="generator seed")
    serve.add_argument(
        "--revision", type=int, choices=[1, 2], default=1, help="site revision (2 = later visit)"
    )
    serve.add_argument(
        "--edition",
        default="en",
        choices=[e.code for e in editions.all_editions()],
        help="which edition's replica (one edition per port; default en)",
    )
    return parser


def _crawl_all_editions(args: argparse.Namespace) -> int:
    """``newsdesk crawl --edition all``: every edition in its own process, in parallel."""
    from newsdesk import editions
    from newsdesk.crawl import (
        CrawlError,
        CrawlOptions,
        CrawlUsageError,
        editions_exit_status,
        parse_base_urls,
        run_editions_in_parallel,
    )

    codes = [e.code for e in editions.all_editions()]
    if args.sections:
        raise CliUsageError(
            "--sections cannot be combined with --edition all (each edition has its own "
            "sections); crawl one edition at a time to choose sections"
        )
    try:
        base_urls = parse_base_urls(args.base_url, codes)
    except ValueError as exc:
        raise CliUsageError(str(exc)) from exc
    options = []
    for code in codes:
        opts = CrawlOptions.from_args(args, progress=False)
        opts.edition = code
        # Editions not named go to their own live site (never $NEWSDESK_BASE_URL: one
        # address cannot serve every edition).
        opts.base_url = base_urls.get(code) or editions.get(code).live_base_url
        options.append(opts)
    try:
        outcomes = run_editions_in_parallel(options)
    except CrawlUsageError as exc:
        raise CliUsageError(str(exc)) from exc
    except CrawlError as exc:
        raise CliError(str(exc)) from exc
    for outcome in outcomes:
        print(outcome.render())
    status = editions_exit_status(outcomes)
    if status == EXIT_INTERRUPTED:
        sys.stderr.write("newsdesk: crawl interrupted; run the same command to resume\n")
    elif status:
        failed = [o.edition for o in outcomes if o.failed]
        sys.stderr.write(f"newsdesk: error: the crawl of {', '.join(failed)} failed\n")
    return status


def cmd_crawl(args: argparse.Namespace) -> int:
    from newsdesk.crawl import CrawlError, CrawlOptions, CrawlUsageError, run_crawl

    if args.edition == "all":
        return _crawl_all_editions(args)
    options = CrawlOptions.from_args(args, progress=not args.no_progress)
    if options.base_url and re.match(r"^[A-Za-z][\w-]*=", options.base_url):
        # CODE=URL names the edition: accepted for the edition being crawled only.
        code, _, url = options.base_url.partition("=")
        if code != options.edition:
            raise CliUsageError(
                f"--base-url names edition {code!r} but --edition is {options.edition!r}"
            )
        options.base_url = url
    try:
        summary = run_crawl(options)
    except CrawlUsageError as exc:
        raise CliUsageError(str(exc)) from exc
    except CrawlError as exc:
        raise CliError(str(exc)) from exc
    print(summary.render())
    # Scrapy catches SIGINT itself (first Ctrl-C: a graceful stop that keeps
    # what was written) and returns normally, so KeyboardInterrupt never
    # reaches main(); its finish reason is what tells an interrupted crawl.
    if summary.finish_reason == "shutdown":
        sys.stderr.write("newsdesk: crawl interrupted; run the same command to resume\n")
        return EXIT_INTERRUPTED
    return EXIT_FAILED if summary.blocked else 0


def _os_error(exc: OSError, doing: str, hint: str) -> CliError:
    """One line for an OSError: what failed, on which file, why, and what to do."""
    name = exc.filename if exc.filename is not None else "the warehouse"
    reason = exc.strerror or str(exc) or type(exc).__name__
    return CliError(f"{doing} failed on {name}: {reason}; {hint}")


_DISK_HINT = "check that the warehouse is writable and the disk has space, then run it again"


def cmd_build(args: argparse.Namespace) -> int:
    from newsdesk.build import BuildError, build_database, build_lake
    from newsdesk.lake import LakeError
    from newsdesk.lake_commands import lake_config_for
    from newsdesk.warehouse import Warehouse

    try:
        lake = lake_config_for(args.warehouse)
    except LakeError as exc:
        raise CliError(str(exc)) from exc
    if lake is not None:
        try:
            result = build_lake(lake)
        except BuildError as exc:
            raise CliError(str(exc)) from exc
        counts = ", ".join(f"{name} {rows}" for name, rows in sorted(result.tables.items()))
        print(f"built {lake.describe()} in {result.duration_s:.1f} s: {counts}")
        return 0
    try:
        result = build_database(Warehouse.at(args.warehouse), sql_search=args.sql_search)
    except BuildError as exc:
        raise CliError(str(exc)) from exc
    except OSError as exc:
        # The previous database stays in place: the build swaps in only a complete file.
        raise _os_error(exc, "build", _DISK_HINT) from exc
    counts = ", ".join(f"{name} {rows}" for name, rows in sorted(result.tables.items()))
    print(f"built {result.path} in {result.duration_s:.1f} s: {counts}")
    for sync in result.search:
        how = f"rebuilt ({sync.reason})" if sync.rebuilt else "updated"
        print(
            f"  search {sync.edition}: {how}, {sync.upserted} indexed, {sync.deleted} removed, "
            f"{sync.articles} articles, {sync.duration_s:.2f} s"
        )
    _report_build_to_dagster(result)
    return 0


def _report_build_to_dagster(result: BuildResult) -> None:
    """Show the build in the Dagster UI as materializations of the duckdb/* assets.

    Only when the built warehouse is the one Dagster reads and an instance exists
    (``$DAGSTER_HOME`` or ``make ui``'s ``.dagster_home/``): see
    dagster_project/cli_builds.py. The tables are built either way, so a failure
    to record them is a warning, not a failed build.
    """
    project_home = Path(__file__).resolve().parent.parent / ".dagster_home" / "dagster.yaml"
    if not os.environ.get("DAGSTER_HOME") and not project_home.is_file():
        return  # no instance to record in; skip importing Dagster (seconds) for nothing
    try:
        from dagster_project.cli_builds import report_cli_build

        line = report_cli_build(result)
    except Exception as exc:  # any instance/storage error: the build itself succeeded
        print(f"warning: could not record the build in Dagster: {exc}", file=sys.stderr)
        return
    if line:
        print(line, file=sys.stderr)


def cmd_reparse(args: argparse.Namespace) -> int:
    from newsdesk.crawlconfig import parse_since
    from newsdesk.reparse import ReparseError, reparse
    from newsdesk.store import WarehouseBusy
    from newsdesk.warehouse import Warehouse

    try:
        since = parse_since(args.since) if args.since else None
        until = parse_since(args.until) if args.until else None
    except ValueError as exc:
        raise CliUsageError(str(exc).replace("--since", "--since/--until")) from exc
    warehouse = Warehouse.at(args.warehouse)
    if not warehouse.raw.exists():
        raise CliError(f"no raw archive under {warehouse.raw}; crawl first")
    try:
        result = reparse(warehouse, since=since, until=until)
    except (WarehouseBusy, ReparseError) as exc:
        raise CliError(str(exc)) from exc
    except OSError as exc:
        # The dataset is swapped in only when complete: the stored one is unchanged.
        raise _os_error(exc, "reparse", _DISK_HINT) from exc
    for removed in result.removed:
        print(f"removed (no longer an article: {removed.reason}): {removed.url}")
    failures = ", ".join(f"{k}: {v}" for k, v in sorted(result.failures.items())) or "none"
    print(
        f"reparsed {result.responses} archived responses: {result.articles} articles, "
        f"{result.changed} written, {result.kept} kept as stored, "
        f"{len(result.removed)} removed; failures: {failures}"
    )
    for line in result.damaged:
        sys.stderr.write(f"newsdesk: error: {line}\n")
    return 0 if result.complete else EXIT_FAILED


def cmd_migrate(args: argparse.Namespace) -> int:
    from newsdesk.migrate import migrate
    from newsdesk.store import DamagedPartFile, StorageError, WarehouseBusy
    from newsdesk.warehouse import Warehouse

    warehouse = Warehouse.at(args.warehouse)
    if not warehouse.root.exists():
        raise CliError(f"no warehouse at {warehouse.root}")
    try:
        result = migrate(warehouse)
    except (WarehouseBusy, StorageError, DamagedPartFile) as exc:
        raise CliError(str(exc)) from exc
    except OSError as exc:
        raise _os_error(exc, "migrate", _DISK_HINT) from exc
    print(result.render())
    return 0


def cmd_mirror_serve(args: argparse.Namespace) -> int:
    from newsdesk.replica.server import serve_forever

    try:
        serve_forever(
            "127.0.0.1",
            args.port,
            seed=args.seed,
            n_articles=args.articles,
            revision=args.revision,
            edition=args.edition,
        )
    except OSError as exc:
        raise CliError(f"cannot serve on 127.0.0.1:{args.port}: {exc.strerror or exc}") from exc
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from newsdesk.demo import run_demo

    return run_demo(warehouse=args.warehouse, n_articles=args.articles, seed=args.seed)


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "build": cmd_build,
    "crawl": cmd_crawl,
    "demo": cmd_demo,
    "mirror": cmd_mirror_serve,
    "reparse": cmd_reparse,
    "migrate": cmd_migrate,
}


def _caused_by_ctrl_c(exc: BaseException | None) -> bool:
    """True when ``exc`` comes from a KeyboardInterrupt (DuckDB turns one into RuntimeError)."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, KeyboardInterrupt):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


def _run(argv: Sequence[str] | None) -> int:
    from newsdesk.warehouse import WarehouseIsLake

    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        from newsdesk.lake_commands import refuse_unsupported_lake

        refuse_unsupported_lake(args)
        return COMMANDS[args.command](args)
    except CliUsageError as exc:
        sys.stderr.write(f"newsdesk: error: {exc}\n")
        return EXIT_USAGE
    except CliError as exc:
        if _caused_by_ctrl_c(exc):
            raise
        sys.stderr.write(f"newsdesk: error: {exc}\n")
        return EXIT_FAILED
    except WarehouseIsLake as exc:
        sys.stderr.write(f"newsdesk: error: {exc}\n")
        return EXIT_FAILED


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `newsdesk` console script; returns the exit status."""
    try:
        code = _run(argv)
        # Flush here, inside the try: a pipe closed early would otherwise
        # raise at interpreter exit, as an "Exception ignored" message.
        sys.stdout.flush()
    except BrokenPipeError:
        # The Python docs' recipe (library/signal.html, "Note on SIGPIPE"):
        # point stdout at devnull so the final flush cannot fail again, and
        # exit quietly with the status a SIGPIPE-killed tool gives.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except KeyboardInterrupt:
        sys.stderr.write("newsdesk: interrupted\n")
        return EXIT_INTERRUPTED
    except Exception as exc:
        # Ctrl-C inside a DuckDB query arrives as RuntimeError("Query
        # interrupted") caused by the KeyboardInterrupt: still a Ctrl-C.
        if not _caused_by_ctrl_c(exc):
            raise
        sys.stderr.write("newsdesk: interrupted\n")
        return EXIT_INTERRUPTED
    return code


if __name__ == "__main__":
    raise SystemExit(main())
