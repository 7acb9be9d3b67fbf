"""The offline replica: determinism, variations, ground truth, revisions, server.

The ground truth is checked against a small extractor written here from
``docs/fields.md`` alone, over every layer a page carries: all layers must agree
with the ground truth, so the truth does not depend on which layer a crawler uses.
"""

from __future__ import annotations

import html
import json
import re
import time
import urllib.error
import urllib.request
from collections import deque
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

import lxml.html
import pytest

from newsdesk.hashing import content_hash
from newsdesk.items import CONTENT_FIELDS, Article
from newsdesk.replica import ReplicaServer, Site, generate_site
from newsdesk.replica.model import slugify
from newsdesk.urls import article_id_for, canonicalize_url, is_article_url, same_host

BASE = "http://127.0.0.1:8123"
N = 60
BEIRUT = ZoneInfo("Asia/Beirut")
MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MONTHS = {m: i for i, m in enumerate(MONTH_NAMES, 1)}

# Every variation the site notes list, each guaranteed on at least 3 pages.
LISTED_VARIATIONS = (
    "no_metadata",
    "no_meta_tags",
    "no_metadata_no_meta",
    "date_dmy",
    "date_iso",
    "updated",
    "tags_duplicates",
    "tags_stray_spaces",
    "no_tags",
    "several_authors",
    "three_authors",
    "no_source_article",
    "tracking_query_links",
    "unclosed_p",
    "lead_copy_first",
    "lead_copy_last",
    "dead_link",
    "transient_503",
    "failing_500",
    "slow",
    "video_little_text",
    "video_empty_body",
    "page_type_page",
    "no_image",
    "coverage_box_only",
    "escaped_title",
    "dst_day",
    "cross_section_card",
    "tracking_link_in_body",
    "external_link",
)


@pytest.fixture(scope="module")
def site() -> Site:
    return generate_site(BASE, n_articles=N)


@pytest.fixture(scope="module")
def site2() -> Site:
    return generate_site(BASE, n_articles=N, revision=2)


def _target(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _root(site: Site, url: str) -> Any:
    resource = site.resolve(_target(url))
    assert resource.status == 200, url
    return lxml.html.fromstring(resource.body)


def _text(el: Any) -> str:
    return " ".join(el.text_content().split())


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    return " ".join(html.unescape(value).split()) or None


def _names(value: str | None) -> list[str]:
    out: list[str] = []
    for part in re.split(r",| and ", re.sub(r"^\s*By\s+", "", value or "")):
        part = " ".join(part.split())
        if part and part not in out:
            out.append(part)
    return out


def _tag_list(values: list[str]) -> list[str]:
    out: list[str] = []
    for v in values:
        v = " ".join(html.unescape(v).split())
        if v and v not in out:
            out.append(v)
    return out


def _iso(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value).astimezone(UTC) if value else None


def _display(value: str) -> datetime:
    m = re.fullmatch(r"(\d{1,2}) (\w{3}) (\d{4}) (\d{2}):(\d{2})", value)
    if m:
        d, mon, y, hh, mm = m.groups()
        parts = (int(y), MONTHS[mon], int(d), int(hh), int(mm))
    else:
        m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2})", value)
        assert m, value
        parts = tuple(int(x) for x in m.groups())  # type: ignore[assignment]
    return datetime(*parts, tzinfo=BEIRUT).astimezone(UTC)


