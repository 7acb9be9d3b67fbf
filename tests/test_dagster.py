"""The Dagster project: definitions, the whole graph against the replica, schedules, rebuilds.

Offline: the replica is served on loopback, warehouses live under tmp_path, the
Dagster instance is ephemeral (and DAGSTER_HOME points into tmp_path anyway).
One replica crawl, shared by the module-scoped fixture, backs the end-to-end tests.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import threading
import time
import tomllib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dagster as dg
import pytest

from dagster_project.assets import (
    ARTICLES_BY_MONTH,
    ARTICLES_LATEST,
    TABLES,
    LatestCrawlConfig,
    MonthCrawlConfig,
    articles_by_month,
    duckdb_tables,
    table_key,
)
from dagster_project.checks import ASSET_CHECKS
from dagster_project.definitions import build_definitions, defs
from dagster_project.jobs import EDITION_TAG
from dagster_project.maintenance import LAKE_MAINTENANCE, weekly_lake_maintenance
from dagster_project.partitions import (
    edition_month_key,
    edition_month_partitions,
    edition_partitions,
    month_key,
)
from dagster_project.resources import PROJECT_ROOT, CheckSettings, NewsdeskResource
from dagster_project.schedules import SCHEDULES, daily_monthly_sweep, hourly_latest_crawl
from newsdesk import editions
from newsdesk.build import build_database, connect
from newsdesk.items import Article
from newsdesk.store import ArticleStore
from newsdesk.warehouse import Warehouse
from tests.factories import make_article

# The module's replica run crawls two editions through Dagster (about 17 crawl
# subprocesses): on a loaded 2-core machine its set-up exceeds the default 300 s.
pytestmark = pytest.mark.timeout(900)

REPLICA_NOW = "2025-11-01T00:00:00+00:00"  # the replica's dates end 2025-10-31
TABLE_NAMES = {
    "articles",
    "article_tags",
    "article_authors",
    "tags",
    "authors",
    "sources",
    "sections",
    "daily_section_counts",
    "crawl_log",
    "crawl_runs",
    "article_revisions",
}
# Tables whose content is a function of the articles alone (crawl_log and
# crawl_runs grow with every crawl by design).
CONTENT_TABLES = sorted(TABLE_NAMES - {"crawl_log", "crawl_runs"})
EDITIONS = [e.code for e in editions.all_editions()]
CHECK_NAMES = {
    "article_id_unique",
    "title_and_published_at_not_null",
    "no_future_published_at",
} | {
    f"{check}_{code}"
    for code in EDITIONS
    for check in ("field_coverage", "newest_article_fresh", "crawl_failure_rate", "markup_drift")
}


def _resources(base_url: str, warehouse: Warehouse, **checks: Any) -> dict[str, Any]:
    return {
        "newsdesk": NewsdeskResource(base_url=base_url, warehouse_root=str(warehouse.root)),
        "check_settings": CheckSettings(now=REPLICA_NOW, **checks),
        "pipes_subprocess_client": dg.PipesSubprocessClient(cwd=str(PROJECT_ROOT)),
    }


def _materialization(result: dg.ExecuteInProcessResult, key: dg.AssetKey) -> dict[str, Any]:
    """The metadata values of the materialization of ``key`` in a run."""
    for event in result.get_asset_materialization_events():
        materialization = event.event_specific_data.materialization  # type: ignore[union-attr]
        if materialization.asset_key == key:
            return {k: v.value for k, v in materialization.metadata.items()}
    raise AssertionError(f"{key.to_user_string()} not materialized")


def _snapshot(warehouse: Warehouse) -> dict[str, list[tuple[Any, ...]]]:
    con = connect(warehouse.duckdb_path, read_only=True)
    try:
        return {
            name: con.execute(f"SELECT * FROM {name} ORDER BY ALL").fetchall()
            for name in CONTENT_TABLES
        }
    finally:
        con.close()


@pytest.fixture(scope="module", autouse=True)
def _isolated_env(tmp_path_factory) -> Iterator[None]:
    """No test may fall back to the working tree's warehouse or the user's Dagster home."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DAGSTER_HOME", str(tmp_path_factory.mktemp("dagster_home")))
        mp.setenv("NEWSDESK_WAREHOUSE", str(tmp_path_factory.mktemp("unused_warehouse")))
        mp.delenv("NEWSDESK_BASE_URL", raising=False)
        mp.delenv("NEWSDESK_FRESHNESS_HOURS", raising=False)
        yield


