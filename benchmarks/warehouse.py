"""Benchmark 4: warehouse scale, the DuckDB build and analyst queries on synthetic datasets.

For each size, a synthetic dataset with the real schema and layout
(``benchmarks.synthetic``) is written into a fresh warehouse, then, each in its
own process (peak memory is the child's own ``VmHWM``):

* the floor: the articles Parquet copied as-is into a DuckDB table;
* ``newsdesk.build.build_database`` itself (the timed build);
* the same build replayed step by step, to time each ``newsdesk/sql`` file.

Then typical analyst queries run on the built database (a read-only connection
opened by ``newsdesk.build.connect``): the first (cold) run, then the median of
several warm runs; each next to a baseline: the same question asked of the
Parquet files directly (``read_parquet``), or, for the full-text search, a
substring scan of the bodies without the index (no ranking). The dataset is
deleted after each size.
"""

from __future__ import annotations

import shutil
import sys
import time
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING

from benchmarks.child import ChildResult, child_env, run_child
from benchmarks.common import (
    Section,
    Table,
    Target,
    fmt,
    fmt_bytes,
    fmt_ms,
    fmt_ratio,
    median,
)

if TYPE_CHECKING:
    from benchmarks.synthetic import Generator

BUILD_TARGET_S = 60.0
QUERY_TARGET_S = 0.300
BUILD_TARGET_SIZE = 1_000_000
MONTH = (2021, 6)


@dataclass(frozen=True)
class Query:
    """An analyst question: on the built database, and its baseline."""

    name: str
    sql: str
    baseline_name: str
    baseline_sql: str  # ``{glob}`` is the articles glob


def queries(terms: tuple[str, str]) -> list[Query]:
    """The typical queries (the search uses ``terms``)."""
    year, month = MONTH
    start = f"{year}-{month:02d}-01 00:00:00+00"
    end = f"{year + month // 12}-{month % 12 + 1:02d}-01 00:00:00+00"
    words = " ".join(terms)
    return [
        Query(
            "counts by day and section",
            "SELECT published_date AS day, section, count(*) AS articles "
            "FROM articles GROUP BY ALL ORDER BY ALL",
            "same on the Parquet files",
            "SELECT CAST(published_at AS DATE) AS day, section, count(*) AS articles "
            "FROM read_parquet('{glob}', hive_partitioning = true) GROUP BY ALL ORDER BY ALL",
        ),
        Query(
            f"top 20 tags in {year}-{month:02d}",
            "SELECT tag, count(*) AS articles FROM article_tags "
            f"WHERE published_at >= TIMESTAMPTZ '{start}' AND published_at < TIMESTAMPTZ '{end}' "
            "GROUP BY tag ORDER BY articles DESC, tag LIMIT 20",
            "same on the Parquet files (partition pruning)",
            "SELECT tag, count(*) AS articles FROM (SELECT unnest(tags) AS tag "
            "FROM read_parquet('{glob}', hive_partitioning = true) "
            f"WHERE year = {year} AND month = {month}) GROUP BY tag "
            "ORDER BY articles DESC, tag LIMIT 20",
        ),
        Query(
            f"full-text search '{words}' (BM25, top 20)",
            "SELECT article_id, title, score FROM (SELECT article_id, title, "
            f"fts_main_articles_text_en.match_bm25(article_id, '{words}') AS score FROM articles) "
            "WHERE score IS NOT NULL ORDER BY score DESC LIMIT 20",
            "substring scan of title/subtitle/body, newest 20 (no index, no ranking)",
            "SELECT article_id, title FROM articles WHERE "
            + " OR ".join(
                f"contains(lower(title || ' ' || coalesce(subtitle, '') || ' ' || body), '{t}')"
                for t in terms
            )
            + " ORDER BY published_at DESC LIMIT 20",
        ),
    ]


@dataclass
class SizeResult:
    """Everything measured for one dataset size."""

    size: int
    generate_s: float
    partitions: int
    files: int
    parquet_bytes: int
    file_bytes: list[int]
    rows_per_partition: list[int]
    raw: ChildResult
    build: ChildResult
    steps: ChildResult
    db_bytes: int
    tables: dict[str, int]
    latency: dict[str, tuple[float, float, float, float]] = field(default_factory=dict)
    # query name -> (cold, warm median, baseline warm median, baseline cold)
    hits: dict[str, int] = field(default_factory=dict)
    postings: int = 0  # rows of fts_main_articles_text_en.terms (one per indexed token)
    sort_postings_s: float = 0.0
    sorted_search: tuple[float, float] = (0.0, 0.0)  # (cold, warm median)


