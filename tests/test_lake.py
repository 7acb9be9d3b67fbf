"""The shared lake: a .toml warehouse, lake import, build, query --as-of, maintain, errors.

Unmarked tests use a local lake (a SQLite catalog and a data folder); those marked
``servers`` use the real PostgreSQL and SeaweedFS of tests/servers.py.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from newsdesk import cli
from newsdesk.crawl import CrawlOptions, run_crawl_in_subprocess
from newsdesk.lake import (
    DEFAULT_RETENTION,
    LakeConfig,
    LakeError,
    connection,
    load_config,
    maintain,
    snapshots,
)
from newsdesk.lake_import import import_warehouse
from newsdesk.replica.server import ReplicaServer
from newsdesk.store import ArticleStore, row_to_article
from newsdesk.warehouse import Warehouse, WarehouseIsLake
from tests.factories import make_article, rehash
from tests.servers import Postgres, S3Store

NEWSDESK = os.path.join(os.path.dirname(sys.executable), "newsdesk")


def _crawl(root: Path, edition: str, seed: int) -> Path:
    with ReplicaServer(seed=seed, n_articles=40, edition=edition) as server:
        options = CrawlOptions(
            base_url=server.base_url, warehouse=str(root), discovery="both", edition=edition
        )
        run_crawl_in_subprocess(options, timeout=240)
    return root


@pytest.fixture(scope="module")
def crawled_en(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real crawl of the English replica (copied by the tests that change it)."""
    return _crawl(tmp_path_factory.mktemp("crawled-en") / "wh", "en", 8)


