"""A deterministic, offline replica of Al Mayadeen English: content and ground truth.

:func:`generate_site` draws every article from a seeded ``random.Random`` (never the
global one, never the clock), records on each :class:`~newsdesk.replica.model.Story`
every choice that makes its page vary (missing metadata, unclosed ``<p>``, lead
copies, faults, ...), renders the pages with :mod:`newsdesk.replica.markup` and
computes the ground truth (``newsdesk.items.Article``, following ``docs/fields.md``)
from the same stories, never by parsing the HTML.

How variations are chosen: for each variation, a share of the eligible articles is
drawn with ``rng.sample`` (at least 3 in revision 1, whatever ``n_articles``);
mutually exclusive ones (the four head layouts, the tag quirks, the faults) are
drawn one after the other from what is left. ``Site.variations`` lists, for each
variation name, the URLs that carry it.

Revisions: revision ``r`` applies ``r - 1`` rounds of changes to revision 1, each
from its own ``random.Random(f"{seed}:revision:{round}")``: one article removed,
about 5 edited (``updated`` bumped), about 10 new ones published after the newest.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

from newsdesk.hashing import content_hash
from newsdesk.items import Article
from newsdesk.normalize import parse_duration_s
from newsdesk.replica import markup
from newsdesk.replica.model import (
    BEIRUT,
    Block,
    Ghost,
    LeadCopy,
    Para,
    ReadMore,
    Related,
    Section,
    Story,
    body_text,
    collapse,
    read_time,
    slugify,
    word_count,
)
from newsdesk.replica.vocab import (
    ACTORS,
    ATTRIBUTIONS,
    CITIES,
    CONCERN,
    COVERAGES,
    CREDITS,
    HOUSE_AUTHOR,
    MONTHS_FULL,
    OBJECTS,
    QUOTES,
    SECTION_WEIGHTS,
    SECTIONS,
    SOURCES,
    STATIC_PAGES,
    TAGS,
    TITLE_SUFFIXES_ON_EDIT,
    VERBS,
    WEEKDAYS,
    WRITERS,
)
from newsdesk.urls import (
    TRACKING_PARAM_PREFIXES,
    TRACKING_PARAMS,
    article_id_for,
    canonicalize_url,
    is_article_url,
    same_host,
)

HTML = "text/html; charset=utf-8"
XML = "application/xml; charset=utf-8"
RSS = "application/rss+xml; charset=utf-8"
TEXT = "text/plain; charset=utf-8"

PER_PAGE = 12
MIN_ARTICLES = 20
MIN_EACH = 3  # every variation on at least this many pages in revision 1
WINDOW_START = datetime(2024, 9, 1, 0, 0)  # naive Beirut wall time
WINDOW_END = datetime(2025, 10, 31, 23, 59)
EXTERNAL_LINK = ("the United Nations", "https://www.un.org/en/")
TRACKING_LINK_QUERY = "utm_source=related&utm_medium=readmore"

FAULTS = ("transient_503", "slow")


@dataclass(frozen=True)
class Resource:
    """One thing the server can answer: status, content type, body, and its fault.

    ``fault`` is None, ``"transient_503"`` (the first request gets a 503, later ones
    this resource) or ``"slow"`` (answered after a delay).
    """

    status: int
    content_type: str
    body: bytes
    fault: str | None = None


@dataclass
class Site:
    """A generated replica: every servable resource, and the ground truth.

    ``resources`` is keyed by path plus query string as requested
    (``/news/politics?page=2``); article URLs carrying tracking parameters
    (``?utm_source=...``) are answered by :meth:`resolve`, which drops them. All URL
    lists are absolute (built on ``base_url``). ``removed``, ``edited`` and
    ``added`` are the changes of the last revision round (empty in revision 1).
    """

    base_url: str
    seed: int
    n_articles: int
    revision: int
    resources: dict[str, Resource]
    ground_truth: list[Article]
    removed: list[str]
    edited: list[str]
    added: list[str]
    dead_urls: list[str]
    failing_urls: list[str]
    transient_urls: list[str]
    slow_urls: list[str]
    sections: list[tuple[str, str, str]]
    variations: dict[str, list[str]]
    not_found: Resource
    stories: list[Story] = field(repr=False, default_factory=list)

    def resolve(self, path_with_query: str) -> Resource:
        """The resource answering a request target; the 404 page if there is none.

        Tracking parameters (``utm_*``...) and ``page=1`` are ignored, so
        ``/news/x/slug?utm_source=homepage`` is the article and ``/news/x?page=1``
        the listing's first page.
        """
        found = self.resources.get(path_with_query)
        if found is not None:
            return found
        parts = urlsplit(path_with_query)
        query = [
            (k, v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if not k.lower().startswith(TRACKING_PARAM_PREFIXES)
            and k.lower() not in TRACKING_PARAMS
            and (k, v) != ("page", "1")
        ]
        key = unquote(parts.path) + (f"?{urlencode(query)}" if query else "")
        return self.resources.get(key, self.not_found)

    def truth_by_url(self) -> dict[str, Article]:
        """Ground truth keyed by canonical URL."""
        return {a.url: a for a in self.ground_truth}


# --------------------------------------------------------------------------- time


def _last_sunday(year: int, month: int) -> date:
    day = date(year, month + 1, 1) - timedelta(days=1) if month < 12 else date(year, 12, 31)
    return day - timedelta(days=(day.weekday() - 6) % 7)


DST_DAYS: tuple[date, ...] = tuple(
    d
    for d in (_last_sunday(y, m) for y in (2024, 2025) for m in (3, 10))
    if WINDOW_START.date() <= d <= WINDOW_END.date()
)


def is_valid_wall_time(naive: datetime) -> bool:
    """Whether a Beirut wall time exists and is not ambiguous (no DST gap, no repeat)."""
    early = naive.replace(tzinfo=BEIRUT, fold=0)
    late = naive.replace(tzinfo=BEIRUT, fold=1)
    return early.utcoffset() == late.utcoffset()


def _sample_times(rng: random.Random, n: int) -> list[datetime]:
    """n distinct valid Beirut wall times in the window, some on DST change days."""
    chosen: set[datetime] = set()
    per_day = max(2, round(n * 0.006))
    for day in DST_DAYS:
        added = 0
        while added < per_day:
            naive = datetime(day.year, day.month, day.day, rng.randint(8, 21), rng.randrange(60))
            if naive not in chosen and is_valid_wall_time(naive):
                chosen.add(naive)
                added += 1
    span = int((WINDOW_END - WINDOW_START).total_seconds() // 60)
    while len(chosen) < n:
        naive = WINDOW_START + timedelta(minutes=rng.randrange(span + 1))
        if naive not in chosen and is_valid_wall_time(naive):
            chosen.add(naive)
    return sorted(t.replace(tzinfo=BEIRUT) for t in chosen)


# --------------------------------------------------------------------------- variations


def _pick(rng: random.Random, pool: Sequence[int], share: float, minimum: int) -> list[int]:
    k = min(len(pool), max(minimum, round(share * len(pool))))
    return sorted(rng.sample(list(pool), k))


@dataclass
class _Flags:
    """The variations drawn for one new story before its content is written."""

    head: str = "full"
    date_form: str = "dmy"
    updated: bool = False
    tags: str = "normal"  # normal | none | duplicates | stray_spaces
    n_authors: int = 1
    no_source: bool = False
    unclosed: bool = False
    lead: str = ""  # "" | first | last | both
    no_image: bool = False
    coverage: bool = False
    no_region: bool = False
    escaped_title: bool = False
    empty_video: bool = False
    fault: str | None = None
    utm_card: bool = False
    cross_section: bool = False
    external_link: bool = False
    tracking_link: bool = False


def _choose_flags(
    rng: random.Random, skeleton: Sequence[tuple[Section, datetime]], minimum: int
) -> list[_Flags]:
    """Draw every variation over a batch of (section, published) skeletons."""
    flags = [_Flags() for _ in skeleton]
    everyone = list(range(len(skeleton)))
    texts = [i for i, (s, _) in enumerate(skeleton) if s.group != "videos"]
    videos = [i for i, (s, _) in enumerate(skeleton) if s.group == "videos"]
    cutoff = (WINDOW_END - timedelta(days=1)).replace(tzinfo=BEIRUT)
    can_update = [i for i, (_, t) in enumerate(skeleton) if t < cutoff]

    def exclusive(pool: list[int], shares: Sequence[tuple[float, int]]) -> list[list[int]]:
        left = list(pool)
        out = []
        for share, least in shares:
            got = _pick(rng, left, share, least) if left else []
            out.append(got)
            left = [i for i in left if i not in set(got)]
        return out

    heads = exclusive(everyone, [(0.08, minimum), (0.08, minimum), (0.05, minimum)])
    for name, chosen in zip(("no_metadata", "no_meta", "bare"), heads, strict=True):
        for i in chosen:
            flags[i].head = name
    for i in _pick(rng, everyone, 0.45, minimum):
        flags[i].date_form = "iso"
    for i in _pick(rng, can_update, 0.15, minimum):
        flags[i].updated = True
    tag_modes = exclusive(everyone, [(0.06, minimum), (0.08, minimum), (0.08, minimum)])
    for name, chosen in zip(("none", "duplicates", "stray_spaces"), tag_modes, strict=True):
        for i in chosen:
            flags[i].tags = name
    # "By X and Y" and "By X, Y and Z": each at least `minimum` times
    for n, i in enumerate(_pick(rng, texts, 0.10, 2 * minimum)):
        flags[i].n_authors = 3 if n % 2 == 0 else 2
    for i in _pick(rng, texts, 0.12, minimum):
        flags[i].no_source = True
    for i in _pick(rng, texts, 0.08, minimum):
        flags[i].unclosed = True
    # lead copies: first, last or both; each position at least `minimum` times
    for n, i in enumerate(_pick(rng, texts, 0.12, 2 * minimum)):
        flags[i].lead = ("first", "last", "both")[n % 3]
    for i in _pick(rng, texts, 0.08, minimum):
        flags[i].no_image = True
    for i in _pick(rng, everyone, 0.25, minimum):
        flags[i].coverage = True
    # a coverage known only from the coverage box (no metadata script)
    no_script = [i for i in everyone if flags[i].head in ("no_metadata", "bare")]
    shown = [i for i in no_script if flags[i].coverage]
    unshown = [i for i in no_script if not flags[i].coverage]
    for i in rng.sample(unshown, min(len(unshown), max(0, minimum - len(shown)))):
        flags[i].coverage = True
    for i in _pick(rng, everyone, 0.10, minimum):
        flags[i].no_region = True
    for i in _pick(rng, everyone, 0.10, minimum):
        flags[i].escaped_title = True
    for i in _pick(rng, videos, 0.30, minimum):
        flags[i].empty_video = True
    faults = exclusive(everyone, [(0.0, minimum), (0.0, minimum)])
    for name, chosen in zip(FAULTS, faults, strict=True):
        for i in chosen:
            flags[i].fault = name
    for i in _pick(rng, everyone, 0.10, minimum):
        flags[i].utm_card = True
    for i in _pick(rng, everyone, 0.08, minimum):
        flags[i].cross_section = True
    for i in _pick(rng, texts, 0.10, minimum):
        flags[i].external_link = True
    has_older = texts[1:]  # the oldest story has nothing older to link to
    for i in _pick(rng, has_older, 0.06, minimum):
        flags[i].tracking_link = True
    return flags


# --------------------------------------------------------------------------- content


@dataclass
class _Writer:
    """Writes stories: headlines, bylines, bodies. Owns the set of used slugs."""

    rng: random.Random
    sections: list[Section]
    used_slugs: set[str] = field(default_factory=set)

    def headline(self, escaped: bool) -> tuple[str, str, tuple[str, str], str, str]:
        """(title, city, actor, verb, object) with a slug not used before."""
        rng = self.rng
        for _ in range(200):
            city = rng.choice(list(CITIES))
            actor = rng.choice(ACTORS)
            verb, obj = rng.choice(VERBS), rng.choice(OBJECTS)
            obj2 = rng.choice([o for o in OBJECTS if o != obj])
            if escaped:
                quote = rng.choice(QUOTES)
                title = rng.choice(
                    (
                        f"{city}: {actor[0]} {verb} {obj} — “{quote}”",
                        f"{actor[0]} in {city} {verb} {obj} & {obj2}",
                        f"{city}'s {_bare(actor[1])} {verb} {obj}",
                        f'"{quote.capitalize()}": {actor[0]} in {city} {verb} {obj}',
                        f"{actor[0]} {verb} 'red lines' over {obj} in {city}",
                    )
                )
            else:
                title = rng.choice(
                    (
                        f"{city}: {actor[0]} {verb} {obj}",
                        f"{actor[0]} in {city} {verb} {obj} as pressure mounts over {obj2}",
                        f"{actor[0]} {verb} {obj} in {city}",
                    )
                )
            slug = slugify(title)
            if slug not in self.used_slugs:
                self.used_slugs.add(slug)
                return title, city, actor, verb, obj
        raise RuntimeError("could not find an unused slug")  # pragma: no cover

    def sentence(self, weekday: str) -> str:
        """One body sentence; some carry quotes or apostrophes."""
        rng = self.rng
        city = rng.choice(list(CITIES))
        cap, low = rng.choice(ACTORS)
        verb, obj = rng.choice(VERBS), rng.choice(OBJECTS)
        kind = rng.random()
        if kind < 0.12:
            return f'"{rng.choice(QUOTES).capitalize()}," {low} in {city} said on {weekday}.'
        if kind < 0.22:
            who = f"{city}'s {_bare(low)}"
            return f"{who} {verb} {obj} on {weekday}, according to {rng.choice(ATTRIBUTIONS)}."
        return (
            f"{cap} in {city} {verb} {obj} on {weekday}, according to {rng.choice(ATTRIBUTIONS)}."
        )

    def paragraph(self, weekday: str, n_sentences: int) -> Para:
        """A plain paragraph of n sentences."""
        text = " ".join(self.sentence(weekday) for _ in range(n_sentences))
        return Para(((text, None),))

    def story(
        self,
        post_id: str,
        section: Section,
        published: datetime,
        flags: _Flags,
        older: Sequence[Story],
    ) -> Story:
        """A complete story from its section, time and drawn variations."""
        rng = self.rng
        video = section.group == "videos"
        title, city, actor, verb, obj = self.headline(flags.escaped_title)
        subtitle = f"{actor[0]} {verb} {obj}, amid {rng.choice(CONCERN)} concern in {city}."
        story = Story(
            post_id=post_id,
            section=section,
            slug=slugify(title),
            title=title,
            subtitle=subtitle,
            published=published,
            authors=self._authors(section, flags.n_authors),
            head=flags.head,
            date_form=flags.date_form,
            fault=flags.fault,
            utm_card=flags.utm_card,
            escaped_title=flags.escaped_title,
        )
        if not video and not flags.no_source:
            story.source = "Al Mayadeen Net" if section.group == "articles" else rng.choice(SOURCES)
        story.region = None if flags.no_region else CITIES[city]
        if flags.coverage:
            story.coverage = rng.choice(list(COVERAGES))
        if flags.updated:
            limit = WINDOW_END.replace(tzinfo=BEIRUT) - published
            minutes = rng.randint(20, min(3 * 24 * 60, int(limit.total_seconds() // 60)))
            story.updated = (published.astimezone(UTC) + timedelta(minutes=minutes)).astimezone(
                BEIRUT
            )
        story.tags = self._tags(flags.tags, 2 if video else 5)
        if video or not flags.no_image:
            local = published.astimezone(BEIRUT)
            story.image = (
                f"/media/image/{local.year}/{local.month}/{local.day}/"
                f"{rng.getrandbits(48):012x}.jpg?width=1000"
            )
            story.caption = (
                f"{actor[0]} in {city}, {MONTHS_FULL[local.month]} {local.day}, {local.year}. "
                f"({rng.choice(CREDITS)})"
            )
        if video:
            story.video_duration = f"00:{rng.randint(1, 14):02d}:{rng.randrange(60):02d}"
            story.blocks = [] if flags.empty_video else [self.paragraph(_weekday(published), 1)]
        else:
            story.blocks = self._body(story, flags, older)
        if flags.cross_section:
            story.also_in = [rng.choice([s for s in self.sections if s != section])]
        return story

    def _authors(self, section: Section, n: int) -> list[str]:
        rng = self.rng
        if n > 1:
            return rng.sample(WRITERS, n)
        if section.group == "articles" or (section.group == "news" and rng.random() < 0.2):
            return [rng.choice(WRITERS)]
        return [HOUSE_AUTHOR]

    def _tags(self, mode: str, most: int) -> list[str]:
        rng = self.rng
        if mode == "none":
            return []
        tags = rng.sample(TAGS, rng.randint(1, most))
        if mode == "duplicates":
            tags.insert(rng.randint(1, len(tags)), rng.choice(tags))
        elif mode == "stray_spaces":
            i = rng.randrange(len(tags))
            tags[i] = rng.choice((f" {tags[i]}", f"{tags[i]} ", f"  {tags[i]} "))
        return tags

    def _body(self, story: Story, flags: _Flags, older: Sequence[Story]) -> list[Block]:
        rng = self.rng
        weekday = _weekday(story.published)
        n = rng.randint(3, 9) if story.section.group == "news" else rng.randint(6, 12)
        paras = [self.paragraph(weekday, rng.randint(1, 3)) for _ in range(n)]
        if flags.external_link:
            p = paras[rng.randrange(len(paras))]
            text = p.segments[0][0]
            p.segments = (
                (f"{text} The full text was published by ", None),
                EXTERNAL_LINK,
                (".", None),
            )
        blocks: list[Block] = list(paras)
        recent = list(older[-40:])
        least = 1 if flags.tracking_link else 0
        targets = rng.sample(recent, min(len(recent), rng.randint(least, 2)))
        for n, target in enumerate(targets):
            href = target.path
            if flags.tracking_link and n == 0:
                href += f"?{TRACKING_LINK_QUERY}"
            blocks.insert(rng.randint(1, len(blocks)), ReadMore(href, target.title))
        if len(recent) >= 2 and rng.random() < 0.5:
            items = tuple((s.path, s.title) for s in rng.sample(recent, 2))
            blocks.insert(rng.randint(2, len(blocks)), Related(items))
        if flags.unclosed:
            candidates = [
                i
                for i in range(len(blocks) - 1)
                if isinstance(blocks[i], Para) and not isinstance(blocks[i + 1], Related)
            ]
            for i in rng.sample(candidates, min(len(candidates), rng.randint(1, 2))):
                block = blocks[i]
                assert isinstance(block, Para)
                block.unclosed = True
        if flags.lead in ("first", "both"):
            blocks.insert(0, LeadCopy())
        if flags.lead in ("last", "both"):
            blocks.append(LeadCopy())
        return blocks


def _bare(noun: str) -> str:
    """``the prime minister`` -> ``prime minister`` (to follow a possessive)."""
    for article in ("the ", "a "):
        if noun.startswith(article):
            return noun[len(article) :]
    return noun


def _weekday(moment: datetime) -> str:
    return WEEKDAYS[moment.astimezone(BEIRUT).weekday()]


def _spread_sections(rng: random.Random, n: int, sections: list[Section]) -> list[Section]:
    per = 2 if n >= 60 else 1
    base = [s for s in sections for _ in range(per)]
    # politics (the first section) is big enough to paginate even on small sites
    base += [sections[0]] * max(0, min(14 - per, n // 4 - per, n - len(base)))
    weights = [SECTION_WEIGHTS[s.slug] for s in sections]
    picked = base + rng.choices(sections, weights=weights, k=n - len(base))
    rng.shuffle(picked)
    return picked


def _ghosts(rng: random.Random, writer: _Writer, sections: list[Section]) -> list[Ghost]:
    """Three dead (404) and three failing (500) URLs, each a card on a first listing page."""
    # as in the reference, the politics listing carries one of each; four more elsewhere
    hosts = [sections[0], sections[0], *rng.sample(sections[1:12], 4)]
    ghosts = [
        Ghost("/news/politics/this-story-was-removed", "dead", hosts[0]),
        Ghost("/news/economy/broken-on-the-server", "failing", hosts[1]),
    ]
    writer.used_slugs.update({"this-story-was-removed", "broken-on-the-server"})
    for n in range(2, 6):
        title = writer.headline(escaped=False)[0]
        path = f"{rng.choice(sections[:8]).path}/{slugify(title)}"
        ghosts.append(Ghost(path, "dead" if n % 2 == 0 else "failing", hosts[n]))
    return ghosts


# --------------------------------------------------------------------------- revisions


@dataclass
class _Changes:
    removed: list[Story] = field(default_factory=list)
    edited: list[Story] = field(default_factory=list)
    added: list[Story] = field(default_factory=list)


def _linked_paths(stories: Iterable[Story]) -> set[str]:
    paths: set[str] = set()
    for s in stories:
        for b in s.blocks:
            if isinstance(b, ReadMore):
                paths.add(urlsplit(b.href).path)
            elif isinstance(b, Related):
                paths.update(h for h, _ in b.items)
    return paths


def _apply_round(
    rng: random.Random, writer: _Writer, stories: list[Story], sections: list[Section]
) -> _Changes:
    """One revision round: remove 1, edit about 5, publish about 10 new stories."""
    changes = _Changes()
    by_time = sorted(stories, key=lambda s: s.published)
    newest = by_time[-1].published
    # removals and edits hit older stories (not the newest ones, nor faulty or bare pages)
    older = by_time[: len(by_time) - min(20, len(by_time) // 3)]
    plain = [s for s in older if s.fault is None and s.head != "bare"]
    linked = _linked_paths(stories)
    unlinked = [s for s in plain if s.path not in linked and not s.also_in]
    gone = rng.choice(unlinked or plain)
    changes.removed.append(gone)
    stories.remove(gone)
    present = [s for s in by_time if s is not gone]

    editable = [s for s in plain if s is not gone]
    for n, story in enumerate(rng.sample(editable, min(len(editable), rng.randint(4, 6)))):
        since = max(newest, story.last_modified).astimezone(UTC)
        story.updated = (since + timedelta(minutes=rng.randint(60, 36 * 60))).astimezone(BEIRUT)
        what = ("title", "body", "both")[n % 3]
        if what in ("title", "both"):
            story.title = story.title + rng.choice(TITLE_SUFFIXES_ON_EDIT)
        if what in ("body", "both") or story.is_video:
            weekday = _weekday(story.updated)
            update = writer.paragraph(weekday, 1)
            update.segments = ((f"Update: {update.segments[0][0]}", None),)
            story.blocks.append(update)
        changes.edited.append(story)

    count = rng.randint(9, 11)
    weights = [SECTION_WEIGHTS[s.slug] for s in sections]
    moment = newest.astimezone(UTC)
    skeleton = []
    for _ in range(count):
        moment += timedelta(minutes=rng.randint(30, 300))
        while not is_valid_wall_time(moment.astimezone(BEIRUT).replace(tzinfo=None)):
            moment += timedelta(hours=1)
        skeleton.append((rng.choices(sections, weights=weights)[0], moment.astimezone(BEIRUT)))
    flags = _choose_flags(rng, skeleton, minimum=0)
    next_id = max(int(s.post_id) for s in [*stories, gone]) + 1
    for n, ((section, published), flag) in enumerate(zip(skeleton, flags, strict=True)):
        flag.updated = False
        story = writer.story(str(next_id + n), section, published, flag, present)
        stories.append(story)
        changes.added.append(story)
    return changes


# --------------------------------------------------------------------------- ground truth


def _dedupe(values: Iterable[str]) -> list[str]:
    seen: list[str] = []
    for v in values:
        v = collapse(v)
        if v and v not in seen:
            seen.append(v)
    return seen


def _story_links(story: Story, page_url: str) -> list[str]:
    hrefs: list[str] = []
    for b in story.blocks:
        if isinstance(b, Para):
            hrefs += [h for _, h in b.segments if h]
        elif isinstance(b, ReadMore):
            hrefs.append(b.href)
        elif isinstance(b, Related):
            hrefs += [h for h, _ in b.items]
    links = (canonicalize_url(h, base=page_url) for h in hrefs)
    return _dedupe(u for u in links if same_host(u, page_url) and is_article_url(u))


def ground_truth_for(story: Story, base_url: str) -> Article:
    """The Article a correct extractor must produce from this story's page (docs/fields.md)."""
    url = canonicalize_url(base_url + story.path)
    article = Article(
        article_id=article_id_for(url),
        url=url,
        title=collapse(story.title),
        published_at=story.published.astimezone(UTC),
        post_id=story.post_id if story.head != "bare" else None,
        section=story.section.slug,
        section_group=story.section.group,
        content_type="video" if story.is_video else "article",
        subtitle=collapse(story.subtitle) or None,
        authors=_dedupe(story.authors),
        tags=_dedupe(story.tags),
        source=collapse(story.source or "") or None,
        region=story.region if story.has_metadata else None,
        coverage=story.coverage,
        updated_at=(
            story.updated.astimezone(UTC) if story.updated and story.head != "bare" else None
        ),
        read_time_min=read_time(story),
        word_count=word_count(story),
        video_duration_s=(parse_duration_s(story.video_duration) if story.has_metadata else None),
        body=body_text(story),
        image_url=base_url + story.image if story.image else None,
        image_caption=(collapse(story.caption or "") or None) if story.image else None,
        links=_story_links(story, url),
    )
    article.content_hash = content_hash(article.to_dict())
    return article


