"""Dagster on PostgreSQL: dagster_project/dagster.postgres.yaml against a real server.

A run of the project's build_tables_job is submitted with the CLI to the queued
run coordinator, `dagster-daemon run` takes it from the queue in PostgreSQL and
launches it, and the run's success is read back from PostgreSQL.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import psycopg2
import pytest

from dagster_project.resources import PROJECT_ROOT
from newsdesk.build import connect
from newsdesk.store import ArticleStore
from newsdesk.warehouse import WAREHOUSE_ENV, Warehouse
from tests.factories import make_article
from tests.servers import Postgres

pytestmark = pytest.mark.servers

CONFIG = PROJECT_ROOT / "dagster_project" / "dagster.postgres.yaml"
BIN = Path(sys.executable).parent
EDITION_TAG = "newsdesk/edition"
RUN_TIMEOUT = 420.0  # the daemon, a code server and a run worker start on a busy 2-core box


def _pg_env(server: Postgres, database: str) -> dict[str, str]:
    """The DAGSTER_PG_* variables dagster.postgres.yaml reads."""
    return {
        "DAGSTER_PG_HOST": server.host,
        "DAGSTER_PG_PORT": str(server.port),
        "DAGSTER_PG_USER": server.user,
        "DAGSTER_PG_PASSWORD": server.password,
        "DAGSTER_PG_DB": database,
    }


def _stop_daemon(daemon: subprocess.Popen[bytes]) -> None:
    """Stop the daemon the way Ctrl-C does; kill it only if it hangs."""
    if daemon.poll() is None:
        daemon.send_signal(signal.SIGINT)
        try:
            daemon.wait(timeout=60)
        except subprocess.TimeoutExpired:
            daemon.kill()
            daemon.wait(timeout=30)


@pytest.mark.timeout(600)
def test_daemon_launches_a_queued_run_from_postgres(
    postgres_server: Postgres, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = "dagster_daemon_test"  # a fresh database: the instance's tables only
    postgres_server.create_database(database)
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(CONFIG, home / "dagster.yaml")

    # A tiny warehouse for build_tables_job, written through the store like a crawl.
    warehouse = Warehouse(tmp_path / "warehouse")
    store = ArticleStore(warehouse)
    published = datetime(2025, 10, 20, 12, 0, tzinfo=UTC)
    store.merge([make_article(f"story-{i}", published) for i in range(4)], store.load_index())

    settings = {
        "DAGSTER_HOME": str(home),
        WAREHOUSE_ENV: str(warehouse.root),
        **_pg_env(postgres_server, database),
    }
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("NEWSDESK_BASE_URL", raising=False)
    env = {**os.environ, **settings}

    instance = dg.DagsterInstance.from_config(str(home))
    try:
        # The file's promises: PostgreSQL through psycopg2 (see the scheme comment in
        # the YAML), a queued coordinator, one run per edition.
        assert instance.run_storage.postgres_url.startswith("postgresql+psycopg2://")  # type: ignore[attr-defined]
        assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
        queue = instance.get_concurrency_config().run_queue_config
        assert queue is not None
        assert queue.tag_concurrency_limits == [
            {"key": key, "value": {"applyLimitPerUniqueValue": True}, "limit": 1}
            for key in (EDITION_TAG, "dagster/partition/edition")
        ]
        assert instance.get_concurrency_config().pool_config.default_pool_limit == 1

        run_id = str(uuid.uuid4())
        subprocess.run(
            [
                str(BIN / "dagster"),
                "job",
                "launch",
                "-m",
                "dagster_project.definitions",
                "-j",
                "build_tables_job",
                "--run-id",
                run_id,
                "--tags",
                f'{{"{EDITION_TAG}": "en"}}',
            ],
            cwd=PROJECT_ROOT,
            env=env,
            check=True,
            capture_output=True,
            timeout=300,
        )
        run = instance.get_run_by_id(run_id)
        assert run is not None
        # Nothing runs until a daemon dequeues it.
        assert run.status == dg.DagsterRunStatus.QUEUED
        assert run.tags[EDITION_TAG] == "en"

        log = tmp_path / "daemon.log"
        with log.open("wb") as log_file:
            daemon = subprocess.Popen(
                [str(BIN / "dagster-daemon"), "run", "-m", "dagster_project.definitions"],
                cwd=PROJECT_ROOT,
                env=env,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        try:
            deadline = time.monotonic() + RUN_TIMEOUT
            while True:
                run = instance.get_run_by_id(run_id)
                assert run is not None
                if run.is_finished or time.monotonic() > deadline:
                    break
                assert daemon.poll() is None, log.read_text(errors="replace")[-3000:]
                time.sleep(1)
        finally:
            _stop_daemon(daemon)

        messages = [entry.user_message for entry in instance.all_logs(run_id)]
        assert run.status == dg.DagsterRunStatus.SUCCESS, (
            f"{run.status}\n" + "\n".join(messages[-20:]) + log.read_text(errors="replace")[-3000:]
        )
    finally:
        instance.dispose()

    # Read back from PostgreSQL itself: the run and its events are in the database.
    connection = psycopg2.connect(postgres_server.url_for(database))
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT status FROM runs WHERE run_id = %s", (run_id,))
            assert cursor.fetchone() == ("SUCCESS",)
            cursor.execute("SELECT count(*) FROM event_logs WHERE run_id = %s", (run_id,))
            assert cursor.fetchone()[0] > 10
    finally:
        connection.close()
    # And the job did its work: the tables were built from the warehouse.
    built = connect(warehouse.duckdb_path, read_only=True)
    try:
        assert built.execute("SELECT count(*) FROM articles").fetchone() == (4,)
    finally:
        built.close()
