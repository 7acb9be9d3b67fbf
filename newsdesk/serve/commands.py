"""``newsdesk serve``: the browsable view, registered like the analyst commands.

`register` adds the subcommand to ``newsdesk``'s parser and its function to
``newsdesk.cli.COMMANDS``, so wiring it is one call in ``newsdesk.cli.build_parser``.
"""

from __future__ import annotations

import argparse
import socket
import sys
from collections.abc import Callable
from typing import Any

from newsdesk import cli as _cli
from newsdesk.analyst.database import AnalystError
from newsdesk.warehouse import Warehouse

HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def register(subparsers: Any) -> None:
    """Add ``serve`` to the subparsers ``newsdesk.cli.build_parser`` made."""
    serve = subparsers.add_parser(
        "serve",
        help="browse and search the articles in a local web page (read-only)",
        description="Serve a web page on 127.0.0.1 to browse the articles of "
        "<warehouse>/newsdesk.duckdb: facets (section, tag, author, source, edition) with "
        "counts, a date range, full-text search, article pages with a link to the original, "
        "and CSV or JSON downloads of every view. Read-only: the page sends filter values, "
        "never SQL. A rebuilt database (`newsdesk build`) is picked up without a restart.",
        epilog="example: newsdesk serve --port 8000, then open http://127.0.0.1:8000/",
    )
    serve.add_argument(
        "--port",
        type=_cli._port,
        default=DEFAULT_PORT,
        help=f"port on 127.0.0.1 (default {DEFAULT_PORT}; 0 = any free port, printed)",
    )
    _cli._add_warehouse(serve)
    _cli.COMMANDS.update(COMMANDS)


def _bind(port: int) -> socket.socket:
    """A listening socket on 127.0.0.1, or a one-line `CliError` (port taken, not allowed)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # Like uvicorn's own binding: a port left in TIME_WAIT by a stopped server can be
    # reused at once, while a port another server listens on still fails.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((HOST, port))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        reason = exc.strerror or str(exc)
        raise _cli.CliError(
            f"cannot serve on {HOST}:{port}: {reason} (choose another with --port N)"
        ) from exc
    return sock


def cmd_serve(args: argparse.Namespace) -> int:
    """``newsdesk serve``: run until Ctrl-C (exit 130)."""
    import uvicorn

    from newsdesk.serve.app import create_app

    warehouse = Warehouse.at(args.warehouse)
    app = create_app(warehouse)
    sock = _bind(args.port)
    try:
        app.state.database.check()  # no database: say so now, not on the first page load
    except AnalystError as exc:
        sock.close()
        raise _cli.CliError(str(exc)) from exc
    port = sock.getsockname()[1]
    print(
        f"newsdesk serve: http://{HOST}:{port}/ (read-only view of {warehouse.duckdb_path}); "
        "Ctrl-C to stop",
        flush=True,  # a script or test reads the chosen port from this line
    )
    config = uvicorn.Config(
        app,
        log_level="warning",  # errors only: no banner or access log on the analyst's terminal
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=5,  # a long download does not hold Ctrl-C up
    )
    try:
        # uvicorn catches SIGINT, shuts down cleanly and then raises it again.
        uvicorn.Server(config).run(sockets=[sock])
    except KeyboardInterrupt:
        return 130
    finally:
        sock.close()
    sys.stdout.flush()
    return 0


#: Command name -> function, for ``newsdesk.cli.main``'s dispatch.
COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {"serve": cmd_serve}