# --------------------------------------------------------------------------- assembly


class _Assembler:
    """Turns stories into resources (pages, listings, sitemaps, feeds)."""

    def __init__(
        self,
        base_url: str,
        stories: list[Story],
        ghosts: list[Ghost],
        sections: list[Section],
        rng: random.Random,
    ) -> None:
        self.base = base_url
        self.sections = sections
        self.ghosts = ghosts
        self.chrome = markup.Chrome(sections)
        self.newest_first = sorted(stories, key=lambda s: (s.published, s.post_id), reverse=True)
        self.rng = rng
        self.resources: dict[str, Resource] = {}
        self.page_urls: list[str] = []

    def _put(
        self,
        path: str,
        body: str,
        content_type: str = HTML,
        *,
        status: int = 200,
        fault: str | None = None,
    ) -> None:
        self.resources[path] = Resource(status, content_type, body.encode("utf-8"), fault)

    def build(self) -> dict[str, Resource]:
        """Every resource of the site."""
        self._articles()
        self._listings()
        self._pages()
        self._sitemaps()
        self._put("/rss", markup.rss(self.base, self.newest_first[:20]), RSS)
        self._put("/robots.txt", markup.robots(self.base), TEXT)
        for ghost in self.ghosts:
            if ghost.kind == "failing":
                page = markup.error_page(500, "Internal Server Error", "Something went wrong.")
                self._put(ghost.path, page, status=500)
        return self.resources

    def _articles(self) -> None:
        pool = self.newest_first[:30]
        most_read = self.rng.sample(pool, min(4, len(pool)))
        by_section: dict[Section, list[Story]] = defaultdict(list)
        for story in self.newest_first:
            by_section[story.section].append(story)
        for story in self.newest_first:
            siblings = by_section[story.section]
            at = siblings.index(story)
            read_next = (siblings[at + 1 :] + siblings[:at])[:4]
            page = markup.article_page(story, self.base, self.chrome, most_read, read_next)
            self._put(story.path, page, fault=story.fault)

    def _listing_cards(self, section: Section) -> list[str]:
        entries = [s for s in self.newest_first if s.section == section or section in s.also_in]
        cards = [markup.card(s, utm=s.utm_card and s.section == section) for s in entries]
        when = entries[0].published if entries else WINDOW_END.replace(tzinfo=BEIRUT)
        for n, ghost in enumerate(g for g in self.ghosts if g.listed_in == section):
            cards.insert(min(len(cards), 3 + n), markup.ghost_card(ghost, when))
        return cards

    def _listings(self) -> None:
        for section in self.sections:
            cards = self._listing_cards(section)
            pages = [cards[i : i + PER_PAGE] for i in range(0, len(cards), PER_PAGE)] or [[]]
            for n, chunk in enumerate(pages, start=1):
                path = section.path if n == 1 else f"{section.path}?page={n}"
                nxt = f"{section.path}?page={n + 1}" if n < len(pages) else None
                canonical = self.base + section.path
                self._put(
                    path, markup.listing_page(section.label, canonical, chunk, nxt, self.chrome)
                )
                self.page_urls.append(self.base + path)

    def _pages(self) -> None:
        home_cards = [markup.card(s, utm=True) for s in self.newest_first[:8]]
        self._put("/", markup.home_page(self.base, home_cards, self.chrome))
        self.page_urls.append(self.base + "/")
        for group in ("news", "articles", "videos"):
            latest = [s for s in self.newest_first if s.section.group == group][:PER_PAGE]
            label = next(s.group_label for s in self.sections if s.group == group)
            cards = [markup.card(s) for s in latest]
            page = markup.listing_page(label, f"{self.base}/{group}", cards, None, self.chrome)
            self._put(f"/{group}", page)
            self.page_urls.append(f"{self.base}/{group}")
        for path, (title, text) in STATIC_PAGES.items():
            self._put(path, markup.static_page(title, text, self.base + path, self.chrome))
            self.page_urls.append(self.base + path)

    def _sitemaps(self) -> None:
        months: dict[tuple[int, int], list[Story]] = defaultdict(list)
        for story in reversed(self.newest_first):
            local = story.published.astimezone(BEIRUT)
            months[(local.year, local.month)].append(story)
        index = []
        for (year, month), stories in sorted(months.items()):
            path = f"/sitemaps/all/sitemap-{year}-{month}.xml"
            entries = [(self.base + s.path, s.last_modified) for s in stories]
            self._put(path, markup.sitemap_urlset(entries), XML)
            newest = max(s.last_modified for s in stories)
            index.append((self.base + path, newest))
        self._put("/sitemaps/all.xml", markup.sitemap_index(index), XML)


