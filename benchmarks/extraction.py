"""Benchmark 1: extraction + normalization throughput and accuracy on the replica's pages.

The pages are the article pages of a generated replica (``generate_site``; no
server, no network), fed from memory to each extractor on one pinned core:

* ``newsdesk``: ``ArticlePage(url, html).to_article()`` (every field, normalized,
  content hash included);
* ``lxml parse only`` (the floor): the same HTML parsed by lxml, nothing extracted;
* ``trafilatura``: ``extract(html, url=..., with_metadata=True, output_format="json")``
  with ``date_extraction_params`` asking for the original publication date with
  its time (so it has a chance at an exact timestamp), default options otherwise;
* ``trafilatura fast``: the same with ``fast=True`` (no fallback extractors).

Accuracy is measured against the replica's ground truth (the ``Article`` each page
must give, computed from the generator's stories, never from the HTML).
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from benchmarks.common import (
    Section,
    Table,
    Target,
    fmt,
    fmt_pct,
    fmt_ratio,
    median,
    pinned_to_one_core,
)
from newsdesk.items import CONTENT_FIELDS, Article

BASE_URL = "http://127.0.0.1:8765"
TRAFILATURA_DATE_PARAMS = {"original_date": True, "outputformat": "%Y-%m-%dT%H:%M:%S%z"}


@dataclass
class Extracted:
    """What an extractor found on one page (``None``: nothing)."""

    title: str | None = None
    published_at: datetime | None = None  # aware (UTC) when a time was found
    published_day: date | None = None  # the calendar day as the page shows it
    body: str | None = None
    article: Article | None = None


def load_pages(n_articles: int, seed: int = 7) -> list[tuple[str, bytes, Article]]:
    """(url, html, ground truth) for every article page of a generated replica."""
    from newsdesk.replica.generator import generate_site

    site = generate_site(BASE_URL, seed=seed, n_articles=n_articles)
    pages = []
    for story, truth in zip(site.stories, site.ground_truth, strict=True):
        pages.append((site.base_url + story.path, site.resources[story.path].body, truth))
    return pages


# --------------------------------------------------------------------------- extractors


def run_newsdesk(url: str, html: bytes) -> Extracted:
    """The project's page class: one page in, one normalized Article out."""
    from newsdesk.normalize import BEIRUT
    from newsdesk.pages.article import ArticlePage, NotAnArticle

    try:
        article = ArticlePage(url, html).to_article()
    except NotAnArticle:
        return Extracted()
    return Extracted(
        title=article.title,
        published_at=article.published_at,
        published_day=article.published_at.astimezone(BEIRUT).date(),
        body=article.body,
        article=article,
    )


def make_lxml_floor() -> Callable[[str, bytes], Extracted]:
    """Parse with lxml (one shared parser, as the project does) and extract nothing."""
    from lxml import etree

    parser = etree.HTMLParser(remove_comments=True)

    def run(url: str, html: bytes) -> Extracted:
        etree.fromstring(html, parser)
        return Extracted()

    return run


def make_trafilatura(fast: bool) -> Callable[[str, bytes], Extracted]:
    """trafilatura's ``extract`` with metadata, JSON output (``fast`` skips fallbacks)."""
    import trafilatura

    def run(url: str, html: bytes) -> Extracted:
        raw = trafilatura.extract(
            html,
            url=url,
            fast=fast,
            with_metadata=True,
            output_format="json",
            date_extraction_params=TRAFILATURA_DATE_PARAMS,
        )
        if not raw:
            return Extracted()
        data = json.loads(raw)
        instant, day = _read_trafilatura_date(data.get("date"))
        return Extracted(
            title=data.get("title"), published_at=instant, published_day=day, body=data.get("text")
        )

    return run


