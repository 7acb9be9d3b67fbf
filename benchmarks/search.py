"""Incremental full-text search: today's DuckDB fts, per-month DuckDB fts, tantivy.

    .venv/bin/python -m benchmarks --only search                      # 10k and 100k articles
    .venv/bin/python -m benchmarks --only search --search-sizes 300   # a smoke run

The same synthetic corpus (three editions, `benchmarks.synthetic.text_articles`)
is indexed by each engine, each build, update and query set in its own child
process (``python -m benchmarks.child search SPEC.json``: wall time by the
parent, peak memory the child's own ``VmHWM``):

* ``duckdb`` (baseline): today's code, ``newsdesk.build.build_search`` with the
  project's templates: one whole-table fts index per edition. Its update is a
  rebuild of everything.
* ``duckdb_monthly``: one fts index per edition and month (same settings), queried
  together (one statement per month, scores merged as they are); an update
  rebuilds the months it touches.
* ``tantivy``: ``newsdesk.search_index.SearchIndex``, one index per edition with
  its Snowball stemmer; an update deletes and adds by ``article_id``.

The update is the hourly one of the issue: 20 new articles (the last month) and
5 edited ones (older months), spread over the editions; each changed article
carries a marker word, searched afterwards to check the update is visible.
"""

from __future__ import annotations

import json
import random
import re
import shutil
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from benchmarks.child import child_env, run_child
from benchmarks.common import (
    Section,
    Table,
    Target,
    fmt_bytes,
    fmt_ms,
    fmt_pct,
    fmt_ratio,
    load_average,
)

ENGINES = ("duckdb", "duckdb_monthly", "tantivy")
ENGINE_LABELS = {
    "duckdb": "DuckDB fts, one index per edition (today, baseline)",
    "duckdb_monthly": "DuckDB fts, one index per edition x month",
    "tantivy": "tantivy, one index per edition",
}
EDITIONS = ("en", "ar", "es")
N_NEW, N_EDITED = 20, 5
MARKER = "qzxupdated"
TOP_K = 20
OVERLAP_K = 10
MONTHLY_QUERIES = 6
SQL_DIR = Path(__file__).parent / "sql"
UPDATE_TARGET_S = 5.0
UPDATE_TARGET_BYTES = 2**30

# Queries per edition: word forms that appear in the corpus only through another
# form of the family (stemming decides whether they match), plus frequent and rarer
# words; 17 + 17 + 16 = 50.
AR_QUERIES = (
    "المفاوضات",
    "الفلسطينيون",
    "مستوطنات",
    "الشهداء",
    "حكومات",
    "الصواريخ غزة",
    "الاتفاقيات",
    "المسؤولين",
    "اللاجئون",
    "الغارات",
    "الهدنة المساعدات",
    "الانتخابية",
    "العسكريين",
    "أسرى",
    "المعابر",
    "وزراء الحكومة",
    "الاحتلال القصف",
)
ES_QUERIES = (
    "negociaciones",
    "palestinos",
    "bombardeos",
    "ministros",
    "elecciones",
    "acuerdos gaza",
    "ataques",
    "refugiados",
    "sanciones económicas",
    "niños",
    "colonos",
    "prisioneros",
    "agresiones",
    "fuerzas militares",
    "ocupación",
    "declaraciones del presidente",
    "resistencia palestina",
)


def _split_sql(text: str) -> list[str]:
    """Statements of a template, split on their own ends (as `newsdesk.build` does)."""
    parts = re.split(r";[ \t]*\n", text)
    return [
        p
        for p in parts
        if any(ln.strip() and not ln.strip().startswith("--") for ln in p.splitlines())
    ]


def _sql_file(name: str) -> str:
    return (SQL_DIR / name).read_text()


def _strip_comments(text: str) -> str:
    return "\n".join(ln for ln in text.splitlines() if not ln.strip().startswith("--")).strip()


# --------------------------------------------------------------------------- corpus


def partition_path(corpus: Path, code: str, month: int) -> Path:
    """The Parquet file of one edition's month (``month`` as yyyymm)."""
    return corpus / f"edition={code}" / f"month={month}" / "part-0.parquet"