def parquet_layout(root: Path) -> tuple[int, list[int], list[int]]:
    """(partitions, file sizes, rows per partition) of ``root/articles``."""
    import pyarrow.parquet as pq

    files = sorted((root / "articles").rglob("*.parquet"))
    partitions = {f.parent for f in files}
    rows: dict[Path, int] = {}
    for f in files:
        rows[f.parent] = rows.get(f.parent, 0) + pq.ParquetFile(f).metadata.num_rows
    return len(partitions), [f.stat().st_size for f in files], list(rows.values())


def time_queries(
    db_path: Path, glob: str, qs: list[Query], runs: int
) -> tuple[dict[str, tuple[float, float, float, float]], dict[str, int]]:
    """Cold and warm-median latency of each query and of its baseline."""
    from newsdesk.build import connect

    latency: dict[str, tuple[float, float, float, float]] = {}
    hits: dict[str, int] = {}
    con = connect(db_path, read_only=True)
    try:
        for q in qs:
            baseline = q.baseline_sql.format(glob=glob)
            times: dict[str, list[float]] = {"q": [], "b": []}
            for _ in range(runs + 1):  # the first run of each is the cold one
                for key, sql in (("q", q.sql), ("b", baseline)):
                    t0 = time.perf_counter()
                    rows = con.execute(sql).fetchall()
                    times[key].append(time.perf_counter() - t0)
                    if key == "q":
                        hits[q.name] = len(rows)
            latency[q.name] = (
                times["q"][0],
                median(times["q"][1:]),
                median(times["b"][1:]),
                times["b"][0],
            )
    finally:
        con.close()
    return latency, hits


def what_if_sorted_postings(
    db_path: Path, search: Query, runs: int
) -> tuple[int, float, float, float]:
    """Sort the FTS postings by term, then time the search again.

    DuckDB's fts extension stores one row per indexed token in
    ``fts_main_articles_text_en.terms`` and every ``match_bm25`` call scans it for the
    query's term ids; sorted by ``termid`` the scan can skip the row groups of
    other terms. Returns (postings rows, seconds to sort, cold, warm median).
    """
    from newsdesk.build import connect

    con = connect(db_path)
    try:
        postings = int(
            con.execute("SELECT count(*) FROM fts_main_articles_text_en.terms").fetchone()[0]
        )
        t0 = time.perf_counter()
        con.execute(
            "CREATE OR REPLACE TABLE fts_main_articles_text_en.terms AS "
            "SELECT * FROM fts_main_articles_text_en.terms ORDER BY termid, docid"
        )
        con.execute("CHECKPOINT")
        sort_s = time.perf_counter() - t0
    finally:
        con.close()
    con = connect(db_path, read_only=True)
    try:
        times = []
        for _ in range(runs + 1):
            t0 = time.perf_counter()
            con.execute(search.sql).fetchall()
            times.append(time.perf_counter() - t0)
    finally:
        con.close()
    return postings, sort_s, times[0], median(times[1:])


def measure_size(
    size: int, runs: int, workdir: Path, generator: Generator, qs: list[Query]
) -> SizeResult:
    """Generate, build, query and delete one dataset."""
    from newsdesk.warehouse import Warehouse

    root = workdir / f"warehouse-{size}"
    shutil.rmtree(root, ignore_errors=True)
    env = child_env(workdir / "pycache")
    try:
        generate_s = generator.write_dataset(root, size)
        partitions, file_bytes, rows = parquet_layout(root)

        def task(name: str) -> ChildResult:
            spec = {"warehouse": str(root), "task": name}
            return run_child(
                "warehouse", spec, workdir / "spec.json", workdir / f"{name}-{size}.log", env
            )

        raw = task("raw")
        build = task("build")
        steps = task("steps")
        warehouse = Warehouse(root)
        db_bytes = warehouse.duckdb_path.stat().st_size if warehouse.duckdb_path.exists() else 0
        latency, hits = time_queries(warehouse.duckdb_path, warehouse.articles_glob(), qs, runs)
        search = next(q for q in qs if q.name.startswith("full-text"))
        postings, sort_s, sorted_cold, sorted_warm = what_if_sorted_postings(
            warehouse.duckdb_path, search, runs
        )
        return SizeResult(
            size=size,
            generate_s=generate_s,
            partitions=partitions,
            files=len(file_bytes),
            parquet_bytes=sum(file_bytes),
            file_bytes=file_bytes,
            rows_per_partition=rows,
            raw=raw,
            build=build,
            steps=steps,
            db_bytes=db_bytes,
            tables=dict(build.output.get("tables", {})),
            latency=latency,
            hits=hits,
            postings=postings,
            sort_postings_s=sort_s,
            sorted_search=(sorted_cold, sorted_warm),
        )
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _growth(values: list[float]) -> str:
    if len(values) < 2:
        return ""
    return " -> ".join(fmt_ratio(b / a) if a else "n/a" for a, b in pairwise(values))