def _layers(url: str, body: bytes) -> tuple[dict[str, list[Any]], dict[str, Any]]:
    """(field -> value of every layer the page has, field -> single-layer values)."""
    root = lxml.html.fromstring(body)
    scripts = root.cssselect("script#tawsiyat-metadata")
    md: dict[str, Any] = json.loads(scripts[0].text) if scripts else {}
    meta = {m.get("property") or m.get("name"): m.get("content") for m in root.cssselect("meta")}
    classes = {c["mapping"]: c["value"] for c in md.get("classes", []) if c["mapping"] != "author"}
    canonical = [link.get("href") for link in root.cssselect('link[rel="canonical"]')]
    one = lambda sel: next(iter(root.cssselect(sel)), None)  # noqa: E731
    layers: dict[str, list[Any]] = {
        "post_id": [md.get("postid"), meta.get("postid")],
        "url": [md.get("url"), *canonical, meta.get("og:url")],
        "title": [md.get("title"), meta.get("og:title"), _text(one("h1.article-title"))],
        "subtitle": [
            md.get("description"),
            meta.get("og:description"),
            meta.get("description"),
            _text(one("div.lg_para")),
        ],
        "authors": [md.get("author"), meta.get("author"), _text(one("li.author"))],
        "tags": [md.get("keywords"), meta.get("keywords")],
        "published_at": [md.get("published_time"), meta.get("article:published_time")],
        "updated_at": [md.get("last_updated"), meta.get("article:modified_time")],
        "image_url": [md.get("thumbnail"), meta.get("og:image")],
        "region": [classes.get("country")],
        "coverage": [classes.get("coverage")],
    }
    # Normalize each layer's value; None where the layer is absent or empty.
    norm: dict[str, list[Any]] = {}
    for name, values in layers.items():
        if name == "authors":
            got = [_names(_clean(v)) or None if v is not None else None for v in values]
        elif name == "tags":
            got = [_tag_list(v.split(",")) or None if v is not None else None for v in values]
        elif name in ("published_at", "updated_at"):
            got = [_iso(v) for v in values]
        elif name == "url":
            got = [canonicalize_url(v) if v else None for v in values]
        else:
            got = [_clean(v) for v in values]
        norm[name] = got
    page_tags = _tag_list([_text(a) for a in root.cssselect("div.tags li a")])
    norm["tags"].append(page_tags or None)
    norm["published_at"].append(_display(_text(one("li.date .time"))))
    img = one("figure.main-image img")
    norm["image_url"].append(urljoin(url, img.get("src")) if img is not None else None)
    box = one("div.coverage-box h4")
    norm["coverage"].append(_text(box) if box is not None else None)

    content = one("div.p-content")
    links: list[str] = []
    for a in content.cssselect("a[href]"):
        u = canonicalize_url(a.get("href"), base=url)
        if same_host(u, url) and is_article_url(u) and u not in links:
            links.append(u)
    for box in content.cssselect("div.related-news"):
        box.drop_tree()
    subtitle = next((v for v in norm["subtitle"] if v), None)
    paras = [_text(p) for p in content.iter("p")]
    body = [p for p in paras if p and not p.startswith("Read more:") and p != subtitle]
    source = one("li.source")
    read_time = one("li.read-time")
    caption = one("figure.main-image figcaption")
    crumbs = root.cssselect("ol.breadcrumb li a[href]")
    single = {
        "source": re.sub(r"^Source:\s*", "", _text(source)) or None if source is not None else None,
        "read_time_min": int(_text(read_time).split()[0]) if read_time is not None else None,
        "body": "\n\n".join(body),
        "image_caption": _text(caption) if caption is not None else None,
        "links": links,
        # metadata ``video_duration`` "HH:MM:SS" in seconds (docs/fields.md), else null.
        "video_duration_s": (
            sum(int(part) * 60**i for i, part in enumerate(reversed(duration.split(":"))))
            if isinstance(duration := md.get("video_duration"), str) and duration
            else None
        ),
        "section": crumbs[-1].get("href").rstrip("/").rsplit("/", 1)[1],
    }
    return norm, single


def _extract(url: str, body: bytes) -> tuple[Article, dict[str, list[Any]]]:
    """The article per docs/fields.md (first non-empty layer), and every layer's value."""
    layers, single = _layers(url, body)
    first = {name: next((v for v in values if v), None) for name, values in layers.items()}
    canonical = first["url"] or canonicalize_url(url)
    group, _, rest = urlsplit(canonical).path.strip("/").partition("/")
    published = first["published_at"]
    updated = first["updated_at"]
    article = Article(
        article_id=article_id_for(canonical),
        url=canonical,
        title=first["title"],
        published_at=published,
        post_id=first["post_id"],
        section=rest.split("/")[0] if group != "videos" else single["section"],
        section_group=group,
        content_type="video" if group == "videos" else "article",
        subtitle=first["subtitle"],
        authors=first["authors"] or [],
        tags=first["tags"] or [],
        source=single["source"],
        region=first["region"],
        coverage=first["coverage"],
        updated_at=updated if updated and updated > published else None,
        read_time_min=single["read_time_min"],
        word_count=len(single["body"].split()),
        video_duration_s=single["video_duration_s"],
        body=single["body"],
        image_url=first["image_url"],
        image_caption=single["image_caption"],
        links=single["links"],
    )
    article.content_hash = content_hash(article.to_dict())
    return article, layers


# --------------------------------------------------------------------------- determinism


