"""Migrating a warehouse written before editions (schema version 1) to the current layout.

Two old warehouses are used. One is written by the code of the commit before
editions itself (its ``newsdesk`` package taken from git into a temporary
folder and run in a subprocess): a real warehouse of today's code, crawl log,
revisions and crawl state included. The other is written with pyarrow in the
old layout (old paths, old schema), so the test runs without git history too.
Each is migrated and checked row by row, field by field.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tarfile
import textwrap
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from newsdesk.build import build_database, connect
from newsdesk.cli import main
from newsdesk.migrate import migrate, needs_migration
from newsdesk.session import WriterSession
from newsdesk.store import ARTICLE_SCHEMA, JOURNAL_NAME, ArticleStore
from newsdesk.warehouse import Warehouse
from tests.factories import make_article

ROOT = Path(__file__).resolve().parents[1]
#: The last commit before the edition partition level (schema version 1).
OLD_COMMIT = "e46166c"

TS = pa.timestamp("us", tz="UTC")
STRINGS = pa.list_(pa.string())
#: The articles schema of version 1, as newsdesk/store.py declared it then.
V1_SCHEMA = pa.schema(
    [
        pa.field("article_id", pa.string(), nullable=False),
        pa.field("post_id", pa.string()),
        pa.field("url", pa.string(), nullable=False),
        pa.field("edition", pa.string()),
        pa.field("section", pa.string()),
        pa.field("section_group", pa.string()),
        pa.field("content_type", pa.string()),
        pa.field("title", pa.string(), nullable=False),
        pa.field("subtitle", pa.string()),
        pa.field("authors", STRINGS),
        pa.field("tags", STRINGS),
        pa.field("source", pa.string()),
        pa.field("region", pa.string()),
        pa.field("coverage", pa.string()),
        pa.field("published_at", TS, nullable=False),
        pa.field("updated_at", TS),
        pa.field("read_time_min", pa.int32()),
        pa.field("word_count", pa.int32()),
        pa.field("body", pa.string()),
        pa.field("image_url", pa.string()),
        pa.field("image_caption", pa.string()),
        pa.field("links", STRINGS),
        pa.field("field_layers", pa.map_(pa.string(), pa.string())),
        pa.field("crawled_at", TS),
        pa.field("content_hash", pa.string()),
    ],
    metadata={b"newsdesk.schema_version": b"1", b"newsdesk.dataset": b"articles"},
)

JUL = datetime(2025, 7, 10, 12, 0, tzinfo=UTC)
AUG = datetime(2025, 8, 2, 9, 30, tzinfo=UTC)

OLD_WRITER = textwrap.dedent(
    """
    # Runs with the old commit's newsdesk package first on sys.path.
    import json, sys
    from datetime import UTC, datetime
    from pathlib import Path

    from newsdesk.hashing import content_hash
    from newsdesk.items import Article, CrawlEvent
    from newsdesk.store import ArticleStore, write_crawl_log
    from newsdesk.urls import article_id_for
    from newsdesk.warehouse import Warehouse

    assert sys.argv[2] in __import__("newsdesk").__file__
    wh = Warehouse(Path(sys.argv[1]))
    store = ArticleStore(wh)

    def article(slug, published, body="Body text.", tags=("Nato",)):
        url = f"https://english.almayadeen.net/news/politics/{slug}"
        a = Article(article_id=article_id_for(url), url=url, title=slug.title(),
                    published_at=published, post_id="17" + str(len(slug)), section="politics",
                    section_group="news", body=body, word_count=len(body.split()),
                    tags=list(tags), authors=["Al Mayadeen English"], source="Agencies",
                    updated_at=None, crawled_at=datetime(2025, 11, 1, tzinfo=UTC),
                    field_layers={"title": "metadata", "body": "page"})
        a.content_hash = content_hash(a.to_dict())
        return a

    jul = datetime(2025, 7, 10, 12, tzinfo=UTC)
    aug = datetime(2025, 8, 2, 9, 30, tzinfo=UTC)
    index = store.load_index()
    store.merge([article("one", jul), article("two", jul), article("three", aug)], index)
    # An edit: the old version goes to article_revisions.
    store.merge([article("two", jul, body="Edited body text.", tags=("Nato", "Gaza"))], index)
    event = CrawlEvent(run_id="run-1", url="https://english.almayadeen.net/x", outcome="failed",
                       fetched_at=jul, http_status=404, reason="http_404")
    write_crawl_log(wh, "run-1", [event], "2025-11-01")
    state = {"version": 1, "listings_complete": {"news/politics": "2025-11-01"},
             "sitemaps": {"2025-07": "x"}, "lastmods": {article("one", jul).article_id: "y"}}
    (wh.root / "state").mkdir(exist_ok=True)
    (wh.root / "state" / "crawl_state.json").write_text(json.dumps(state))
    print("ok")
    """
)


def _old_tree(tmp_path: Path) -> Path:
    """The old commit's ``newsdesk`` package in a temporary folder (skips without git)."""
    try:
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", OLD_COMMIT, "newsdesk"],
            check=True,
            capture_output=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip(f"needs the git history (commit {OLD_COMMIT})")
    tree = tmp_path / "old-code"
    tree.mkdir()
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(tree, filter="data")
    return tree


