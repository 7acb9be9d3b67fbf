"""The analyst interface: query, sql, search, export bundles, views and the report.

Runs on a synthetic warehouse (tests/factories.py + build_database) with a few
known articles, a crawl log with failures and two recorded crawl runs.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import itertools
import json
import random
import re
import sys
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pyarrow.parquet as pq
import pytest

from newsdesk import analyst, cli
from newsdesk.analyst import export as export_module
from newsdesk.analyst.dictionary import (
    BUILD_DERIVED,
    MEANINGS,
    documented_fields,
)
from newsdesk.analyst.shell import split_statements
from newsdesk.build import build_database, connect
from newsdesk.items import SCHEMA_VERSION, CrawlEvent
from newsdesk.store import ArticleStore, write_crawl_log
from newsdesk.warehouse import Warehouse
from tests.factories import make_article, rehash

UTC = dt.UTC
EXCEL_EPOCH = dt.datetime(1899, 12, 30, tzinfo=UTC)
HOSTILE_TAG = "O'Brien; DROP TABLE articles; --"
SCRIPT_TAG = "<script>alert(1)</script>"
HOSTILE_VALUES = [
    "'; DROP TABLE articles; --",
    "politics' OR '1'='1",
    'x"); DELETE FROM articles; --',
    "; ; ;",
    "$f_since",
    "%",
]
SECTIONS = [
    ("news", "politics"),
    ("news", "middle-east"),
    ("news", "world"),
    ("news", "economy"),
    ("articles", "opinion"),
    ("articles", "analysis"),
    ("videos", "tv"),
    ("news", "sports"),
    ("news", "culture"),
    ("news", "health"),
    ("news", "science"),
]
TAGS = [
    "Gaza",
    "Lebanon",
    "Iran",
    "Yemen",
    "Syria",
    "Russia",
    "Ukraine",
    "China",
    "Nato",
    "Sanctions",
    "Oil",
    "Elections",
    "Climate",
    "Venezuela",
    "Sudan",
    "Iraq",
]
AUTHORS = [
    "Al Mayadeen English",
    "Al Mayadeen Net",
    "Lina Haddad",
    "Omar Saleh",
    "Maya Kassem",
    "Sami Nader",
    "Rana Fares",
    "Karim Aoun",
]
SOURCES = ["Agencies", "Agencies", "Agencies", "Reuters", "AFP", "AP", "Sputnik", "IRNA", None]
WORDS = [
    "government",
    "minister",
    "talks",
    "meeting",
    "officials",
    "statement",
    "week",
    "report",
    "said",
    "president",
    "forces",
    "border",
    "region",
    "security",
    "council",
    "vote",
    "economy",
    "prices",
    "market",
    "people",
    "city",
    "support",
    "plan",
    "response",
    "international",
    "crisis",
    "water",
    "energy",
    "health",
    "aid",
    "schools",
]


def _known_articles() -> dict[str, Any]:
    known = {
        "clove": make_article(
            "zanzibar-clove-harvest-collapses",
            dt.datetime(2025, 7, 3, 9, 15, tzinfo=UTC),
            section="economy",
            title="Zanzibar clove harvest collapses after cyclone",
            body="The clove harvest in Zanzibar collapsed after the cyclone flattened "
            "plantations across Pemba. Clove farmers in Zanzibar said exports will fall.",
            tags=["Zanzibar", "Agriculture"],
            authors=["Amina Hassan"],
            source="Reuters",
        ),
        "hostile": make_article(
            "quotes-and-semicolons",
            dt.datetime(2025, 7, 20, 18, 45, tzinfo=UTC),
            section="politics",
            title="Quotes 'single' and \"double\"; semicolons",
            body="Its tags look like SQL and HTML.",
            tags=[HOSTILE_TAG, SCRIPT_TAG, "Gaza"],
            authors=["Omar Saleh", "Lina Haddad"],
            source="AFP",
        ),
        # Published at 23:30 UTC: its UTC day differs from the Beirut or Tokyo day.
        "late": make_article(
            "late-night-vote",
            dt.datetime(2025, 7, 31, 23, 30, tzinfo=UTC),
            section="politics",
            title="Late night vote in parliament",
            body="Members of parliament voted late at night.",
            tags=["Elections"],
            source=None,
            authors=[],
        ),
    }
    clove = known["clove"]
    clove.subtitle = "Farmers count the losses."
    clove.post_id = "990001"
    clove.region = "Africa"
    clove.image_url = "https://english.almayadeen.net/media/clove.jpg"
    clove.updated_at = dt.datetime(2025, 7, 4, 8, 0, tzinfo=UTC)
    clove.read_time_min = 2
    clove.links = ["https://english.almayadeen.net/news/economy/spice-prices"]
    clove.field_layers = {"title": "metadata", "subtitle": "meta", "body": "page", "tags": "meta"}
    rehash(clove)
    return known


def _filler(rng: random.Random, i: int) -> Any:
    group, section = rng.choice(SECTIONS[:7] * 3 + SECTIONS[7:])
    day = dt.datetime(2025, 6, 2, tzinfo=UTC) + dt.timedelta(
        days=rng.randrange(70), hours=rng.randrange(5, 22), minutes=rng.randrange(60)
    )
    tags = rng.sample(TAGS[:6], rng.randint(0, 2)) + rng.sample(TAGS, rng.randint(0, 2))
    authors = [rng.choice(AUTHORS[:2] * 4 + AUTHORS[2:])]
    if rng.random() < 0.1:
        authors.append(rng.choice(AUTHORS[2:]))
    body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(40, 160)))
    article = make_article(
        f"story-{i:04d}",
        day,
        group=group,
        section=section,
        title=" ".join(rng.choice(WORDS) for _ in range(7)).capitalize(),
        body=body,
        tags=list(dict.fromkeys(tags)),
        authors=list(dict.fromkeys(authors)),
        source=rng.choice(SOURCES),
    )
    article.content_type = "video" if group == "videos" else "article"
    article.subtitle = (
        " ".join(rng.choice(WORDS) for _ in range(12)) if rng.random() < 0.9 else None
    )
    article.post_id = str(1700000 + i) if rng.random() < 0.8 else None
    article.image_url = (
        f"https://english.almayadeen.net/media/{i}.jpg" if rng.random() < 0.85 else None
    )
    article.image_caption = "Caption (AP)" if article.image_url and rng.random() < 0.6 else None
    article.region = rng.choice(["Europe", "Middle East", "Asia", None])
    article.read_time_min = rng.randint(1, 6) if rng.random() < 0.7 else None
    article.crawled_at = dt.datetime(2025, 8, 12, 6, rng.randrange(60), tzinfo=UTC)
    layer = rng.choice(["metadata"] * 6 + ["meta"] * 2 + ["page"])
    article.field_layers = {
        "title": layer,
        "subtitle": layer if article.subtitle else "",
        "authors": rng.choice(["metadata", "page"]),
        "tags": layer,
        "body": "page",
        "published_at": rng.choice(["metadata"] * 5 + ["page"]),
        "section": "url",
        "image_url": layer,
        "post_id": "metadata",
        "region": "metadata",
        "read_time_min": "page",
    }
    article.field_layers = {k: v for k, v in article.field_layers.items() if v}
    return rehash(article)


def _crawl_log(warehouse: Warehouse, articles: Sequence[Any]) -> None:
    runs = [
        ("20250811T060000-aaaa1111", dt.datetime(2025, 8, 11, 6, 0, tzinfo=UTC)),
        ("20250812T060000-bbbb2222", dt.datetime(2025, 8, 12, 6, 0, tzinfo=UTC)),
    ]
    failures = {"http_404": 6, "http_500": 3, "TimeoutError": 4, "no_published_at": 2}
    for n, (run_id, start) in enumerate(runs):
        events: list[CrawlEvent] = []
        t = start
        for i, article in enumerate(articles):
            if n == 0 and i % 2:
                continue  # the first run saw half of the articles
            t += dt.timedelta(seconds=1)
            events.append(
                CrawlEvent(run_id, article.url, "article", t, 200, article_id=article.article_id)
            )
        for page in range(8):
            events.append(
                CrawlEvent(
                    run_id, f"http://127.0.0.1:9/news/politics?page={page}", "listing", t, 200
                )
            )
        for reason, count in failures.items():
            for k in range(count + n):
                status = int(reason[5:]) if reason.startswith("http_") else None
                events.append(
                    CrawlEvent(
                        run_id, f"http://127.0.0.1:9/x/{reason}/{k}", "failed", t, status, reason
                    )
                )
        events.append(
            CrawlEvent(run_id, "http://127.0.0.1:9/old", "skipped", t, 200, "before_since")
        )
        write_crawl_log(warehouse, run_id, events, start.date().isoformat())
        summary = {
            "run_id": run_id,
            "base_url": "http://127.0.0.1:8765",
            "warehouse": str(warehouse.root),
            "started_at": start.isoformat(),
            "finished_at": (t + dt.timedelta(seconds=5)).isoformat(),
            "duration_s": (t - start).total_seconds() + 5,
            "finish_reason": "finished",
            "pages_fetched": len(events),
            "requests": len(events) + 2,
            "articles_new": sum(e.outcome == "article" for e in events) if n == 0 else 3,
            "articles_updated": 0 if n == 0 else 1,
            "articles_unchanged": 0 if n == 0 else len(articles) - 4,
            "revisions": 0,
            "failures": failures,
            "blocked": False,
        }
        runs_dir = warehouse.root / "crawl_runs"
        runs_dir.mkdir(parents=True, exist_ok=True)
        (runs_dir / f"{run_id}.json").write_text(json.dumps(summary))


def make_sample_warehouse(root: Path, n_filler: int = 140, seed: int = 4) -> Warehouse:
    """A built warehouse: known articles, seeded filler, a crawl log and two crawl runs."""
    warehouse = Warehouse(root)
    rng = random.Random(seed)
    articles = list(_known_articles().values()) + [_filler(rng, i) for i in range(n_filler)]
    store = ArticleStore(warehouse)
    store.merge(articles, store.load_index())
    _crawl_log(warehouse, articles)
    build_database(warehouse)
    return warehouse


KNOWN = _known_articles()


# --- running the CLI ------------------------------------------------------------------


def cli_is_wired() -> bool:
    """True once newsdesk/cli.py registers the analyst commands."""
    parser = cli.build_parser()
    for action in parser._subparsers._group_actions if parser._subparsers else []:
        if "query" in getattr(action, "choices", {}):
            return True
    return False


def run_cli(argv: list[str]) -> int:
    """``newsdesk ARGV`` through cli.main when wired, else through an equivalent tiny parser."""
    if cli_is_wired():
        return cli.main(argv)
    parser = cli._Parser(prog="newsdesk")
    sub = parser.add_subparsers(dest="command", parser_class=cli._Parser)
    sub.required = True
    analyst.register(sub)
    args = parser.parse_args(argv)
    try:
        return analyst.COMMANDS[args.command](args)
    except cli.CliError as exc:
        sys.stderr.write(f"newsdesk: error: {exc}\n")
        return cli.EXIT_FAILED


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    return make_sample_warehouse(tmp_path_factory.mktemp("analyst") / "wh")


@pytest.fixture
def con(warehouse: Warehouse):
    connection = connect(warehouse.duckdb_path, read_only=True)
    connection.execute("SET TimeZone = 'UTC'")
    yield connection
    connection.close()


def newsdesk(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run the CLI; returns (exit code, stdout, stderr)."""
    code = run_cli(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def wh_args(warehouse: Warehouse) -> list[str]:
    return ["--warehouse", str(warehouse.root)]


# --- query ------------------------------------------------------------------------------

COUNT_SQL = "SELECT section, count(*) AS n FROM articles GROUP BY 1 ORDER BY n DESC, section"


def test_query_table_is_aligned_and_counts_rows(warehouse, con, capsys):
    code, out, err = newsdesk(capsys, "query", COUNT_SQL, *wh_args(warehouse))
    assert code == 0, err
    expected = con.execute(COUNT_SQL).fetchall()
    lines = out.rstrip("\n").splitlines()
    assert lines[0].split() == ["section", "n"]
    assert set(lines[1]) <= {"-", " "}
    assert [tuple(line.split()) for line in lines[2:-1]] == [(s, str(n)) for s, n in expected]
    assert lines[-1] == f"({len(expected)} rows)"
    # Columns line up: every value starts where its header starts.
    start = lines[0].rstrip().rindex(" ") + 1
    assert all(line[start - 1] == " " and line[start] != " " for line in lines[2:-1])


def test_query_csv_json_markdown(warehouse, con, capsys):
    sql = (
        "SELECT article_id, title, tags, published_at, word_count FROM articles "
        "ORDER BY published_at, article_id LIMIT 5"
    )
    rows = con.execute(sql).fetchall()
    code, out, _ = newsdesk(capsys, "query", sql, "--format", "csv", *wh_args(warehouse))
    assert code == 0
    parsed = list(csv.DictReader(io.StringIO(out)))
    assert [r["article_id"] for r in parsed] == [r[0] for r in rows]
    assert [json.loads(r["tags"]) for r in parsed] == [r[2] for r in rows]
    assert [dt.datetime.fromisoformat(r["published_at"]) for r in parsed] == [r[3] for r in rows]

    code, out, _ = newsdesk(capsys, "query", sql, "--format", "json", *wh_args(warehouse))
    assert code == 0
    records = json.loads(out)
    assert [r["title"] for r in records] == [r[1] for r in rows]
    assert [r["tags"] for r in records] == [r[2] for r in rows]
    assert [r["word_count"] for r in records] == [r[4] for r in rows]
    assert records[0]["published_at"].endswith("Z")

    code, out, _ = newsdesk(
        capsys, "query", "SELECT 'a|b' AS x, 2 AS y", "--format", "markdown", *wh_args(warehouse)
    )
    assert code == 0
    assert out.splitlines() == ["| x | y |", "|---|---|", "| a\\|b | 2 |"]


def test_query_reads_sql_from_stdin(warehouse, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("SELECT 41 + 1 AS answer"))
    code, out, _ = newsdesk(capsys, "query", "-", "--format", "csv", *wh_args(warehouse))
    assert (code, out) == (0, "answer\n42\n")


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("SELEC title FROM articles", "query failed: Parser Error"),
        ("SELECT nope FROM articles", "query failed: Binder Error"),
        ("SELECT * FROM no_such_table", "query failed: Catalog Error"),
        ("DROP TABLE articles", "read-only"),
        ("   ", "empty query"),
    ],
)
def test_bad_sql_is_one_line_error(warehouse, con, capsys, sql, message):
    code, out, err = newsdesk(capsys, "query", sql, *wh_args(warehouse))
    assert code == 1
    assert out == ""
    assert err.startswith("newsdesk: error: ") and message in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert con.execute("SELECT count(*) FROM articles").fetchone()[0] > 100