def test_same_arguments_give_byte_identical_sites(site):
    again = generate_site(BASE, n_articles=N)
    assert again.resources.keys() == site.resources.keys()
    assert all(again.resources[k] == r for k, r in site.resources.items())
    assert [a.to_dict() for a in again.ground_truth] == [a.to_dict() for a in site.ground_truth]
    other = generate_site(BASE, seed=8, n_articles=N)
    assert {a.url for a in other.ground_truth} != {a.url for a in site.ground_truth}


def test_revision_two_is_deterministic(site2):
    again = generate_site(BASE, n_articles=N, revision=2)
    assert all(again.resources[k] == r for k, r in site2.resources.items())
    assert (again.removed, again.edited, again.added) == (site2.removed, site2.edited, site2.added)


def test_too_few_articles_is_refused():
    with pytest.raises(ValueError):
        generate_site(BASE, n_articles=5)


# --------------------------------------------------------------------------- variations


@pytest.mark.parametrize("name", LISTED_VARIATIONS)
def test_every_variation_on_at_least_three_pages(site, name):
    assert len(set(site.variations.get(name, []))) >= 3, name


def test_variations_at_default_size_too():
    big = generate_site(BASE)
    assert all(len(big.variations.get(name, [])) >= 3 for name in LISTED_VARIATIONS)


