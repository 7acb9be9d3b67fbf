"""The drift alarm: notice when a modeled selector stops matching the site's markup.

Two signals, per edition:

* **Listings.** A listing page whose card selector matched nothing although
  the page had article links (the listing fell back to them:
  `newsdesk.pages.listing.ListingPage.cards_from_fallback`), or that gave no
  card and no article link at all.
* **Article fields.** Each edition declares the layer every modeled field is
  expected from (`Edition.expected_layers`: the headline fields from the
  metadata script, the body from the page). A field that, over a crawl, came
  from a lower layer in at least `MIN_ARTICLES` articles and never from its
  expected layer (or a better one) means the upper layer's selector broke:
  the data still arrives, from a less reliable source.

The crawl counts both in Scrapy's stats (`record_listing`, `record_article`)
and turns them into short messages (`crawl_drift`) for the crawl summary, the
run JSON (``crawl_runs.drift``) and the Dagster materialization.
`check_markup_drift` is the same judgement over a built database, for a
Dagster asset check; its SQL is in ``newsdesk/sql/checks/``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from newsdesk.editions.spec import LAYERS, Edition

if TYPE_CHECKING:
    import duckdb

# A field's layers count only once it was seen in this many articles: fewer is noise
# (a crawl of three articles that all lack the metadata script says little).
MIN_ARTICLES = 5
# How many of an edition's most recently crawled articles the Dagster check reads.
SAMPLE_ARTICLES = 200

# Rank of each layer, most reliable first (lower is better).
LAYER_RANK: Mapping[str, int] = {layer: rank for rank, layer in enumerate(LAYERS)}

# Scrapy stats keys (the crawl process counts, `run_crawl` reads them).
STAT_LISTING_PAGES = "newsdesk/drift/listing_pages"
STAT_LISTING_FALLBACK = "newsdesk/drift/listing_fallback"
STAT_LISTING_EMPTY = "newsdesk/drift/listing_empty"
STAT_LAYER_PREFIX = "newsdesk/drift/layer/"  # + "<field>/<layer>": articles

CHECKS_SQL = "checks"


class Stats(Protocol):
    """The part of Scrapy's ``StatsCollector`` the counters use."""

    def inc_value(self, key: str, count: int = 1, start: int = 0) -> None: ...


# --- counting, in the crawl --------------------------------------------------------------


def record_listing(stats: Stats | None, *, cards: int, fallback: bool) -> None:
    """Count one listing page: how its cards were found, or that it had none."""
    if stats is None:
        return
    stats.inc_value(STAT_LISTING_PAGES)
    if fallback:
        stats.inc_value(STAT_LISTING_FALLBACK)
    elif cards == 0:
        stats.inc_value(STAT_LISTING_EMPTY)


def record_article(
    stats: Stats | None, field_layers: Mapping[str, str], expected: Mapping[str, str]
) -> None:
    """Count which layer gave each of the edition's modeled fields of one article."""
    if stats is None:
        return
    for name in expected:
        layer = field_layers.get(name)
        if layer is not None:
            stats.inc_value(f"{STAT_LAYER_PREFIX}{name}/{layer}")


# --- judging --------------------------------------------------------------------------


@dataclass(frozen=True)
class ListingTally:
    """Listing pages read, and how many gave no card through the card selector."""

    pages: int = 0
    fallback: int = 0  # no card matched; the page's article links stood in
    empty: int = 0  # no card matched and no article link either


def listing_drift(tally: ListingTally) -> list[str]:
    """Messages for listings whose card selector stopped matching.

    Any page that needed the fallback is drift (it had article links the card
    selector missed). Pages with nothing at all are drift only when every
    listing page was like that: one empty section is not a redesign.
    """
    messages = []
    if tally.fallback:
        messages.append(
            f"listing selector matched no cards on {tally.fallback} of {tally.pages} listing "
            "pages (fallback used: same-host article links)"
        )
    if tally.pages and tally.empty == tally.pages:
        messages.append(
            f"listing selector matched no cards on {tally.empty} of {tally.pages} listing "
            "pages, and the pages had no article links either"
        )
    return messages