def corpus_partitions(corpus: Path) -> list[tuple[str, int, Path]]:
    """(edition, yyyymm, file) of every partition in ``corpus``, sorted."""
    out = []
    for path in sorted(corpus.glob("edition=*/month=*/part-0.parquet")):
        code = path.parent.parent.name.split("=", 1)[1]
        out.append((code, int(path.parent.name.split("=", 1)[1]), path))
    return out


def write_corpus(
    corpus: Path, n_articles: int, seed: int = 11, months: int | None = None
) -> dict[str, list[str]]:
    """``n_articles`` split over the three editions and the synthetic months.

    ``months`` keeps only the last ones (a smoke run: fewer per-month indexes).

    Returns each edition's vocabulary (words by frequency), for the query set.
    """
    from benchmarks.synthetic import MONTHS, edition_vocabulary, text_articles

    month_list = MONTHS[-months:] if months else MONTHS
    words: dict[str, list[str]] = {}
    for e, code in enumerate(EDITIONS):
        vocab = edition_vocabulary(code, seed)
        words[code] = vocab.words
        n_edition = n_articles // len(EDITIONS) + (1 if e < n_articles % len(EDITIONS) else 0)
        per_month, extra = divmod(n_edition, len(month_list))
        first = 0
        for m, (year, month) in enumerate(month_list):
            count = per_month + (1 if m < extra else 0)
            if count == 0:
                continue
            path = partition_path(corpus, code, year * 100 + month)
            path.parent.mkdir(parents=True, exist_ok=True)
            pq.write_table(text_articles(vocab, code, first, count, seed), path)
            first += count
    return words


def query_set(words: dict[str, list[str]]) -> list[tuple[str, str]]:
    """50 (edition, query) pairs: inflected forms, frequent and rare words, pairs."""
    en_words = words["en"]
    en = [
        "ceasefire",
        "negotiations",
        "agreements",
        "ministers",
        "officials said",
        "security forces",
        "talks",
        "presidents",
        "international support",
        "governments",
        en_words[300],
        en_words[1000],
        en_words[3000],
        f"{en_words[500]} {en_words[5000]}",
        en_words[8000],
        en_words[12000],
    ]
    return (
        [("en", q) for q in en] + [("ar", q) for q in AR_QUERIES] + [("es", q) for q in ES_QUERIES]
    )