def test_variations_are_visible_in_the_html(site):
    v = {k: set(urls) for k, urls in site.variations.items()}
    no_script, no_og, dmy, iso, unclosed, several, read_time = (set() for _ in range(7))
    for truth in site.ground_truth:
        body = site.resolve(_target(truth.url)).body.decode()
        root = lxml.html.fromstring(body)
        if not root.cssselect("script#tawsiyat-metadata"):
            no_script.add(truth.url)
        if not root.cssselect('meta[property="og:title"]'):
            no_og.add(truth.url)
        shown = _text(root.cssselect("li.date .time")[0])
        (iso if re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", shown) else dmy).add(truth.url)
        content = body[body.index('<div class="p-content">') : body.index("</article>")]
        if any(
            line.startswith("<p>") and not line.endswith("</p>") for line in content.splitlines()
        ):
            unclosed.add(truth.url)
        if " and " in _text(root.cssselect("li.author")[0]):
            several.add(truth.url)
        if root.cssselect("li.read-time"):
            read_time.add(truth.url)
    assert no_script == v["no_metadata"] | v["no_metadata_no_meta"]
    assert no_og == v["no_meta_tags"] | v["no_metadata_no_meta"]
    assert (dmy, iso) == (v["date_dmy"], v["date_iso"])
    assert unclosed == v["unclosed_p"]
    assert several == v["several_authors"]
    assert not read_time & v["video"]
    for url in v["video_empty_body"]:
        assert '<div class="p-content">\n</div>' in site.resolve(_target(url)).body.decode()
    listings = b"".join(
        r.body for k, r in site.resources.items() if k.startswith(("/news/", "/articles/"))
    )
    assert listings.count(b"?utm_source=homepage&amp;utm_medium=card") >= 3
    for url in v["page_type_page"]:
        script = _root(site, url).cssselect("script#tawsiyat-metadata")[0]
        assert json.loads(script.text)["type"] == "page"


# --------------------------------------------------------------------------- ground truth


@pytest.mark.parametrize("which", ["site", "site2"])
def test_ground_truth_follows_the_contract_on_every_layer(request, which):
    site = request.getfixturevalue(which)
    mismatches = []
    for truth in site.ground_truth:
        body = site.resolve(_target(truth.url)).body
        got, layers = _extract(truth.url, body)
        for name in (*CONTENT_FIELDS, "article_id", "content_hash"):
            if getattr(got, name) != getattr(truth, name):
                mismatches.append((truth.url, name, getattr(got, name), getattr(truth, name)))
        expected = truth.to_dict()
        for name, values in layers.items():
            for value in values:
                if name == "updated_at" and value is not None and value <= truth.published_at:
                    continue  # last_updated equal to published_time means "never updated"
                if value is not None and value != (expected[name] or None):
                    mismatches.append((truth.url, f"layer:{name}", value, expected[name]))
    assert mismatches == []


def test_ground_truth_shape(site):
    ids = [a.article_id for a in site.ground_truth]
    assert len(ids) == len(set(ids)) == N
    for a in site.ground_truth:
        assert a.url.startswith(BASE + "/") and a.url == canonicalize_url(a.url)
        assert a.crawled_at is None and a.field_layers == {}
        assert a.published_at.tzinfo == UTC
        assert a.content_hash == content_hash(a.to_dict())
    escaped = [a.title for a in site.ground_truth if a.url in site.variations["escaped_title"]]
    assert any(c in t for t in escaped for c in "&'\"")


def _crawl_everything(site: Site) -> dict[str, int]:
    """Follow every link (HTML hrefs, sitemap locs) from / and robots.txt: URL -> status."""
    seen: dict[str, int] = {}
    queue = deque(["/", "/robots.txt"])
    while queue:
        target = queue.popleft()
        url = canonicalize_url(BASE + target)
        if url in seen:
            continue
        resource = site.resolve(target)
        seen[url] = resource.status
        if resource.status != 200:
            continue
        text = resource.body.decode()
        found = re.findall(r'href="([^"#]+)"', text) + re.findall(r"<loc>([^<]+)</loc>", text)
        found += re.findall(r"^Sitemap: (\S+)$", text, flags=re.MULTILINE)
        for href in found:
            absolute = urljoin(BASE + "/", html.unescape(href))
            if same_host(absolute, BASE):
                queue.append(_target(absolute))
    return seen


def test_ground_truth_is_exactly_the_reachable_articles(site):
    seen = _crawl_everything(site)
    articles = {u for u, status in seen.items() if status == 200 and is_article_url(u)}
    assert articles == {a.url for a in site.ground_truth}
    for url in site.dead_urls:
        assert seen[url] == 404
    for url in site.failing_urls:
        assert seen[url] == 500
    assert {canonicalize_url(BASE + p) for p in ("/about-us", "/privacy-policy")} <= set(seen)


def test_slugs_follow_the_site_rules(site):
    assert slugify("NATO will discuss Russia, China rapprochement: Stoltenberg") == (
        "nato-will-discuss-russia--china-rapprochement:-stoltenberg"
    )
    assert slugify(
        "Beirut: The energy minister welcomed a joint statement — “we will not back down”"
    ) == ("beirut:-the-energy-minister-welcomed-a-joint-statement--we-w")
    assert slugify("Stoltenberg links Ukraine NATO accession to 'independence'") == (
        "stoltenberg-links-ukraine-nato-accession-to--independence-"
    )
    slugs = [urlsplit(a.url).path.rsplit("/", 1)[1] for a in site.ground_truth]
    assert len(slugs) == len(set(slugs))
    assert all(len(s) <= 60 and s == s.lower() for s in slugs)
    assert any(":" in s for s in slugs)
    assert any(len(s) == 60 for s in slugs)


def test_times_are_valid_beirut_wall_times(site):
    published = [a.published_at for a in site.ground_truth]
    first, last = min(published).astimezone(BEIRUT), max(published).astimezone(BEIRUT)
    assert last.date() <= datetime(2025, 10, 31).date() and last.month == 10
    assert (last - first).days > 300
    for moment in published:
        local = moment.astimezone(BEIRUT).replace(tzinfo=None)
        early = local.replace(tzinfo=BEIRUT, fold=0)
        assert early.utcoffset() == local.replace(tzinfo=BEIRUT, fold=1).utcoffset()
        assert early.astimezone(UTC) == moment
    dst_days = {a.published_at.astimezone(BEIRUT).date() for a in site.ground_truth} & {
        datetime(2024, 10, 27).date(),
        datetime(2025, 3, 30).date(),
        datetime(2025, 10, 26).date(),
    }
    assert len(dst_days) == 3
    assert len({a.published_at.astimezone(BEIRUT).utcoffset() for a in site.ground_truth}) == 2


# --------------------------------------------------------------------------- site structure


def _listing_pages(site: Site, path: str) -> list[Any]:
    pages, target = [], path
    while target:
        root = _root(site, BASE + target)
        pages.append(root)
        more = root.cssselect("a.loadmorebtn")
        target = more[0].get("href") if more else None
        if target:
            assert urlsplit(target).path == path
    return pages


def test_listings(site):
    truth = site.truth_by_url()
    elsewhere = 0
    for group, slug, _label in site.sections:
        pages = _listing_pages(site, f"/{group}/{slug}")
        cards = []
        for n, root in enumerate(pages):
            found = root.cssselect("div.white-card")
            last = n == len(pages) - 1
            assert 1 <= len(found) <= 12 if last else len(found) == 12
            cards += [canonicalize_url(c.cssselect("a")[0].get("href"), base=BASE) for c in found]
        own = [
            truth[u]
            for u in cards
            if u in truth and (truth[u].section_group, truth[u].section) == (group, slug)
        ]
        expected = {
            a.url for a in site.ground_truth if (a.section_group, a.section) == (group, slug)
        }
        assert {a.url for a in own} == expected
        times = [a.published_at for a in own]
        assert times == sorted(times, reverse=True)
        elsewhere += sum(1 for u in cards if u in truth and truth[u].section != slug)
    assert elsewhere >= 3
    assert sum(1 for _ in site.sections) == 17


def test_home_page_menu_and_static_pages(site):
    root = _root(site, BASE + "/")
    menu = [a.get("href") for a in root.cssselect("nav.main-menu ul.sub-menu a")]
    assert menu == [f"/{g}/{s}" for g, s, _ in site.sections]
    assert {a.get("href") for a in root.cssselect("nav.main-menu > ul > li > a")} >= {
        "/infographs",
        "/in-pictures",
        "/live",
    }
    assert len(root.cssselect("nav.regions a")) == 8
    assert root.cssselect("section.breaking-news ul.ticker li")
    assert root.cssselect("div.white-card")
    for a in root.cssselect("ul.footer-links a"):
        assert site.resolve(a.get("href")).status == 200
    assert site.resolve("/nothing/here").status == 404


def test_sitemaps_robots_and_rss(site):
    robots = site.resolve("/robots.txt").body.decode()
    assert f"Sitemap: {BASE}/sitemaps/all.xml" in robots
    index = site.resolve("/sitemaps/all.xml").body.decode()
    months = re.findall(r"<loc>[^<]*/sitemaps/all/sitemap-(\d{4})-(\d+)\.xml</loc>", index)
    assert months and all(not m.startswith("0") for _, m in months)
    assert ("2025", "7") in months
    stories = {BASE + s.path: s for s in site.stories}
    listed = []
    for lastmod in re.findall(r"<lastmod>([^<]+)</lastmod>", index):
        assert datetime.fromisoformat(lastmod).tzinfo is not None
    for year, month in months:
        body = site.resolve(f"/sitemaps/all/sitemap-{year}-{month}.xml").body.decode()
        for loc, lastmod in re.findall(r"<loc>([^<]+)</loc><lastmod>([^<]+)</lastmod>", body):
            listed.append(loc)
            assert datetime.fromisoformat(lastmod) == stories[loc].last_modified
            assert stories[loc].published.month == int(month)
    assert sorted(listed) == sorted(a.url for a in site.ground_truth)
    rss = site.resolve("/rss").body.decode()
    links = re.findall(r"<item><title>[^<]*</title><link>([^<]+)</link>", rss)
    newest = sorted(site.ground_truth, key=lambda a: a.published_at, reverse=True)[:20]
    assert links == [a.url for a in newest]


# --------------------------------------------------------------------------- revisions


def test_revision_two(site, site2):
    one, two = site.truth_by_url(), site2.truth_by_url()
    assert len(site2.removed) == 1 and 4 <= len(site2.edited) <= 6 and 9 <= len(site2.added) <= 11
    gone = site2.removed[0]
    assert gone in one and gone not in two
    assert site2.resolve(_target(gone)).status == 404
    listings = {f"/{g}/{s}" for g, s, _ in site2.sections} | {"/", "/news", "/articles", "/videos"}
    mention = re.compile(re.escape(_target(gone)) + r'["?<]')
    for key, resource in site2.resources.items():
        if urlsplit(key).path in listings or key.startswith("/sitemaps") or key == "/rss":
            assert not mention.search(resource.body.decode()), key
    newest_before = max(a.published_at for a in one.values())
    for url in site2.edited:
        before, after = one[url], two[url]
        assert after.content_hash != before.content_hash
        assert after.title != before.title or after.body != before.body
        assert after.updated_at is not None and after.updated_at > newest_before
        assert after.updated_at > (before.updated_at or before.published_at)
    for url in site2.added:
        assert url not in one and two[url].published_at > newest_before
    unchanged = set(one) - {gone} - set(site2.edited)
    assert all(one[u].to_dict() == two[u].to_dict() for u in unchanged)
    assert set(two) == unchanged | set(site2.edited) | set(site2.added)
    index = site2.resolve("/sitemaps/all.xml").body.decode()
    months = re.findall(r"(/sitemaps/all/sitemap-\d+-\d+\.xml)", index)
    sitemap_text = "".join(site2.resolve(m).body.decode() for m in months)
    assert all(url in sitemap_text for url in site2.added) and gone not in sitemap_text
    for url in site2.edited:
        lastmod = re.search(re.escape(url) + r"</loc><lastmod>([^<]+)<", sitemap_text)
        assert lastmod and _iso(lastmod.group(1)) == two[url].updated_at
    newest = max(site2.added, key=lambda u: two[u].published_at)
    group, section = two[newest].section_group, two[newest].section
    first_page = site2.resolve(f"/{group}/{section}").body.decode()
    assert _target(newest) in first_page[: first_page.index("</h4>")]


def test_later_revisions_build_on_the_previous_one():
    two = generate_site(BASE, n_articles=20, revision=2).truth_by_url()
    three = generate_site(BASE, n_articles=20, revision=3)
    assert set(three.truth_by_url()) == (set(two) - set(three.removed)) | set(three.added)
    assert set(three.removed) <= set(two) and not set(three.added) & set(two)
    for url in three.edited:
        assert three.truth_by_url()[url].content_hash != two[url].content_hash


# --------------------------------------------------------------------------- server

_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _fetch(url: str, method: str = "GET") -> tuple[int, bytes, dict[str, str]]:
    request = urllib.request.Request(url, method=method)
    try:
        with _OPENER.open(request, timeout=10) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), dict(exc.headers)


