"""Benchmark 3: what a second visit costs, in requests, against the minimum it needs.

For each discovery mode, on a fresh warehouse: crawl revision 1 of the replica
(the first visit), switch the server to revision 2 (one article removed, about 5
edited, about 10 new), crawl again (the second visit) and count what the server
was asked, exactly as ``tests/test_incremental.py`` does.

The minimum is computed from the ground truth of both revisions and from the
revision-2 site itself, never from what the crawler did:

* ``robots.txt`` once (the crawl obeys it);
* articles: the new ones (in revision 2, not in 1) and, when sitemaps are read,
  the edited ones (a different ``content_hash``); a listing shows no
  modification time, so a listings-only visit cannot see edits and its minimum
  has the new articles only;
* listings (``listings``/``both``): the home page (it carries the section menu)
  and, for each section, its listing pages up to and including the first page
  showing an article the first visit stored (the site lists newest first: below
  it there is nothing new);
* sitemaps (``sitemaps``/``both``): the index and the monthly files that list a
  new or edited article.

Every request beyond the minimum is put in a category saying why it was made.
"""

from __future__ import annotations

import shutil
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from benchmarks.child import child_env, run_child
from benchmarks.common import Section, Table, Target, fmt, fmt_ratio

if TYPE_CHECKING:
    from newsdesk.replica.generator import Site

MODES = ("both", "sitemaps", "listings")
TARGET_RATIO = 1.1
ROBOTS = "/robots.txt"
HOME = "/"
SITEMAP_INDEX = "/sitemaps/all.xml"


def _path(url: str) -> str:
    """The request target of a URL (path and query), percent-decoded."""
    parts = urlsplit(url)
    return unquote(parts.path) + (f"?{parts.query}" if parts.query else "")


@dataclass
class Minimum:
    """The requests a second visit cannot do without, by kind (paths, each once)."""

    robots: list[str] = field(default_factory=list)
    listings: list[str] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)
    articles: list[str] = field(default_factory=list)

    def all(self) -> list[str]:
        """Every path of the minimum."""
        return self.robots + self.listings + self.sitemaps + self.articles


@dataclass
class Change:
    """What changed between the revisions (article paths)."""

    new: set[str]
    edited: set[str]
    removed: set[str]
    unchanged: set[str]
    known_ids: set[str]
    # articles updated after publication whose page shows no modification time
    no_modified_time: set[str]


def _article_id(url: str) -> str:
    from newsdesk.urls import article_id_for

    return article_id_for(url)


def changes(site1: Site, site2: Site) -> Change:
    """New / edited / removed / unchanged articles, from the two ground truths."""
    truth1 = {a.article_id: a for a in site1.ground_truth}
    truth2 = {a.article_id: a for a in site2.ground_truth}
    return Change(
        new={_path(truth2[i].url) for i in truth2.keys() - truth1.keys()},
        edited={
            _path(truth2[i].url)
            for i in truth2.keys() & truth1.keys()
            if truth1[i].content_hash != truth2[i].content_hash
        },
        removed={_path(truth1[i].url) for i in truth1.keys() - truth2.keys()},
        unchanged={
            _path(truth2[i].url)
            for i in truth2.keys() & truth1.keys()
            if truth1[i].content_hash == truth2[i].content_hash
        },
        known_ids=set(truth1),
        no_modified_time={
            _path(site2.base_url + story.path)
            for story in site2.stories
            if story.updated is not None
            and truth2[_article_id(site2.base_url + story.path)].updated_at is None
        },
    )


def minimum_requests(site2: Site, change: Change, mode: str) -> Minimum:
    """The minimum of a second visit in ``mode`` (see the module docstring)."""
    from newsdesk.pages.listing import ListingPage
    from newsdesk.pages.sitemap import parse_sitemap
    from newsdesk.urls import article_id_for

    base: str = site2.base_url
    resources = site2.resources
    minimum = Minimum(robots=[ROBOTS])
    if mode in ("listings", "both"):
        minimum.listings.append(HOME)
        for group, slug, _label in site2.sections:
            path: str | None = f"/{group}/{slug}"
            while path is not None:
                minimum.listings.append(path)
                page = ListingPage(base + path, resources[path].body)
                if any(article_id_for(c.url) in change.known_ids for c in page.cards()):
                    break
                next_url = page.next_page_url()
                path = _path(next_url) if next_url else None
    wanted = set(change.new)
    if mode in ("sitemaps", "both"):
        wanted |= change.edited
        minimum.sitemaps.append(SITEMAP_INDEX)
        _kind, files = parse_sitemap(resources[SITEMAP_INDEX].body)
        for entry in files:
            file_path = _path(entry.loc)
            _kind, urls = parse_sitemap(resources[file_path].body)
            if any(_path(u.loc) in wanted for u in urls):
                minimum.sitemaps.append(file_path)
    minimum.articles = sorted(wanted)
    return minimum