# -- definitions -----------------------------------------------------------------


def test_definitions_load():
    dg.Definitions.validate_loadable(defs)
    keys = set(defs.resolve_all_asset_keys())
    assert keys == {ARTICLES_BY_MONTH, ARTICLES_LATEST, LAKE_MAINTENANCE} | {
        table_key(n) for n in TABLE_NAMES
    }
    checks = {key.name for key in defs.resolve_asset_graph().asset_check_keys}
    assert checks == CHECK_NAMES
    assert {s.name for s in defs.schedules or []} == {
        f"{kind}_{code}"
        for code in EDITIONS
        for kind in ("hourly_latest_crawl", "daily_monthly_sweep")
    } | {"weekly_lake_maintenance"}
    maintenance = defs.resolve_job_def("lake_maintenance_job")
    assert set(maintenance.asset_layer.asset_graph.get_all_asset_keys()) == {LAKE_MAINTENANCE}
    assert weekly_lake_maintenance.default_status == dg.DefaultScheduleStatus.STOPPED
    for name in ("latest_crawl_job", "monthly_crawl_job", "build_tables_job"):
        job = defs.resolve_job_def(name)
        # Every job that builds the tables runs the checks after it.
        assert {k.name for k in job.asset_layer.asset_graph.asset_check_keys} == CHECK_NAMES
    # Edition x month for the sitemap crawls, edition for the crawl of what is new.
    assert defs.resolve_assets_def(ARTICLES_BY_MONTH).partitions_def == edition_month_partitions
    assert defs.resolve_job_def("monthly_crawl_job").partitions_def == edition_month_partitions
    assert defs.resolve_assets_def(ARTICLES_LATEST).partitions_def == edition_partitions
    assert edition_partitions.get_partition_keys() == EDITIONS


def test_code_location_is_found_from_pyproject():
    tool = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["tool"]
    project = tool["dg"]["project"]  # what `dg dev` / `dg launch` / `dg list defs` load
    assert importlib.import_module(project["code_location_target_module"]).defs is defs
    assert project["root_module"] == "dagster_project"
    config = tool["dagster"]
    module = importlib.import_module(config["module_name"])
    assert module.defs is defs  # what `dagster definitions validate` loads


def test_table_assets_follow_the_sql_files():
    assert {t.name for t in TABLES} == TABLE_NAMES
    specs = {spec.key: spec for spec in duckdb_tables.specs}
    # Lineage: the articles table reads the crawls, derived tables read other tables.
    assert {d.asset_key for d in specs[table_key("articles")].deps} == {
        ARTICLES_BY_MONTH,
        ARTICLES_LATEST,
    }
    assert {d.asset_key for d in specs[table_key("tags")].deps} == {table_key("article_tags")}
    assert {d.asset_key for d in specs[table_key("article_tags")].deps} == {table_key("articles")}
    assert duckdb_tables.op.pool == "newsdesk_duckdb"
    # Crawls are limited per edition by the run queue (the newsdesk/edition tag), not by
    # one pool that would serialize the three editions' crawls.
    assert articles_by_month.op.pool is None