def _read_trafilatura_date(value: object) -> tuple[datetime | None, date | None]:
    """trafilatura's date string -> (aware instant if it has a time, calendar day).

    A value with an offset is an instant; a naive value with a time is read as
    Beirut wall time (the site's zone, as newsdesk does); a naive midnight is a
    day only (htmldate found no time).
    """
    from newsdesk.normalize import BEIRUT

    if not isinstance(value, str) or not value:
        return None, None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None, None
    if parsed.tzinfo is not None:
        return parsed.astimezone(UTC), parsed.date()
    if (parsed.hour, parsed.minute, parsed.second) == (0, 0, 0):
        return None, parsed.date()
    return parsed.replace(tzinfo=BEIRUT).astimezone(UTC), parsed.date()


# --------------------------------------------------------------------------- accuracy


def _collapse(text: str | None) -> str:
    return " ".join((text or "").split())


def token_f1(found: str | None, truth: str) -> float:
    """Bag-of-tokens F1 (whitespace tokens, case and punctuation kept); both empty = 1."""
    a, b = Counter((found or "").split()), Counter(truth.split())
    if not a and not b:
        return 1.0
    common = sum((a & b).values())
    if common == 0:
        return 0.0
    precision, recall = common / sum(a.values()), common / sum(b.values())
    return 2 * precision * recall / (precision + recall)


@dataclass
class Accuracy:
    """Field accuracy of one extractor over all pages (shares in [0, 1])."""

    title_exact: float
    date_exact: float
    date_day: float
    body_exact: float
    body_f1: float
    all_fields: float | None  # every content field equal to the ground truth (newsdesk only)


def accuracy(results: list[Extracted], truths: list[Article]) -> Accuracy:
    """Compare extracted fields with the ground truth, page by page."""
    from newsdesk.normalize import BEIRUT

    n = len(truths)
    title = date_exact = date_day = body_exact = all_fields = 0
    f1 = 0.0
    articles = 0
    for found, truth in zip(results, truths, strict=True):
        title += _collapse(found.title) == _collapse(truth.title)
        date_exact += found.published_at == truth.published_at
        date_day += found.published_day == truth.published_at.astimezone(BEIRUT).date()
        body_exact += _collapse(found.body) == _collapse(truth.body)
        f1 += token_f1(found.body, truth.body)
        if found.article is not None:
            articles += 1
            got, want = found.article.to_dict(), truth.to_dict()
            all_fields += all(got[k] == want[k] for k in CONTENT_FIELDS)
    return Accuracy(
        title_exact=title / n,
        date_exact=date_exact / n,
        date_day=date_day / n,
        body_exact=body_exact / n,
        body_f1=f1 / n,
        all_fields=all_fields / n if articles else None,
    )


# --------------------------------------------------------------------------- benchmark