def _local_toml(folder: Path, **extra: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["[lake]", 'catalog = "catalog.sqlite"', 'data = "data/"']
    lines += [f'{key} = "{value}"' for key, value in extra.items()]
    path = folder / "lake.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def _run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _count(config: LakeConfig, sql: str, as_of: str | int | None = None) -> Any:
    with connection(config, read_only=True, as_of=as_of) as con:
        return con.execute(sql).fetchone()[0]


def _parquet_count(folder: Path) -> int:
    return ArticleStore(Warehouse(folder)).read_table(["article_id"]).num_rows


# -- the toml ---------------------------------------------------------------------------


def test_config_resolves_local_paths_next_to_the_toml(tmp_path: Path) -> None:
    config = load_config(_local_toml(tmp_path / "lk"))
    assert config.catalog == str(tmp_path / "lk" / "catalog.sqlite")
    assert config.data_path == str(tmp_path / "lk" / "data") + "/"
    assert config.catalog_kind == "sqlite"
    assert config.snapshot_retention == DEFAULT_RETENTION == "30 days"


def test_config_for_postgres_and_s3(tmp_path: Path) -> None:
    path = tmp_path / "lake.toml"
    path.write_text(
        '[lake]\ncatalog = "postgresql://ro:secret@db.example:5432/lake"\n'
        'data = "s3://bucket/prefix"\nsnapshot_retention = "7 days"\n'
    )
    config = load_config(path)
    assert config.catalog_kind == "postgres"
    assert config.on_s3 and config.data_path == "s3://bucket/prefix/"
    assert config.snapshot_retention == "7 days"
    assert "secret" not in config.describe()
    # libpq would wait forever for a host that drops packets.
    assert config.attach_target().endswith("/lake?connect_timeout=15")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[lake\ncatalog =", "is not valid TOML"),
        ('[other]\ncatalog = "x"', "has no [lake] table"),
        ('[lake]\ncatalog = "c.sqlite"', "needs data"),
        ('[lake]\ncatalog = "c.sqlite"\ndata = "d/"\ncolour = "red"', "unknown key 'colour'"),
        ('[lake]\ncatalog = "c.sqlite"\ndata = "d/"\nsnapshot_retention = "soon"', "not a period"),
        ('[lake]\ncatalog = "c.sqlite"\ndata = "gs://b/"', "only s3:// or a local folder"),
    ],
)
def test_a_malformed_toml_is_one_line_from_the_cli(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    path = tmp_path / "lake.toml"
    path.write_text(text)
    with pytest.raises(LakeError, match=message.replace("[", r"\[")):
        load_config(path)
    code, out, err = _run_cli(capsys, "query", "--warehouse", str(path), "SELECT 1")
    assert code == 1 and out == ""
    assert err.startswith("newsdesk: error: ") and message in err and err.count("\n") == 1


def test_commands_without_lake_support_refuse_a_lake_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    toml = _local_toml(tmp_path / "lk")
    monkeypatch.setenv("NEWSDESK_WAREHOUSE", str(toml))
    code, _out, err = _run_cli(capsys, "migrate")
    assert code == 1 and "does not work on a lake yet" in err and err.count("\n") == 1
    # reparse says what to do instead: reparse a local copy of the archive, import it.
    code, _out, err = _run_cli(capsys, "reparse")
    assert code == 1 and "does not work on a lake" in err and err.count("\n") == 1
    assert "lake import" in err
    assert not (tmp_path / "lk" / "lake.toml" / "raw").exists()  # never treated as a folder
    # Writers reached without the CLI (scrapy, Dagster) get one line too, never a folder.
    with pytest.raises(WarehouseIsLake, match="describes a lake"):
        Warehouse.at()
    code, _out, err = _run_cli(
        capsys, "lake", "import", "--warehouse", str(toml), "--from", str(toml)
    )
    assert code == 1 and "describes a lake" in err and err.count("\n") == 1


# -- a local lake -------------------------------------------------------------------------


def test_import_build_query_and_rerun_without_duplicates(
    crawled_en: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    toml = _local_toml(tmp_path / "lk")
    config = load_config(toml)
    source = Warehouse(crawled_en)
    expected = _parquet_count(crawled_en)
    assert expected > 20

    first = import_warehouse(config, source)
    assert first.rows["articles"] == expected
    assert first.rows["crawl_runs"] == 1 and first.rows["crawl_state"] == 1
    assert first.rows["crawl_log"] > expected
    raw = sorted(p.relative_to(source.raw) for p in source.raw.rglob("*.warc.gz"))
    assert raw and first.raw_uploaded == len(raw)
    copied = Path(config.data_path) / "raw"
    for rel in raw:
        assert (copied / rel).read_bytes() == (source.raw / rel).read_bytes()

    assert first.changed == first.rows
    second = import_warehouse(config, source)
    assert second.rows == first.rows
    # Nothing new: no row moves and no snapshot is made.
    assert not any(second.changed.values()) and second.snapshot == first.snapshot
    assert second.raw_uploaded == 0 and second.raw_skipped == len(raw)
    assert _count(config, "SELECT count(*) FROM dataset.articles") == expected
    assert _count(config, "SELECT count(DISTINCT article_id) FROM dataset.articles") == expected
    assert _count(config, "SELECT count(*) FROM dataset.crawl_log") == first.rows["crawl_log"]

    code, out, _err = _run_cli(capsys, "build", "--warehouse", str(toml))
    assert code == 0 and f"articles {expected}" in out
    local = subprocess.run(
        [NEWSDESK, "build", "--warehouse", str(crawled_en)],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    # The same SQL over the same rows: every table has the local build's row count.
    local_counts = local.stdout.splitlines()[0].split(": ", 1)[1].strip()
    assert out.strip().endswith(local_counts)

    code, out, _err = _run_cli(
        capsys, "query", "--warehouse", str(toml), "--format", "csv",
        "SELECT count(*) AS n, count(DISTINCT edition) AS e FROM articles",
    )  # fmt: skip
    assert code == 0 and out.splitlines() == ["n,e", f"{expected},1"]
    # search works on a lake too, from this machine's cache of the lake's index.
    code, out, _err = _run_cli(
        capsys, "query", "--warehouse", str(toml), "--format", "csv",
        "SELECT title FROM articles ORDER BY article_id LIMIT 1",
    )  # fmt: skip
    title = out.splitlines()[1].strip('"')
    word = max(title.split(), key=len)
    code, out, err = _run_cli(
        capsys, "search", "--warehouse", str(toml), word, "--limit", "50", "--format", "json"
    )
    assert code == 0, err
    assert title in [hit["title"] for hit in json.loads(out)]


def test_as_of_reads_the_snapshot_before_a_change(
    crawled_en: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    toml = _local_toml(tmp_path / "lk")
    config = load_config(toml)
    copy = tmp_path / "wh"
    shutil.copytree(crawled_en, copy)
    before = import_warehouse(config, Warehouse(copy), upload_raw=False)
    old = before.rows["articles"]

    # The local warehouse gains an article; the next import is a new snapshot.
    store = ArticleStore(Warehouse(copy))
    store.merge(
        [make_article("a-later-story", datetime(2025, 10, 2, tzinfo=UTC))], store.load_index()
    )
    after = import_warehouse(config, Warehouse(copy), upload_raw=False)
    assert after.rows["articles"] == old + 1
    assert after.snapshot is not None and before.snapshot is not None
    assert after.snapshot > before.snapshot

    sql = "SELECT count(*) FROM dataset.articles"
    code, out, _ = _run_cli(capsys, "query", "--warehouse", str(toml), "--format", "csv", sql)
    assert code == 0 and out.splitlines()[1] == str(old + 1)
    code, out, _ = _run_cli(
        capsys, "query", "--warehouse", str(toml), "--format", "csv",
        "--as-of", str(before.snapshot), sql,
    )  # fmt: skip
    assert code == 0 and out.splitlines()[1] == str(old)
    # A time between the two snapshots reads the first one too.
    with connection(config, read_only=True) as con:
        times = dict(snapshots(con))
    between = times[before.snapshot] + (times[after.snapshot] - times[before.snapshot]) / 2
    assert _count(config, sql, as_of=between.isoformat()) == old
    code, _, err = _run_cli(capsys, "query", "--warehouse", str(toml), "--as-of", "99999", sql)
    assert code == 1 and "No snapshot found" in err and err.count("\n") == 1


def test_maintain_merges_expires_and_keeps_the_data(crawled_en: Path, tmp_path: Path) -> None:
    toml = _local_toml(tmp_path / "lk", snapshot_retention="1 second")
    config = load_config(toml)
    copy = tmp_path / "wh"
    shutil.copytree(crawled_en, copy)
    store = ArticleStore(Warehouse(copy))
    for n in range(3):  # three snapshots, each adding an article: small files to merge
        late = make_article(f"story-{n}", datetime(2025, 10, 4 + n, tzinfo=UTC))
        store.merge([late], store.load_index())
        import_warehouse(config, Warehouse(copy), upload_raw=False)
    expected = _parquet_count(copy)
    with connection(config, read_only=True) as con:
        first = snapshots(con)
    result = maintain(config, grace="0 seconds")
    assert result.steps["expired"] >= len(first) - 1
    assert result.steps["merged"] + result.steps["deleted"] > 0
    with connection(config, read_only=True) as con:
        assert len(snapshots(con)) < len(first)
    assert _count(config, "SELECT count(*) FROM dataset.articles") == expected


def test_a_writer_killed_before_its_commit_leaves_the_last_snapshot_and_a_rerun_completes(
    crawled_en: Path, tmp_path: Path
) -> None:
    toml = _local_toml(tmp_path / "lk")
    config = load_config(toml)
    copy = tmp_path / "wh"
    shutil.copytree(crawled_en, copy)
    good = import_warehouse(config, Warehouse(copy), upload_raw=False)
    store = ArticleStore(Warehouse(copy))
    # Enough new rows that the killed writer writes Parquet files (a few would be inlined
    # in the catalog's own transaction).
    added = [
        make_article(f"killed-mid-commit-{n}", datetime(2025, 10, 3, n, tzinfo=UTC))
        for n in range(24)
    ]
    store.merge(added, store.load_index())

    argv = [NEWSDESK, "lake", "import", "--warehouse", str(toml), "--from", str(copy)]
    env = dict(os.environ, NEWSDESK_FAILPOINTS="lake.commit=kill")
    killed = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300)
    assert killed.returncode == -9
    with connection(config, read_only=True) as con:
        assert snapshots(con)[-1][0] == good.snapshot
        assert (
            con.execute("SELECT count(*) FROM dataset.articles").fetchone()[0]
            == (good.rows["articles"])
        )
    # The killed writer's data files were written, never committed: maintenance removes them.
    articles = Path(config.data_path) / "dataset" / "articles"
    with connection(config, read_only=True) as con:
        listed = con.execute(
            "SELECT data_file FROM ducklake_list_files('lake', 'articles', schema => 'dataset')"
        ).fetchall()
    orphans = set(articles.rglob("*.parquet")) - {Path(f) for (f,) in listed}
    assert orphans
    assert maintain(config, grace="0 seconds").steps["orphaned"] >= len(orphans)
    assert not any(path.exists() for path in orphans)
    assert _count(config, "SELECT count(*) FROM dataset.articles") == good.rows["articles"]
    rerun = subprocess.run(argv, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert _count(config, "SELECT count(*) FROM dataset.articles") == good.rows["articles"] + 24


# -- PostgreSQL catalog, S3 data ------------------------------------------------------------


@pytest.fixture(scope="module")
def crawled_ar(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real crawl of the Arabic replica: the second edition for concurrent writers."""
    return _crawl(tmp_path_factory.mktemp("crawled-ar") / "wh", "ar", 9)


_lake_counter = iter(range(1_000_000))


@pytest.fixture
def server_lake(
    postgres_server: Postgres, s3_server: S3Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """A fresh lake: its own Postgres database and S3 prefix; the AWS_* variables set."""
    name = f"lake_{os.getpid()}_{next(_lake_counter)}"
    url = postgres_server.create_database(name)
    monkeypatch.setenv("AWS_ENDPOINT_URL", s3_server.endpoint_url)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", s3_server.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", s3_server.secret_key)
    monkeypatch.setenv("AWS_REGION", s3_server.region)
    toml = tmp_path / "lake.toml"
    toml.write_text(f'[lake]\ncatalog = "{url}"\ndata = "s3://{s3_server.bucket}/{name}/"\n')
    yield toml


def _toml_with(toml: Path, tmp_path: Path, old: str, new: str) -> Path:
    bad = tmp_path / f"bad-{next(_lake_counter)}.toml"
    bad.write_text(toml.read_text().replace(old, new))
    return bad


@pytest.mark.servers
def test_server_lake_import_build_query_and_raw_on_s3(
    server_lake: Path, crawled_en: Path, s3_server: S3Store, capsys: pytest.CaptureFixture[str]
) -> None:
    config = load_config(server_lake)
    result = import_warehouse(config, Warehouse(crawled_en))
    expected = _parquet_count(crawled_en)
    assert result.rows["articles"] == expected and result.raw_uploaded > 0
    bucket, prefix = config.data_path.removeprefix("s3://").split("/", 1)
    keys = [
        item["Key"]
        for item in s3_server.client().list_objects_v2(Bucket=bucket, Prefix=prefix)["Contents"]
    ]
    assert any(k.startswith(f"{prefix}raw/") and k.endswith(".warc.gz") for k in keys)
    assert any(k.startswith(f"{prefix}dataset/articles/edition=en/") for k in keys)
    code, _, err = _run_cli(capsys, "build", "--warehouse", str(server_lake))
    assert code == 0, err
    code, out, _ = _run_cli(
        capsys, "query", "--warehouse", str(server_lake), "--format", "csv",
        "SELECT count(*) FROM articles",
    )  # fmt: skip
    assert code == 0 and out.splitlines()[1] == str(expected)


@pytest.mark.servers
def test_server_lake_errors_are_one_line(
    server_lake: Path,
    postgres_server: Postgres,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cases = [
        (
            _toml_with(server_lake, tmp_path, postgres_server.password, "not-the-password"),
            "refused the login: password authentication failed",
        ),
        (
            _toml_with(server_lake, tmp_path, f":{postgres_server.port}/", ":1/"),
            "cannot reach the catalog",
        ),
        (_toml_with(server_lake, tmp_path, "s3://newsdesk/", "s3://no-such-bucket/"), "no bucket"),
    ]
    for toml, message in cases:
        code, out, err = _run_cli(capsys, "query", "--warehouse", str(toml), "SELECT 1")
        assert code == 1 and out == "", err
        assert message in err and err.count("\n") == 1, err
        assert postgres_server.password not in err
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret")
    code, _, err = _run_cli(capsys, "query", "--warehouse", str(server_lake), "SELECT 1")
    assert code == 1 and "S3 refused the key" in err and err.count("\n") == 1


@pytest.mark.servers
def test_two_editions_imported_at_once_lose_and_duplicate_nothing(
    server_lake: Path, crawled_en: Path, crawled_ar: Path, tmp_path: Path
) -> None:
    config = load_config(server_lake)
    sources = {}
    for edition, crawled in (("en", crawled_en), ("ar", crawled_ar)):
        sources[edition] = tmp_path / edition
        shutil.copytree(crawled, sources[edition])
    retries = 0
    for round_ in range(2):
        if round_ == 1:
            # Each edition gains an article and has one edited: both writers now
            # delete and insert in the same tables while the other does too.
            for edition, src in sources.items():
                store = ArticleStore(Warehouse(src))
                edited = row_to_article(store.read_table().to_pylist()[0])
                edited.title = f"{edited.title} (updated)"
                late = make_article(
                    f"late-{edition}", datetime(2025, 10, 5, tzinfo=UTC), edition=edition
                )
                store.merge([rehash(edited), late], store.load_index())
        writers = [
            subprocess.Popen(
                [NEWSDESK, "lake", "import", "--warehouse", str(server_lake), "--from", str(src)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for src in sources.values()
        ]
        outcomes = [writer.communicate(timeout=600) for writer in writers]
        for writer, (out, err) in zip(writers, outcomes, strict=True):
            assert writer.returncode == 0, err
            assert "imported into snapshot" in out
            retries += err.count("commit conflict, retrying")
    print(f"commit conflicts retried: {retries}")
    with connection(config, read_only=True) as con:
        for edition, src in sources.items():
            expected = _parquet_count(src)
            row = con.execute(
                "SELECT count(*), count(DISTINCT article_id), "
                "count(*) FILTER (WHERE title LIKE '%(updated)') FROM dataset.articles "
                "WHERE edition = ?",
                [edition],
            ).fetchone()
            assert row == (expected, expected, 1), edition
        revisions = con.execute("SELECT count(*) FROM dataset.article_revisions").fetchone()
        assert revisions == (2,)
        states = con.execute("SELECT edition FROM dataset.crawl_state ORDER BY 1").fetchall()
        assert states == [("ar",), ("en",)]
        runs = con.execute("SELECT count(*), count(DISTINCT run_id) FROM dataset.crawl_runs")
        assert runs.fetchone() == (2, 2)


@pytest.mark.servers
def test_a_reader_sees_whole_snapshots_while_a_writer_commits(
    server_lake: Path, crawled_en: Path, crawled_ar: Path
) -> None:
    config = load_config(server_lake)
    import_warehouse(config, Warehouse(crawled_en), upload_raw=False)
    before = _parquet_count(crawled_en)
    after = before + _parquet_count(crawled_ar)
    writer = subprocess.Popen(
        [NEWSDESK, "lake", "import", "--warehouse", str(server_lake), "--from", str(crawled_ar)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    seen: list[int] = []
    done = threading.Event()
    threading.Thread(target=lambda: (writer.wait(), done.set()), daemon=True).start()
    with connection(config, read_only=True) as con:
        while not done.is_set():
            con.execute("BEGIN")  # a new transaction reads the newest snapshot
            seen.append(con.execute("SELECT count(*) FROM lake.dataset.articles").fetchone()[0])
            con.execute("COMMIT")
    _out, err = writer.communicate()
    assert writer.returncode == 0, err
    assert seen and set(seen) <= {before, after}
    assert _count(config, "SELECT count(*) FROM dataset.articles") == after


@pytest.mark.servers
def test_an_analyst_role_with_select_only_reads_the_lake(
    server_lake: Path, crawled_en: Path, postgres_server: Postgres, tmp_path: Path
) -> None:
    config = load_config(server_lake)
    import_warehouse(config, Warehouse(crawled_en), upload_raw=False)
    database = config.catalog.rsplit("/", 1)[1]
    admin = postgres_server.admin_connect()
    try:
        with admin.cursor() as cursor:
            cursor.execute(f"CREATE ROLE analyst_{database} LOGIN PASSWORD 'read-only'")
        admin_db = __import__("psycopg2").connect(
            host=str(postgres_server.socket_dir),
            port=postgres_server.port,
            user="postgres",
            dbname=database,
        )
        admin_db.autocommit = True
        with admin_db.cursor() as cursor:
            # The README's grants, verbatim.
            cursor.execute(f"GRANT CONNECT ON DATABASE {database} TO analyst_{database}")
            cursor.execute(f"GRANT USAGE ON SCHEMA public TO analyst_{database}")
            cursor.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO analyst_{database}")
            cursor.execute(
                f'ALTER DEFAULT PRIVILEGES FOR ROLE "{postgres_server.user}" IN SCHEMA public '
                f"GRANT SELECT ON TABLES TO analyst_{database}"
            )
        admin_db.close()
    finally:
        admin.close()
    ro_url = config.catalog.replace(
        f"{postgres_server.user}:{postgres_server.password}", f"analyst_{database}:read-only"
    )
    toml = tmp_path / "analyst.toml"
    toml.write_text(f'[lake]\ncatalog = "{ro_url}"\ndata = "{config.data_path}"\n')
    reader = load_config(toml)
    assert _count(reader, "SELECT count(*) FROM dataset.articles") == _parquet_count(crawled_en)
    copy = tmp_path / "wh"
    shutil.copytree(crawled_en, copy)
    store = ArticleStore(Warehouse(copy))
    store.merge(
        [make_article("not-by-analysts", datetime(2025, 10, 9, tzinfo=UTC))], store.load_index()
    )
    with pytest.raises(LakeError, match="permission denied"):
        import_warehouse(reader, Warehouse(copy), upload_raw=False)
    assert _count(config, "SELECT count(*) FROM dataset.articles") == _parquet_count(crawled_en)


def test_a_duckdb_file_catalog_works_too(crawled_en: Path, tmp_path: Path) -> None:
    folder = tmp_path / "lk"
    folder.mkdir()
    (folder / "lake.toml").write_text('[lake]\ncatalog = "meta.ducklake"\ndata = "files"\n')
    config = load_config(folder / "lake.toml")
    assert config.catalog_kind == "duckdb"
    result = import_warehouse(config, Warehouse(crawled_en), upload_raw=False)
    assert result.rows["articles"] == _parquet_count(crawled_en)
    assert _count(config, "SELECT count(*) FROM dataset.articles") == result.rows["articles"]
    assert any((folder / "files" / "dataset" / "articles").rglob("*.parquet"))


# -- crawling into a lake ------------------------------------------------------------------

CRAWL_CHILD = """
import json, sys
from newsdesk.crawl import CrawlError, CrawlOptions, run_crawl
try:
    print(json.dumps(run_crawl(CrawlOptions(**json.loads(sys.argv[1]))).to_dict()))
except CrawlError as exc:
    print(f"newsdesk: error: {exc}", file=sys.stderr)
    sys.exit(1)
"""


def _crawl_child(
    base_url: str, toml: Path, env: dict[str, str] | None = None, **options: Any
) -> subprocess.CompletedProcess[str]:
    """`run_crawl` into the lake in a fresh process (killable by a fault point)."""
    payload = {"base_url": base_url, "warehouse": str(toml), "discovery": "both", **options}
    return subprocess.run(
        [sys.executable, "-c", CRAWL_CHILD, json.dumps(payload)],
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
    )


def _lake_ids(config: LakeConfig, edition: str = "en") -> list[str]:
    with connection(config, read_only=True) as con:
        return [
            row[0]
            for row in con.execute(
                "SELECT article_id FROM dataset.articles WHERE edition = ?", [edition]
            ).fetchall()
        ]


def test_a_crawl_into_a_lake_imports_everything_once_and_a_rerun_fetches_nothing_new(
    tmp_path: Path,
) -> None:
    from newsdesk.lake_crawl import has_pending, work_warehouse

    toml = _local_toml(tmp_path / "lk", work="work")
    config = load_config(toml)
    with ReplicaServer(seed=8, n_articles=40) as server:
        truth = {a.article_id for a in server.site.ground_truth}
        options = CrawlOptions(base_url=server.base_url, warehouse=str(toml), discovery="both")
        first = run_crawl_in_subprocess(options, timeout=240)
        ids = _lake_ids(config)
        assert sorted(ids) == sorted(truth)
        assert first.articles_new == len(truth) and "imported into snapshot" in first.lake
        with connection(config, read_only=True) as con:
            state = con.execute("SELECT state FROM dataset.crawl_state WHERE edition = 'en'")
            assert '"listings_complete"' in state.fetchone()[0]
            runs = con.execute("SELECT run_id FROM dataset.crawl_runs").fetchall()
            assert runs == [(first.run_id,)]
        assert list((Path(config.data_path) / "raw").rglob("*.warc.gz"))
        work = work_warehouse(config, "en")
        assert work.root == tmp_path / "lk" / "work" / "en"
        assert not has_pending(work)

        second = run_crawl_in_subprocess(options, timeout=240)
    assert (second.articles_new, second.articles_updated) == (0, 0)
    assert second.articles_stored_skipped > 0
    assert second.pages_fetched < first.pages_fetched
    assert sorted(_lake_ids(config)) == sorted(truth)
    with connection(config, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM dataset.crawl_runs").fetchone()[0] == 2


@pytest.mark.parametrize(
    "point",
    # lake.commit: the 1st is the seed creating the tables, the 2nd the import.
    ["commit.apply=kill@2", "lake.commit=kill@2"],
    ids=["mid-crawl", "mid-import"],
)
def test_a_crawl_into_a_lake_killed_leaves_the_last_snapshot_and_a_rerun_completes(
    tmp_path: Path, point: str
) -> None:
    toml = _local_toml(tmp_path / "lk", work="work")
    config = load_config(toml)
    with ReplicaServer(seed=8, n_articles=40) as server:
        truth = {a.article_id for a in server.site.ground_truth}
        killed = _crawl_child(
            server.base_url,
            toml,
            env={"NEWSDESK_FAILPOINTS": point},
            settings={"NEWSDESK_FLUSH_EVERY": 5},
        )
        assert killed.returncode == -9, killed.stderr
        # Nothing of the killed crawl is in the lake: its last snapshot made the tables.
        assert _lake_ids(config) == []
        rerun = _crawl_child(server.base_url, toml)
        assert rerun.returncode == 0, rerun.stderr
    # The killed run's local commits were imported first, so the rerun did not fetch them.
    summary = json.loads(rerun.stdout.strip().splitlines()[-1])
    assert summary["articles_new"] < len(truth)
    ids = _lake_ids(config)
    assert len(ids) == len(set(ids))
    assert set(ids) == truth


@pytest.mark.servers
def test_two_editions_crawled_at_once_into_a_server_lake_lose_and_duplicate_nothing(
    server_lake: Path, s3_server: S3Store, tmp_path: Path
) -> None:
    config = load_config(server_lake)
    with (
        ReplicaServer(seed=8, n_articles=40) as en,
        ReplicaServer(seed=9, n_articles=40, edition="ar") as ar,
    ):
        # No `work` key: each edition's working folder is under $XDG_CACHE_HOME.
        env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
        crawls = [
            subprocess.Popen(
                [
                    NEWSDESK,
                    "crawl",
                    "--edition",
                    code,
                    "--warehouse",
                    str(server_lake),
                    "--base-url",
                    server.base_url,
                    "--no-progress",
                ],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for code, server in (("en", en), ("ar", ar))
        ]
        for proc in crawls:
            out, err = proc.communicate(timeout=600)
            assert proc.returncode == 0, err
            assert "imported into snapshot" in out
        truths = {
            "en": {a.article_id for a in en.site.ground_truth},
            "ar": {a.article_id for a in ar.site.ground_truth},
        }
    for edition, truth in truths.items():
        ids = _lake_ids(config, edition)
        assert len(ids) == len(set(ids))
        assert set(ids) == truth
    with connection(config, read_only=True) as con:
        states = con.execute("SELECT edition FROM dataset.crawl_state ORDER BY 1").fetchall()
        assert states == [("ar",), ("en",)]
        assert con.execute("SELECT count(*) FROM dataset.crawl_runs").fetchone()[0] == 2
    assert list((tmp_path / "cache" / "newsdesk" / "lakes").glob("*/en"))
    bucket, prefix = config.data_path.removeprefix("s3://").split("/", 1)
    listed = s3_server.client().list_objects_v2(Bucket=bucket, Prefix=f"{prefix}raw/")
    assert len([o for o in listed.get("Contents", []) if o["Key"].endswith(".warc.gz")]) >= 2


def _materialized(result: Any, key: Any) -> dict[str, Any]:
    for event in result.get_asset_materialization_events():
        materialization = event.event_specific_data.materialization
        if materialization.asset_key == key:
            return {k: v.value for k, v in materialization.metadata.items()}
    raise AssertionError(f"{key.to_user_string()} not materialized")


REPLICA_NOW = "2025-11-01T00:00:00+00:00"  # the replica's dates end 2025-10-31


def test_dagster_crawls_builds_and_maintains_a_local_lake(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dagster as dg

    from dagster_project.assets import articles_by_month, duckdb_tables, table_key
    from dagster_project.checks import ASSET_CHECKS
    from dagster_project.maintenance import LAKE_MAINTENANCE, lake_maintenance
    from dagster_project.partitions import edition_month_key, month_key
    from dagster_project.resources import PROJECT_ROOT, CheckSettings, NewsdeskResource

    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    toml = _local_toml(tmp_path / "lk", work="work")
    config = load_config(toml)
    instance = dg.DagsterInstance.ephemeral()

    def resources(warehouse: str, base_url: str = "http://127.0.0.1:9/") -> dict[str, Any]:
        return {
            "newsdesk": NewsdeskResource(base_url=base_url, warehouse_root=warehouse),
            "pipes_subprocess_client": dg.PipesSubprocessClient(cwd=str(PROJECT_ROOT)),
        }

    with ReplicaServer(seed=8, n_articles=40) as server:
        truth = {a.article_id for a in server.site.ground_truth}
        month = max(month_key(a.published_at) for a in server.site.ground_truth)
        crawl = dg.materialize(
            [articles_by_month],
            partition_key=str(edition_month_key("en", month)),
            resources=resources(str(toml), server.base_url),
            instance=instance,
        )
    assert crawl.success
    ids = _lake_ids(config)
    assert ids and len(ids) == len(set(ids)) and set(ids) <= truth

    built = dg.materialize(
        [duckdb_tables, lake_maintenance, *ASSET_CHECKS],
        resources={**resources(str(toml)), "check_settings": CheckSettings(now=REPLICA_NOW)},
        instance=instance,
    )
    assert built.success
    # The checks read the lake's built tables, not a DuckDB file that is not there.
    verdicts = {
        e.asset_check_key.name: e.passed
        for e in built.get_asset_check_evaluations()  # type: ignore[attr-defined]
    }
    assert verdicts["article_id_unique"] is True
    assert verdicts["title_and_published_at_not_null"] is True
    articles = _materialized(built, table_key("articles"))
    assert articles["dagster/row_count"] == len(ids)
    maintained = _materialized(built, LAKE_MAINTENANCE)
    assert maintained["lake"] is True and "maintained the lake" in maintained["result"]
    with connection(config, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM main.articles").fetchone()[0] == len(ids)

    local = dg.materialize(
        [lake_maintenance], resources=resources(str(tmp_path / "wh")), instance=instance
    )
    assert local.success
    assert _materialized(local, LAKE_MAINTENANCE)["lake"] is False


def test_the_lake_build_reads_every_run_summary_key_the_local_build_reads() -> None:
    from newsdesk.build import RUN_JSON_COLUMNS
    from newsdesk.lake import lake_sql

    text = lake_sql("sources.sql")
    missing = [name for name, kind in RUN_JSON_COLUMNS.items() if f'"{name}": "{kind}"' not in text]
    assert missing == []
