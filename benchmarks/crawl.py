"""Benchmark 2: an end-to-end crawl of the replica vs a bare Scrapy download of the same URLs.

One replica (``ReplicaServer``, loopback, ``slow_seconds=0`` so the "slow" fault
pages add no fixed sleep to either side) serves both. Each round runs, each in
its own process (one reactor per process):

1. newsdesk's crawl (``run_crawl``, default ``listings`` discovery, fast profile
   applied automatically on loopback) into a fresh, empty warehouse: extraction,
   validation, Parquet merge, crawl log, WARC archive;
2. the bare spider (``benchmarks.bare_spider``) over exactly the requests the
   first crawl made, as the server logged them (retries included, robots.txt
   left to Scrapy's robots middleware), with the same concurrency and robots
   settings, no extraction and no pipelines.

Wall time is measured by the parent from process start to exit (interpreter
start-up and imports included); CPU time is the child's ``ru_utime + ru_stime``
from ``os.wait4``, peak memory its own ``VmHWM``. The children cache
bytecode in the work directory (``PYTHONPYCACHEPREFIX``), warmed by an untimed
crawl of each kind, so neither pays for compiling its imports from source (this
environment sets ``PYTHONDONTWRITEBYTECODE=1``).

A second pair per round ("what-if") runs both sides with the settings this
benchmark's findings propose (see the notes), to show their effect.
"""

from __future__ import annotations

import pstats
import shutil
import time
from collections import Counter
from pathlib import Path
from typing import Any

from benchmarks.child import ChildResult, child_env, run_child
from benchmarks.common import (
    Section,
    Table,
    Target,
    fmt,
    fmt_bytes,
    fmt_pct,
    fmt_ratio,
    load_average,
    median,
)

TARGET_RATIO = 1.3
# What-if settings: (project crawl, bare spider). CONCURRENT_ITEMS applies to both
# (Scrapy spawns that many asyncio tasks per response); the flush size only
# exists in the project.
WHAT_IF: tuple[dict[str, Any], dict[str, Any]] = (
    {"CONCURRENT_ITEMS": 8, "NEWSDESK_FLUSH_EVERY": 1000},
    {"CONCURRENT_ITEMS": 8},
)
# (label, file name suffix, function name) of the profile breakdown, cumulative time.
PROFILE_PARTS: tuple[tuple[str, str, str], ...] = (
    ("spider callback parse_article (parse + extract + event)", "almayadeen.py", "parse_article"),
    ("spider callback parse_listing", "almayadeen.py", "parse_listing"),
    ("item pipelines: validate", "validate.py", "process_item"),
    ("item pipelines: dedupe", "dedupe.py", "process_item"),
    ("item pipelines: Parquet writer (incl. merges)", "parquet.py", "process_item"),
    ("item pipelines: Parquet writer, final flush", "parquet.py", "spider_closed"),
    ("  of which ArticleStore.merge", "store.py", "merge"),
    ("item pipelines: crawl log", "crawl_log.py", "process_item"),
    ("WARC archive (RawArchive.response_received)", "extensions.py", "response_received"),
    (
        "Scrapy warn_on_generator_with_return_value",
        "misc.py",
        "warn_on_generator_with_return_value",
    ),
)


def _project_spec(base_url: str, warehouse: Path, **extra: Any) -> dict[str, Any]:
    return {"base_url": base_url, "warehouse": str(warehouse), "discovery": "listings", **extra}


# pstats.Stats keeps its table in an attribute typeshed does not declare:
# (file, line, function) -> (primitive calls, calls, internal time, cumulative time, callers).
StatsTable = dict[tuple[str, int, str], tuple[int, int, float, float, Any]]


def _table(stats: pstats.Stats) -> StatsTable:
    table: StatsTable = getattr(stats, "stats", {})
    return table


def _cumulative(stats: pstats.Stats, suffix: str, name: str) -> float:
    entries = _table(stats)
    return sum(v[3] for k, v in entries.items() if k[0].endswith(suffix) and k[2] == name)


