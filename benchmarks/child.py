"""Child processes: one crawl per process (Scrapy's reactor cannot restart), DuckDB builds.

    python -m benchmarks.child project SPEC.json   # newsdesk's run_crawl
    python -m benchmarks.child bare SPEC.json      # benchmarks.bare_spider
    python -m benchmarks.child warehouse SPEC.json # a DuckDB build (see warehouse_task)
    python -m benchmarks.child search SPEC.json    # a search index step (benchmarks.search)

The spec is JSON; the result is one JSON line on stdout. With ``"profile": PATH``
in the spec the crawl runs under cProfile and the stats are dumped to PATH.
The parent (``run_child``) measures wall time and reads the child's CPU time
with ``os.wait4``; peak memory is the child's own ``VmHWM`` (``ru_maxrss``
would include the parent's size at fork time, which survives ``exec``).
"""

from __future__ import annotations

import cProfile
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.common import REPO_ROOT


@dataclass
class ChildResult:
    """What one child process did and cost."""

    output: dict[str, Any]
    wall_s: float
    cpu_s: float
    maxrss_bytes: int
    exit_code: int


def child_env(pycache: Path) -> dict[str, str]:
    """The children's environment: bytecode caching on, in ``pycache`` (outside the tree).

    With ``PYTHONDONTWRITEBYTECODE=1`` (set in some environments, this one
    included) every child would compile each imported module from source, a
    start-up cost that has nothing to do with crawling.
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(pycache)
    return env


def run_child(
    kind: str, spec: dict[str, Any], spec_path: Path, log_path: Path, env: dict[str, str]
) -> ChildResult:
    """Run ``python -m benchmarks.child kind spec_path``; wall time, CPU and peak RSS.

    The child's stderr (Scrapy's warnings) goes to ``log_path``.
    """
    spec_path.write_text(json.dumps(spec))
    with open(log_path, "wb") as log:
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.child", kind, str(spec_path)],
            cwd=REPO_ROOT,
            stdout=subprocess.PIPE,
            stderr=log,
            env=env,
        )
        assert proc.stdout is not None
        out = proc.stdout.read()
        _pid, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        proc.stdout.close()
    lines = [line for line in out.decode("utf-8", "replace").splitlines() if line.startswith("{")]
    output = json.loads(lines[-1]) if lines else {"error": f"no result; see {log_path}"}
    # ru_maxrss survives exec: a child forked from a big parent reports at least the
    # parent's size. The child's own VmHWM (its memory map's peak) does not.
    peak = output.get("vmhwm_bytes") or usage.ru_maxrss * 1024  # ru_maxrss is KiB on Linux
    return ChildResult(
        output=output,
        wall_s=wall,
        cpu_s=usage.ru_utime + usage.ru_stime,
        maxrss_bytes=int(peak),
        exit_code=proc.returncode,
    )


def peak_rss_bytes() -> int | None:
    """This process's peak resident set (``VmHWM`` of /proc/self/status), or ``None``."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def _profiled(spec: dict[str, Any], fn: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    if not spec.get("profile"):
        return fn()
    profiler = cProfile.Profile()
    try:
        return profiler.runcall(fn)
    finally:
        profiler.dump_stats(spec["profile"])


def project_crawl(spec: dict[str, Any]) -> dict[str, Any]:
    """newsdesk's own crawl (``run_crawl``) into ``spec["warehouse"]``."""
    from newsdesk.crawl import CrawlOptions, run_crawl

    options = CrawlOptions(
        base_url=spec["base_url"],
        warehouse=spec["warehouse"],
        discovery=spec.get("discovery", "listings"),
        max_articles=spec.get("max_articles"),
        settings=spec.get("settings", {}),
    )
    t0 = time.perf_counter()
    summary = run_crawl(options)
    return {"crawl_s": time.perf_counter() - t0, **summary.to_dict()}


def bare_crawl(spec: dict[str, Any]) -> dict[str, Any]:
    """The bare spider over ``spec["urls"]``."""
    from scrapy.crawler import CrawlerProcess

    from benchmarks.bare_spider import BareSpider, bare_settings

    t0 = time.perf_counter()
    process = CrawlerProcess({**bare_settings(), **spec.get("settings", {})})
    crawler = process.create_crawler(BareSpider)
    process.crawl(crawler, urls=spec["urls"])
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    spider = crawler.spider
    return {
        "crawl_s": time.perf_counter() - t0,
        "requests": int(stats.get("downloader/request_count", 0)),
        "responses": getattr(spider, "responses", 0),
        "bytes": getattr(spider, "bytes", 0),
        "finish_reason": str(stats.get("finish_reason", "unknown")),
    }


def warehouse_task(spec: dict[str, Any]) -> dict[str, Any]:
    """A DuckDB step on ``spec["warehouse"]``: ``build``, ``steps`` or ``raw``.

    ``build`` is ``newsdesk.build.build_database`` itself. ``steps`` replays what
    it does (same connection, sources and SQL files, in order) into a scratch
    file and times each file. ``raw`` is the floor: the articles Parquet copied
    as-is into a DuckDB table, nothing derived, no index.
    """
    from newsdesk import build
    from newsdesk.warehouse import Warehouse

    warehouse = Warehouse(Path(spec["warehouse"]))
    task = spec["task"]
    t0 = time.perf_counter()
    if task == "build":
        result = build.build_database(warehouse)
        return {"seconds": time.perf_counter() - t0, "tables": result.tables}
    scratch = warehouse.root / f".bench-{task}.duckdb"
    scratch.unlink(missing_ok=True)
    con = build.connect(scratch)
    steps: dict[str, float] = {}
    try:
        if task == "steps":
            t = time.perf_counter()
            build._define_sources(con, warehouse)
            steps["define sources"] = time.perf_counter() - t
            for sql_path in build.sql_files():
                t = time.perf_counter()
                con.execute(sql_path.read_text())
                steps[sql_path.name] = time.perf_counter() - t
        else:
            con.execute(
                "CREATE TABLE articles AS SELECT * FROM read_parquet(?, hive_partitioning = true)",
                [warehouse.articles_glob()],
            )
        t = time.perf_counter()
        con.execute("CHECKPOINT")
        steps["CHECKPOINT"] = time.perf_counter() - t
    finally:
        con.close()
        size = scratch.stat().st_size if scratch.exists() else 0
        scratch.unlink(missing_ok=True)
        Path(str(scratch) + ".wal").unlink(missing_ok=True)
    return {"seconds": time.perf_counter() - t0, "steps": steps, "file_bytes": size}


def search_task(spec: dict[str, Any]) -> dict[str, Any]:
    """A step of the search benchmark (``benchmarks.search.child_task``)."""
    from benchmarks import search

    return search.child_task(spec)


def main(argv: list[str]) -> int:
    """Entry point: ``kind spec_path``."""
    kind, spec_path = argv
    spec = json.loads(Path(spec_path).read_text())
    fn = {
        "project": project_crawl,
        "bare": bare_crawl,
        "warehouse": warehouse_task,
        "search": search_task,
    }[kind]
    result = _profiled(spec, lambda: fn(spec))
    result["vmhwm_bytes"] = peak_rss_bytes()
    print(json.dumps(result, default=str), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