def _write_with_old_code(tmp_path: Path, root: Path) -> None:
    tree = _old_tree(tmp_path)
    script = tmp_path / "old_writer.py"
    script.write_text(OLD_WRITER)
    env = {**os.environ, "PYTHONPATH": str(tree)}
    run = subprocess.run(
        [sys.executable, str(script), str(root), str(tree)],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-2000:]


def _write_v1_with_pyarrow(root: Path) -> None:
    """The old layout written directly: old paths, old schema, plus every other dataset."""
    articles = [make_article("a", JUL), make_article("b", JUL), make_article("c", AUG)]
    for (year, month), group in (((2025, 7), articles[:2]), ((2025, 8), articles[2:])):
        rows = []
        for article in group:
            row = article.to_dict()
            row.pop("video_duration_s")
            rows.append(row)
        path = root / "articles" / f"year={year}" / f"month={month}" / "part-0.parquet"
        path.parent.mkdir(parents=True)
        pq.write_table(pa.Table.from_pylist(rows, schema=V1_SCHEMA), path)
    (root / "state").mkdir()
    (root / "state" / "crawl_state.json").write_text(
        json.dumps({"version": 1, "listings_complete": {}, "sitemaps": {}, "lastmods": {}})
    )


def _old_rows(root: Path) -> dict[str, dict]:
    """article_id -> row of every old-layout part file, as written."""
    rows = {}
    for path in sorted((root / "articles").glob("year=*/month=*/*.parquet")):
        for row in pq.read_table(path).to_pylist():
            rows[row["article_id"]] = row
    return rows


def _snapshot(root: Path, *names: str) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for name in names
        for p in sorted((root / name).rglob("*"))
        if p.is_file()
    }


def _check_migrated(root: Path, before: dict[str, dict]) -> None:
    wh = Warehouse(root)
    assert not needs_migration(wh)
    files = sorted(p.relative_to(wh.articles).as_posix() for p in wh.articles.rglob("*.parquet"))
    assert files and all(f.startswith("edition=en/year=") for f in files), files
    assert not list(wh.articles.glob("year=*")), "old folders left behind"
    for path in wh.articles.rglob("*.parquet"):
        assert pq.read_schema(path).names == ARTICLE_SCHEMA.names
    table = ArticleStore(wh).read_table()
    after = {row["article_id"]: row for row in table.to_pylist()}
    assert set(after) == set(before)
    for article_id, old in before.items():
        new = after[article_id]
        for name, value in old.items():
            assert new[name] == value, (article_id, name)
        assert new["edition"] == "en"
        assert new["video_duration_s"] is None
    # Every reader sees the edition once, as a string, from the folder.
    parts = ds.partitioning(
        pa.schema([("edition", pa.string()), ("year", pa.int32()), ("month", pa.int32())]),
        flavor="hive",
    )
    frame = ds.dataset(wh.articles, format="parquet", partitioning=parts).to_table().to_pandas()
    assert list(frame.columns).count("edition") == 1
    assert set(frame["edition"]) == {"en"}