def profile_breakdown(path: Path) -> Table:
    """Where a profiled newsdesk crawl spends its time, by component (cumulative)."""
    stats = pstats.Stats(str(path))
    total = float(getattr(stats, "total_tt", 0.0)) or 1.0
    table = Table(
        "cProfile of one newsdesk crawl: time by component (cumulative, profiler overhead "
        "included)",
        ["component", "seconds", "share"],
    )
    before = _cumulative(stats, "crawl.py", "run_crawl") - _cumulative(
        stats, "base_events.py", "run_forever"
    )
    table.rows.append(["start-up before the reactor runs", fmt(before), fmt_pct(before / total)])
    for label, suffix, name in PROFILE_PARTS:
        seconds = _cumulative(stats, suffix, name)
        table.rows.append([label, fmt(seconds), fmt_pct(seconds / total)])
    calls = sum(v[1] for k, v in _table(stats).items() if k[2] == "getsource")
    tasks = sum(v[1] for k, v in _table(stats).items() if k[2] == "create_task")
    table.rows.append(["(inspect.getsource calls)", fmt(calls), ""])
    table.rows.append(["(asyncio create_task calls)", fmt(tasks), ""])
    table.rows.append(["total profiled", fmt(total), "100%"])
    return table


def top_functions(path: Path, limit: int = 15) -> str:
    """The top functions of a cProfile dump by internal time, as a code block."""
    stats = pstats.Stats(str(path))
    rows = sorted(_table(stats).items(), key=lambda kv: kv[1][2], reverse=True)
    lines = [f"{'ncalls':>10} {'tottime':>8} {'cumtime':>8}  function"]
    for (filename, lineno, name), (_cc, ncalls, tottime, cumtime, _callers) in rows[:limit]:
        where = f"{Path(filename).name}:{lineno}({name})" if lineno else name
        lines.append(f"{ncalls:>10} {tottime:>8.3f} {cumtime:>8.3f}  {where}")
    return "```\n" + "\n".join(lines) + "\n```"