def test_missing_warehouse_or_database_is_a_clear_error(tmp_path, capsys):
    code, _, err = newsdesk(capsys, "query", "SELECT 1", "--warehouse", str(tmp_path / "none"))
    assert code == 1
    assert "no warehouse at" in err and "newsdesk build" in err and err.count("\n") == 1
    (tmp_path / "empty").mkdir()
    for command in (
        ["query", "SELECT 1"],
        ["search", "gaza"],
        ["export", "--out", str(tmp_path / "x")],
        ["report", "--out", str(tmp_path / "r.html")],
        ["sql"],
    ):
        code, _, err = newsdesk(capsys, *command, "--warehouse", str(tmp_path / "empty"))
        assert code == 1, command
        assert "no database at" in err and "run `newsdesk build` first" in err, command
    assert not (tmp_path / "x").exists() and not (tmp_path / "r.html").exists()


def test_bad_option_values_are_usage_errors(warehouse, capsys):
    for argv in (
        ["export", "--out", "x", "--since", "yesterday"],
        ["search", "gaza", "--limit", "0"],
        ["export", "--out", "x", "--format", "xml"],
        ["query", "SELECT 1", "--format", "html"],
    ):
        with pytest.raises(SystemExit) as exit_info:
            run_cli([*argv, *wh_args(warehouse)])
        assert exit_info.value.code == 2
        err = capsys.readouterr().err
        assert "error:" in err and "Traceback" not in err
    code, _, err = newsdesk(
        capsys,
        "search",
        "gaza",
        "--since",
        "2025-08-01",
        "--until",
        "2025-07-01",
        *wh_args(warehouse),
    )
    assert code == 2 and "is after --until" in err