def run(n_articles: int, rounds: int) -> Section:
    """Throughput (median of ``rounds`` interleaved rounds, one core) and accuracy."""
    t_start = time.perf_counter()
    pages = load_pages(n_articles)
    truths = [truth for _u, _h, truth in pages]
    extractors: dict[str, Callable[[str, bytes], Extracted]] = {
        "newsdesk": run_newsdesk,
        "lxml parse only (floor)": make_lxml_floor(),
        "trafilatura": make_trafilatura(fast=False),
        "trafilatura fast=True": make_trafilatura(fast=True),
    }
    rates: dict[str, list[float]] = {name: [] for name in extractors}
    outputs: dict[str, list[Extracted]] = {}
    with pinned_to_one_core() as cpu:
        for fn in extractors.values():  # warm-up: imports, caches, lazy init
            for url, html, _truth in pages[:5]:
                fn(url, html)
        for _ in range(rounds):
            for name, fn in extractors.items():
                t0 = time.perf_counter()
                results = [fn(url, html) for url, html, _truth in pages]
                elapsed = time.perf_counter() - t0
                rates[name].append(len(pages) / elapsed)
                outputs.setdefault(name, results)

    speed = {name: median(values) for name, values in rates.items()}
    ours = speed["newsdesk"]
    speed_table = Table(
        "Throughput (one core, median of rounds)",
        ["extractor", "pages/s", "ms/page", "newsdesk speed vs this"],
    )
    for name, rate in speed.items():
        speed_table.rows.append([name, fmt(rate), f"{1000 / rate:.2f}", fmt_ratio(ours / rate)])

    scores = {
        name: accuracy(results, truths)
        for name, results in outputs.items()
        if not name.startswith("lxml")
    }
    acc_table = Table(
        "Accuracy against the ground truth (share of pages)",
        ["extractor", "title exact", "date exact", "date (day)", "body exact", "body token-F1"],
        note=(
            "title exact: equal after collapsing whitespace. date exact: the same instant "
            "(UTC, to the second). date (day): the same calendar day as the page shows "
            "(Beirut time). body exact: equal after collapsing whitespace (paragraph breaks "
            "ignored). body token-F1: mean over pages of the F1 of the bags of whitespace "
            "tokens (case and punctuation kept; both empty = 1)."
        ),
    )
    for name, score in scores.items():
        acc_table.rows.append(
            [
                name,
                fmt_pct(score.title_exact),
                fmt_pct(score.date_exact),
                fmt_pct(score.date_day),
                fmt_pct(score.body_exact),
                f"{score.body_f1:.3f}",
            ]
        )
    ours_acc, theirs = scores["newsdesk"], scores["trafilatura"]
    fields = ("title_exact", "date_exact", "date_day", "body_exact", "body_f1")
    better = all(getattr(ours_acc, f) >= getattr(theirs, f) for f in fields) and any(
        getattr(ours_acc, f) > getattr(theirs, f) for f in fields
    )
    section = Section(
        key="extraction",
        title="1. Extraction + normalization throughput and accuracy",
        method=(
            f"{len(pages)} article pages of a generated replica (seed 7, "
            f"{fmt(sum(len(h) for _u, h, _t in pages) / len(pages) / 1024)} KiB of HTML on "
            f"average), held in memory; the process pinned to CPU {cpu} with "
            f"`os.sched_setaffinity`; {rounds} round(s), the extractors interleaved within each "
            "round; throughput is the median over rounds. "
            "newsdesk = `ArticlePage(url, html).to_article()`; trafilatura = "
            "`extract(html, url=url, with_metadata=True, output_format='json', "
            f"date_extraction_params={TRAFILATURA_DATE_PARAMS})`. "
            "Accuracy is computed on the first round's outputs."
        ),
        tables=[speed_table, acc_table],
    )
    if ours_acc.all_fields is not None:
        section.notes.append(
            f"newsdesk gives every content field ({len(CONTENT_FIELDS)} fields) exactly as the "
            f"ground truth on {fmt_pct(ours_acc.all_fields)} of the pages."
        )
    section.notes.append(
        "Per-page cost above the lxml floor: newsdesk "
        f"{1000 / ours - 1000 / speed['lxml parse only (floor)']:.2f} ms, trafilatura "
        f"{1000 / speed['trafilatura'] - 1000 / speed['lxml parse only (floor)']:.2f} ms."
    )
    section.targets = [
        Target("extraction pages/s on one core", ">= 300", fmt(ours), ours >= 300),
        Target(
            "extraction speed vs trafilatura",
            ">= 5x",
            fmt_ratio(ours / speed["trafilatura"]),
            ours / speed["trafilatura"] >= 5,
        ),
        Target(
            "field accuracy vs trafilatura (title, date, body)",
            "better",
            (
                f"title {fmt_pct(ours_acc.title_exact)} vs {fmt_pct(theirs.title_exact)}, "
                f"date {fmt_pct(ours_acc.date_exact)} vs {fmt_pct(theirs.date_exact)}, "
                f"body F1 {ours_acc.body_f1:.3f} vs {theirs.body_f1:.3f}"
            ),
            better,
        ),
    ]
    section.duration_s = time.perf_counter() - t_start
    return section
