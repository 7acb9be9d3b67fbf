"""The asset checks as pure functions: each one passes on a sound warehouse and fails on a bad one.

Synthetic warehouses (tests/factories.py + build_database). Faults the store
cannot produce (a duplicate article_id, a null title) are made on an in-memory
copy of the built tables: the checks only need a DuckDB connection.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta

import duckdb
import pytest

from dagster_project.checks import (
    check_article_id_unique,
    check_crawl_failure_rate,
    check_field_coverage,
    check_freshness,
    check_no_future_dates,
    check_required_fields,
    field_coverage,
    latest_run_id,
)
from dagster_project.resources import CheckSettings
from newsdesk.build import build_database, connect
from newsdesk.crawl import CrawlSummary, write_run_summary
from newsdesk.items import Article, CrawlEvent
from newsdesk.store import ArticleStore, write_crawl_log
from newsdesk.warehouse import Warehouse
from tests.factories import make_article, rehash

NEWEST = datetime(2025, 10, 30, 18, 0, tzinfo=UTC)
THRESHOLDS = CheckSettings().coverage_thresholds()


def _article(n: int, **kwargs: object) -> Article:
    published = NEWEST - timedelta(hours=6 * n)
    article = make_article(f"story-{n}", published, **kwargs)  # type: ignore[arg-type]
    article.image_url = f"http://127.0.0.1:9/images/{n}.jpg"
    return rehash(article)


def _sound_articles(count: int = 20) -> list[Article]:
    articles = []
    for n in range(count):
        # Every third article has no Source line, as on the real site.
        articles.append(_article(n, source=None if n % 3 == 0 else "Agencies"))
    return articles


def _build(root, articles: list[Article]) -> Warehouse:
    warehouse = Warehouse(root)
    store = ArticleStore(warehouse)
    store.merge(articles, store.load_index())
    build_database(warehouse)
    return warehouse


@pytest.fixture
def sound(tmp_path) -> Iterator[duckdb.DuckDBPyConnection]:
    warehouse = _build(tmp_path / "wh", _sound_articles())
    con = connect(warehouse.duckdb_path, read_only=True)
    yield con
    con.close()


def _writable_copy(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """An in-memory copy of the articles table, to tamper with."""
    copy = duckdb.connect()
    copy.register("src", con.execute("SELECT * FROM articles").to_arrow_table())
    copy.execute("CREATE TABLE articles AS SELECT * FROM src")
    return copy


# -- article_id unique ---------------------------------------------------------


def test_unique_ids_pass(sound):
    outcome = check_article_id_unique(sound)
    assert outcome.passed, outcome.description
    assert outcome.metadata["duplicates"] == 0


def test_duplicate_id_fails(sound):
    copy = _writable_copy(sound)
    copy.execute("INSERT INTO articles SELECT * FROM articles ORDER BY published_at LIMIT 1")
    outcome = check_article_id_unique(copy)
    assert not outcome.passed
    assert outcome.metadata["duplicates"] == 1
    assert len(outcome.metadata["duplicate_ids"]) == 1


# -- title and published_at ----------------------------------------------------------


def test_required_fields_pass(sound):
    assert check_required_fields(sound).passed


@pytest.mark.parametrize(
    ("tamper", "key"),
    [
        ("UPDATE articles SET title = NULL WHERE rowid = 0", "missing_title"),
        ("UPDATE articles SET title = '  ' WHERE rowid = 0", "missing_title"),
        ("UPDATE articles SET published_at = NULL WHERE rowid = 0", "missing_published_at"),
    ],
)
def test_missing_title_or_date_fails(sound, tamper, key):
    copy = _writable_copy(sound)
    copy.execute(tamper)
    outcome = check_required_fields(copy)
    assert not outcome.passed
    assert outcome.metadata[key] == 1


# -- field coverage ---------------------------------------------------------------


def test_coverage_passes_on_a_sound_crawl(sound):
    outcome = check_field_coverage(sound, THRESHOLDS, sample_size=200)
    assert outcome.passed, outcome.description
    assert outcome.metadata["coverage_source"] == pytest.approx(13 / 20)


def test_videos_without_body_do_not_lower_body_coverage(tmp_path):
    articles = _sound_articles()
    for n in range(5):
        video = _article(100 + n, group="videos", section="tv", body="")
        video.content_type = "video"
        articles.append(rehash(video))
    warehouse = _build(tmp_path / "wh", articles)
    con = connect(warehouse.duckdb_path, read_only=True)
    _, shares = field_coverage(con)
    assert shares["body"] == 1.0
    assert check_field_coverage(con, THRESHOLDS).passed


def test_markup_change_that_empties_a_column_fails(tmp_path):
    """Older articles are fine; the newest crawl lost its authors (a selector broke)."""
    old = _sound_articles(20)
    broken = []
    for n in range(30):
        article = _article(200 + n, authors=[])
        article.crawled_at = datetime(2025, 11, 2, tzinfo=UTC)  # crawled after the change
        broken.append(rehash(article))
    warehouse = _build(tmp_path / "wh", old + broken)
    con = connect(warehouse.duckdb_path, read_only=True)
    outcome = check_field_coverage(con, THRESHOLDS, sample_size=30)
    assert not outcome.passed
    assert outcome.metadata["below_threshold"] == ["authors"]
    assert outcome.metadata["coverage_authors"] == 0.0
    assert "authors" in outcome.description


@pytest.mark.parametrize("field", ["tags", "source", "image", "body"])
def test_each_field_can_fail_coverage(sound, field):
    copy = _writable_copy(sound)
    column, empty = {
        "tags": ("tags", "[]"),
        "source": ("source", "NULL"),
        "image": ("image_url", "NULL"),
        "body": ("body", "''"),
    }[field]
    copy.execute(f"UPDATE articles SET {column} = {empty}")
    outcome = check_field_coverage(copy, THRESHOLDS)
    assert not outcome.passed
    assert outcome.metadata["below_threshold"] == [field]


def test_coverage_of_an_empty_table_fails(sound):
    copy = _writable_copy(sound)
    copy.execute("DELETE FROM articles")
    assert not check_field_coverage(copy, THRESHOLDS).passed


# -- no future dates -----------------------------------------------------------------


def test_no_future_dates_pass(sound):
    assert check_no_future_dates(sound, now=NEWEST + timedelta(minutes=1)).passed


def test_future_date_fails(sound):
    outcome = check_no_future_dates(sound, now=NEWEST - timedelta(hours=3))
    assert not outcome.passed
    assert outcome.metadata["future_articles"] == 1  # the newest; the next is 6 h older


def test_clock_skew_is_tolerated(sound):
    assert check_no_future_dates(sound, now=NEWEST - timedelta(minutes=5)).passed


# -- freshness --------------------------------------------------------------------------


def test_fresh_newest_article_passes(sound):
    outcome = check_freshness(sound, now=NEWEST + timedelta(hours=10), max_age=timedelta(hours=48))
    assert outcome.passed
    assert outcome.metadata["age_hours"] == 10


def test_stale_newest_article_fails(sound):
    outcome = check_freshness(sound, now=NEWEST + timedelta(days=3), max_age=timedelta(hours=48))
    assert not outcome.passed
    assert "older than" in outcome.description


def test_freshness_threshold_comes_from_settings(monkeypatch):
    monkeypatch.delenv("NEWSDESK_FRESHNESS_HOURS", raising=False)
    assert CheckSettings().freshness_max_age() == timedelta(hours=48)
    monkeypatch.setenv("NEWSDESK_FRESHNESS_HOURS", "12")
    assert CheckSettings().freshness_max_age() == timedelta(hours=12)
    assert CheckSettings(freshness_max_age_hours=3).freshness_max_age() == timedelta(hours=3)
    assert CheckSettings(now="2025-11-01").current_time() == datetime(2025, 11, 1, tzinfo=UTC)


# -- crawl failure rate ------------------------------------------------------------------


def _crawl(
    warehouse: Warehouse,
    run_id: str,
    started: datetime,
    ok: int,
    failed: int,
    blocked: bool = False,
    failed_urls: Sequence[str] = (),
) -> None:
    """One crawl run: ``ok`` articles, ``failed`` new 404s, and 404s of ``failed_urls``."""
    dead = [f"http://127.0.0.1:9/news/politics/gone-{run_id}-{n}" for n in range(failed)]
    events = [
        CrawlEvent(
            run_id=run_id,
            url=f"http://127.0.0.1:9/news/politics/ok-{run_id}-{n}",
            outcome="article",
            fetched_at=started,
            http_status=200,
        )
        for n in range(ok)
    ] + [
        CrawlEvent(
            run_id=run_id,
            url=url,
            outcome="failed",
            fetched_at=started,
            http_status=404,
            reason="http_404",
        )
        for url in [*dead, *failed_urls]
    ]
    write_crawl_log(warehouse, run_id, events, started.date().isoformat())
    _summarize(warehouse, run_id, started, len(events), ok, blocked)


def _summarize(
    warehouse: Warehouse, run_id: str, started: datetime, pages: int, ok: int, blocked: bool
) -> None:
    """The run summary (crawl_runs) of a run of ``pages`` URLs, ``ok`` of them articles."""
    write_run_summary(
        warehouse,
        CrawlSummary(
            run_id=run_id,
            base_url="http://127.0.0.1:9",
            warehouse=str(warehouse.root),
            started_at=started.isoformat(),
            finished_at=(started + timedelta(seconds=5)).isoformat(),
            duration_s=5.0,
            finish_reason="finished",
            pages_fetched=pages,
            requests=pages,
            articles_new=ok,
            articles_updated=0,
            articles_unchanged=0,
            revisions=0,
            failures={"http_404": pages - ok} if pages > ok else {},
            blocked=blocked,
        ),
    )


def _with_runs(
    tmp_path,
    runs: list[tuple[str, datetime, int, int]],
    blocked: bool = False,
    failed_urls: Mapping[str, Sequence[str]] | None = None,
) -> duckdb.DuckDBPyConnection:
    """A warehouse with these crawl runs (``failed_urls``: extra 404 URLs per run id), built."""
    warehouse = Warehouse(tmp_path / "wh")
    store = ArticleStore(warehouse)
    store.merge(_sound_articles(), store.load_index())
    for n, (run_id, started, ok, failed) in enumerate(runs):
        _crawl(
            warehouse,
            run_id,
            started,
            ok,
            failed,
            blocked and n == len(runs) - 1,
            (failed_urls or {}).get(run_id, ()),
        )
    build_database(warehouse)
    return connect(warehouse.duckdb_path, read_only=True)


def test_low_failure_rate_of_the_latest_run_passes(tmp_path):
    # An older bad run does not matter: only the latest run is judged.
    con = _with_runs(
        tmp_path,
        [("run-a", NEWEST, 10, 10), ("run-b", NEWEST + timedelta(hours=1), 98, 2)],
    )
    assert latest_run_id(con) == "run-b"
    outcome = check_crawl_failure_rate(con, max_rate=0.05)
    assert outcome.passed, outcome.description
    assert outcome.metadata["failure_rate"] == 0.02


def test_high_failure_rate_of_the_latest_run_fails(tmp_path):
    con = _with_runs(
        tmp_path,
        [("run-a", NEWEST, 100, 0), ("run-b", NEWEST + timedelta(hours=1), 80, 20)],
    )
    outcome = check_crawl_failure_rate(con, max_rate=0.05)
    assert not outcome.passed
    assert outcome.metadata["failures_by_reason"] == {"http_404": 20}
    assert "20 of 100" in outcome.description


def test_no_crawl_recorded_passes(sound):
    assert check_crawl_failure_rate(sound, max_rate=0.05).passed


def test_small_incremental_run_is_too_small_to_judge(tmp_path):
    """Nothing new: the run only retried the last crawl's 3 failures (and 2 sitemaps)."""
    con = _with_runs(
        tmp_path, [("run-a", NEWEST, 200, 3), ("run-b", NEWEST + timedelta(hours=1), 2, 3)]
    )
    outcome = check_crawl_failure_rate(con, max_rate=0.05, min_urls=20)
    assert outcome.passed
    assert "too few to judge" in outcome.description
    assert outcome.metadata["failure_rate"] == 0.6