# --- sql shell --------------------------------------------------------------------------


def test_split_statements_respects_quotes_and_comments():
    text = "SELECT ';' AS a; SELECT 'it''s' -- a comment; here\n; SELECT /* ; */ 1;\nSELECT 2"
    statements, rest = split_statements(text)
    assert statements == [
        "SELECT ';' AS a",
        "SELECT 'it''s' -- a comment; here",
        "SELECT /* ; */ 1",
    ]
    assert rest == "\nSELECT 2"


def test_sql_shell_runs_a_piped_script(warehouse, con, capsys, monkeypatch):
    script = "\n".join(
        [
            ".tables",
            "SELECT count(*) AS n",
            "FROM articles;",
            ".format csv",
            "SELECT ';' AS semi, 'it''s' AS quote;",
            ".schema tag_weekly",
            "SELECT * FROM articles_between('2025-07-03', '2025-07-03') ORDER BY title",
        ]
    )
    monkeypatch.setattr(sys, "stdin", io.StringIO(script))
    code, out, err = newsdesk(capsys, "sql", *wh_args(warehouse))
    assert code == 0, err
    assert err == ""
    for name in ("articles", "tag_weekly", "top_sources_by_section", "articles_between"):
        assert name in out
    total = con.execute("SELECT count(*) FROM articles").fetchone()[0]
    assert f"\n{total}" in out.split("(1 row)")[0]
    assert "semi,quote\n;,it's\n" in out
    assert "week,DATE\ntag,VARCHAR\narticles,BIGINT\n" in out
    assert KNOWN["clove"].title in out  # the unterminated last statement ran too


def test_sql_shell_keeps_going_after_an_error_and_exits_non_zero(warehouse, capsys, monkeypatch):
    monkeypatch.setattr(
        sys, "stdin", io.StringIO("SELECT nope;\nCREATE TABLE t (x INT);\nSELECT 7 AS seven;\n")
    )
    code, out, err = newsdesk(capsys, "sql", *wh_args(warehouse))
    assert code == 1
    assert "seven" in out and "7" in out
    lines = err.strip().splitlines()
    assert len(lines) == 2 and "Binder Error" in lines[0] and "read-only" in lines[1]


# --- search -----------------------------------------------------------------------------


def test_search_ranks_the_known_article_first(warehouse, capsys):
    clove = KNOWN["clove"]
    code, out, err = newsdesk(
        capsys, "search", "Zanzibar clove cyclone", "--format", "json", *wh_args(warehouse)
    )
    assert code == 0, err
    hits = json.loads(out)
    assert hits[0]["rank"] == 1 and hits[0]["url"] == clove.url
    assert hits[0]["title"] == clove.title and hits[0]["section"] == "economy"
    assert hits[0]["date"] == "2025-07-03"
    # Without --edition each edition is ranked on its own: the edition comes first.
    assert list(hits[0]) == ["edition", "rank", "score", "date", "section", "title", "url"]
    assert hits[0]["edition"] == "en"
    # Stemming and case folding: "HARVESTS" finds "harvest".
    code, out, _ = newsdesk(capsys, "search", "HARVESTS", "--format", "json", *wh_args(warehouse))
    assert json.loads(out)[0]["url"] == clove.url
    # The default table output lists the same hit, under its edition's heading.
    code, out, _ = newsdesk(capsys, "search", "zanzibar", *wh_args(warehouse))
    assert out.splitlines()[0] == "[en — Al Mayadeen English]"
    assert out.splitlines()[3].startswith("1 ") and clove.url in out
    # One --edition: that edition's index only, and the columns a search always had.
    code, out, _ = newsdesk(
        capsys,
        "search",
        "Zanzibar clove cyclone",
        "--edition",
        "en",
        "--format",
        "json",
        *wh_args(warehouse),
    )
    hits = json.loads(out)
    assert list(hits[0]) == ["rank", "score", "date", "section", "title", "url"]
    assert hits[0]["url"] == clove.url


def test_search_orders_by_score_and_applies_filters(warehouse, con, capsys):
    _, out, _ = newsdesk(
        capsys,
        "search",
        "minister talks",
        "--limit",
        "50",
        "--format",
        "json",
        *wh_args(warehouse),
    )
    hits = json.loads(out)
    assert len(hits) == 50
    assert [h["rank"] for h in hits] == list(range(1, 51))
    assert all(a["score"] >= b["score"] for a, b in itertools.pairwise(hits))

    _, out, _ = newsdesk(
        capsys,
        "search",
        "minister",
        "--section",
        "news",
        "--tag",
        "gaza",
        "--tag",
        "IRAN",
        "--since",
        "2025-07-01",
        "--until",
        "2025-07-31",
        "--limit",
        "100",
        "--format",
        "json",
        *wh_args(warehouse),
    )
    hits = json.loads(out)
    expected = con.execute(
        "SELECT url FROM articles WHERE section_group = 'news' "
        "AND list_has_any(tags, ['Gaza', 'Iran']) "
        "AND published_date BETWEEN '2025-07-01' AND '2025-07-31' "
        "AND fts_main_articles_text_en.match_bm25(article_id, 'minister') IS NOT NULL"
    ).fetchall()
    assert len(expected) > 5
    assert sorted(h["url"] for h in hits) == sorted(url for (url,) in expected)
    assert all("2025-07-01" <= h["date"] <= "2025-07-31" for h in hits)