def _variations(
    stories: list[Story], ghosts: list[Ghost], base: str, page_urls: list[str]
) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    dst = set(DST_DAYS)
    for s in sorted(stories, key=lambda s: s.published):
        url = base + s.path
        paras = [b for b in s.blocks if isinstance(b, Para)]
        leads = [i for i, b in enumerate(s.blocks) if isinstance(b, LeadCopy)]
        checks = {
            "no_metadata": s.head == "no_metadata",
            "no_meta_tags": s.head == "no_meta",
            "no_metadata_no_meta": s.head == "bare",
            "date_dmy": s.date_form == "dmy",
            "date_iso": s.date_form == "iso",
            "updated": s.updated is not None,
            "tags_duplicates": len({t.strip() for t in s.tags}) < len(s.tags),
            "tags_stray_spaces": any(t != t.strip() for t in s.tags),
            "no_tags": not s.tags,
            "several_authors": len(s.authors) > 1,
            "three_authors": len(s.authors) > 2,
            "no_source": s.source is None,
            "no_source_article": s.source is None and not s.is_video,
            "tracking_query_links": s.utm_card,
            "unclosed_p": any(p.unclosed for p in paras),
            "lead_copy": bool(leads),
            "lead_copy_first": 0 in leads,
            "lead_copy_last": len(s.blocks) - 1 in leads,
            "transient_503": s.fault == "transient_503",
            "slow": s.fault == "slow",
            "video": s.is_video,
            "video_little_text": s.is_video and word_count(s) < 40,
            "video_empty_body": s.is_video and not s.blocks,
            "no_image": s.image is None,
            "coverage": s.coverage is not None,
            "coverage_box_only": s.coverage is not None and not s.has_metadata,
            "no_region": s.region is None,
            "escaped_title": s.escaped_title,
            "dst_day": s.published.astimezone(BEIRUT).date() in dst,
            "cross_section_card": bool(s.also_in),
            "read_more": any(isinstance(b, ReadMore) for b in s.blocks),
            "related_box": any(isinstance(b, Related) for b in s.blocks),
            "external_link": any(h == EXTERNAL_LINK[1] for p in paras for _, h in p.segments),
            "tracking_link_in_body": any(
                isinstance(b, ReadMore) and "?" in b.href for b in s.blocks
            ),
        }
        for name, hit in checks.items():
            if hit:
                out[name].append(url)
    out["dead_link"] = [base + g.path for g in ghosts if g.kind == "dead"]
    out["failing_500"] = [base + g.path for g in ghosts if g.kind == "failing"]
    out["page_type_page"] = list(page_urls)
    return dict(out)