def field_drift(
    expected: Mapping[str, str],
    layer_counts: Mapping[str, Mapping[str, int]],
    min_articles: int = MIN_ARTICLES,
) -> list[str]:
    """Messages for fields that came only from layers below their expected one.

    ``layer_counts`` is field -> layer -> articles whose value came from that
    layer. A field is reported when at least ``min_articles`` articles had it
    from lower layers and none from its expected layer or a better one.
    """
    messages = []
    for name, want in expected.items():
        rank = LAYER_RANK[want]
        counts = {layer: n for layer, n in layer_counts.get(name, {}).items() if n > 0}
        at_expected = sum(n for layer, n in counts.items() if LAYER_RANK.get(layer, 0) <= rank)
        lower = {layer: n for layer, n in counts.items() if LAYER_RANK.get(layer, 0) > rank}
        below = sum(lower.values())
        if at_expected == 0 and below >= min_articles:
            detail = ", ".join(
                f"{layer}: {n}"
                for layer, n in sorted(lower.items(), key=lambda i: LAYER_RANK[i[0]])
            )
            messages.append(
                f"field {name} came only from lower layers ({want} expected) "
                f"in {below} articles ({detail})"
            )
    return messages


def layer_counts_from_stats(stats: Mapping[str, Any]) -> dict[str, dict[str, int]]:
    """field -> layer -> articles, from the crawl's stats."""
    counts: dict[str, dict[str, int]] = {}
    for key, value in stats.items():
        if not key.startswith(STAT_LAYER_PREFIX):
            continue
        name, _, layer = key.removeprefix(STAT_LAYER_PREFIX).partition("/")
        counts.setdefault(name, {})[layer] = int(value)
    return counts


def crawl_drift(
    edition: Edition, stats: Mapping[str, Any], min_articles: int = MIN_ARTICLES
) -> list[str]:
    """The drift messages of one crawl, from its Scrapy stats (empty: none)."""
    tally = ListingTally(
        pages=int(stats.get(STAT_LISTING_PAGES, 0)),
        fallback=int(stats.get(STAT_LISTING_FALLBACK, 0)),
        empty=int(stats.get(STAT_LISTING_EMPTY, 0)),
    )
    return listing_drift(tally) + field_drift(
        edition.expected_layers, layer_counts_from_stats(stats), min_articles
    )


# --- the Dagster check --------------------------------------------------------------------


class DriftCheck(NamedTuple):
    """The outcome of `check_markup_drift`: unpacks as ``(passed, description, metadata)``."""

    passed: bool
    description: str
    metadata: dict[str, Any]


def _check_sql(name: str) -> str:
    return (resources.files("newsdesk") / "sql" / CHECKS_SQL / name).read_text()


def check_markup_drift(
    con: duckdb.DuckDBPyConnection,
    edition_code: str,
    *,
    sample: int = SAMPLE_ARTICLES,
    min_articles: int = MIN_ARTICLES,
) -> DriftCheck:
    """Whether an edition's markup still matches its selectors, over a built database.

    Fails when the edition's latest crawl run recorded drift (``crawl_runs.drift``),
    or when, among its ``sample`` most recently crawled articles, a modeled field
    came only from layers below its expected one (`field_drift`). Passes when
    there is nothing to judge (no run, no article). ``metadata`` is JSON-able.
    """
    from newsdesk import editions

    edition = editions.get(edition_code)
    run = con.execute(_check_sql("markup_drift_run.sql"), {"edition": edition_code}).fetchone()
    run_drift: list[str] = list(run[2] or []) if run is not None else []
    rows = con.execute(
        _check_sql("markup_drift_layers.sql"),
        {"edition": edition_code, "sample": sample, "fields": list(edition.expected_layers)},
    ).fetchall()
    counts: dict[str, dict[str, int]] = {}
    sampled: dict[str, int] = {}
    for name, layer, n in rows:
        sampled[name] = sampled.get(name, 0) + int(n)
        if layer is not None:
            counts.setdefault(name, {})[layer] = int(n)
    article_drift = field_drift(edition.expected_layers, counts, min_articles)
    findings = [f"latest crawl: {m}" for m in run_drift] + [
        f"recent articles: {m}" for m in article_drift
    ]
    articles = max(sampled.values(), default=0)
    metadata: dict[str, Any] = {
        "edition": edition_code,
        "latest_run_id": run[0] if run is not None else None,
        "latest_run_drift": run_drift,
        "articles_sampled": articles,
        "article_drift": article_drift,
        "drift_count": len(findings),
    }
    if findings:
        return DriftCheck(
            False, f"markup drift in {edition_code}: " + "; ".join(findings), metadata
        )
    what = f"latest run {run[0]}" if run is not None else "no crawl run recorded"
    return DriftCheck(
        True,
        f"no markup drift in {edition_code} ({what}; {articles} recent articles read)",
        metadata,
    )