def test_crawl_command_passes_the_warehouse_and_site(tmp_path):
    resource = NewsdeskResource(base_url="http://127.0.0.1:8765/", warehouse_root=str(tmp_path))
    command = resource.crawl_command(month="2025-07", sections=["politics", "tv"])
    assert command[1:3] == ["-m", "newsdesk.pipes_crawl"]
    assert command[command.index("--base-url") + 1] == "http://127.0.0.1:8765"
    assert "--edition" not in command  # English, the default, is not written out
    assert command[command.index("--warehouse") + 1] == str(tmp_path)
    assert command[command.index("--month") + 1] == "2025-07"
    assert command[command.index("--sections") + 1] == "politics,tv"
    # The child parses exactly what the resource writes (one declaration of the options).
    from newsdesk.pipes_crawl import build_parser, options_from_args

    parsed = options_from_args(build_parser().parse_args(command[3:]))
    assert (parsed.month, parsed.sections, parsed.edition) == ("2025-07", ["politics", "tv"], "en")
    relative = NewsdeskResource(warehouse_root="somewhere").warehouse
    assert relative.root == PROJECT_ROOT / "somewhere"  # not the run worker's cwd


# -- schedules -------------------------------------------------------------------


def test_schedules_default_to_stopped():
    assert len(SCHEDULES) == 2 * len(EDITIONS)
    for schedule in SCHEDULES:
        assert schedule.default_status == dg.DefaultScheduleStatus.STOPPED
        assert schedule.execution_timezone == "UTC"
    assert hourly_latest_crawl("ar").job_name == "latest_crawl_job"
    assert daily_monthly_sweep("ar").job_name == "monthly_crawl_job"


def _schedule(name: str) -> dg.ScheduleDefinition:
    return next(s for s in SCHEDULES if s.name == name)


@pytest.mark.parametrize("edition", EDITIONS)
def test_hourly_schedule_requests_one_latest_crawl_of_its_edition(edition):
    context = dg.build_schedule_context(
        scheduled_execution_time=datetime(2025, 11, 3, 14, 17, tzinfo=UTC),
        repository_def=defs.get_repository_def(),
    )
    requests = _schedule(f"hourly_latest_crawl_{edition}").evaluate_tick(context).run_requests
    assert requests is not None and len(requests) == 1
    assert requests[0].run_key == f"latest-{edition}-2025-11-03T14:17"
    assert requests[0].partition_key == edition
    assert requests[0].tags[EDITION_TAG] == edition


@pytest.mark.parametrize(
    ("when", "months"),
    [
        (datetime(2025, 11, 3, 3, 40, tzinfo=UTC), ["2025-10", "2025-11"]),
        (datetime(2026, 1, 1, 3, 40, tzinfo=UTC), ["2025-12", "2026-01"]),
    ],
)
@pytest.mark.parametrize("edition", ["en", "ar"])
def test_daily_schedule_sweeps_previous_and_current_month(when, months, edition):
    # With the repository, Dagster also validates the partition keys against the job.
    context = dg.build_schedule_context(
        scheduled_execution_time=when, repository_def=defs.get_repository_def()
    )
    requests = _schedule(f"daily_monthly_sweep_{edition}").evaluate_tick(context).run_requests
    assert requests is not None
    assert [r.partition_key for r in requests] == [f"{edition}|{m}" for m in months]
    assert len({r.run_key for r in requests}) == 2
    assert all(r.tags[EDITION_TAG] == edition for r in requests)
    for month in months:
        assert edition_month_partitions.has_partition_key(edition_month_key(edition, month))


def test_every_crawl_run_of_a_job_carries_its_edition_tag():
    # Backfills and launches from the job (not only the schedules) get the tag that
    # the run queue limits per edition (dagster_project/dagster*.yaml).
    monthly = defs.resolve_job_def("monthly_crawl_job")
    latest = defs.resolve_job_def("latest_crawl_job")
    assert monthly.get_tags_for_partition_key("es|2025-07", None)[EDITION_TAG] == "es"
    assert latest.get_tags_for_partition_key("ar", None)[EDITION_TAG] == "ar"
    for name in ("dagster.yaml", "dagster.postgres.yaml"):
        text = (PROJECT_ROOT / "dagster_project" / name).read_text()
        assert f"key: {EDITION_TAG}" in text and "applyLimitPerUniqueValue: true" in text


# -- the whole graph against the replica ----------------------------------------------