def test_blocked_run_fails_whatever_its_size(tmp_path):
    con = _with_runs(
        tmp_path,
        [("run-a", NEWEST, 200, 0), ("run-b", NEWEST + timedelta(hours=1), 1, 4)],
        blocked=True,
    )
    outcome = check_crawl_failure_rate(con, max_rate=0.05, min_urls=20)
    assert not outcome.passed
    assert outcome.metadata["blocked"] is True
    assert "blocked" in outcome.description


DEAD = [f"http://127.0.0.1:9/news/politics/dead-{n}" for n in range(30)]


def test_run_that_only_relogs_known_dead_urls_passes(tmp_path):
    """The replica's dead links, 404 in every run, are listed apart instead of failing each run."""
    con = _with_runs(
        tmp_path,
        [("run-a", NEWEST, 100, 0), ("run-b", NEWEST + timedelta(hours=1), 50, 0)],
        failed_urls={"run-a": DEAD, "run-b": DEAD},
    )
    outcome = check_crawl_failure_rate(con, max_rate=0.05)
    assert outcome.passed, outcome.description
    assert outcome.metadata["known_dead"] == 30
    assert outcome.metadata["failed"] == 0
    assert outcome.metadata["urls"] == 50
    assert outcome.metadata["distinct_urls"] == 80
    assert outcome.metadata["known_dead_sample"][0] == sorted(DEAD)[0]
    assert "30 known-dead" in outcome.description