def run(sizes: tuple[int, ...], runs: int, workdir: Path) -> Section:
    """Every size in turn; tables of layout, build and latency, and how they grow."""
    from benchmarks.synthetic import Generator

    t_start = time.perf_counter()
    workdir.mkdir(parents=True, exist_ok=True)
    free_before = shutil.disk_usage(workdir).free
    generator = Generator()
    qs = queries(generator.vocab.search_terms())
    results: list[SizeResult] = []
    try:
        for size in sizes:
            print(f"[bench] warehouse: {size:,} articles", file=sys.stderr, flush=True)
            results.append(measure_size(size, runs, workdir, generator, qs))
    finally:
        generator.close()
    labels = [f"{r.size:,}" for r in results]

    layout = Table(
        "Dataset: Parquet layout (one file per month partition, as written by the project)",
        ["articles", *labels],
    )
    layout.rows += [
        ["generation time (s)", *(fmt(r.generate_s) for r in results)],
        ["partitions / files", *(f"{r.partitions} / {r.files}" for r in results)],
        ["Parquet total", *(fmt_bytes(r.parquet_bytes) for r in results)],
        [
            "file size per partition: mean (min-max)",
            *(
                f"{fmt_bytes(sum(r.file_bytes) / len(r.file_bytes))} "
                f"({fmt_bytes(min(r.file_bytes))}-{fmt_bytes(max(r.file_bytes))})"
                for r in results
            ),
        ],
        [
            "rows per partition: mean",
            *(fmt(sum(r.rows_per_partition) / len(r.rows_per_partition)) for r in results),
        ],
        ["bytes per article (Parquet)", *(fmt(r.parquet_bytes / r.size) for r in results)],
        ["DuckDB file (built)", *(fmt_bytes(r.db_bytes) for r in results)],
        [
            "FTS postings (rows of fts_main_articles_text_en.terms)",
            *(fmt(r.postings) for r in results),
        ],
    ]

    build = Table(
        "Build: `build_database` vs the floor (Parquet copied into one table)",
        ["", *labels, "growth per step"],
    )
    build_s = [r.build.output.get("seconds", r.build.wall_s) for r in results]
    raw_s = [r.raw.output.get("seconds", r.raw.wall_s) for r in results]
    build.rows += [
        ["build_database (s)", *(fmt(s) for s in build_s), _growth(build_s)],
        ["floor: copy into DuckDB (s)", *(fmt(s) for s in raw_s), _growth(raw_s)],
        ["build / floor", *(fmt_ratio(b / r) for b, r in zip(build_s, raw_s, strict=True)), ""],
        [
            "build peak memory (VmHWM)",
            *(fmt_bytes(r.build.maxrss_bytes) for r in results),
            _growth([float(r.build.maxrss_bytes) for r in results]),
        ],
        [
            "build CPU time, user+sys (s)",
            *(fmt(r.build.cpu_s) for r in results),
            _growth([r.build.cpu_s for r in results]),
        ],
        [
            "articles / s built",
            *(fmt(r.size / s) for r, s in zip(results, build_s, strict=True)),
            "",
        ],
    ]
    no_fts = [
        float(r.steps.output.get("seconds", 0.0))
        - float(r.steps.output.get("steps", {}).get("200_fts.sql", 0.0))
        for r in results
    ]
    build.rows.append(
        [
            "what-if: the same build without the FTS step (s)",
            *(fmt(s) for s in no_fts),
            _growth(no_fts),
        ]
    )

    steps = Table("Build, step by step (the same SQL replayed, seconds)", ["step", *labels])
    names = list(results[-1].steps.output.get("steps", {}))
    for name in names:
        values = [float(r.steps.output.get("steps", {}).get(name, 0.0)) for r in results]
        steps.rows.append([name, *(fmt(v) for v in values)])
    steps.rows.append(["total", *(fmt(r.steps.output.get("seconds", 0.0)) for r in results)])

    latency = Table(
        f"Query latency: warm median of {runs} runs (cold first run in brackets), vs baseline",
        ["query", "", *labels, "growth per step"],
    )
    for q in qs:
        rows = [r.latency[q.name] for r in results]
        latency.rows.append(
            [
                q.name,
                "built DB",
                *(f"{fmt_ms(w)} ({fmt_ms(c)})" for c, w, _b, _bc in rows),
                _growth([w for _c, w, _b, _bc in rows]),
            ]
        )
        latency.rows.append(
            [
                "",
                q.baseline_name,
                *(f"{fmt_ms(b)} ({fmt_ms(bc)})" for _c, _w, b, bc in rows),
                _growth([b for _c, _w, b, _bc in rows]),
            ]
        )
        latency.rows.append(
            ["", "baseline / built DB", *(fmt_ratio(b / w) for _c, w, b, _bc in rows), ""]
        )
        if q.name.startswith("full-text"):
            warm = [r.sorted_search[1] for r in results]
            latency.rows.append(
                [
                    "",
                    "what-if: FTS postings sorted by term",
                    *(
                        f"{fmt_ms(r.sorted_search[1])} ({fmt_ms(r.sorted_search[0])})"
                        for r in results
                    ),
                    _growth(warm),
                ]
            )
            latency.rows.append(
                [
                    "",
                    "what-if: time to sort the postings (s)",
                    *(fmt(r.sort_postings_s) for r in results),
                    _growth([r.sort_postings_s for r in results]),
                ]
            )

    section = Section(
        key="warehouse",
        title="4. Warehouse scale: DuckDB build and analyst queries",
        method=__doc__.split("\n\n", 1)[1].strip() if __doc__ else "",
        tables=[layout, build, steps, latency],
    )
    from benchmarks.synthetic import __doc__ as synthetic_doc

    if synthetic_doc:
        section.notes.append(
            "Synthetic data: " + " ".join(synthetic_doc.split("\n\n", 2)[2].split())
        )
    largest = results[-1]
    section.notes.append(
        f"Tables built at {largest.size:,} articles: "
        + ", ".join(f"{k} {v:,}" for k, v in sorted(largest.tables.items()))
        + f". Rows returned by each query: {largest.hits}."
    )
    steps_at = largest.steps.output.get("steps", {})
    total_steps = float(largest.steps.output.get("seconds", 0.0)) or 1.0
    fts_s = float(steps_at.get("200_fts.sql", 0.0))
    section.notes.append(
        f"At {largest.size:,} articles the full-text index (200_fts.sql, DuckDB's "
        f"`PRAGMA create_fts_index` over title, subtitle and body) takes {fmt(fts_s)} s, "
        f"{fts_s / total_steps:.0%} of the build; everything else takes "
        f"{fmt(total_steps - fts_s)} s."
    )
    search_name = next(q.name for q in qs if q.name.startswith("full-text"))
    section.notes.append(
        f"`match_bm25` scans the whole postings table ({fmt(largest.postings)} rows at "
        f"{largest.size:,} articles, one per indexed token) for each search, so its latency "
        f"grows with the corpus: {fmt_ms(largest.latency[search_name][1])}. With the postings "
        f"sorted by term (what-if row; the sort takes {fmt(largest.sort_postings_s)} s), "
        "DuckDB's row-group min/max filters skip the other terms' rows: "
        f"{fmt_ms(largest.sorted_search[1])}."
    )
    section.notes.append(
        f"Disk: {fmt_bytes(free_before)} free before; every dataset and database was deleted "
        "after its measurements."
    )
    at_target = next((r for r in results if r.size == BUILD_TARGET_SIZE), None)
    if at_target is not None:
        seconds = at_target.build.output.get("seconds", at_target.build.wall_s)
        section.targets.append(
            Target(
                "1M-article build_database",
                f"< {BUILD_TARGET_S:.0f} s",
                f"{fmt(seconds)} s",
                seconds < BUILD_TARGET_S,
            )
        )
    else:
        section.targets.append(
            Target("1M-article build_database", f"< {BUILD_TARGET_S:.0f} s", "not run", None)
        )
    for name, (_cold, warm, _b, _bc) in largest.latency.items():
        section.targets.append(
            Target(
                f"query at {largest.size:,}: {name}",
                f"< {QUERY_TARGET_S * 1000:.0f} ms",
                fmt_ms(warm),
                warm < QUERY_TARGET_S,
            )
        )
    section.duration_s = time.perf_counter() - t_start
    return section