@dataclass
class ReplicaRun:
    """One full materialization of the graph against the replica."""

    server: Any
    warehouse: Warehouse
    defs: dg.Definitions
    instance: dg.DagsterInstance
    truth: list[Article]
    months: dict[str, dict[str, Any]] = field(default_factory=dict)
    latest: dg.ExecuteInProcessResult | None = None
    ar_truth: list[Article] = field(default_factory=list)
    ar_months: dict[str, dict[str, Any]] = field(default_factory=dict)
    ar_latest: dg.ExecuteInProcessResult | None = None
    seconds: float = 0.0


AR_ARTICLES = 60
AR_MONTH = "2024-07"  # the Arabic replica's (seed 7, 60 articles) busiest month: 8 articles


@pytest.fixture(scope="module")
def replica_run(tmp_path_factory) -> Iterator[ReplicaRun]:
    """English and Arabic crawled through Dagster; Spanish never crawled (its checks warn)."""
    from newsdesk.replica.server import ReplicaServer

    warehouse = Warehouse(tmp_path_factory.mktemp("replica") / "warehouse")
    with (
        ReplicaServer(seed=7, n_articles=240) as server,
        ReplicaServer(seed=7, n_articles=AR_ARTICLES, edition="ar") as ar_server,
    ):
        sites = f"en={server.base_url},ar={ar_server.base_url}"
        run = ReplicaRun(
            server=server,
            warehouse=warehouse,
            defs=build_definitions(**_resources(sites, warehouse)),
            instance=dg.DagsterInstance.ephemeral(),
            truth=list(server.site.ground_truth),
        )
        run.ar_truth = list(ar_server.site.ground_truth)
        started = time.monotonic()
        # A backfill of the English edition: one run per publication month, each
        # crawling that month's sitemap file...
        for month in sorted({month_key(a.published_at) for a in run.truth}):
            result = dg.materialize(
                [articles_by_month],
                partition_key=str(edition_month_key("en", month)),
                resources=_resources(sites, warehouse),
                instance=run.instance,
            )
            run.months[month] = _materialization(result, ARTICLES_BY_MONTH)
        # ...one Arabic month (a partition of the other edition), then the rest of the
        # Arabic replica through its latest-crawl job reaching back over all of it...
        result = dg.materialize(
            [articles_by_month],
            partition_key=str(edition_month_key("ar", AR_MONTH)),
            resources=_resources(sites, warehouse),
            instance=run.instance,
        )
        run.ar_months[AR_MONTH] = _materialization(result, ARTICLES_BY_MONTH)
        job = run.defs.resolve_job_def("latest_crawl_job")
        run.ar_latest = job.execute_in_process(
            partition_key="ar",
            run_config=dg.RunConfig(
                ops={"parquet__articles_latest": LatestCrawlConfig(since="2020-01-01")}
            ),
            instance=run.instance,
        )
        # ...then the English scheduled job: what is new (nothing: the replica ends
        # 2025-10-31), the tables and the checks.
        run.latest = job.execute_in_process(partition_key="en", instance=run.instance)
        run.seconds = time.monotonic() - started
        print(f"\nfull materialization against the replicas: {run.seconds:.1f} s")
        yield run


def test_each_month_partition_crawls_that_month(replica_run):
    expected = Counter(month_key(a.published_at) for a in replica_run.truth)
    assert {m: meta["articles_new"] for m, meta in replica_run.months.items()} == dict(expected)
    meta = replica_run.months["2025-10"]
    assert meta["scope"] == "en: month 2025-10"
    assert meta["edition"] == "en"
    assert meta["articles_updated"] == 0
    assert meta["pages_fetched"] >= expected["2025-10"]
    assert meta["duration_s"] > 0
    assert isinstance(meta["failures_by_reason"], dict)
    assert "articles:" in meta["summary"]


