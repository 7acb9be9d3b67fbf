"""``make lake-demo``: real PostgreSQL + SeaweedFS on loopback, the replica crawled into a lake.

The crawl cannot write to a lake directly yet: each edition (en, ar) is crawled
into its own local warehouse, then both are moved in with ``newsdesk lake import``
at the same time (two writers, one lake), the tables are built in the lake, and
an analyst-style query reads them. Everything runs under a temporary folder
(``--keep`` keeps it) with the servers stopped at the end; each step is timed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from newsdesk.crawl import CrawlOptions, run_editions_in_parallel
from newsdesk.replica.server import ReplicaServer
from tests.servers import run_postgres, run_seaweedfs

NEWSDESK = os.path.join(os.path.dirname(sys.executable), "newsdesk")


def _run(argv: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    print("$", " ".join(argv[1:]) if argv[0] == NEWSDESK else " ".join(argv), flush=True)
    return subprocess.Popen(
        argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def _finish(process: subprocess.Popen[str], started: float) -> None:
    out, _ = process.communicate()
    print(out.rstrip())
    print(f"  ({time.monotonic() - started:.1f} s, exit {process.returncode})", flush=True)
    if process.returncode:
        raise SystemExit(process.returncode)


def main(argv: list[str] | None = None) -> int:
    """Start the servers, crawl en and ar locally, import both into the lake at once, query."""
    parser = argparse.ArgumentParser(prog="python -m tests.lake_demo", description=__doc__)
    parser.add_argument("--articles", type=int, default=60, help="replica size per edition")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)
    base = Path(tempfile.mkdtemp(prefix="newsdesk-lake-demo-"))
    (base / "pg").mkdir()
    (base / "s3").mkdir()
    t0 = time.monotonic()
    with (
        run_postgres(base / "pg", traverse_up_to=base.parent) as pg,
        run_seaweedfs(base / "s3") as s3,
    ):
        print(f"PostgreSQL on {pg.host}:{pg.port}, SeaweedFS S3 on {s3.endpoint_url}")
        toml = base / "lake.toml"
        toml.write_text(f'[lake]\ncatalog = "{pg.url}"\ndata = "s3://{s3.bucket}/lake/"\n')
        env = dict(
            os.environ,
            AWS_ENDPOINT_URL=s3.endpoint_url,
            AWS_ACCESS_KEY_ID=s3.access_key,
            AWS_SECRET_ACCESS_KEY=s3.secret_key,
            AWS_REGION=s3.region,
        )
        started = time.monotonic()
        servers = {
            code: ReplicaServer(seed=7, n_articles=args.articles, edition=code).__enter__()
            for code in ("en", "ar")
        }
        try:
            options = [
                CrawlOptions(
                    base_url=server.base_url,
                    warehouse=str(base / f"wh-{code}"),
                    edition=code,
                    discovery="both",
                    log_level="ERROR",
                )
                for code, server in servers.items()
            ]
            for outcome in run_editions_in_parallel(options):
                print(outcome.render())
        finally:
            for server in servers.values():
                server.__exit__(None, None, None)
        print(f"  (crawled locally in {time.monotonic() - started:.1f} s)")

        started = time.monotonic()
        imports = [
            _run(
                [
                    NEWSDESK,
                    "lake",
                    "import",
                    "--warehouse",
                    str(toml),
                    "--from",
                    str(base / f"wh-{code}"),
                ],
                env,
            )
            for code in ("en", "ar")
        ]
        for process in imports:
            _finish(process, started)
        for step in (
            ["build"],
            [
                "query",
                "SELECT edition, count(*) AS articles, count(DISTINCT section) AS sections "
                "FROM articles GROUP BY 1 ORDER BY 1",
            ],
            ["lake", "snapshots"],
        ):
            started = time.monotonic()
            _finish(_run([NEWSDESK, *step, "--warehouse", str(toml)], env), started)
    print(f"lake demo finished in {time.monotonic() - t0:.1f} s; folder {base}")
    if not args.keep:
        import shutil

        shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
