"""Asset checks that catch what goes wrong with a news crawl.

Each check is a pure function over a DuckDB connection to the built database
(``check_*``, returning a `CheckOutcome`), so tests call them directly on
synthetic warehouses; the Dagster checks below only open a read-only connection,
call them with the thresholds of the `CheckSettings` resource and translate the
outcome into an `AssetCheckResult`.
"""

# No `from __future__ import annotations`: Dagster reads the config and resource
# parameters' annotations at decoration time and needs the real classes.

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb

from dagster_project.assets import table_key
from dagster_project.resources import CheckSettings, NewsdeskResource
from newsdesk import editions
from newsdesk.build import connect
from newsdesk.drift import check_markup_drift
from newsdesk.lake import LakeError, open_lake

# Coverage is the share of articles for which a field has a value. Body is
# measured on non-video articles only: videos legitimately have little or no text.
COVERAGE_SQL: dict[str, str] = {
    "authors": "coalesce(len(authors), 0) > 0",
    "source": "source IS NOT NULL",
    "tags": "coalesce(len(tags), 0) > 0",
    "body": "body IS NOT NULL AND length(trim(body)) > 0",
    "image": "image_url IS NOT NULL",
}
VIDEO_EXEMPT = frozenset({"body"})

# Clock skew allowed before a publication time counts as "in the future". A time
# zone bug (Beirut wall time read as UTC) shifts times by 2-3 hours, well above it.
FUTURE_TOLERANCE = timedelta(minutes=15)

# Fewest fetched URLs for which a crawl's failure rate means something.
MIN_URLS_FOR_RATE = 20

# Failure reasons of a dead link. A URL that failed so before and fails so again
# is "known dead": the site still links it, but it is old news, not a new failure.
KNOWN_DEAD_REASONS = ("http_404", "http_410")
# How many known-dead URLs the check's metadata lists.
KNOWN_DEAD_SAMPLE = 20

SQL_DIR = Path(__file__).resolve().parent / "sql"


@dataclass(frozen=True)
class CheckOutcome:
    """The result of one check: whether it passed, why, and numbers to show."""

    passed: bool
    description: str
    metadata: dict[str, Any] = field(default_factory=dict)


def _scalar(
    con: duckdb.DuckDBPyConnection,
    sql: str,
    params: list[Any] | Mapping[str, Any] | None = None,
) -> Any:
    row = con.execute(sql, params or []).fetchone()
    return row[0] if row else None


@cache
def load_sql(name: str) -> str:
    """The text of ``dagster_project/sql/<name>.sql`` (the checks' SQL lives in files)."""
    return (SQL_DIR / f"{name}.sql").read_text()


def articles_of(edition: str | None) -> str:
    """The articles relation of one edition (None: every edition), for a FROM clause.

    The code is checked against the registry, so only a known identifier ever
    reaches the SQL text.
    """
    if edition is None:
        return "articles"
    code = editions.get(edition).code
    return f"(SELECT * FROM articles WHERE edition = '{code}')"


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def check_article_id_unique(con: duckdb.DuckDBPyConnection) -> CheckOutcome:
    """Every article appears once: no duplicate and no null article_id."""
    total, distinct, nulls = con.execute(
        "SELECT count(*), count(DISTINCT article_id), count(*) - count(article_id) FROM articles"
    ).fetchone()
    duplicates = total - nulls - distinct
    sample = [
        row[0]
        for row in con.execute(
            "SELECT article_id FROM articles WHERE article_id IS NOT NULL "
            "GROUP BY article_id HAVING count(*) > 1 ORDER BY article_id LIMIT 5"
        ).fetchall()
    ]
    passed = duplicates == 0 and nulls == 0
    description = (
        f"{total} articles, all article_ids unique"
        if passed
        else f"{duplicates} duplicate and {nulls} null article_id(s) among {total} rows"
    )
    return CheckOutcome(
        passed,
        description,
        {"rows": total, "duplicates": duplicates, "null_ids": nulls, "duplicate_ids": sample},
    )