@pytest.fixture(scope="module")
def server():
    with ReplicaServer(n_articles=N, slow_seconds=0.2) as srv:
        yield srv


def test_server_serves_articles_pages_and_404(server):
    assert urlsplit(server.base_url).port not in (None, 0)
    site = server.site
    plain = next(
        a.url for a in site.ground_truth if a.url not in site.transient_urls + site.slow_urls
    )
    status, body, headers = _fetch(plain)
    assert status == 200 and body == site.resolve(_target(plain)).body
    assert headers["Content-Type"].startswith("text/html")
    assert _fetch(plain + "?utm_source=homepage&utm_medium=card")[1] == body
    status, head_body, head_headers = _fetch(plain, method="HEAD")
    assert status == 200 and head_body == b"" and int(head_headers["Content-Length"]) == len(body)
    status, body, _ = _fetch(server.base_url + "/no/such/page")
    assert status == 404 and b"<html" in body
    assert _fetch(server.base_url + "/robots.txt")[0] == 200
    second_page = next(k for k in site.resources if k.endswith("?page=2"))
    assert _fetch(server.base_url + second_page)[0] == 200
    assert _fetch(server.base_url + second_page.replace("=2", "=99"))[0] == 404
    path = _target(plain)
    assert server.requests.matching(path, method="GET") == [("GET", path, 200)]
    assert server.requests.matching(path, method="HEAD") == [("HEAD", path, 200)]
    assert ("GET", "/no/such/page", 404) in server.requests