def test_an_edition_month_partition_crawls_that_editions_month(replica_run):
    in_month = [a for a in replica_run.ar_truth if month_key(a.published_at) == AR_MONTH]
    meta = replica_run.ar_months[AR_MONTH]
    assert (meta["edition"], meta["articles_new"]) == ("ar", len(in_month))
    assert meta["scope"] == f"ar: month {AR_MONTH}"
    latest = _materialization(replica_run.ar_latest, ARTICLES_LATEST)
    assert latest["articles_new"] == AR_ARTICLES - len(in_month)
    con = connect(replica_run.warehouse.duckdb_path, read_only=True)
    try:
        rows = dict(con.execute("SELECT edition, count(*) FROM articles GROUP BY ALL").fetchall())
        ar_ids = {
            r[0]
            for r in con.execute("SELECT article_id FROM articles WHERE edition = 'ar'").fetchall()
        }
    finally:
        con.close()
    assert rows == {"en": len(replica_run.truth), "ar": AR_ARTICLES}
    assert ar_ids == {a.article_id for a in replica_run.ar_truth}


def test_each_edition_is_checked_against_its_own_expectations(replica_run):
    result = replica_run.ar_latest
    assert result is not None and result.success
    evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
    coverage = evaluations["field_coverage_ar"]
    assert coverage.passed, coverage.description
    # The Arabic pages have no source line: not measured against a threshold there.
    assert coverage.metadata["not_expected"].value == ["source"]
    assert "min_source" in evaluations["field_coverage_en"].metadata
    # Spanish is never crawled here: its checks warn, and say why.
    for name in ("field_coverage_es", "newest_article_fresh_es"):
        assert not evaluations[name].passed
        assert evaluations[name].severity == dg.AssetCheckSeverity.WARN
    assert "not crawled" in evaluations["field_coverage_es"].description


def test_latest_crawl_job_builds_tables_and_passes_checks(replica_run):
    result = replica_run.latest
    assert result is not None and result.success
    latest = _materialization(result, ARTICLES_LATEST)
    assert latest["articles_new"] == 0  # nothing published in the last two days
    assert latest["scope"].startswith("en: both since ")  # listings for new, sitemaps for edits
    evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert set(evaluations) == CHECK_NAMES
    failed = {name: e.description for name, e in evaluations.items() if not e.passed}
    # Only warnings: the never-crawled Spanish edition's checks, and the freshness of
    # the Arabic replica, whose articles end in 2024-12 (a year before REPLICA_NOW).
    expected = {c for c in CHECK_NAMES if c.endswith("_es")} | {"newest_article_fresh_ar"}
    assert set(failed) <= expected, failed
    assert all(evaluations[name].severity == dg.AssetCheckSeverity.WARN for name in failed), failed