def check_required_fields(con: duckdb.DuckDBPyConnection) -> CheckOutcome:
    """Title (non-empty) and published_at are never null."""
    total, no_title, no_date = con.execute(
        "SELECT count(*), "
        "count(*) FILTER (WHERE title IS NULL OR trim(title) = ''), "
        "count(*) FILTER (WHERE published_at IS NULL) FROM articles"
    ).fetchone()
    passed = no_title == 0 and no_date == 0
    description = (
        f"all {total} articles have a title and a published_at"
        if passed
        else f"{no_title} article(s) without title, {no_date} without published_at"
    )
    return CheckOutcome(
        passed,
        description,
        {"rows": total, "missing_title": no_title, "missing_published_at": no_date},
    )


def field_coverage(
    con: duckdb.DuckDBPyConnection, sample_size: int | None = None, edition: str | None = None
) -> tuple[int, dict[str, float]]:
    """``(articles measured, field -> share with a value)`` over the newest-crawled articles.

    ``sample_size`` limits the measure to the most recently crawled articles,
    where a change of the site's markup shows first (None: all articles).
    """
    limit = "" if sample_size is None else f"LIMIT {int(sample_size)}"
    sample = (
        f"(SELECT * FROM {articles_of(edition)} "
        f"ORDER BY crawled_at DESC NULLS LAST, article_id {limit}) AS s"
    )
    total = int(_scalar(con, f"SELECT count(*) FROM {sample}") or 0)
    shares: dict[str, float] = {}
    for name, condition in COVERAGE_SQL.items():
        scope = "WHERE content_type IS DISTINCT FROM 'video'" if name in VIDEO_EXEMPT else ""
        having, measured = con.execute(
            f"SELECT count(*) FILTER (WHERE {condition}), count(*) FROM {sample} {scope}"
        ).fetchone()
        shares[name] = round(having / measured, 4) if measured else 1.0
    return total, shares


def check_field_coverage(
    con: duckdb.DuckDBPyConnection,
    thresholds: Mapping[str, float],
    sample_size: int | None = None,
    edition: str | None = None,
) -> CheckOutcome:
    """Each field's coverage (see `field_coverage`) is at least its threshold.

    A change of the site's markup that empties a column fails here instead of
    silently producing articles without authors, tags or bodies. ``thresholds``
    name only the fields expected of the edition (`Edition.expected_coverage`).
    """
    total, shares = field_coverage(con, sample_size, edition)
    if total == 0:
        return CheckOutcome(
            False, f"no {_of(edition)}articles to measure", {"articles_measured": 0}
        )
    low = {
        name: shares[name]
        for name, minimum in thresholds.items()
        if name in shares and shares[name] < minimum
    }
    parts = [
        f"{name} {shares[name]:.0%} (min {thresholds[name]:.0%})"
        for name in COVERAGE_SQL
        if name in thresholds
    ]
    if low:
        description = f"below threshold: {', '.join(sorted(low))}; " + ", ".join(parts)
    else:
        description = "coverage " + ", ".join(parts)
    metadata: dict[str, Any] = {"articles_measured": total, "below_threshold": sorted(low)}
    for name, share in shares.items():
        metadata[f"coverage_{name}"] = share
        if name in thresholds:
            metadata[f"min_{name}"] = thresholds[name]
    not_expected = sorted(set(shares) - set(thresholds))
    if not_expected:
        metadata["not_expected"] = not_expected
        description += f" ({', '.join(not_expected)}: not expected of this edition)"
    return CheckOutcome(
        not low, f"{total} newest-crawled {_of(edition)}articles: {description}", metadata
    )


def _of(edition: str | None) -> str:
    return "" if edition is None else f"{edition} "