def generate_site(
    base_url: str, *, seed: int = 7, n_articles: int = 240, revision: int = 1
) -> Site:
    """Generate the replica (deterministic: same arguments, byte-identical pages).

    ``base_url`` (e.g. ``http://127.0.0.1:8123``) prefixes every absolute URL.
    ``n_articles`` is the number of revision-1 articles (at least 20); revision
    ``r > 1`` is revision 1 after ``r - 1`` rounds of removals, edits and additions.
    """
    if n_articles < MIN_ARTICLES:
        raise ValueError(f"n_articles must be at least {MIN_ARTICLES}")
    if revision < 1:
        raise ValueError("revision starts at 1")
    base = base_url.rstrip("/")
    rng = random.Random(seed)
    sections = [Section(*s) for s in SECTIONS]
    writer = _Writer(rng, sections)

    times = _sample_times(rng, n_articles)
    skeleton = list(zip(_spread_sections(rng, n_articles, sections), times, strict=True))
    flags = _choose_flags(rng, skeleton, MIN_EACH)
    stories: list[Story] = []
    for n, ((section, published), flag) in enumerate(zip(skeleton, flags, strict=True)):
        stories.append(writer.story(str(1_700_001 + n), section, published, flag, stories))
    ghosts = _ghosts(rng, writer, sections)

    changes = _Changes()
    for round_no in range(2, revision + 1):
        round_rng = random.Random(f"{seed}:revision:{round_no}")
        changes = _apply_round(round_rng, writer, stories, sections)

    assembler = _Assembler(base, stories, ghosts, sections, random.Random(f"{seed}:{revision}"))
    resources = assembler.build()
    by_time = sorted(stories, key=lambda s: s.published)
    not_found = markup.error_page(404, "Page not found", "The page you requested does not exist.")

    def urls(selected: Iterable[Story]) -> list[str]:
        return [base + s.path for s in selected]

    return Site(
        base_url=base,
        seed=seed,
        n_articles=n_articles,
        revision=revision,
        resources=resources,
        ground_truth=[ground_truth_for(s, base) for s in by_time],
        removed=urls(changes.removed),
        edited=urls(changes.edited),
        added=urls(changes.added),
        dead_urls=[base + g.path for g in ghosts if g.kind == "dead"],
        failing_urls=[base + g.path for g in ghosts if g.kind == "failing"],
        transient_urls=urls(s for s in by_time if s.fault == "transient_503"),
        slow_urls=urls(s for s in by_time if s.fault == "slow"),
        sections=[s.as_tuple() for s in sections],
        variations=_variations(by_time, ghosts, base, assembler.page_urls),
        not_found=Resource(404, HTML, not_found.encode("utf-8")),
        stories=by_time,
    )