def test_the_first_run_that_meets_a_dead_link_counts_it(tmp_path):
    """A 404 never seen before is a new failure, even if it is one the next runs will see again."""
    con = _with_runs(tmp_path, [("run-a", NEWEST, 50, 0)], failed_urls={"run-a": DEAD})
    outcome = check_crawl_failure_rate(con, max_rate=0.05)
    assert not outcome.passed
    assert outcome.metadata["known_dead"] == 0
    assert outcome.metadata["failed"] == 30


def test_many_new_failures_fail_beside_known_dead_urls(tmp_path):
    new = [f"http://127.0.0.1:9/news/politics/new-gone-{n}" for n in range(10)]
    con = _with_runs(
        tmp_path,
        [("run-a", NEWEST, 100, 0), ("run-b", NEWEST + timedelta(hours=1), 50, 0)],
        failed_urls={"run-a": DEAD, "run-b": [*DEAD, *new]},
    )
    outcome = check_crawl_failure_rate(con, max_rate=0.05)
    assert not outcome.passed
    assert outcome.metadata["failed"] == 10
    assert outcome.metadata["known_dead"] == 30
    assert outcome.metadata["failures_by_reason"] == {"http_404": 10}
    assert "10 of 60" in outcome.description


def test_a_known_dead_url_that_comes_back_counts_as_fetched(tmp_path):
    """A dead link that answers again is an ordinary URL of the run, not a known-dead one."""
    warehouse = Warehouse(tmp_path / "wh")
    store = ArticleStore(warehouse)
    store.merge(_sound_articles(), store.load_index())
    _crawl(warehouse, "run-a", NEWEST, 30, 0, failed_urls=DEAD)
    later = NEWEST + timedelta(hours=1)
    back = [
        CrawlEvent(run_id="run-b", url=url, outcome="article", fetched_at=later, http_status=200)
        for url in DEAD
    ]
    write_crawl_log(warehouse, "run-b", back, later.date().isoformat())
    _summarize(warehouse, "run-b", later, len(back), len(back), blocked=False)
    build_database(warehouse)
    con = connect(warehouse.duckdb_path, read_only=True)
    outcome = check_crawl_failure_rate(con, max_rate=0.05)
    assert outcome.passed
    assert outcome.metadata["known_dead"] == 0
    assert outcome.metadata["urls"] == 30


def test_duplicates_of_one_url_in_a_run_count_once(tmp_path):
    """One URL logged 20 times in a run is one failed URL, not 20."""
    one = ["http://127.0.0.1:9/news/politics/flaky"] * 20
    con = _with_runs(
        tmp_path,
        [("run-a", NEWEST, 100, 0), ("run-b", NEWEST + timedelta(hours=1), 95, 0)],
        failed_urls={"run-b": one},
    )
    outcome = check_crawl_failure_rate(con, max_rate=0.05)
    assert outcome.passed, outcome.description
    assert outcome.metadata["failed"] == 1
    assert outcome.metadata["urls"] == 96
    assert "1 of 96" in outcome.description