def test_search_without_hits_says_so(warehouse, capsys):
    code, out, err = newsdesk(capsys, "search", "zanzibar", "--section", "tv", *wh_args(warehouse))
    assert (code, out) == (0, "") and "no matches" in err


# --- views and macros -------------------------------------------------------------------


def test_analyst_views_and_macros(con):
    between = con.execute(
        "SELECT count(*) FROM articles_between('2025-07-01', '2025-07-31')"
    ).fetchone()[0]
    assert (
        between
        == con.execute(
            "SELECT count(*) FROM articles WHERE published_at >= '2025-07-01' "
            "AND published_at < '2025-08-01'"
        ).fetchone()[0]
    )
    late = con.execute("SELECT title FROM articles_between('2025-07-31', '2025-07-31')").fetchall()
    assert (KNOWN["late"].title,) in late  # 23:30 UTC belongs to its UTC day
    assert con.execute("SELECT count(*) FROM articles_tagged('zanzibar')").fetchone()[0] == 1
    top = con.execute("SELECT url FROM search_articles('zanzibar clove') LIMIT 1").fetchone()
    assert top == (KNOWN["clove"].url,)
    weekly = con.execute("SELECT tag, sum(articles) FROM tag_weekly GROUP BY 1").fetchall()
    assert dict(weekly) == dict(con.execute("SELECT tag, articles FROM tags").fetchall())
    assert all(
        week.weekday() == 0 for (week,) in con.execute("SELECT week FROM tag_weekly").fetchall()
    )
    assert (
        con.execute("SELECT sum(articles) FROM section_weekly").fetchone()[0]
        == con.execute("SELECT count(*) FROM articles").fetchone()[0]
    )
    ranks = con.execute(
        "SELECT section, source, articles, share FROM top_sources_by_section WHERE rank = 1 "
        "AND section = 'economy'"
    ).fetchone()
    best = con.execute(
        "SELECT source, count(*) FROM articles WHERE section = 'economy' AND source IS NOT NULL "
        "GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1"
    ).fetchone()
    assert ranks[1:3] == best and 0 < ranks[3] <= 1
    shares = con.execute(
        "SELECT section, sum(share) FROM top_sources_by_section GROUP BY 1"
    ).fetchall()
    assert all(abs(total - 1) < 0.01 for _, total in shares)
    assert (
        con.execute("SELECT sum(articles) FROM author_monthly").fetchone()[0]
        == con.execute("SELECT count(*) FROM article_authors").fetchone()[0]
    )
    failures = dict(
        con.execute("SELECT reason, sum(pages) FROM crawl_failures GROUP BY 1").fetchall()
    )
    assert failures == {"http_404": 13, "http_500": 7, "TimeoutError": 9, "no_published_at": 5}


# --- the data dictionary ----------------------------------------------------------------


def test_dictionary_covers_every_column_of_the_built_table(con):
    columns = [row[0] for row in con.execute("DESCRIBE articles").fetchall()]
    documented = documented_fields()
    # The declaration documents exactly the table's columns, in table order ...
    assert list(documented) == columns
    assert all(rule.strip() for _type, rule in documented.values())
    # ... with the build-derived and partition columns among them ...
    assert set(BUILD_DERIVED) == {"published_date", "year", "month"}
    # ... and a plain-language meaning for each.
    assert list(MEANINGS) == columns
    assert all(MEANINGS[c].strip() for c in columns)
    assert "| Al Mayadeen English" in documented["title"][1]


# --- exports ----------------------------------------------------------------------------


def _decode(value: Any, kind: str, fmt: str) -> Any:
    """A value read back from an exported file, as the Python value DuckDB gives."""
    if fmt in ("csv",) and value == "":
        return None
    if value is None:
        return None
    if kind in ("array", "object") and fmt in ("csv", "xlsx"):
        return json.loads(value)
    if kind == "datetime":
        if isinstance(value, str):
            return dt.datetime.fromisoformat(value)
        if isinstance(value, float):  # an Excel serial date the reader did not convert
            # to the millisecond, as Excel and openpyxl read it (a serial has ~15 digits)
            return EXCEL_EPOCH + dt.timedelta(milliseconds=round(value * 86_400_000))
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value
    if kind == "date":
        if isinstance(value, float):
            return (EXCEL_EPOCH + dt.timedelta(days=value)).date()
        return dt.date.fromisoformat(value) if isinstance(value, str) else value
    if kind == "integer":
        return int(value)
    return value


def _column_index(ref: str) -> int:
    letters = "".join(ch for ch in ref if ch.isalpha())
    index = 0
    for ch in letters:
        index = index * 26 + ord(ch.upper()) - 64
    return index - 1


def read_xlsx(path: Path) -> list[dict[str, Any]]:
    """Rows of the first sheet, read with zipfile + ElementTree (independent of DuckDB)."""
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        shared: list[str] = []
        if "xl/sharedStrings.xml" in names:
            root = ElementTree.fromstring(archive.read("xl/sharedStrings.xml"))
            shared = ["".join(t.text or "" for t in si.iter(f"{{{ns['m']}}}t")) for si in root]
        sheet = ElementTree.fromstring(archive.read("xl/worksheets/sheet1.xml"))
    table: list[list[Any]] = []
    for row in sheet.iter(f"{{{ns['m']}}}row"):
        values: dict[int, Any] = {}
        for cell in row.findall("m:c", ns):
            kind = cell.get("t")
            if kind == "inlineStr":
                value: Any = "".join(t.text or "" for t in cell.iter(f"{{{ns['m']}}}t"))
            elif kind == "s":
                value = shared[int(cell.findtext("m:v", namespaces=ns) or 0)]
            elif kind == "b":
                value = cell.findtext("m:v", namespaces=ns) == "1"
            else:
                text = cell.findtext("m:v", namespaces=ns)
                value = None if text is None else float(text)
            values[_column_index(cell.get("r", ""))] = value
        width = max(values, default=-1) + 1
        table.append([values.get(i) for i in range(width)])
    header = table[0]
    return [
        {name: (r[i] if i < len(r) else None) for i, name in enumerate(header)} for r in table[1:]
    ]