def make_changes(corpus: Path, seed: int = 11) -> pa.Table:
    """Apply the hourly update to ``corpus``: 20 new articles, 5 edited; returns them.

    New articles go to each edition's last month, edited ones are taken from
    older months spread over the range; every changed body carries `MARKER`.
    The touched partitions are rewritten in place; the changed rows are returned
    (with ``edition`` and ``month``) for the engines that apply changes.
    """
    from benchmarks.synthetic import edition_vocabulary, text_articles

    rng = random.Random(seed)
    parts = corpus_partitions(corpus)
    changed: list[dict[str, Any]] = []
    new_per_edition = [
        N_NEW // len(EDITIONS) + (1 if e < N_NEW % len(EDITIONS) else 0)
        for e in range(len(EDITIONS))
    ]
    for code, n_new in zip(EDITIONS, new_per_edition, strict=True):
        mine = [p for p in parts if p[0] == code]
        _c, month, path = mine[-1]
        vocab = edition_vocabulary(code, seed)
        new = text_articles(vocab, code, 9_000_000, n_new, seed + 1).to_pylist()
        for row in new:
            row["body"] += f" {MARKER}."
        table = pq.read_table(path)
        pq.write_table(pa.concat_tables([table, pa.Table.from_pylist(new, table.schema)]), path)
        changed += [{**r, "edition": code, "month": month} for r in new]
    for k in range(N_EDITED):
        code = EDITIONS[k % len(EDITIONS)]
        mine = [p for p in parts if p[0] == code]
        _c, month, path = mine[(k + 1) * len(mine) // (N_EDITED + 2)]
        rows = pq.read_table(path).to_pylist()
        i = rng.randrange(len(rows))
        rows[i]["body"] += f" {MARKER}."
        pq.write_table(pa.Table.from_pylist(rows, pq.read_schema(path)), path)
        changed.append({**rows[i], "edition": code, "month": month})
    return pa.Table.from_pylist(changed)


# --------------------------------------------------------------------------- engines

Searcher = Callable[[str, str, int], list[tuple[str, float]]]


def _connect(path: Path) -> Any:
    from newsdesk import build

    return build.connect(path)


def _monthly_table(code: str, month: int) -> str:
    return f"articles_text_{code}_{month}"


def _month_settings(codes: Sequence[str]) -> dict[str, Any]:
    from newsdesk import build

    return {index.code: index for index in build.search_indexes(list(codes))}


def _build_month(con: Any, code: str, month: int, source: Path, settings: Any) -> None:
    from newsdesk.build import _sql_literal

    for statement in _split_sql(_sql_file("search_month_index.sql")):
        con.execute(
            statement.format(
                table=_monthly_table(code, month),
                source=_sql_literal(str(source)),
                stemmer=settings.stemmer,
                stopwords=settings.stopwords,
                ignore=_sql_literal(settings.ignore),
            )
        )


def build_engine(engine: str, corpus: Path, index_dir: Path) -> dict[str, Any]:
    """Index every partition of ``corpus`` into ``index_dir`` (made anew)."""
    from newsdesk import build

    shutil.rmtree(index_dir, ignore_errors=True)
    index_dir.mkdir(parents=True)
    parts = corpus_partitions(corpus)
    t0 = time.perf_counter()
    if engine == "duckdb":
        con = _connect(index_dir / "search.duckdb")
        glob = str(corpus / "edition=*" / "month=*" / "*.parquet")
        con.execute(_sql_file("search_source.sql").format(glob=build._sql_literal(glob)))
        build.build_search(con, build.SQL_DIR / build.EDITION_SQL_DIR)
        con.execute("CHECKPOINT")
        con.close()
    elif engine == "duckdb_monthly":
        con = _connect(index_dir / "search.duckdb")
        settings = _month_settings(sorted({p[0] for p in parts}))
        for code, month, path in parts:
            _build_month(con, code, month, path, settings[code])
        con.execute("CHECKPOINT")
        con.close()
    elif engine == "tantivy":
        from newsdesk.search_index import SearchIndex

        for code in sorted({p[0] for p in parts}):
            index = SearchIndex(index_dir / code, code)
            # One commit per edition: the whole edition's rows, a partition at a time.
            index.upsert(
                row for c, _m, path in parts if c == code for row in pq.read_table(path).to_pylist()
            )
    else:
        raise ValueError(engine)
    seconds = time.perf_counter() - t0
    n_indexes = len(parts) if engine == "duckdb_monthly" else len({p[0] for p in parts})
    return {"seconds": seconds, "size_bytes": _size(index_dir), "indexes": n_indexes}


def update_engine(engine: str, corpus: Path, index_dir: Path, changes: Path) -> dict[str, Any]:
    """Apply the changed rows (already in ``corpus``) the way ``engine`` can."""
    rows = pq.read_table(changes).to_pylist()
    t0 = time.perf_counter()
    touched = sorted({(r["edition"], r["month"]) for r in rows})
    if engine == "duckdb":
        # No incremental path: today's build indexes every edition again.
        build_engine("duckdb", corpus, index_dir)
    elif engine == "duckdb_monthly":
        con = _connect(index_dir / "search.duckdb")
        settings = _month_settings(sorted({c for c, _m in touched}))
        for code, month in touched:
            _build_month(con, code, month, partition_path(corpus, code, month), settings[code])
        con.execute("CHECKPOINT")
        con.close()
    elif engine == "tantivy":
        from newsdesk.search_index import SearchIndex

        for code in sorted({r["edition"] for r in rows}):
            SearchIndex(index_dir / code, code).upsert(r for r in rows if r["edition"] == code)
    else:
        raise ValueError(engine)
    return {
        "seconds": time.perf_counter() - t0,
        "size_bytes": _size(index_dir),
        "partitions_touched": len(touched),
    }


def open_engine(engine: str, index_dir: Path) -> tuple[Searcher, Callable[[], None]]:
    """A search function ``(edition, words, limit) -> [(article_id, score)]`` and a closer."""
    if engine == "tantivy":
        from newsdesk.search_index import SearchIndex

        indexes = {p.name: SearchIndex(p, p.name) for p in sorted(index_dir.iterdir())}

        def search_tantivy(code: str, words: str, limit: int) -> list[tuple[str, float]]:
            return indexes[code].search(words, limit) if code in indexes else []

        return search_tantivy, lambda: None
    from newsdesk import build

    con = build.connect(index_dir / "search.duckdb", read_only=True)
    schemas = [
        str(s)
        for (s,) in con.execute(
            "SELECT schema_name FROM duckdb_schemas() WHERE schema_name LIKE 'fts_main_%'"
        ).fetchall()
    ]
    by_code: dict[str, list[str]] = {}
    for schema in schemas:
        name = schema.removeprefix("fts_main_articles_text_")
        code = name.rsplit("_", 1)[0] if engine == "duckdb_monthly" else name
        by_code.setdefault(code, []).append(schema)
    branch = _strip_comments(_sql_file("search_query_branch.sql"))
    # Comments out first: they name the placeholder, which format() would fill there too.
    query = _strip_comments(_sql_file("search_query.sql"))
    # The per-month option runs one statement per month and merges the scores here:
    # one UNION ALL of 120 match_bm25 branches plans so slowly that a single search
    # took a minute at 10,000 articles (and 30 branches 3.3 s against 0.24 s for 2).
    sql = {
        code: [query.format(branches=branch.format(schema=s)) for s in sorted(ss)]
        for code, ss in by_code.items()
    }

    def search_duckdb(code: str, words: str, limit: int) -> list[tuple[str, float]]:
        rows: list[tuple[str, float]] = []
        for statement in sql.get(code, []):
            found = con.execute(statement, {"words": words, "limit": limit}).fetchall()
            rows += [(str(a), float(s)) for a, s in found]
        rows.sort(key=lambda r: (-r[1], r[0]))
        return rows[:limit]

    return search_duckdb, con.close


def query_engine(
    engine: str, index_dir: Path, queries: Sequence[tuple[str, str]], runs: int
) -> dict[str, Any]:
    """Each query once untimed, then ``runs`` timed rounds; latencies and the top ids.

    With ``runs`` 0 the first (only) pass is the one timed.
    """
    search, close = open_engine(engine, index_dir)
    try:
        times: list[list[float]] = [[] for _ in queries]
        top = []
        for k, (code, q) in enumerate(queries):
            t0 = time.perf_counter()
            top.append([a for a, _s in search(code, q, TOP_K)])
            if runs == 0:
                times[k].append(time.perf_counter() - t0)
        for _ in range(runs):
            for k, (code, q) in enumerate(queries):
                t0 = time.perf_counter()
                search(code, q, TOP_K)
                times[k].append(time.perf_counter() - t0)
        markers = {code: len(search(code, MARKER, 1000)) for code in EDITIONS}
    finally:
        close()
    return {"top": top, "times": times, "markers": markers}


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def child_task(spec: dict[str, Any]) -> dict[str, Any]:
    """One step in a child process (``python -m benchmarks.child search SPEC``)."""
    op, engine = spec["op"], spec.get("engine", "")
    index_dir = Path(spec.get("index_dir", "."))
    # Imported before any step is timed: the steps compare index work, not imports
    # (the process column and the floor, which stops here, show what starting costs).
    import duckdb  # noqa: F401
    import tantivy  # noqa: F401

    from newsdesk import build, editions, search_index  # noqa: F401

    editions.all_editions()
    if op == "floor":
        return {}
    if op == "build":
        return build_engine(engine, Path(spec["corpus"]), index_dir)
    if op == "update":
        return update_engine(engine, Path(spec["corpus"]), index_dir, Path(spec["changes"]))
    if op == "query":
        queries = [(c, q) for c, q in spec["queries"]]
        return query_engine(engine, index_dir, queries, spec["runs"])
    raise ValueError(op)


# --------------------------------------------------------------------------- relevance

# The articles and expectations of tests/test_search_editions.py (its fixture, its
# asserted results per edition), plus one Spanish case added here (the test has no
# Spanish article).
RELEVANCE_ARTICLES = (
    (
        "ar",
        "ar-negotiator",
        "وصل المفاوض إلى القاهرة",
        "قال المفاوض إن الجولة المقبلة ستعقد الأسبوع القادم.",
    ),
    ("ar", "ar-palestinian", "الموقف الفلسطيني", "أكد المسؤول الفلسطيني رفض الخطة."),
    ("ar", "ar-other", "الطقس", "أمطار غزيرة في بيروت."),
    ("en", "en-talks", "Negotiators meet in Cairo", "The negotiations resumed in Cairo."),
    ("en", "en-other", "Weather", "Heavy rain in Beirut."),
    ("xx", "xx-talks", "Cairo", "Cairo negotiations."),
    ("es", "es-talks", "Se reanudan las negociaciones", "El negociador llegó a El Cairo."),
    ("es", "es-other", "El tiempo", "Lluvias intensas en Beirut."),
)
RELEVANCE_CASES: tuple[tuple[str, str, tuple[str, ...], str], ...] = (
    ("ar", "المفاوضات", ("ar-negotiator",), "test_search_editions: stemmed Arabic form"),
    ("ar", "الفلسطينيون", ("ar-palestinian",), "test_search_editions: stemmed Arabic form"),
    ("ar", "cairo", (), "test_search_editions: ar index only"),
    ("en", "cairo", ("en-talks",), "test_search_editions: search_articles('cairo')"),
    ("xx", "cairo", ("xx-talks",), "test_search_editions: unregistered edition"),
    ("en", "cairo المفاوضات", ("en-talks",), "test_search_editions: mixed query, en"),
    ("ar", "cairo المفاوضات", ("ar-negotiator",), "test_search_editions: mixed query, ar"),
    ("xx", "cairo المفاوضات", ("xx-talks",), "test_search_editions: mixed query, xx"),
    ("en", "negotiations", ("en-talks",), "test_search_editions: english stemmer"),
    ("es", "negociador", ("es-talks",), "added here: Spanish stemmer"),
)


def relevance(workdir: Path) -> list[dict[str, Any]]:
    """Each engine's results for `RELEVANCE_CASES` (in this process: tiny indexes)."""
    corpus = workdir / "relevance-corpus"
    shutil.rmtree(corpus, ignore_errors=True)
    for code in sorted({a[0] for a in RELEVANCE_ARTICLES}):
        rows = [
            {"article_id": i, "title": t, "subtitle": None, "body": b}
            for c, i, t, b in RELEVANCE_ARTICLES
            if c == code
        ]
        path = partition_path(corpus, code, 202507)
        path.parent.mkdir(parents=True)
        schema = pa.schema([(n, pa.string()) for n in ("article_id", "title", "subtitle", "body")])
        pq.write_table(pa.Table.from_pylist(rows, schema), path)
    results = []
    for engine in ENGINES:
        index_dir = workdir / f"relevance-{engine}"
        build_engine(engine, corpus, index_dir)
        search, close = open_engine(engine, index_dir)
        try:
            for code, words, expected, source in RELEVANCE_CASES:
                got = tuple(a for a, _s in search(code, words, TOP_K))
                results.append(
                    {
                        "engine": engine,
                        "edition": code,
                        "query": words,
                        "expected": expected,
                        "got": got,
                        "source": source,
                    }
                )
        finally:
            close()
    return results


# --------------------------------------------------------------------------- the run


def _query_subset(engine: str, n: int) -> list[int]:
    """Indexes of the queries an engine runs: all, but a few for the per-month option.

    A per-month search runs 120 statements a search (seconds each search on this
    machine), so it gets `MONTHLY_QUERIES` spread over the editions, timed once.
    """
    if engine != "duckdb_monthly":
        return list(range(n))
    step = n / MONTHLY_QUERIES
    return [int(k * step) for k in range(MONTHLY_QUERIES)]


def _pct(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _overlap(a: Sequence[str], b: Sequence[str], k: int) -> float | None:
    top_a, top_b = set(a[:k]), set(b[:k])
    if not top_a and not top_b:
        return None
    return len(top_a & top_b) / max(len(top_a), len(top_b))


def measure(
    sizes: Sequence[int], runs: int, workdir: Path, months: int | None = None
) -> dict[str, Any]:
    """Run every engine at every size; the raw results (see `run` for the report)."""
    workdir.mkdir(parents=True, exist_ok=True)
    env = child_env(workdir / "pycache")
    log = workdir / "child.log"

    def child(spec: dict[str, Any], name: str) -> dict[str, Any]:
        result = run_child("search", spec, workdir / f"{name}.json", log, env)
        if result.exit_code != 0 or "error" in result.output:
            raise RuntimeError(f"search child {name} failed ({result.exit_code}); see {log}")
        return {**result.output, "wall_s": result.wall_s, "peak_bytes": result.maxrss_bytes}

    from benchmarks.synthetic import MONTHS

    out: dict[str, Any] = {"floor": child({"op": "floor"}, "floor"), "sizes": {}}
    out["months"] = months or len(MONTHS)
    for size in sizes:
        base = workdir / f"search-{size}"
        shutil.rmtree(base, ignore_errors=True)
        corpus = base / "corpus"
        t0 = time.perf_counter()
        words = write_corpus(corpus, size, months=months)
        queries = query_set(words)
        per: dict[str, Any] = {"corpus_s": time.perf_counter() - t0, "engines": {}}
        per["corpus_bytes"] = _size(corpus)
        for engine in ENGINES:
            spec = {
                "op": "build",
                "engine": engine,
                "corpus": str(corpus),
                "index_dir": str(base / engine),
            }
            per["engines"][engine] = {"build": child(spec, f"{size}-{engine}-build")}
        for engine in ENGINES:
            picked = _query_subset(engine, len(queries))
            spec = {
                "op": "query",
                "engine": engine,
                "index_dir": str(base / engine),
                "queries": [queries[k] for k in picked],
                "runs": 0 if engine == "duckdb_monthly" else runs,
            }
            result = child(spec, f"{size}-{engine}-query")
            per["engines"][engine]["query"] = {**result, "picked": picked}
        changes = base / "changes.parquet"
        pq.write_table(make_changes(corpus), changes)
        for engine in ENGINES:
            spec = {
                "op": "update",
                "engine": engine,
                "corpus": str(corpus),
                "index_dir": str(base / engine),
                "changes": str(changes),
            }
            per["engines"][engine]["update"] = child(spec, f"{size}-{engine}-update")
        for engine in ENGINES:
            spec = {
                "op": "query",
                "engine": engine,
                "index_dir": str(base / engine),
                "queries": queries[:1],
                "runs": 0,
            }
            per["engines"][engine]["after"] = child(spec, f"{size}-{engine}-after")
        per["expected_markers"] = dict.fromkeys(EDITIONS, 0)
        for row in pq.read_table(changes, columns=["edition"]).to_pylist():
            per["expected_markers"][row["edition"]] += 1
        per["queries"] = queries
        out["sizes"][size] = per
        shutil.rmtree(corpus, ignore_errors=True)
    out["relevance"] = relevance(workdir)
    # Kept beside the report's inputs, to look into a run's numbers afterwards.
    (workdir / "search-results.json").write_text(json.dumps(out, default=str))
    return out


def run(sizes: Sequence[int], runs: int, workdir: Path, months: int | None = None) -> Section:
    """The benchmark's report section; ``months`` limits the corpus's months (smoke runs)."""
    t_start = time.perf_counter()
    load_before = load_average()
    raw = measure(sizes, runs, workdir, months)
    section = Section(
        key="search",
        title="Incremental search: options compared",
        method=_method(sizes, runs, raw, load_before),
    )
    largest = max(sizes)
    for size in sizes:
        section.tables.append(_size_table(size, raw["sizes"][size]))
    section.tables.append(_ranking_table(sizes, raw))
    section.tables.append(_relevance_table(raw["relevance"]))
    per = raw["sizes"][largest]["engines"]
    for engine in ENGINES:
        update = per[engine]["update"]
        section.targets.append(
            Target(
                f"hourly search update at {largest:,} ({N_NEW} new + {N_EDITED} edited): {engine}",
                f"< {UPDATE_TARGET_S:.0f} s and < 1 GiB",
                f"{update['seconds']:.2f} s ({update['wall_s']:.2f} s with process start), "
                f"{fmt_bytes(update['peak_bytes'])}",
                update["seconds"] < UPDATE_TARGET_S and update["peak_bytes"] < UPDATE_TARGET_BYTES,
            )
        )
    if len(sizes) > 1:
        small, big = min(sizes), largest
        factor = big / small
        section.notes.append(
            f"Scaling {small:,} -> {big:,} articles ({factor:.0f}x): "
            + "; ".join(
                f"{engine} build {_ratio(raw, engine, 'build', small, big)}, "
                f"update {_ratio(raw, engine, 'update', small, big)}"
                for engine in ENGINES
            )
            + "."
        )
    section.notes.append(
        f"Child process floor (interpreter + duckdb + tantivy + newsdesk.build imported, "
        f"nothing done): {fmt_bytes(raw['floor']['peak_bytes'])} peak, "
        f"{raw['floor']['wall_s']:.2f} s; every build/update row includes it."
    )
    section.duration_s = time.perf_counter() - t_start
    return section


def _ratio(raw: dict[str, Any], engine: str, step: str, small: int, big: int) -> str:
    a = raw["sizes"][small]["engines"][engine][step]["seconds"]
    b = raw["sizes"][big]["engines"][engine][step]["seconds"]
    return fmt_ratio(b / a) if a else "n/a"


def _method(sizes: Sequence[int], runs: int, raw: dict[str, Any], load: str) -> str:
    corpus = ", ".join(
        f"{s:,} articles {fmt_bytes(raw['sizes'][s]['corpus_bytes'])} of Parquet" for s in sizes
    )
    return (
        __doc__.split("\n\n", 2)[2].strip()
        + f"\n\nCorpus: {corpus}, a third per edition (en, ar, es), spread over "
        f"{raw['months']} months; "
        f"bodies of about 300 words drawn from each language's vocabulary with word "
        f"families among the frequent words (`benchmarks/synthetic.py`). Queries: 50 "
        f"(16 en, 17 ar, 17 es: inflected forms, frequent and rare words, pairs), the "
        f"top {TOP_K} asked; each once untimed, then {runs} timed round(s); a query's "
        f"latency is its median over rounds, p50/p95 are over the 50 queries. The "
        f"per-month option runs {MONTHLY_QUERIES} of them (spread over the editions), "
        f"timed in a single pass: one search there is one statement per month, "
        f"seconds each, and all 50 would take longer than the rest of the run. Load "
        f"average before the run: {load}. The machine has 2 cores, shared with other "
        f"work: compare the ratios, not the absolute numbers."
    )


def _size_table(size: int, per: dict[str, Any]) -> Table:
    engines = per["engines"]
    base_update = engines["duckdb"]["update"]["seconds"]
    base_medians = [statistics.median(t) for t in engines["duckdb"]["query"]["times"]]
    rows = []
    for engine in ENGINES:
        e = engines[engine]
        picked = e["query"]["picked"]
        medians = [statistics.median(t) for t in e["query"]["times"] if t]
        # The baseline over the same queries, for the ratio.
        base = [base_medians[k] for k in picked]
        base_p50 = _pct(base, 0.5) if base else 0.0
        p50 = _pct(medians, 0.5) if medians else 0.0
        p95 = _pct(medians, 0.95) if medians else 0.0
        update = e["update"]
        visible = e["after"]["markers"] == per["expected_markers"]
        rebuilt = {
            "duckdb": f"all {e['build'].get('indexes', '')}",
            "duckdb_monthly": f"{update['partitions_touched']} of {e['build'].get('indexes', '')}",
            "tantivy": f"none ({N_NEW + N_EDITED} documents written)",
        }[engine]
        rows.append(
            [
                ENGINE_LABELS[engine],
                _times(e["build"]),
                fmt_bytes(e["build"]["peak_bytes"]),
                fmt_bytes(e["build"]["size_bytes"]),
                f"{_times(update)} ({_x(update['seconds'] / base_update)})",
                fmt_bytes(update["peak_bytes"]),
                rebuilt,
                f"{fmt_ms(p50)} ({_x(p50 / base_p50) if base_p50 else 'n/a'})",
                fmt_ms(p95),
                f"{len(picked)}" + (" (one pass)" if engine == "duckdb_monthly" else ""),
                "yes" if visible else f"**no** {e['after']['markers']}",
            ]
        )
    return Table(
        f"{size:,} articles",
        [
            "engine",
            "build (step / process)",
            "build peak RSS",
            "index on disk",
            f"update {N_NEW} new + {N_EDITED} edited (step / process; step vs baseline)",
            "update peak RSS",
            "indexes rebuilt",
            "query p50 (vs baseline on the same queries)",
            "query p95",
            "queries",
            "update visible",
        ],
        rows,
        note=(
            "Build, update and queries each in a fresh child process. 'step': the "
            "work itself, timed inside the child; 'process': the parent's wall clock "
            "around the child (interpreter start and imports included, what a cron "
            "job would pay); peak RSS is the child's VmHWM (imports included, see the "
            "floor below). The baseline's update is a full rebuild. 'update visible': "
            "a search for the marker word of the changed "
            f"articles finds exactly them ({per['expected_markers']})."
        ),
    )


def _ranking_table(sizes: Sequence[int], raw: dict[str, Any]) -> Table:
    rows = []
    for size in sizes:
        per = raw["sizes"][size]
        all_base = per["engines"]["duckdb"]["query"]["top"]
        for engine in ENGINES[1:]:
            top = per["engines"][engine]["query"]["top"]
            picked = per["engines"][engine]["query"]["picked"]
            base_top = [all_base[k] for k in picked]
            asked = [per["queries"][k] for k in picked]
            overlaps = [
                o
                for a, b in zip(base_top, top, strict=True)
                if (o := _overlap(a, b, OVERLAP_K)) is not None
            ]
            same_first = sum(1 for a, b in zip(base_top, top, strict=True) if a[:1] == b[:1])
            identical = sum(
                1 for a, b in zip(base_top, top, strict=True) if a[:OVERLAP_K] == b[:OVERLAP_K]
            )
            by_edition = []
            for code in EDITIONS:
                pairs = [
                    _overlap(a, b, OVERLAP_K)
                    for (c, _q), a, b in zip(asked, base_top, top, strict=True)
                    if c == code
                ]
                vals = [p for p in pairs if p is not None]
                by_edition.append(f"{code} {fmt_pct(statistics.mean(vals)) if vals else 'n/a'}")
            rows.append(
                [
                    f"{size:,}",
                    engine,
                    fmt_pct(statistics.mean(overlaps)) if overlaps else "n/a",
                    ", ".join(by_edition),
                    f"{same_first}/{len(top)}",
                    f"{identical}/{len(top)}",
                ]
            )
    return Table(
        f"Ranking against the baseline (top {OVERLAP_K}; per-month: {MONTHLY_QUERIES} queries)",
        [
            "articles",
            "engine",
            "top-10 overlap",
            "by edition",
            "same first hit",
            "same top 10, same order",
        ],
        rows,
        note=(
            "Overlap: share of the baseline's top 10 also in the engine's top 10, averaged "
            "over queries. Per-month BM25 scores use each month's own statistics (document "
            "count, average length, document frequency), so merging them as they are is "
            "not the whole-table ranking; tantivy scores BM25 over one field (title, "
            "subtitle and body joined) with its own tokenizer and stop-word list."
        ),
    )


def _relevance_table(results: list[dict[str, Any]]) -> Table:
    rows = []
    for code, words, expected, source in RELEVANCE_CASES:
        cells = []
        for engine in ENGINES:
            (r,) = [
                r
                for r in results
                if r["engine"] == engine and r["edition"] == code and r["query"] == words
            ]
            ok = tuple(r["got"]) == tuple(expected)
            cells.append("same" if ok else f"**differs**: {', '.join(r['got']) or 'nothing'}")
        rows.append([code, words, ", ".join(expected) or "nothing", *cells, source])
    return Table(
        "Relevance expectations of the search tests, per engine",
        ["edition", "query", "expected", *ENGINES, "from"],
        rows,
        note="'same': exactly the expected articles, in order.",
    )


def _times(step: dict[str, Any]) -> str:
    """The step's own time inside the child, then the whole process's wall time."""
    return f"{step['seconds']:.2f} s / {step['wall_s']:.2f} s"


def _x(value: float) -> str:
    return f"{value:.3g}x"