def test_server_faults(server):
    site = server.site
    transient = site.transient_urls[0]
    assert [_fetch(transient)[0] for _ in range(3)] == [503, 200, 200]
    assert [s for _, p, s in server.requests if p == _target(transient)] == [503, 200, 200]
    failing = site.failing_urls[0]
    assert [_fetch(failing)[0] for _ in range(2)] == [500, 500]
    assert _fetch(site.dead_urls[0])[0] == 404
    started = time.monotonic()
    assert _fetch(site.slow_urls[0])[0] == 200
    assert time.monotonic() - started >= server.slow_seconds


def test_server_set_revision_keeps_the_port(server):
    base = server.base_url
    try:
        site2 = server.set_revision(2)
        assert server.base_url == base and server.site is site2
        assert _fetch(site2.removed[0])[0] == 404
        assert _fetch(site2.added[0])[0] == 200
        assert _fetch(site2.transient_urls[0])[0] == 503  # faults are armed again
    finally:
        server.set_revision(1)


def test_forbidden_server_answers_403_to_everything():
    with ReplicaServer(n_articles=20, forbidden=True) as srv:
        article = srv.site.ground_truth[0].url
        for url in (srv.base_url + "/robots.txt", srv.base_url + "/", article):
            status, body, headers = _fetch(url)
            assert status == 403 and b"Cloudflare" in body
            assert headers.get("Server") == "cloudflare"
        assert _fetch(article, method="HEAD")[0] == 403
        assert [s for _, _, s in srv.requests] == [403] * 4


def test_server_only_on_loopback():
    with pytest.raises(ValueError):
        ReplicaServer("0.0.0.0")
