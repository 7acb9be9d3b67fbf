"""``python -m newsdesk.replica``: serve the replica in the foreground until Ctrl-C."""

from __future__ import annotations

import argparse

from newsdesk.replica.server import serve_forever


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and serve."""
    parser = argparse.ArgumentParser(prog="python -m newsdesk.replica", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="a loopback address")
    parser.add_argument("--port", type=int, default=8123, help="0 picks a free port")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--articles", type=int, default=240, dest="n_articles")
    parser.add_argument("--revision", type=int, default=1)
    parser.add_argument("--slow-seconds", type=float, default=1.0)
    parser.add_argument("--forbidden", action="store_true", help="answer 403 to everything")
    args = parser.parse_args(argv)
    serve_forever(
        args.host,
        args.port,
        seed=args.seed,
        n_articles=args.n_articles,
        revision=args.revision,
        slow_seconds=args.slow_seconds,
        forbidden=args.forbidden,
    )


if __name__ == "__main__":
    main()