def read_bundle(bundle: Path) -> tuple[list[dict[str, Any]], dict[str, Any], dict[str, Any]]:
    """(rows decoded with the bundle's own schema, datapackage.json, manifest.json)."""
    package = json.loads((bundle / "datapackage.json").read_text())
    manifest = json.loads((bundle / "manifest.json").read_text())
    resource = package["resources"][0]
    fields = {f["name"]: f["type"] for f in resource["schema"]["fields"]}
    path = bundle / resource["path"]
    fmt = manifest["format"]
    if fmt == "parquet":
        raw = pq.read_table(path).to_pylist()
        raw = [
            {k: dict(v) if fields[k] == "object" and v is not None else v for k, v in r.items()}
            for r in raw
        ]
    elif fmt == "csv":
        with open(path, newline="", encoding="utf-8") as handle:
            raw = list(csv.DictReader(handle))
    elif fmt == "jsonl":
        raw = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    else:
        raw = read_xlsx(path)
    rows = [{k: _decode(v, fields[k], fmt) for k, v in r.items()} for r in raw]
    for row in rows:
        assert list(row) == list(fields), "columns in the file differ from datapackage.json"
    return rows, package, manifest


def expected_rows(con, sql_where: str = "true", columns: str = "*") -> list[dict[str, Any]]:
    cursor = con.execute(
        f"SELECT {columns} FROM articles WHERE {sql_where} ORDER BY published_at, article_id"
    )
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


@pytest.mark.parametrize("fmt", ["parquet", "csv", "jsonl", "xlsx"])
def test_every_export_format_round_trips(warehouse, con, capsys, tmp_path, fmt):
    out = tmp_path / f"bundle-{fmt}"
    code, stdout, err = newsdesk(
        capsys,
        "export",
        "--out",
        str(out),
        "--format",
        fmt,
        "--since",
        "2025-07-01",
        *wh_args(warehouse),
    )
    assert code == 0, err
    rows, package, manifest = read_bundle(out)
    expected = expected_rows(con, "published_date >= DATE '2025-07-01'")
    assert len(rows) == len(expected) == manifest["row_count"] > 50
    assert f"exported {len(rows)} articles" in stdout
    for got, want in zip(rows, expected, strict=True):
        assert got == want, {k: (got[k], want[k]) for k in want if got[k] != want[k]}
    assert sorted(p.name for p in out.iterdir()) == [
        "README.md",
        "data",
        "datapackage.json",
        "manifest.json",
    ]
    assert package["resources"][0]["path"] == f"data/articles.{fmt}"


def test_export_filters_and_columns(warehouse, con, capsys, tmp_path):
    hostile = KNOWN["hostile"]
    out = tmp_path / "one"
    code, _, err = newsdesk(
        capsys,
        "export",
        "--out",
        str(out),
        "--format",
        "csv",
        "--section",
        "politics",
        "--section",
        "opinion",
        "--tag",
        "gaza",
        "--tag",
        HOSTILE_TAG,
        "--author",
        "omar saleh",
        "--source",
        "AFP",
        "--since",
        "2025-07-20",
        "--until",
        "2025-07-20",
        "--columns",
        "url, title,tags,authors,published_at",
        *wh_args(warehouse),
    )
    assert code == 0, err
    rows, package, manifest = read_bundle(out)
    assert rows == [
        {
            "url": hostile.url,
            "title": hostile.title,
            "tags": hostile.tags,
            "authors": hostile.authors,
            "published_at": hostile.published_at,
        }
    ]
    assert [f["name"] for f in package["resources"][0]["schema"]["fields"]] == [
        "url",
        "title",
        "tags",
        "authors",
        "published_at",
    ]
    assert manifest["filters"] == {
        "since": "2025-07-20",
        "until": "2025-07-20",
        "sections": ["politics", "opinion"],
        "tags": ["gaza", HOSTILE_TAG],
        "author": "omar saleh",
        "source": "AFP",
        "search": None,
        "edition": None,
    }
    assert manifest["columns"] == ["url", "title", "tags", "authors", "published_at"]

    out = tmp_path / "search"
    code, _, _ = newsdesk(
        capsys,
        "export",
        "--out",
        str(out),
        "--format",
        "jsonl",
        "--search",
        "zanzibar clove",
        "--columns",
        "article_id,title",
        *wh_args(warehouse),
    )
    rows, _, manifest = read_bundle(out)
    assert rows == [{"article_id": KNOWN["clove"].article_id, "title": KNOWN["clove"].title}]
    assert manifest["filters"]["search"] == "zanzibar clove"

    out = tmp_path / "group"
    code, _, _ = newsdesk(
        capsys,
        "export",
        "--out",
        str(out),
        "--section",
        "ARTICLES",
        "--columns",
        "article_id",
        *wh_args(warehouse),
    )
    rows, _, _ = read_bundle(out)
    assert rows == expected_rows(con, "section_group = 'articles'", "article_id")