def run(n_articles: int, rounds: int, workdir: Path, profile: bool = True) -> Section:
    """``rounds`` rounds of project/bare crawls (as configured, then what-if)."""
    from newsdesk.replica.server import ReplicaServer

    t_start = time.perf_counter()
    workdir.mkdir(parents=True, exist_ok=True)
    env = child_env(workdir / "pycache")
    results: dict[str, list[ChildResult]] = {
        "project": [],
        "bare": [],
        "project what-if": [],
        "bare what-if": [],
    }
    served: dict[str, list[int]] = {name: [] for name in results}
    statuses: Counter[int] = Counter()
    loads: list[str] = []
    profile_path: Path | None = None
    with ReplicaServer(seed=7, n_articles=n_articles, slow_seconds=0.0) as server:
        base = server.base_url
        # Untimed warm-up: fills the bytecode cache of both kinds of child.
        warm = workdir / "warehouse-warmup"
        run_child(
            "project",
            _project_spec(base, warm, max_articles=20),
            workdir / "spec.json",
            workdir / "warmup.log",
            env,
        )
        warm_urls = {"urls": [base + "/"] * 20}
        run_child("bare", warm_urls, workdir / "spec.json", workdir / "warmup.log", env)
        shutil.rmtree(warm, ignore_errors=True)

        urls: list[str] = []

        def one(name: str, kind: str, spec: dict[str, Any], r: int) -> None:
            server.set_revision(1)  # re-arms the transient 503s, as on a first visit
            server.requests.clear()
            result = run_child(kind, spec, workdir / "spec.json", workdir / f"{kind}-{r}.log", env)
            results[name].append(result)
            served[name].append(len(server.requests))

        for r in range(rounds):
            loads.append(load_average())
            warehouse = workdir / f"warehouse-{r}"
            shutil.rmtree(warehouse, ignore_errors=True)
            one("project", "project", _project_spec(base, warehouse), r)
            if not urls:
                log = server.requests.snapshot()
                urls = [base + path for _m, path, _s in log if path != "/robots.txt"]
                statuses = Counter(status for _m, _p, status in log)
            shutil.rmtree(warehouse, ignore_errors=True)
            one("bare", "bare", {"urls": urls}, r)
            spec = _project_spec(base, warehouse, settings=WHAT_IF[0])
            one("project what-if", "project", spec, r)
            shutil.rmtree(warehouse, ignore_errors=True)
            one("bare what-if", "bare", {"urls": urls, "settings": WHAT_IF[1]}, r)

        def wall(name: str) -> float:
            return median([x.wall_s for x in results[name]])

        wall_ratio = wall("project") / wall("bare")
        if profile and wall_ratio > TARGET_RATIO:
            server.set_revision(1)
            warehouse = workdir / "warehouse-profile"
            profile_path = workdir / "project.prof"
            run_child(
                "project",
                _project_spec(base, warehouse, profile=str(profile_path)),
                workdir / "spec.json",
                workdir / "project-profile.log",
                env,
            )
            shutil.rmtree(warehouse, ignore_errors=True)

    def med(name: str, attr: str) -> float:
        return median([float(getattr(x, attr)) for x in results[name]])

    def inner(name: str) -> float:
        return median([float(x.output.get("crawl_s", 0.0)) for x in results[name]])

    def comparison(title: str, ours: str, theirs: str) -> Table:
        table = Table(title, ["", "newsdesk crawl", "bare Scrapy download", "ratio"])
        rows: list[tuple[str, float, float, bool]] = [
            ("wall time, process (s)", med(ours, "wall_s"), med(theirs, "wall_s"), False),
            ("wall time, crawl only (s)", inner(ours), inner(theirs), False),
            ("CPU time, user+sys (s)", med(ours, "cpu_s"), med(theirs, "cpu_s"), False),
            (
                "peak memory (VmHWM)",
                med(ours, "maxrss_bytes"),
                med(theirs, "maxrss_bytes"),
                True,
            ),
        ]
        for label, a, b, is_bytes in rows:
            shown = (fmt_bytes(a), fmt_bytes(b)) if is_bytes else (fmt(a), fmt(b))
            table.rows.append([label, *shown, fmt_ratio(a / b if b else 0.0)])
        n_ours, n_theirs = median(served[ours]), median(served[theirs])
        table.rows.append(["requests served", fmt(n_ours), fmt(n_theirs), ""])
        table.rows.append(
            [
                "requests/s (process wall)",
                fmt(n_ours / med(ours, "wall_s")),
                fmt(n_theirs / med(theirs, "wall_s")),
                "",
            ]
        )
        return table

    main = comparison(
        f"Crawl of a {n_articles}-article replica, as configured (median of {rounds} round(s))",
        "project",
        "bare",
    )
    what_if = comparison(
        f"What-if: newsdesk with {WHAT_IF[0]}, bare with {WHAT_IF[1]}",
        "project what-if",
        "bare what-if",
    )
    first = results["project"][0].output
    section = Section(
        key="crawl",
        title="2. End-to-end crawl vs a bare Scrapy download",
        method=__doc__.split("\n\n", 1)[1].strip() if __doc__ else "",
        tables=[main, what_if],
    )
    section.notes.append(
        f"The newsdesk crawl wrote {first.get('articles_new')} articles; failures by reason: "
        f"{first.get('failures')}. Answers served to it by status: "
        + ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items()))
        + "."
    )
    per_round = "; ".join(
        f"{name} " + ", ".join(f"{x.wall_s:.1f}" for x in values)
        for name, values in results.items()
    )
    section.notes.append(
        f"Per-round wall times (s): {per_round}. Load average at each round start: "
        f"{'; '.join(loads)}."
    )
    section.notes.append(
        "The replica server runs in the benchmark's own process (one Python thread per "
        "request) on the other core; the crawler itself is one Python thread, so CPU time "
        "is what bounds both sides (wall time follows CPU time closely)."
    )
    if profile_path is not None:
        section.tables.append(profile_breakdown(profile_path))
        section.notes.append(
            "The wall-time target was missed: one more newsdesk crawl ran under cProfile; "
            "the table above splits its time by component, and the top functions by internal "
            "time are:\n\n" + top_functions(profile_path)
        )
    what_if_ratio = med("project what-if", "wall_s") / med("bare what-if", "wall_s")
    section.notes.append(
        "The proposed settings alone, newsdesk against itself: wall "
        f"{fmt(med('project what-if', 'wall_s'))} s vs {fmt(med('project', 'wall_s'))} s "
        f"({fmt_ratio(med('project what-if', 'wall_s') / med('project', 'wall_s'))}), CPU "
        f"{fmt(med('project what-if', 'cpu_s'))} s vs {fmt(med('project', 'cpu_s'))} s "
        f"({fmt_ratio(med('project what-if', 'cpu_s') / med('project', 'cpu_s'))}). "
        "CONCURRENT_ITEMS helps the bare spider as much: Scrapy starts that many asyncio "
        "tasks for every response, items or not."
    )
    section.targets = [
        Target(
            "crawl wall time vs bare download",
            f"<= {TARGET_RATIO}x",
            f"{fmt_ratio(wall_ratio)} (what-if settings: {fmt_ratio(what_if_ratio)})",
            wall_ratio <= TARGET_RATIO,
        ),
        Target(
            "crawl peak memory (reported)",
            "reported",
            f"{fmt_bytes(med('project', 'maxrss_bytes'))} vs bare "
            f"{fmt_bytes(med('bare', 'maxrss_bytes'))}",
            True,
        ),
    ]
    section.duration_s = time.perf_counter() - t_start
    return section
