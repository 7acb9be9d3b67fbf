"""The hourly ``newsdesk build``: incremental tantivy search vs the full fts rebuild.

    .venv/bin/python -m benchmarks.build_update --sizes 10000 100000

For each size, a synthetic warehouse (``benchmarks.synthetic``, the warehouse
benchmark's dataset) gets a first ``newsdesk build``; then, three times, the
hourly change of issue 11 (20 new articles, 5 edited ones, merged by
``ArticleStore.merge`` as a crawl does) followed by one build in a subprocess
(wall time by the parent, peak RSS from ``wait4``):

* ``old``: the build as it was before the tantivy search (DuckDB fts rebuilt
  whole, no tantivy update): ``build_database`` with the search update patched out;
* ``default``: ``build_database`` (``newsdesk build``: DuckDB fts rebuilt whole +
  tantivy incremental);
* ``tantivy only``: ``build_database(sql_search=False)`` (``--no-sql-search``).

Each runs ``build_database`` in a fresh ``python -c`` (no CLI, no Dagster record).

Prints a markdown table; ``--json`` writes the raw numbers.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

# Every variant runs build_database the same way (no CLI, no Dagster record), in
# its own process; "old" patches the tantivy update out: the build before it.
BUILD = (
    "import sys, newsdesk.build as b\n"
    "from newsdesk.warehouse import Warehouse\n"
    "if sys.argv[2] == 'old':\n"
    "    b.sync_all = lambda *a, **k: []\n"
    "r = b.build_database(Warehouse.at(sys.argv[1]), sql_search=sys.argv[2] != 'tantivy_only')\n"
    "for s in r.search:\n"
    "    print(f'search {s.edition}: {s.upserted} indexed {s.duration_s} s')\n"
)
N_NEW, N_EDITED = 20, 5


def _run_measured(argv: list[str]) -> dict[str, Any]:
    """Run ``argv``: wall seconds, its own peak RSS (``wait4``) and stdout."""
    t0 = time.perf_counter()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: stdout into the pipe
        os.dup2(write, 1)
        os.close(read)
        os.execv(argv[0], argv)
    os.close(write)
    with os.fdopen(read) as handle:
        out = handle.read()
    _pid, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status):
        raise RuntimeError(f"{argv} failed: {out[-2000:]}")
    return {"wall_s": round(wall, 3), "peak_bytes": int(usage.ru_maxrss) * 1024, "stdout": out}


def hourly_change(root: Path, round_no: int) -> None:
    """Merge 20 new articles (the last month) and 5 edited older ones, as a crawl would."""
    from newsdesk.hashing import content_hash
    from newsdesk.store import ArticleStore, row_to_article
    from newsdesk.urls import article_id_for
    from newsdesk.warehouse import Warehouse

    warehouse = Warehouse(root)
    parts = sorted(warehouse.articles.rglob("*.parquet"))
    last = pq.read_table(parts[-1]).slice(0, N_NEW).to_pylist()
    older = []
    for path in parts[:N_EDITED]:
        rows = pq.read_table(path)
        older.append(rows.slice(round_no % rows.num_rows, 1).to_pylist()[0])
    articles = []
    for k, row in enumerate(last):
        article = row_to_article(row)
        article.url = f"{article.url}-hour{round_no}-{k}"
        article.article_id = article_id_for(article.url)
        article.body = f"{article.body} qzxhour{round_no} fresh report {k}"
        articles.append(article)
    for row in older:
        article = row_to_article(row)
        article.body = f"{article.body} qzxedit{round_no} corrected"
        articles.append(article)
    for article in articles:
        article.content_hash = content_hash(article.to_dict())
    store = ArticleStore(warehouse)
    store.merge(articles, store.load_index())


def _search_seconds(stdout: str) -> float | None:
    found = [float(m) for m in re.findall(r"^search \w+: \d+ indexed ([0-9.]+) s$", stdout, re.M)]
    return round(sum(found), 3) if found else None


def measure(size: int, workdir: Path) -> dict[str, Any]:
    """First build, then one hourly change + build per variant."""
    from benchmarks.synthetic import Generator

    root = workdir / f"wh-{size}"
    shutil.rmtree(root, ignore_errors=True)
    generator = Generator()
    try:
        generator.write_dataset(root, size)
    finally:
        generator.close()
    result: dict[str, Any] = {"size": size}
    try:
        first = _run_measured([sys.executable, "-c", BUILD, str(root), "default"])
        result["first"] = {**first, "search_s": _search_seconds(first["stdout"])}
        for n, name in enumerate(("old", "default", "tantivy_only"), start=1):
            hourly_change(root, n)
            run = _run_measured([sys.executable, "-c", BUILD, str(root), name])
            run["search_s"] = _search_seconds(run["stdout"])
            result[name] = run
            print(f"  {size}: {name} {run['wall_s']} s, peak {run['peak_bytes']}", flush=True)
        search = root / "search"
        result["index_bytes"] = sum(p.stat().st_size for p in search.rglob("*") if p.is_file())
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return result


def table(results: list[dict[str, Any]]) -> str:
    """The results as a markdown table."""
    from benchmarks.common import fmt_bytes

    lines = [
        "| articles | build | wall | peak RSS | tantivy update |",
        "|---:|---|---:|---:|---:|",
    ]
    labels = {
        "first": "first build (fts + tantivy from scratch)",
        "old": "hourly, old build (fts rebuilt whole, no tantivy) — baseline",
        "default": "hourly, `newsdesk build` (fts rebuilt + tantivy incremental)",
        "tantivy_only": "hourly, `newsdesk build --no-sql-search` (tantivy incremental only)",
    }
    for r in results:
        for key, label in labels.items():
            run = r[key]
            search = f"{run['search_s']:.2f} s" if run.get("search_s") is not None else "—"
            lines.append(
                f"| {r['size']:,} | {label} | {run['wall_s']:.1f} s | "
                f"{fmt_bytes(run['peak_bytes'])} | {search} |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the sizes, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", type=int, default=[10_000, 100_000])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/newsdesk-build-update"))
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    results = [measure(size, args.workdir) for size in args.sizes]
    for r in results:
        for key in ("first", "old", "default", "tantivy_only"):
            r[key].pop("stdout", None)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    print(table(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