def check_no_future_dates(
    con: duckdb.DuckDBPyConnection, now: datetime, tolerance: timedelta = FUTURE_TOLERANCE
) -> CheckOutcome:
    """No article is published after ``now`` (plus a little clock skew)."""
    limit = _utc(now) + tolerance
    count = int(_scalar(con, "SELECT count(*) FROM articles WHERE published_at > ?", [limit]) or 0)
    latest = _scalar(con, "SELECT max(published_at) FROM articles")
    metadata = {
        "future_articles": count,
        "now": _utc(now).isoformat(),
        "newest_published_at": _utc(latest).isoformat() if latest else None,
    }
    if count:
        return CheckOutcome(
            False, f"{count} article(s) published after {limit.isoformat()}", metadata
        )
    return CheckOutcome(True, f"no published_at after {limit.isoformat()}", metadata)


def check_freshness(
    con: duckdb.DuckDBPyConnection, now: datetime, max_age: timedelta, edition: str | None = None
) -> CheckOutcome:
    """The newest article (of ``edition``) is at most ``max_age`` old at ``now``."""
    newest = _scalar(con, f"SELECT max(published_at) FROM {articles_of(edition)}")
    metadata: dict[str, Any] = {
        "now": _utc(now).isoformat(),
        "max_age_hours": round(max_age.total_seconds() / 3600, 2),
    }
    if newest is None:
        return CheckOutcome(False, f"no {_of(edition)}articles", metadata)
    age = _utc(now) - _utc(newest)
    metadata["newest_published_at"] = _utc(newest).isoformat()
    metadata["age_hours"] = round(age.total_seconds() / 3600, 2)
    passed = age <= max_age
    verdict = "within" if passed else "older than"
    return CheckOutcome(
        passed,
        f"newest {_of(edition)}article is {metadata['age_hours']:g} h old, {verdict} "
        f"{metadata['max_age_hours']:g} h",
        metadata,
    )


def latest_run_id(con: duckdb.DuckDBPyConnection, edition: str | None = None) -> str | None:
    """The most recent crawl run (of ``edition``): by start time in crawl_runs, else
    (every edition only) by the crawl log."""
    return _scalar(con, load_sql("latest_crawl_run"), {"edition": edition})


def check_crawl_failure_rate(
    con: duckdb.DuckDBPyConnection,
    max_rate: float,
    min_urls: int = MIN_URLS_FOR_RATE,
    edition: str | None = None,
) -> CheckOutcome:
    """The latest crawl run's share of failed URLs (crawl_log) is at most ``max_rate``.

    URLs are counted once each (a URL logged twice in a run is one URL), and
    known-dead links (failed 404/410 in this run and at their latest earlier
    fetch) are reported apart, not judged: the site keeps linking them and every
    run would otherwise fail on the same dead URLs. Only new failures count.
    An incremental crawl that found nothing new fetches a handful of URLs, and
    the failures of the last crawl it retries then make up most of them: below
    ``min_urls`` judged URLs the rate is reported but not judged. A run the
    site blocked (403/429) fails whatever its size.
    """
    run_id = latest_run_id(con, edition)
    if run_id is None:
        return CheckOutcome(True, f"no {_of(edition)}crawl run recorded yet", {"urls": 0})
    row = con.execute(
        load_sql("crawl_run_failures"),
        {
            "run_id": run_id,
            "dead_reasons": list(KNOWN_DEAD_REASONS),
            "sample_size": KNOWN_DEAD_SAMPLE,
        },
    ).fetchone()
    distinct_urls, known_dead, failed = (int(v or 0) for v in row[:3])
    reasons = dict(sorted((row[3] or {}).items(), key=lambda item: (-item[1], item[0])))
    blocked = bool(_scalar(con, load_sql("crawl_run_blocked"), {"run_id": run_id}))
    # Known-dead URLs are neither failures nor successes of this run: left out of both counts.
    urls = distinct_urls - known_dead
    rate = failed / urls if urls else 0.0
    metadata = {
        "crawl_run_id": run_id,
        "urls": urls,
        "distinct_urls": distinct_urls,
        "failed": failed,
        "failure_rate": round(rate, 4),
        "max_failure_rate": max_rate,
        "min_urls": min_urls,
        "blocked": blocked,
        "failures_by_reason": reasons,
        "known_dead": known_dead,
        "known_dead_sample": list(row[4] or []),
    }
    counts = f"run {run_id}: {failed} of {urls} URLs failed ({rate:.1%})"
    if known_dead:
        counts += f"; {known_dead} known-dead URL(s) not counted"
    if blocked:
        return CheckOutcome(False, f"{counts}; the site blocked the crawl (403/429)", metadata)
    if urls < min_urls:
        return CheckOutcome(
            True, f"{counts}; fewer than {min_urls} URLs, too few to judge", metadata
        )
    passed = rate <= max_rate
    verdict = "within" if passed else "above"
    return CheckOutcome(passed, f"{counts}, {verdict} {max_rate:.1%}", metadata)


