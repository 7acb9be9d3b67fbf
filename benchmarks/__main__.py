"""``python -m benchmarks``: run the benchmarks and write ``benchmarks/RESULTS.md``.

    .venv/bin/python -m benchmarks                    # everything, full sizes (make bench)
    .venv/bin/python -m benchmarks --quick            # smoke run, small sizes
    .venv/bin/python -m benchmarks --only warehouse   # one (or a comma-separated list)

A full run of every benchmark writes ``benchmarks/RESULTS.md``; a quick or
partial run writes ``benchmarks/out/RESULTS.partial.md`` (ignored by git) unless
``--output`` says otherwise. The report is printed too.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from benchmarks.common import REPO_ROOT, Section, machine_info
from benchmarks.report import render

BENCHMARKS = ("extraction", "crawl", "incremental", "warehouse", "dates", "memory", "search")
FULL_REPORT = REPO_ROOT / "benchmarks" / "RESULTS.md"
PARTIAL_REPORT = REPO_ROOT / "benchmarks" / "out" / "RESULTS.partial.md"


@dataclass(frozen=True)
class Sizes:
    """How big each benchmark runs."""

    extraction_pages: int
    extraction_rounds: int
    crawl_articles: int
    crawl_rounds: int
    incremental_articles: int
    warehouse_sizes: tuple[int, ...]
    query_runs: int
    dates_per_form: int
    fuzz_cases: int
    memory_sitemap_urls: int
    memory_control: bool
    search_sizes: tuple[int, ...]
    search_query_runs: int


FULL = Sizes(
    extraction_pages=1000,
    extraction_rounds=3,
    crawl_articles=2000,
    crawl_rounds=5,
    incremental_articles=2000,
    warehouse_sizes=(10_000, 100_000, 1_000_000),
    query_runs=7,
    dates_per_form=20_000,
    fuzz_cases=5_000,
    memory_sitemap_urls=300_000,
    memory_control=True,
    search_sizes=(10_000, 100_000),
    search_query_runs=3,
)
QUICK = Sizes(
    extraction_pages=150,
    extraction_rounds=1,
    crawl_articles=200,
    crawl_rounds=1,
    incremental_articles=200,
    warehouse_sizes=(2_000, 20_000),
    query_runs=3,
    dates_per_form=2_000,
    fuzz_cases=300,
    memory_sitemap_urls=30_000,
    memory_control=False,
    search_sizes=(1_000,),
    search_query_runs=2,
)


def _runner(name: str, sizes: Sizes, workdir: Path) -> Callable[[], Section]:
    if name == "extraction":
        from benchmarks import extraction

        return lambda: extraction.run(sizes.extraction_pages, sizes.extraction_rounds)
    if name == "crawl":
        from benchmarks import crawl

        return lambda: crawl.run(sizes.crawl_articles, sizes.crawl_rounds, workdir / "crawl")
    if name == "incremental":
        from benchmarks import incremental

        return lambda: incremental.run(sizes.incremental_articles, workdir / "incremental")
    if name == "warehouse":
        from benchmarks import warehouse

        return lambda: warehouse.run(sizes.warehouse_sizes, sizes.query_runs, workdir / "warehouse")
    if name == "dates":
        from benchmarks import dates

        return lambda: dates.run(sizes.dates_per_form, sizes.fuzz_cases)
    if name == "memory":
        from benchmarks import memory

        return lambda: memory.run(
            sizes.memory_sitemap_urls, sizes.memory_control, workdir / "memory"
        )
    if name == "search":
        from benchmarks import search

        return lambda: search.run(sizes.search_sizes, sizes.search_query_runs, workdir / "search")
    raise ValueError(name)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Run the newsdesk benchmarks and write a Markdown report.",
    )
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    parser.add_argument(
        "--only",
        default=",".join(BENCHMARKS),
        help=f"comma-separated benchmarks to run (default all: {','.join(BENCHMARKS)})",
    )
    parser.add_argument(
        "--output",
        type=Path,
        help="report path (default benchmarks/RESULTS.md for a full run of everything, "
        "else benchmarks/out/RESULTS.partial.md)",
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        help="where datasets and warehouses are written (default: a temporary directory "
        "under $TMPDIR, removed afterwards)",
    )
    parser.add_argument(
        "--search-sizes",
        help="comma-separated corpus sizes for the search benchmark (e.g. 300 for a smoke run)",
    )
    args = parser.parse_args(argv)
    args.search_sizes = (
        tuple(int(n) for n in args.search_sizes.split(",") if n.strip())
        if args.search_sizes
        else None
    )
    args.selected = [n.strip() for n in args.only.split(",") if n.strip()]
    unknown = [n for n in args.selected if n not in BENCHMARKS]
    if unknown or not args.selected:
        parser.error(f"--only: unknown benchmark(s) {unknown}; choose from {', '.join(BENCHMARKS)}")
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the selected benchmarks, write and print the report."""
    args = parse_args(argv)
    sizes = QUICK if args.quick else FULL
    if args.search_sizes:
        sizes = replace(sizes, search_sizes=args.search_sizes)
    complete = not args.quick and args.selected == list(BENCHMARKS)
    output = args.output or (FULL_REPORT if complete else PARTIAL_REPORT)
    machine = machine_info()
    command = ".venv/bin/python -m benchmarks" + "".join(
        f" {shlex.quote(a)}" for a in (argv if argv is not None else sys.argv[1:])
    )
    sections: list[Section] = []
    with tempfile.TemporaryDirectory(prefix="newsdesk-bench-") as tmp:
        workdir = args.workdir or Path(tmp)
        for name in args.selected:
            print(f"[bench] {name} ...", file=sys.stderr, flush=True)
            t0 = time.perf_counter()
            section = _runner(name, sizes, workdir)()
            print(f"[bench] {name} done in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
            sections.append(section)
            # Written after each benchmark, so a long run leaves partial results behind.
            options = ", ".join(f"{k}={v}" for k, v in asdict(sizes).items())
            report = render(sections, machine, command, options)
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_text(report)
    print(report)
    print(f"[bench] report written to {output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