def categorize_extra(
    requests: list[tuple[str, str, int]],
    minimum: Minimum,
    change: Change,
    failing: set[str],
    dead: set[str],
    listing_roots: set[str],
) -> Counter[str]:
    """Why each request beyond the minimum was made (category -> count).

    ``listing_roots`` are the section listing paths (``/news/politics``); their
    ``?page=N`` pages count as listings too.
    """
    needed = Counter(minimum.all())
    seen: Counter[str] = Counter()
    extra: Counter[str] = Counter()
    for _method, target, _status in requests:
        path = _path(target)
        seen[path] += 1
        if seen[path] <= needed[path]:
            continue
        if seen[path] > 1 and path != ROBOTS:
            extra["retry of a 5xx answer (same URL again in this visit)"] += 1
        elif path == ROBOTS:
            extra["robots.txt again (reachability probe before Scrapy starts)"] += 1
        elif path in failing:
            extra["last crawl's permanent 500s asked again (by design)"] += 1
        elif path in dead:
            extra["last crawl's 404s asked again"] += 1
        elif path == HOME or path.split("?", 1)[0] in listing_roots:
            extra["listing page beyond the minimum"] += 1
        elif path.startswith("/sitemaps/"):
            extra["sitemap file without new/edited articles"] += 1
        elif path in change.unchanged and path in change.no_modified_time:
            extra[
                "unchanged article fetched again: its page shows no modification time, so the "
                "sitemap's lastmod stays newer than the stored published_at"
            ] += 1
        elif path in change.unchanged:
            extra["unchanged article fetched again"] += 1
        elif path in change.edited:
            extra["edited article (not needed by this mode)"] += 1
        elif path in change.removed:
            extra["removed article asked for"] += 1
        else:
            extra[f"other ({path})"] += 1
    return extra


def run(n_articles: int, workdir: Path) -> Section:
    """First and second visit in each discovery mode; requests vs the minimum."""
    from newsdesk.replica.server import ReplicaServer

    t_start = time.perf_counter()
    workdir.mkdir(parents=True, exist_ok=True)
    env = child_env(workdir / "pycache")
    table = Table(
        f"Requests of a second visit of a {n_articles}-article replica (revision 1 -> 2)",
        [
            "discovery",
            "first visit",
            "second visit",
            "minimum",
            "second / minimum",
            "missing from the visit",
            "new / edited articles written",
        ],
    )
    breakdown = Table(
        "Minimum by kind, and the requests beyond it by reason",
        ["discovery", "minimum: robots + listings + sitemaps + articles", "beyond the minimum"],
    )
    ratios: dict[str, float] = {}
    notes: list[str] = []
    with ReplicaServer(seed=7, n_articles=n_articles, slow_seconds=0.0) as server:
        for mode in MODES:
            warehouse = workdir / f"warehouse-{mode}"
            shutil.rmtree(warehouse, ignore_errors=True)
            spec = {"base_url": server.base_url, "warehouse": str(warehouse), "discovery": mode}
            site1 = server.set_revision(1)
            server.requests.clear()
            first = run_child("project", spec, workdir / "spec.json", workdir / "first.log", env)
            first_requests = len(server.requests)
            site2 = server.set_revision(2)
            server.requests.clear()
            second = run_child("project", spec, workdir / "spec.json", workdir / "second.log", env)
            requests = server.requests.snapshot()
            shutil.rmtree(warehouse, ignore_errors=True)

            change = changes(site1, site2)
            minimum = minimum_requests(site2, change, mode)
            failing = {_path(u) for u in site2.failing_urls}
            dead = {_path(u) for u in site2.dead_urls}
            roots = {f"/{group}/{slug}" for group, slug, _label in site2.sections}
            extra = categorize_extra(requests, minimum, change, failing, dead, roots)
            asked = {_path(t) for _m, t, _s in requests}
            missing = [p for p in minimum.all() if p not in asked]
            ratio = len(requests) / len(minimum.all())
            ratios[mode] = ratio
            out = second.output
            table.rows.append(
                [
                    mode,
                    fmt(first_requests),
                    fmt(len(requests)),
                    fmt(len(minimum.all())),
                    fmt_ratio(ratio),
                    ", ".join(missing) if missing else "none",
                    f"{out.get('articles_new')} / {out.get('articles_updated')}",
                ]
            )
            breakdown.rows.append(
                [
                    mode,
                    f"{len(minimum.robots)} + {len(minimum.listings)} + "
                    f"{len(minimum.sitemaps)} + {len(minimum.articles)}",
                    "; ".join(f"{reason}: {n}" for reason, n in extra.most_common()) or "none",
                ]
            )
            by_design = extra.get("last crawl's permanent 500s asked again (by design)", 0)
            if by_design:
                notes.append(
                    f"{mode}: without the by-design retries of the last crawl's 500s the second "
                    f"visit would be {fmt_ratio((len(requests) - by_design) / len(minimum.all()))} "
                    "the minimum."
                )
            if first.exit_code or second.exit_code:
                notes.append(f"{mode}: a crawl exited with {first.exit_code}/{second.exit_code}.")
        notes.insert(
            0,
            f"Revision 2 changes: {len(change.new)} new, {len(change.edited)} edited, "
            f"{len(change.removed)} removed articles; {len(failing)} URLs answer 500 and "
            f"{len(dead)} answer 404 in both revisions.",
        )
    section = Section(
        key="incremental",
        title="3. Incremental cost: requests of a second visit",
        method=__doc__.split("\n\n", 1)[1].strip() if __doc__ else "",
        tables=[table, breakdown],
        notes=notes,
    )
    for mode in MODES:
        section.targets.append(
            Target(
                f"second visit requests vs minimum ({mode})",
                f"<= {TARGET_RATIO}x",
                fmt_ratio(ratios[mode]),
                ratios[mode] <= TARGET_RATIO,
            )
        )
    section.duration_s = time.perf_counter() - t_start
    return section
