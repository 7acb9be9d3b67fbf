"""``make lake-demo``: real PostgreSQL + SeaweedFS on loopback, the replica crawled into a lake.

Each edition (en, ar) is crawled straight into the lake by its own
``newsdesk crawl --warehouse lake.toml`` process, both at the same time (two
writers, one lake: each crawls into its working folder and commits its edition in
one transaction at the end), then a second pair of crawls shows the incremental
rerun (nothing new fetched), the tables are built in the lake, and an
analyst-style query reads them. Everything runs under a temporary folder
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
    """Start the servers, crawl en and ar into the lake at once (twice), build, query."""
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
        # The lake's working folders (one per edition) live next to the toml.
        toml.write_text(toml.read_text() + 'work = "work/"\n')
        servers = {
            code: ReplicaServer(seed=7, n_articles=args.articles, edition=code).__enter__()
            for code in ("en", "ar")
        }
        try:
            for label in ("crawl", "incremental rerun"):
                print(f"-- {label}: en and ar into the lake at once", flush=True)
                started = time.monotonic()
                crawls = [
                    _run(
                        [
                            NEWSDESK,
                            "crawl",
                            "--edition",
                            code,
                            "--warehouse",
                            str(toml),
                            "--base-url",
                            server.base_url,
                            "--no-progress",
                            "--log-level",
                            "ERROR",
                        ],
                        env,
                    )
                    for code, server in servers.items()
                ]
                for process in crawls:
                    _finish(process, started)
        finally:
            for server in servers.values():
                server.__exit__(None, None, None)

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