def test_tables_match_the_replica_ground_truth(replica_run):
    truth = replica_run.truth + replica_run.ar_truth  # both editions crawled
    con = connect(replica_run.warehouse.duckdb_path, read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == len(truth)
        ids = {row[0] for row in con.execute("SELECT article_id FROM articles").fetchall()}
        assert ids == {a.article_id for a in truth}

        per_section = Counter((a.section_group, a.section) for a in truth)
        rows = con.execute("SELECT section_group, section, articles FROM sections").fetchall()
        assert {(g, s): n for g, s, n in rows} == dict(per_section)

        per_day_section = Counter(
            (a.published_at.astimezone(UTC).date(), a.section_group, a.section) for a in truth
        )
        rows = con.execute(
            "SELECT day, section_group, section, articles FROM daily_section_counts"
        ).fetchall()
        assert {(d, g, s): n for d, g, s, n in rows} == dict(per_day_section)

        per_tag = Counter(tag for a in truth for tag in set(a.tags))
        rows = con.execute("SELECT tag, articles FROM tags").fetchall()
        assert dict(rows) == dict(per_tag)

        per_author = Counter(name for a in truth for name in set(a.authors))
        assert dict(con.execute("SELECT author, articles FROM authors").fetchall()) == dict(
            per_author
        )
        per_source = Counter(a.source for a in truth if a.source)
        assert dict(con.execute("SELECT source, articles FROM sources").fetchall()) == dict(
            per_source
        )
    finally:
        con.close()


def test_table_materializations_carry_metadata(replica_run):
    result = replica_run.latest
    assert result is not None
    articles = _materialization(result, table_key("articles"))
    assert articles["dagster/row_count"] == len(replica_run.truth) + AR_ARTICLES
    newest = max(replica_run.truth, key=lambda a: a.published_at)
    assert newest.title.replace("|", "\\|") in articles["newest_articles"]
    newest_day = newest.published_at.astimezone(UTC).date().isoformat()
    assert f"| {newest_day} |" in articles["articles_per_day"]
    assert "articles_per_day" in _materialization(result, table_key("daily_section_counts"))
    for name in TABLE_NAMES:
        meta = _materialization(result, table_key(name))
        assert meta["dagster/row_count"] >= 0
        assert meta["dagster/column_schema"].columns


def test_rematerialization_changes_nothing(replica_run):
    before = _snapshot(replica_run.warehouse)
    # The daily sweep's job for one month (crawl + tables + checks)...
    # (full: fetch every article again, not just what the sitemap says changed)...
    job = replica_run.defs.resolve_job_def("monthly_crawl_job")
    sweep = job.execute_in_process(
        partition_key="en|2025-10",
        run_config=dg.RunConfig(ops={"parquet__articles_by_month": MonthCrawlConfig(full=True)}),
        instance=replica_run.instance,
    )
    assert sweep.success
    month = _materialization(sweep, ARTICLES_BY_MONTH)
    assert (month["articles_new"], month["articles_updated"]) == (0, 0)
    assert month["articles_unchanged"] == replica_run.months["2025-10"]["articles_new"]
    # An incremental re-run fetches nothing at all: the sitemap file did not change.
    incremental = job.execute_in_process(partition_key="en|2025-10", instance=replica_run.instance)
    assert _materialization(incremental, ARTICLES_BY_MONTH)["articles_seen"] == 0
    # ...and the hourly job with a latest crawl reaching back over the whole replica.
    again = replica_run.defs.resolve_job_def("latest_crawl_job").execute_in_process(
        partition_key="en",
        run_config=dg.RunConfig(
            ops={"parquet__articles_latest": LatestCrawlConfig(since="2024-01-01", full=True)}
        ),
        instance=replica_run.instance,
    )
    assert again.success
    latest = _materialization(again, ARTICLES_LATEST)
    assert (latest["articles_new"], latest["articles_updated"]) == (0, 0)
    assert latest["articles_unchanged"] == len(replica_run.truth)
    # The crawl's own log lines reach the run (the replica's broken pages: 500s, retried).
    messages = [e.user_message for e in replica_run.instance.all_logs(again.run_id)]
    assert any(m.startswith("[scrapy.") and "500" in m for m in messages)
    assert _snapshot(replica_run.warehouse) == before
    rows = ArticleStore(replica_run.warehouse).read_table(columns=["article_id"])
    assert rows.num_rows == len(replica_run.truth) + AR_ARTICLES  # replaced, never duplicated


def test_rerunning_a_partition_after_edits_replaces_rows(tmp_path):
    """A re-crawl of a month with edited articles replaces their rows (revision 2 of the site)."""
    from newsdesk.replica.server import ReplicaServer

    warehouse = Warehouse(tmp_path / "warehouse")
    instance = dg.DagsterInstance.ephemeral()
    with ReplicaServer(seed=7, n_articles=40) as server:
        first = {a.article_id: a for a in server.site.ground_truth}
        site2 = server.set_revision(2)
        edited = [a for a in site2.ground_truth if a.url in set(site2.edited)]
        assert edited
        month = month_key(edited[0].published_at)
        server.set_revision(1)

        def crawl() -> dict[str, Any]:
            result = dg.materialize(
                [articles_by_month],
                partition_key=f"en|{month}",
                resources=_resources(server.base_url, warehouse),
                instance=instance,
            )
            return _materialization(result, ARTICLES_BY_MONTH)

        crawl()
        second = {a.article_id: a for a in server.set_revision(2).ground_truth}
        meta = crawl()
    in_month = {i for i, a in (first | second).items() if month_key(a.published_at) == month}
    assert meta["articles_updated"] >= sum(month_key(a.published_at) == month for a in edited)
    table = ArticleStore(warehouse).read_table(columns=["article_id", "title"])
    ids = table.column("article_id").to_pylist()
    assert len(ids) == len(set(ids)) == len(in_month)
    titles = dict(zip(ids, table.column("title").to_pylist(), strict=True))
    for article in edited:
        if month_key(article.published_at) == month:
            assert titles[article.article_id] == article.title


def test_a_crawl_that_cannot_run_fails_the_step(tmp_path):
    warehouse = Warehouse(tmp_path / "warehouse")
    instance = dg.DagsterInstance.ephemeral()
    result = dg.materialize(
        [articles_by_month],
        partition_key="en|2025-10",
        resources=_resources("http://127.0.0.1:9", warehouse),  # nothing listens there
        instance=instance,
        raise_on_error=False,
    )
    assert not result.success
    messages = [entry.user_message for entry in instance.all_logs(result.run_id)]
    assert any("cannot reach http://127.0.0.1:9" in m for m in messages)


# -- the build through the asset ------------------------------------------------------

D1 = datetime(2025, 10, 20, 12, 0, tzinfo=UTC)


def _synthetic(tmp_path: Path, n: int = 6) -> Warehouse:
    warehouse = Warehouse(tmp_path / "warehouse")
    store = ArticleStore(warehouse)
    store.merge([make_article(f"story-{i}", D1) for i in range(n)], store.load_index())
    return warehouse


def test_open_reader_neither_fails_the_build_nor_sees_partial_tables(tmp_path):
    warehouse = _synthetic(tmp_path)
    resources = _resources("http://127.0.0.1:9", warehouse)
    instance = dg.DagsterInstance.ephemeral()
    assert dg.materialize([duckdb_tables], resources=resources, instance=instance).success
    reader = connect(warehouse.duckdb_path, read_only=True)
    before = reader.execute("SELECT count(*) FROM articles").fetchone()[0]
    store = ArticleStore(warehouse)
    store.merge([make_article("late-story", D1)], store.load_index())
    outcome: list[dg.ExecuteInProcessResult] = []
    thread = threading.Thread(
        target=lambda: outcome.append(
            dg.materialize(
                [duckdb_tables], resources=resources, instance=instance, raise_on_error=False
            )
        )
    )
    thread.start()
    while thread.is_alive():
        # The open reader keeps its complete, consistent view while the asset rebuilds.
        assert reader.execute("SELECT count(*) FROM articles").fetchone()[0] == before
        assert reader.execute("SELECT count(*) FROM article_tags").fetchone()[0] == before
    thread.join()
    assert outcome and outcome[0].success
    assert reader.execute("SELECT count(*) FROM articles").fetchone()[0] == before
    reader.close()
    fresh = connect(warehouse.duckdb_path, read_only=True)
    assert fresh.execute("SELECT count(*) FROM articles").fetchone()[0] == before + 1
    fresh.close()


def test_build_without_data_is_a_clear_failure(tmp_path):
    warehouse = Warehouse(tmp_path / "empty")
    result = dg.materialize(
        [duckdb_tables],
        resources=_resources("http://127.0.0.1:9", warehouse),
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )
    assert not result.success
    failure = result.get_step_failure_events()[0]
    assert "run `newsdesk crawl` first" in str(failure.step_failure_data.error)


def test_checks_report_failures_through_dagster(tmp_path):
    """Stale data fails the freshness check as a warning; a missing database fails every check."""
    warehouse = _synthetic(tmp_path)
    build_database(warehouse)
    result = dg.materialize(
        ASSET_CHECKS,
        resources={
            **_resources("http://127.0.0.1:9", warehouse),
            "check_settings": CheckSettings(now="2025-11-20T00:00:00"),
        },
        instance=dg.DagsterInstance.ephemeral(),
        selection=dg.AssetSelection.all_asset_checks(),
    )
    evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
    fresh = evaluations["newest_article_fresh_en"]
    assert not fresh.passed and fresh.severity == dg.AssetCheckSeverity.WARN
    assert evaluations["article_id_unique"].passed

    missing = dg.materialize(
        ASSET_CHECKS,
        resources=_resources("http://127.0.0.1:9", Warehouse(tmp_path / "none")),
        instance=dg.DagsterInstance.ephemeral(),
        selection=dg.AssetSelection.all_asset_checks(),
    )
    assert all(not e.passed for e in missing.get_asset_check_evaluations())


# -- builds outside Dagster, and the dg command line -------------------------------------


def _latest(instance: dg.DagsterInstance, name: str) -> dict[str, Any] | None:
    event = instance.get_latest_materialization_event(table_key(name))
    if event is None or event.asset_materialization is None:
        return None
    return {k: v.value for k, v in event.asset_materialization.metadata.items()}


def test_cli_build_is_recorded_as_materializations(tmp_path, monkeypatch):
    """`newsdesk build` of the warehouse Dagster reads shows in the instance like an asset run."""
    from newsdesk.cli import main

    warehouse = _synthetic(tmp_path)
    home = tmp_path / "dagster_home"
    home.mkdir()
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    monkeypatch.setenv("NEWSDESK_WAREHOUSE", str(warehouse.root))
    assert main(["build", "--warehouse", str(warehouse.root)]) == 0
    with dg.DagsterInstance.from_config(str(home)) as instance:
        for table in TABLE_NAMES:
            meta = _latest(instance, table)
            assert meta is not None, f"duckdb/{table} never materialized"
            assert meta["dagster/column_schema"].columns
        articles = _latest(instance, "articles")
        assert articles is not None
        assert articles["dagster/row_count"] == 6
        assert articles["duckdb_path"] == str(warehouse.duckdb_path)
        assert "newest_articles" in articles  # the asset's extra metadata too


def test_cli_build_of_another_warehouse_is_not_recorded(tmp_path, monkeypatch):
    """A scratch warehouse is not what the UI's assets are: its build stays out of the instance."""
    from newsdesk.cli import main

    warehouse = _synthetic(tmp_path)
    home = tmp_path / "dagster_home"
    home.mkdir()
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    monkeypatch.setenv("NEWSDESK_WAREHOUSE", str(tmp_path / "the_ui_warehouse"))
    assert main(["build", "--warehouse", str(warehouse.root)]) == 0
    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert _latest(instance, "articles") is None


def _dg(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run the project's `dg` from the repo root, as the README does."""
    dg_cli = Path(sys.executable).parent / "dg"
    return subprocess.run(
        [str(dg_cli), *args],
        cwd=PROJECT_ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=240,
    )


def test_dg_lists_the_definitions_from_the_repo_root(tmp_path):
    listed = _dg("list", "defs", "--json", env={"DAGSTER_HOME": str(tmp_path)})
    assert listed.returncode == 0, listed.stderr
    data = json.loads(listed.stdout)
    keys = {asset["asset_key"] for asset in data["assets"]}
    assert {f"duckdb/{name}" for name in TABLE_NAMES} <= keys
    assert {ARTICLES_BY_MONTH.to_user_string(), ARTICLES_LATEST.to_user_string()} <= keys
    assert {job["name"] for job in data["jobs"]} >= {"build_tables_job", "latest_crawl_job"}


def test_readme_dg_launch_builds_the_tables(tmp_path):
    """The README's `dg launch --assets group:duckdb`, as written, on a tiny warehouse."""
    command = "dg launch --assets group:duckdb"
    assert command in (PROJECT_ROOT / "README.md").read_text()
    warehouse = _synthetic(tmp_path)
    home = tmp_path / "dagster_home"
    home.mkdir()
    launched = _dg(
        *command.split()[1:],
        env={"DAGSTER_HOME": str(home), "NEWSDESK_WAREHOUSE": str(warehouse.root)},
    )
    assert launched.returncode == 0, launched.stderr[-3000:]
    assert warehouse.duckdb_path.exists()
    with dg.DagsterInstance.from_config(str(home)) as instance:
        articles = _latest(instance, "articles")
        assert articles is not None and articles["dagster/row_count"] == 6