# -- Dagster wrappers ----------------------------------------------------------

ARTICLES = table_key("articles")
CRAWL_LOG = table_key("crawl_log")


@contextmanager
def _database(newsdesk: NewsdeskResource) -> Iterator[duckdb.DuckDBPyConnection | None]:
    try:
        lake = newsdesk.lake_config()
    except LakeError as exc:
        raise dg.Failure(description=str(exc)) from exc
    if lake is not None:
        # On a lake the built tables are in its ``main`` schema (in use: same names).
        try:
            con = open_lake(lake, read_only=True)
        except LakeError as exc:
            raise dg.Failure(description=str(exc)) from exc
        try:
            built = con.execute(
                "SELECT count(*) FROM duckdb_tables() WHERE database_name = 'lake' "
                "AND schema_name = 'main' AND table_name = 'articles'"
            ).fetchone()
            yield con if built and built[0] else None
        finally:
            con.close()
        return
    path = newsdesk.warehouse.duckdb_path
    if not path.exists():
        yield None
        return
    # Read-only: a check never blocks a build (which swaps in a new file anyway).
    con = connect(path, read_only=True)
    try:
        yield con
    finally:
        con.close()


def _result(
    outcome: CheckOutcome, severity: dg.AssetCheckSeverity = dg.AssetCheckSeverity.ERROR
) -> dg.AssetCheckResult:
    metadata = {
        key: dg.MetadataValue.json(value) if isinstance(value, dict | list) else value
        for key, value in outcome.metadata.items()
        if value is not None
    }
    return dg.AssetCheckResult(
        passed=outcome.passed,
        severity=severity,
        description=outcome.description,
        metadata=metadata,
    )


_NO_DATABASE = CheckOutcome(False, "no DuckDB database yet: materialize the duckdb tables")


@dg.asset_check(
    asset=ARTICLES,
    name="article_id_unique",
    description="Every article appears exactly once (article_id unique and never null).",
)
def article_id_unique(newsdesk: NewsdeskResource) -> dg.AssetCheckResult:
    """Dagster check around `check_article_id_unique`."""
    with _database(newsdesk) as con:
        return _result(check_article_id_unique(con) if con else _NO_DATABASE)


@dg.asset_check(
    asset=ARTICLES,
    name="title_and_published_at_not_null",
    description="Every article has a (non-empty) title and a published_at.",
)
def title_and_published_at_not_null(newsdesk: NewsdeskResource) -> dg.AssetCheckResult:
    """Dagster check around `check_required_fields`."""
    with _database(newsdesk) as con:
        return _result(check_required_fields(con) if con else _NO_DATABASE)


@dg.asset_check(
    asset=ARTICLES,
    name="no_future_published_at",
    description="No article is published in the future (a time zone bug shows here).",
)
def no_future_published_at(
    newsdesk: NewsdeskResource, check_settings: CheckSettings
) -> dg.AssetCheckResult:
    """Dagster check around `check_no_future_dates`."""
    with _database(newsdesk) as con:
        if con is None:
            return _result(_NO_DATABASE)
        return _result(check_no_future_dates(con, check_settings.current_time()))


# -- per edition: each edition's own expectations ------------------------------------