def test_unknown_columns_are_a_clear_error(warehouse, capsys, tmp_path):
    for columns in ("title,nope", "title; DROP TABLE articles", '"title"', " , "):
        code, _, err = newsdesk(
            capsys,
            "export",
            "--out",
            str(tmp_path / "x"),
            "--columns",
            columns,
            *wh_args(warehouse),
        )
        assert code == 1 and err.count("\n") == 1, columns
        assert "unknown column" in err or "--columns is empty" in err
    assert (
        "known: article_id, post_id"
        in newsdesk(
            capsys, "export", "--out", str(tmp_path / "x"), "--columns", "nope", *wh_args(warehouse)
        )[2]
    )
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize("fmt", ["parquet", "csv", "xlsx"])
def test_datapackage_and_manifest_are_complete(warehouse, con, capsys, tmp_path, fmt):
    out = tmp_path / "bundle"
    code, _, err = newsdesk(
        capsys,
        "export",
        "--out",
        str(out),
        "--format",
        fmt,
        "--until",
        "2025-07-31",
        *wh_args(warehouse),
    )
    assert code == 0, err
    package = json.loads((out / "datapackage.json").read_text())
    manifest = json.loads((out / "manifest.json").read_text())
    where = "published_date <= DATE '2025-07-31'"
    total = con.execute(f"SELECT count(*) FROM articles WHERE {where}").fetchone()[0]
    described = con.execute("DESCRIBE articles").fetchall()

    # datapackage.json: a Frictionless tabular data package, every column described.
    assert package["profile"] == "tabular-data-package"
    (resource,) = package["resources"]
    assert resource["profile"] == "tabular-data-resource" and resource["format"] == fmt
    fields = resource["schema"]["fields"]
    assert [f["name"] for f in fields] == [row[0] for row in described]
    for field, (name, duckdb_type, *_) in zip(fields, described, strict=True):
        for key in ("type", "description", "derivation", "encoding", "nullRate", "nullCount"):
            assert field.get(key) not in (None, ""), (name, key)
        assert field["duckdbType"] == duckdb_type
        assert "docs/fields.md in the newsdesk" not in field["derivation"], name
        nulls = con.execute(
            f'SELECT count(*) FILTER (WHERE "{name}" IS NULL) FROM articles WHERE {where}'
        ).fetchone()[0]
        assert field["nullCount"] == nulls, name
        assert field["nullRate"] == pytest.approx(nulls / total, abs=1e-6), name
    by_name = {f["name"]: f for f in fields}
    assert by_name["tags"]["type"] == "array" and by_name["field_layers"]["type"] == "object"
    assert by_name["published_at"]["type"] == "datetime"
    assert by_name["published_date"]["type"] == "date"
    assert by_name["word_count"]["type"] == "integer"
    assert by_name["post_id"]["nullRate"] > 0 and by_name["title"]["nullRate"] == 0
    assert resource["schema"]["primaryKey"] == "article_id"
    if fmt in ("csv", "xlsx"):
        assert "JSON array as text" in by_name["tags"]["encoding"]
    if fmt == "xlsx":
        assert by_name["body"]["truncatedCells"] == 0

    # manifest.json: filters, row count, date range, crawls, schema version, checksums.
    assert manifest["row_count"] == total
    assert manifest["schema_version"] == SCHEMA_VERSION
    assert manifest["filters"]["until"] == "2025-07-31"
    first, last = con.execute(
        f"SELECT min(published_at), max(published_at) FROM articles WHERE {where}"
    ).fetchone()
    assert dt.datetime.fromisoformat(manifest["date_range"]["published_from"]) == first
    assert dt.datetime.fromisoformat(manifest["date_range"]["published_to"]) == last
    runs = manifest["crawls"]["runs"]
    assert [r["run_id"] for r in runs] == ["20250811T060000-aaaa1111", "20250812T060000-bbbb2222"]
    assert all(r["started_at"] and r["finished_at"] for r in runs)
    listed = {f["path"] for f in manifest["files"]}
    assert listed == {f"data/articles.{fmt}", "datapackage.json", "README.md"}
    for entry in manifest["files"]:
        data = (out / entry["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
        assert len(data) == entry["bytes"]
    data = (out / resource["path"]).read_bytes()
    assert resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
    assert resource["bytes"] == len(data)

    readme = (out / "README.md").read_text()
    assert f"{total} articles" in readme
    for name, *_ in described:
        assert f"| {name} |" in readme and f"- **{name}**:" in readme


def test_hostile_filter_values_are_harmless(warehouse, con, capsys, tmp_path):
    before = con.execute("SELECT count(*) FROM articles").fetchone()[0]
    for i, value in enumerate(HOSTILE_VALUES):
        for option in ("--section", "--tag", "--author", "--source", "--edition"):
            # Not in the data: a usage error (exit 2), one line, nothing written.
            out = tmp_path / f"h{i}{option}"
            code, _, err = newsdesk(
                capsys, "export", "--out", str(out), option, value, *wh_args(warehouse)
            )
            assert code == 2 and f"unknown {option[2:]}" in err, (option, value, err)
            assert len(err.strip().splitlines()) == 1 and not out.exists()
            code, _, err = newsdesk(
                capsys, "search", "minister", option, value, *wh_args(warehouse)
            )
            assert code == 2 and f"unknown {option[2:]}" in err, (option, value, err)
        # Search words are not checked against a list: they match nothing.
        out = tmp_path / f"h{i}-search"
        code, _, err = newsdesk(
            capsys,
            "export",
            "--out",
            str(out),
            "--columns",
            "article_id",
            "--search",
            value,
            "--allow-empty",
            *wh_args(warehouse),
        )
        assert code == 0, (value, err)
        rows, _, manifest = read_bundle(out)
        assert rows == [] and manifest["row_count"] == 0 and manifest["filters"]["search"] == value
    assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == before
    # A value that merely looks like SQL is a value: it matches the article that has it.
    out = tmp_path / "exact"
    newsdesk(capsys, "export", "--out", str(out), "--tag", HOSTILE_TAG, *wh_args(warehouse))
    rows, _, _ = read_bundle(out)
    assert [r["article_id"] for r in rows] == [KNOWN["hostile"].article_id]
    # Awkward output paths are fine too (paths cannot be bound in COPY, so they are quoted).
    out = tmp_path / 'it\'s "here"; DROP TABLE articles; --'
    code, _, err = newsdesk(
        capsys,
        "export",
        "--out",
        str(out),
        "--format",
        "csv",
        "--columns",
        "title",
        *wh_args(warehouse),
    )
    assert code == 0, err
    assert read_bundle(out)[2]["row_count"] == before
    assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == before


def test_export_refuses_to_overwrite_without_force(warehouse, capsys, tmp_path):
    out = tmp_path / "bundle"
    args = ["--columns", "article_id,title", *wh_args(warehouse)]
    assert newsdesk(capsys, "export", "--out", str(out), *args)[0] == 0
    manifest_before = (out / "manifest.json").read_text()
    code, _, err = newsdesk(capsys, "export", "--out", str(out), "--format", "csv", *args)
    assert code == 1 and "already exists; pass --force" in err and err.count("\n") == 1
    assert (out / "manifest.json").read_text() == manifest_before
    assert (out / "data" / "articles.parquet").exists()
    code, _, err = newsdesk(
        capsys, "export", "--out", str(out), "--format", "csv", "--force", *args
    )
    assert code == 0, err
    assert (out / "data" / "articles.csv").exists()
    assert not (out / "data" / "articles.parquet").exists()
    # A plain file in the way is protected the same way.
    blocker = tmp_path / "file.txt"
    blocker.write_text("keep me")
    code, _, err = newsdesk(capsys, "export", "--out", str(blocker), *args)
    assert code == 1 and blocker.read_text() == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bundle", "file.txt"]
    # --force replaces earlier exports and files, never a folder that is not a bundle.
    for precious in (warehouse.root, tmp_path / "notes"):
        precious.mkdir(exist_ok=True)
        before = sorted(p.name for p in precious.iterdir())
        code, _, err = newsdesk(capsys, "export", "--out", str(precious), "--force", *args)
        assert code == 1 and "not a newsdesk export" in err, precious
        assert sorted(p.name for p in precious.iterdir()) == before
    code, _, err = newsdesk(capsys, "export", "--out", str(blocker), "--force", *args)
    assert code == 0 and (blocker / "manifest.json").exists()


@pytest.mark.parametrize("step", ["data", "datapackage", "readme", "manifest", "place"])
def test_failed_export_leaves_nothing_behind(warehouse, monkeypatch, tmp_path, step):
    con = analyst.open_database(warehouse)

    def crash(name: str) -> None:
        if name == step:
            raise RuntimeError(f"simulated crash at {name}")

    monkeypatch.setattr(export_module, "_step_hook", crash)
    out = tmp_path / "bundle"
    with pytest.raises(RuntimeError, match="simulated crash"):
        export_module.export_articles(con, analyst.ExportOptions(out=out, fmt="csv"))
    assert list(tmp_path.iterdir()) == []
    # Replacing an existing bundle: a failure keeps the old one intact.
    monkeypatch.setattr(export_module, "_step_hook", None)
    export_module.export_articles(con, analyst.ExportOptions(out=out, fmt="jsonl"))
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    monkeypatch.setattr(export_module, "_step_hook", crash)
    with pytest.raises(RuntimeError):
        export_module.export_articles(con, analyst.ExportOptions(out=out, fmt="csv", force=True))
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert [p.name for p in tmp_path.iterdir()] == ["bundle"]
    # The temporary table is gone too.
    assert con.execute("SELECT count(*) FROM duckdb_tables() WHERE temporary").fetchone()[0] == 0
    con.close()


def test_disk_errors_are_one_line_and_leave_nothing(warehouse, capsys, monkeypatch, tmp_path):
    def disk_full(name: str) -> None:
        if name == "readme":
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(export_module, "_step_hook", disk_full)
    code, out, err = newsdesk(capsys, "export", "--out", str(tmp_path / "b"), *wh_args(warehouse))
    assert code == 1 and out == ""
    assert err == "newsdesk: error: export failed: No space left on device\n"
    assert list(tmp_path.iterdir()) == []


def test_xlsx_cuts_cells_over_excels_limit_and_says_so(tmp_path, capsys):
    warehouse = Warehouse(tmp_path / "wh")
    store = ArticleStore(warehouse)
    long_body = "word " * 9000
    store.merge(
        [
            make_article("long", dt.datetime(2025, 7, 1, tzinfo=UTC), body=long_body),
            make_article("short", dt.datetime(2025, 7, 2, tzinfo=UTC)),
        ],
        store.load_index(),
    )
    build_database(warehouse)
    out = tmp_path / "x"
    code, _, err = newsdesk(
        capsys,
        "export",
        "--out",
        str(out),
        "--format",
        "xlsx",
        "--columns",
        "title,body",
        *wh_args(warehouse),
    )
    assert code == 0, err
    rows, package, _ = read_bundle(out)
    body = rows[0]["body"]
    assert len(body) == export_module.XLSX_CELL_LIMIT and body.endswith("…")
    assert long_body.strip().startswith(body[:-1].strip())
    assert rows[1]["body"] == "Body text."
    fields = {f["name"]: f for f in package["resources"][0]["schema"]["fields"]}
    assert fields["body"]["truncatedCells"] == 1 and "32,767" in fields["body"]["encoding"]


# --- report -----------------------------------------------------------------------------


def test_report_is_one_self_contained_file(warehouse, capsys, tmp_path):
    out = tmp_path / "sub" / "report.html"
    code, stdout, err = newsdesk(capsys, "report", "--out", str(out), *wh_args(warehouse))
    assert code == 0, err
    assert f"wrote {out}" in stdout
    page = out.read_text()
    assert page.count('<svg class="chart') >= 7
    for section in ("daily", "tags", "sources", "authors", "crawl-health"):
        assert f'id="{section}"' in page
    # Nothing to fetch: no scripts, no external URLs in src/href, a CSP that forbids loading.
    assert "<script" not in page
    # Headlines link to their articles (<a href>, a click, not a load); nothing else does.
    assert 'src="http' not in page and "url(http" not in page
    assert not re.search(r'<(?!a )[a-z]+ [^>]*href="http', page)
    for section in ("headlines", "drilldown", "source-groups"):
        assert section in page
    assert "default-src 'none'" in page
    for reason in ("http_404", "TimeoutError", "no_published_at"):
        assert reason in page
    assert list(out.parent.iterdir()) == [out]


def test_report_window_filters_articles(warehouse, con, capsys, tmp_path):
    out = tmp_path / "july.html"
    code, stdout, _ = newsdesk(
        capsys,
        "report",
        "--out",
        str(out),
        "--since",
        "2025-07-03",
        "--until",
        "2025-07-03",
        *wh_args(warehouse),
    )
    assert code == 0
    page = out.read_text()
    on_the_day = [r for r in expected_rows(con) if r["published_date"] == dt.date(2025, 7, 3)]
    assert f"({len(on_the_day)} articles" in stdout
    assert "3 Jul 2025" in page and "Zanzibar" in page


def test_report_escapes_hostile_text(warehouse, capsys, tmp_path):
    out = tmp_path / "day.html"
    day = KNOWN["hostile"].published_at.date().isoformat()
    code, _, err = newsdesk(
        capsys, "report", "--out", str(out), "--since", day, "--until", day, *wh_args(warehouse)
    )
    assert code == 0, err
    page = out.read_text()
    assert SCRIPT_TAG not in page and "<script" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "O&#x27;Brien; DROP TABLE articles; --" in page


def test_report_numbers_match_the_database(warehouse, con):
    from newsdesk.analyst.report import COVERAGE_FIELDS, collect

    data = collect(con, analyst.ArticleFilters(), warehouse.duckdb_path)
    total = con.execute("SELECT count(*) FROM articles").fetchone()[0]
    assert data.articles == total
    for name, layers in data.coverage:
        kind = dict(COVERAGE_FIELDS)[name]
        present = {"list": f"len({name}) > 0", "text": f"{name} <> ''"}.get(
            kind, f"{name} IS NOT NULL"
        )
        expected = con.execute(f"SELECT count(*) FILTER (WHERE {present}) FROM articles").fetchone()
        assert sum(layers.values()) == total, name
        assert total - layers.get("missing", 0) == expected[0], name
    coverage = dict(data.coverage)
    assert coverage["published_at"].get("missing", 0) == 0
    assert coverage["title"].get("missing", 0) == 0
    assert sum(n for *_, n in data.daily) == total
    assert dict(data.failures) == {
        "http_404": 13,
        "http_500": 7,
        "TimeoutError": 9,
        "no_published_at": 5,
    }
    # Per distinct URL: the second run failed again on the first run's URLs plus one more.
    assert {f["reason"]: (f["urls"], f["fetches"]) for f in data.failure_urls} == {
        "http_404": (7, 13),
        "http_500": (4, 7),
        "TimeoutError": (5, 9),
        "no_published_at": (3, 5),
    }
    assert data.crawl_totals["failed_urls"] == 19
    assert (
        data.crawl_totals["failed_urls"]
        == con.execute("SELECT count(*) FROM crawl_failed_urls").fetchone()[0]
    )
    assert (
        data.sources
        == con.execute(
            "SELECT source, articles FROM sources ORDER BY articles DESC, source"
        ).fetchall()
    )
    assert [r["run_id"] for r in data.runs] == [
        "20250812T060000-bbbb2222",
        "20250811T060000-aaaa1111",
    ]


def _stories_warehouse(root: Path) -> Warehouse:
    """Three weeks and a bit (Wed 2 Jul – Tue 22 Jul 2025) with source spellings and tags."""
    sources = [
        "Al Mayadeen Net",
        "Al Mayadeen English",
        "al mayadeen  net",
        "Agencies",
        "AGENCIES",
        " Agencies",
        "Reuters",
        None,
    ]
    articles = []
    start = dt.datetime(2025, 7, 2, 9, tzinfo=UTC)
    for i in range(21):
        tags = ["Gaza", "Ceasefire"] if i % 3 == 0 else (["Lebanon"] if i % 3 == 1 else [])
        articles.append(
            make_article(
                f"story-{i:02d}",
                start + dt.timedelta(days=i),
                section=["politics", "economy", "culture"][i % 3],
                title=f"Headline {i:02d} " + ("ceasefire talks" if i % 3 == 0 else "other news"),
                tags=tags,
                source=sources[i % len(sources)],
            )
        )
    warehouse = Warehouse(root)
    store = ArticleStore(warehouse)
    store.merge(articles, store.load_index())
    # A dead link that every run fetches again is one failed URL; another recovers.
    for n, run_id in enumerate(("20250801T060000-aaaa1111", "20250802T060000-bbbb2222")):
        t = dt.datetime(2025, 8, 1 + n, 6, tzinfo=UTC)
        events = [
            CrawlEvent(run_id, "http://127.0.0.1:9/dead", "failed", t, 404, "http_404"),
            CrawlEvent(run_id, "http://127.0.0.1:9/flaky", "failed", t, 500, "http_500")
            if n == 0
            else CrawlEvent(run_id, "http://127.0.0.1:9/flaky", "article", t, 200),
        ]
        write_crawl_log(warehouse, run_id, events, t.date().isoformat())
    build_database(warehouse)
    return warehouse


def test_source_groups_view_keeps_raw_sources(tmp_path):
    warehouse = _stories_warehouse(tmp_path / "wh")
    con = connect(warehouse.duckdb_path, read_only=True)
    try:
        groups = dict(
            con.execute(
                "SELECT source_group, list(source ORDER BY source) FROM source_groups GROUP BY 1"
            ).fetchall()
        )
        raw = {r[0] for r in con.execute("SELECT DISTINCT source FROM articles").fetchall()}
        keys = con.execute(
            "SELECT source_group_key('Al-Mayadeen Español'), source_group_key('الميادين نت'), "
            "source_group_key('A.F.P'), source_group_key(NULL)"
        ).fetchone()
    finally:
        con.close()
    assert groups == {
        "Al Mayadeen": ["Al Mayadeen English", "Al Mayadeen Net", "al mayadeen  net"],
        "Agencies": [" Agencies", "AGENCIES", "Agencies"],
        "Reuters": ["Reuters"],
    }
    assert "al mayadeen  net" in raw and " Agencies" in raw  # the raw source is kept
    assert keys == ("al mayadeen", "al mayadeen", "afp", None)


def test_report_shows_the_stories(tmp_path, capsys):
    from newsdesk.analyst.report import collect

    warehouse = _stories_warehouse(tmp_path / "wh")
    out = tmp_path / "stories.html"
    code, _, err = newsdesk(capsys, "report", "--out", str(out), *wh_args(warehouse))
    assert code == 0, err
    page = out.read_text()
    con = connect(warehouse.duckdb_path, read_only=True)
    try:
        data = collect(con, analyst.ArticleFilters(), warehouse.duckdb_path)
        short = collect(
            con,
            analyst.ArticleFilters(since=dt.date(2025, 7, 7), until=dt.date(2025, 7, 13)),
            warehouse.duckdb_path,
        )
    finally:
        con.close()
    # Headlines per week, latest first; the tagged stories rank first, with section and link.
    assert data.headline_period == "week"
    weeks = [h["period"] for h in data.headlines if h["rank"] == 1]
    assert weeks == [dt.date(2025, 7, d) for d in (21, 14, 7)] + [dt.date(2025, 6, 30)]
    top = next(h for h in data.headlines if h["period"] == dt.date(2025, 7, 14))
    assert top["title"] == "Headline 18 ceasefire talks" and top["section"] == "politics"
    assert f'<a href="{top["url"]}" rel="noopener noreferrer">{top["title"]}</a>' in page
    # Partial first and last weeks (Wed 2 Jul – Tue 22 Jul): flagged, full weeks not.
    assert data.window == (dt.date(2025, 7, 2), dt.date(2025, 7, 22))
    assert data.is_partial(dt.date(2025, 6, 30)) and data.is_partial(dt.date(2025, 7, 21))
    assert not data.is_partial(dt.date(2025, 7, 7)) and not data.is_partial(dt.date(2025, 7, 14))
    assert data.week_name(dt.date(2025, 7, 21)) == (
        "week of 2025-07-21 (partial: 2 of 7 days, 21 Jul–22 Jul)"
    )
    assert '<div class="period" data-period="2025-07-21" data-partial>' in page
    assert '<div class="period" data-period="2025-07-14">' in page
    assert "week of 2025-06-30 (partial: 5 of 7 days" in page
    # A short window: headlines per day, and a window of whole weeks has no partial one.
    assert short.headline_period == "day"
    assert {h["period"] for h in short.headlines} == {dt.date(2025, 7, d) for d in range(7, 14)}
    assert not short.is_partial(dt.date(2025, 7, 7))
    # Drill-down per section and per tag, in <details>, with counts and headlines.
    sections = {d["section"]: d for d in data.section_drill}
    assert {k: v["articles"] for k, v in sections.items()} == {
        "politics": 7,
        "economy": 7,
        "culture": 7,
    }
    assert sections["politics"]["top_tags"] == [
        {"name": "Ceasefire", "n": 7},
        {"name": "Gaza", "n": 7},
    ]
    assert len(sections["politics"]["headlines"]) == 7
    tags = {d["tag"]: d for d in data.tag_drill}
    assert tags["Lebanon"]["sections"] == [{"name": "economy", "n": 7}]
    assert page.count('<details class="drill"') == 3 + 3
    assert '<details class="drill" data-tag="Gaza">' in page
    # Source groups with their variants; the raw spellings are shown.
    groups = {g: (n, s) for g, n, s, _ in data.source_groups}
    assert groups["Al Mayadeen"][0] == 9 and groups["Agencies"][0] == 8
    assert "“Al Mayadeen Net”" in page and "“al mayadeen  net”" in page
    # Failures per distinct URL: the dead link failed twice, once as a URL.
    assert data.failure_urls == [
        {"reason": "http_404", "urls": 1, "fetches": 2, "recovered": 0},
        {"reason": "http_500", "urls": 1, "fetches": 1, "recovered": 1},
    ]
    assert data.crawl_totals["failed_urls"] == 2 and data.crawl_totals["urls"] == 2
    assert "2 of 2 URLs (3 failed fetches)" in page
    assert "<script" not in page


def test_report_without_a_crawl_log(tmp_path, capsys):
    warehouse = Warehouse(tmp_path / "wh")
    store = ArticleStore(warehouse)
    store.merge([make_article("only", dt.datetime(2025, 7, 1, tzinfo=UTC))], store.load_index())
    build_database(warehouse)
    out = tmp_path / "r.html"
    code, _, err = newsdesk(capsys, "report", "--out", str(out), *wh_args(warehouse))
    assert code == 0, err
    page = out.read_text()
    assert "No crawl log in this warehouse" in page and "No crawl runs recorded" in page


def test_report_on_an_empty_window_still_renders(warehouse, capsys, tmp_path):
    out = tmp_path / "empty.html"
    code, _, err = newsdesk(
        capsys, "report", "--out", str(out), "--since", "2030-01-01", *wh_args(warehouse)
    )
    assert code == 0, err
    page = out.read_text()
    assert "No articles in this window" in page and "No tagged articles" in page


def test_register_wires_the_commands():
    parser = cli._Parser(prog="newsdesk")
    sub = parser.add_subparsers(dest="command", parser_class=cli._Parser)
    analyst.register(sub)
    assert set(analyst.COMMANDS) == {"query", "sql", "search", "export", "report"}
    assert set(sub.choices) == set(analyst.COMMANDS)
    assert all(cli.COMMANDS[name] is analyst.COMMANDS[name] for name in analyst.COMMANDS)
    for name, sub_parser in sub.choices.items():
        assert isinstance(sub_parser, cli._Parser)
        assert "--warehouse" in sub_parser.format_help(), name