def test_a_warehouse_written_by_the_previous_version_is_migrated_losslessly(tmp_path):
    root = tmp_path / "wh"
    _write_with_old_code(tmp_path, root)
    before = _old_rows(root)
    assert len(before) == 3
    assert all(row["edition"] == "en" for row in before.values())
    others = _snapshot(root, "crawl_log", "article_revisions", "state")
    assert any(k.startswith("article_revisions/") for k in others)

    assert main(["migrate", "--warehouse", str(root)]) == 0
    _check_migrated(root, before)
    # The crawl log, the revisions and the state are untouched, byte for byte.
    assert _snapshot(root, "crawl_log", "article_revisions", "state") == others
    # Idempotent: a second run finds nothing to do and changes nothing.
    files = _snapshot(root, "articles")
    assert migrate(Warehouse(root)).files == []
    assert _snapshot(root, "articles") == files

    # The built database has every row, the edition and the revisions.
    build_database(Warehouse(root))
    con = connect(Warehouse(root).duckdb_path, read_only=True)
    assert con.execute("SELECT count(*), min(edition), max(edition) FROM articles").fetchone() == (
        3,
        "en",
        "en",
    )
    assert con.execute("SELECT count(*) FROM article_revisions").fetchone() == (1,)
    assert con.execute("SELECT count(*) FROM crawl_log").fetchone() == (1,)


def test_the_writer_session_migrates_on_first_use(tmp_path):
    root = tmp_path / "wh"
    _write_v1_with_pyarrow(root)
    before = _old_rows(root)
    session = WriterSession.open(Warehouse(root))
    try:
        assert set(session.index) == set(before)
        assert {entry.key for entry in session.index.values()} == {
            ("en", 2025, 7),
            ("en", 2025, 8),
        }
    finally:
        session.close()
    _check_migrated(root, before)


def test_build_migrates_on_first_use(tmp_path):
    root = tmp_path / "wh"
    _write_v1_with_pyarrow(root)
    before = _old_rows(root)
    result = build_database(Warehouse(root))
    assert result.tables["articles"] == 3
    _check_migrated(root, before)


KILLER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from newsdesk.migrate import migrate
    from newsdesk.warehouse import Warehouse
    migrate(Warehouse(Path(sys.argv[1])))
    """
)


@pytest.mark.parametrize("point", ["stage=kill@2", "journal=kill", "commit.apply=kill@1"])
def test_a_migration_killed_midway_is_finished_or_redone(tmp_path, point):
    root = tmp_path / "wh"
    _write_v1_with_pyarrow(root)
    before = _old_rows(root)
    script = tmp_path / "killer.py"
    script.write_text(KILLER)
    env = {**os.environ, "NEWSDESK_FAILPOINTS": point, "PYTHONPATH": str(ROOT)}
    run = subprocess.run(
        [sys.executable, str(script), str(root)], env=env, cwd=ROOT, capture_output=True
    )
    assert run.returncode == -signal.SIGKILL, run.stderr[-2000:]
    if point.startswith("commit.apply"):
        # Past the commit point: the journal is there, to be rolled forward.
        assert (root / JOURNAL_NAME).exists()
    assert main(["migrate", "--warehouse", str(root)]) == 0
    _check_migrated(root, before)
    assert not list(root.rglob(".*.tmp")), "temporary files left behind"