def edition_checks(edition: str) -> list[dg.AssetChecksDefinition]:
    """The checks of one edition: field coverage, freshness, latest crawl run, markup drift.

    Each edition is judged against its own expectations (`Edition.expected_coverage`:
    the Arabic pages have no source line, so source coverage is not checked there)
    and its own crawls; an edition never crawled into this warehouse gives warnings,
    not errors.
    """

    @dg.asset_check(
        asset=ARTICLES,
        name=f"field_coverage_{edition}",
        description=f"Share of the {edition} edition's most recently crawled articles with "
        "each field it is expected to carry (authors, source, tags, body of non-videos, "
        "image; newsdesk/editions/<code>/spec.py expected_coverage) is above its threshold: "
        "a change of the site's markup fails here instead of silently emptying a column.",
    )
    def field_coverage_check(
        newsdesk: NewsdeskResource, check_settings: CheckSettings
    ) -> dg.AssetCheckResult:
        with _database(newsdesk) as con:
            if con is None:
                return _result(_NO_DATABASE)
            if not _has_articles(con, edition):
                return _result(_not_crawled(edition), dg.AssetCheckSeverity.WARN)
            return _result(
                check_field_coverage(
                    con,
                    check_settings.coverage_thresholds(edition),
                    check_settings.coverage_sample_size,
                    edition,
                )
            )

    @dg.asset_check(
        asset=ARTICLES,
        name=f"newest_article_fresh_{edition}",
        description=f"The {edition} edition's newest article is recent (default 48 h; "
        "NEWSDESK_FRESHNESS_HOURS or the check_settings resource change it). A warning: a "
        "quiet news day is not a broken pipeline.",
    )
    def newest_article_fresh(
        newsdesk: NewsdeskResource, check_settings: CheckSettings
    ) -> dg.AssetCheckResult:
        with _database(newsdesk) as con:
            if con is None:
                return _result(_NO_DATABASE, dg.AssetCheckSeverity.WARN)
            return _result(
                check_freshness(
                    con, check_settings.current_time(), check_settings.freshness_max_age(), edition
                ),
                dg.AssetCheckSeverity.WARN,
            )

    @dg.asset_check(
        asset=CRAWL_LOG,
        name=f"crawl_failure_rate_{edition}",
        description=f"The {edition} edition's latest crawl run: its share of failed URLs "
        "(distinct URLs; known-dead links, 404/410 at their earlier fetch too, listed apart "
        "and not counted) is below the threshold (check_settings.max_crawl_failure_rate; "
        "judged from 20 URLs on), and the site did not block it.",
    )
    def crawl_failure_rate(
        newsdesk: NewsdeskResource, check_settings: CheckSettings
    ) -> dg.AssetCheckResult:
        with _database(newsdesk) as con:
            if con is None:
                return _result(_NO_DATABASE)
            return _result(
                check_crawl_failure_rate(
                    con,
                    check_settings.max_crawl_failure_rate,
                    check_settings.min_crawl_urls_for_failure_rate,
                    edition,
                )
            )

    @dg.asset_check(
        asset=ARTICLES,
        name=f"markup_drift_{edition}",
        description=f"The {edition} edition's pages still match its modeled selectors: its "
        "latest crawl found cards on its listings (not only through the fallback to article "
        "links) and, among its most recently crawled articles, every modeled field still "
        "comes from its expected layer, not only from lower ones (newsdesk/drift.py).",
    )
    def markup_drift(newsdesk: NewsdeskResource) -> dg.AssetCheckResult:
        with _database(newsdesk) as con:
            if con is None:
                return _result(_NO_DATABASE)
            found = check_markup_drift(con, edition)
            return _result(CheckOutcome(found.passed, found.description, dict(found.metadata)))

    return [field_coverage_check, newest_article_fresh, crawl_failure_rate, markup_drift]


def _has_articles(con: duckdb.DuckDBPyConnection, edition: str) -> bool:
    return bool(_scalar(con, f"SELECT count(*) > 0 FROM {articles_of(edition)}"))


def _not_crawled(edition: str) -> CheckOutcome:
    return CheckOutcome(
        False, f"no {edition} articles in the warehouse: the {edition} edition is not crawled yet"
    )


ASSET_CHECKS = [
    article_id_unique,
    title_and_published_at_not_null,
    no_future_published_at,
    *(check for e in editions.all_editions() for check in edition_checks(e.code)),
]
