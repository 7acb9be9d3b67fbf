"""A deterministic, offline replica of the Arabic site (www.almayadeen.net), with ground truth.

Simpler than the English generator (``newsdesk.replica.generator``) but with the
Arabic variations of site-notes.md: made-up Arabic titles and bodies from a small
vocabulary; percent-encoded Arabic slugs cut at 60 characters mid-word; the
two-segment URL types (``/video/<slug>``, ``/articles/<slug>``, ...) beside
``/news/<s>/<slug>``; Levantine, dual-form ("حزيران/يونيو") and Arabic-Indic
display dates; direction marks (U+200E, U+200F, U+061C) in some values;
"اقرأ أيضاً" lines and ``div.dual-related`` boxes in bodies; video, newscast and
infographic items with no body text; repeated keywords with stray spaces;
``classes`` values with leading spaces; author profile and dossier pages
listed in the sitemaps (never articles); dead, always-failing and
once-failing (503) URLs.

Everything is drawn from ``random.Random`` seeded by the arguments, never the
clock, and the ground truth is computed from the stories, never by parsing the
pages. Revision ``r`` applies ``r - 1`` rounds to revision 1, each from its own
``random.Random(f"{seed}:ar-revision:{round}")``: a few articles edited (a
paragraph added, ``last_updated`` bumped) and a few new ones published.
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html import escape
from urllib.parse import quote

from newsdesk.hashing import content_hash
from newsdesk.items import Article
from newsdesk.normalize import parse_duration_s
from newsdesk.replica import markup
from newsdesk.replica.generator import HTML, TEXT, XML, Resource, Site, is_valid_wall_time
from newsdesk.replica.model import BEIRUT
from newsdesk.urls import canonicalize_url

MIN_ARTICLES = 20
PER_PAGE = 12
SLUG_MAX = 60
MEDIA_HOST = "https://alpha-ar-media.almayadeen.net"
WINDOW_START = datetime(2024, 1, 1, 0, 0)  # naive Beirut wall time
WINDOW_END = datetime(2024, 12, 31, 23, 59)
DIRECTION_MARKS = ("\u200f", "\u200e", "\u061c")

# (group, section, listing path, menu label), in menu order. The listing path
# is also the articles' path prefix.
SECTIONS: tuple[tuple[str, str, str, str], ...] = (
    ("news", "politics", "/news/politics", "سياسة"),
    ("news", "economic", "/news/economic", "اقتصاد"),
    ("articles", "articles", "/articles", "مقالات"),
    ("articles", "analysis", "/analysis", "تحليل"),
    ("videos", "reports", "/reports", "تقارير"),
    ("videos", "tv-reports", "/tv-reports", "تقارير تلفزيونية"),
    ("videos", "video", "/video", "فيديو"),
    ("videos", "newscast", "/newscast", "نشرة الأخبار"),
    ("news", "press", "/press", "صحافة"),
    ("articles", "research-papers", "/research-papers", "أوراق بحثية"),
    ("news", "misc", "/misc", "منوعات"),
    ("news", "health", "/health", "صحة"),
    ("news", "infograph", "/infograph", "إنفوغراف"),
    ("videos", "podcasts", "/podcasts", "بودكاست"),
)
# Share of the articles per section (about the real site's: politics half).
WEIGHTS = (50, 5, 4, 3, 6, 6, 11, 11, 2, 1, 2, 1, 2, 1)
# Sections whose items have no body text (a player or a picture instead).
NO_BODY = frozenset({"video", "newscast", "tv-reports", "podcasts", "infograph"})
POSTTYPE = {
    "news": "أخبار",
    "articles": "مقالات",
    "videos": "تقارير إخبارية",
}
CATEGORY = {"politics": "سياسة", "economic": "اقتصاد"}

LEVANTINE = (
    "كانون الثاني",
    "شباط",
    "آذار",
    "نيسان",
    "أيار",
    "حزيران",
    "تموز",
    "آب",
    "أيلول",
    "تشرين الأول",
    "تشرين الثاني",
    "كانون الأول",
)
EGYPTIAN = (
    "يناير",
    "فبراير",
    "مارس",
    "أبريل",
    "مايو",
    "يونيو",
    "يوليو",
    "أغسطس",
    "سبتمبر",
    "أكتوبر",
    "نوفمبر",
    "ديسمبر",
)
INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")

ACTORS = (
    "وزير الخارجية",
    "رئيس الحكومة",
    "المتحدث باسم الجيش",
    "وزير الاقتصاد",
    "البرلمان",
    "المقاومة",
    "الأمين العام",
    "وزارة الصحة",
    "مجلس الأمن",
    "نقابة الأطباء",
)
VERBS = ("يؤكد", "يرفض", "يحذّر من", "يناقش", "يعلن", "يدعو إلى", "ينفي", "يتابع")
OBJECTS = (
    "استمرار المحادثات",
    "التصعيد على الحدود",
    "خطة إعادة الإعمار",
    "أزمة الكهرباء",
    "ارتفاع الأسعار",
    "اتفاق وقف النار",
    "العقوبات الجديدة",
    "الانتخابات البلدية",
    "المساعدات الإنسانية",
    "مشروع الموازنة",
)
PLACES = ("بيروت", "دمشق", "غزة", "بغداد", "صنعاء", "طهران", "القاهرة", "عمّان", "الجنوب")
CLAUSES = (
    "في ظل تطورات متسارعة على الأرض",
    "وسط ترقب لنتائج الاتصالات الجارية",
    "بعد أيام من التوتر",
    "رغم الضغوط الخارجية",
    "بحسب مصادر متابعة",
)
SENTENCES = (
    "وأشار إلى أن الاتصالات مستمرة مع الأطراف المعنية",
    "ولفت إلى أن المرحلة المقبلة ستكون حاسمة",
    "وأكدت مصادر مطلعة أن النقاش لم ينته بعد",
    "ويأتي ذلك في وقت تتزايد فيه المخاوف من اتساع المواجهة",
    "من جهتها دعت الأمم المتحدة إلى ضبط النفس",
    "وقال مراسل الميادين إن الأجواء ما زالت متوترة",
    "وتابع أن الحكومة ستعرض المسألة في جلستها المقبلة",
    "في المقابل رفضت المعارضة هذه المقاربة",
)
TAGS = (
    "لبنان",
    "فلسطين المحتلة",
    "سوريا",
    "العراق",
    "اليمن",
    "إيران",
    "الولايات المتحدة",
    "المفاوضات",
    "الاقتصاد",
    "الصحة",
    "غزة",
    "الجنوب اللبناني",
)
REGIONS = ("لبنان", "فلسطين المحتلة", "سوريا", "العراق", "اليمن", "إيران", "مصر")
COVERAGES = ("طوفان الأقصى", "روسيا والأطلسي", 'معركة "الوعد الصادق"')
DESK = "الميادين نت"
NETWORK = "شبكة الميادين"
# Writers of opinion pieces; one starts with و (not a conjunction).
WRITERS = ("سمير الحسن", "ليلى سعد", "وسام خليل", "علي حسن", "محمد وليد")


@dataclass
class ArStory:
    """One Arabic article and every choice that makes its page vary."""

    post_id: str
    group: str
    section: str
    prefix: str  # the listing path: /news/politics, /video
    slug: str  # raw Arabic, as cut by the CMS
    title: str
    lead: str
    paragraphs: list[str]
    authors: list[str]
    keywords: list[str]  # as the CMS writes them: repeats, stray spaces
    region: str | None
    coverage: str | None
    published: datetime  # aware, Beirut
    updated: datetime | None = None
    head: str = "full"  # full | no_metadata | visible
    date_form: str = "levantine"  # levantine | dual | indic | iso
    marks: bool = False  # direction marks in its values
    category_space: bool = False  # classes values with a leading space
    video_duration: str | None = None
    read_also: str | None = None  # a path linked by an "اقرأ أيضاً" line
    related: list[str] = field(default_factory=list)  # paths in a div.dual-related box
    fault: str | None = None  # transient_503

    @property
    def path(self) -> str:
        """The raw (unencoded) path: what the server keys its resources by."""
        return f"{self.prefix}/{self.slug}"

    @property
    def encoded_path(self) -> str:
        """The path as URLs carry it: UTF-8 percent-encoded."""
        return quote(self.path, safe="/:-")

    @property
    def is_video(self) -> bool:
        return self.group == "videos" or self.video_duration is not None

    @property
    def body(self) -> str:
        return "\n\n".join(self.paragraphs)

    @property
    def last_modified(self) -> datetime:
        return self.updated or self.published


# --------------------------------------------------------------------------- writing


def _slug(title: str, rng: random.Random) -> str:
    """The CMS's slug: words joined by "-", ":" kept, cut at 60 characters even mid-word."""
    slug = "-".join(title.replace("،", "").split())[:SLUG_MAX]
    if rng.random() < 0.1:
        slug = "-" + slug[: SLUG_MAX - 1]  # some start with "-"
    return slug


def _sentence(rng: random.Random) -> str:
    return f"{rng.choice(SENTENCES)} {rng.choice(CLAUSES)} في {rng.choice(PLACES)}."


def _wall_times(rng: random.Random, n: int, start: datetime, end: datetime) -> list[datetime]:
    """n distinct valid Beirut wall times (minute precision: the display shows minutes)."""
    chosen: set[datetime] = set()
    span = int((end - start).total_seconds() // 60)
    # A few on the spring DST day (31 March 2024), away from the gap.
    for hour in (9, 15):
        chosen.add(datetime(2024, 3, 31, hour, rng.randrange(60)))
    while len(chosen) < n:
        naive = start + timedelta(minutes=rng.randrange(span + 1))
        if is_valid_wall_time(naive):
            chosen.add(naive)
    return sorted(t.replace(tzinfo=BEIRUT) for t in list(chosen)[:n])


class _Writer:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.paths: set[str] = set()

    def story(
        self, post_id: str, section_row: tuple[str, str, str, str], when: datetime
    ) -> ArStory:
        rng = self.rng
        group, section, prefix, _ = section_row
        while True:
            actor, verb, obj = rng.choice(ACTORS), rng.choice(VERBS), rng.choice(OBJECTS)
            place = rng.choice(PLACES)
            title = f"{place}: {actor} {verb} {obj} {rng.choice(CLAUSES)}"
            slug = _slug(title, rng)
            if f"{prefix}/{slug}" not in self.paths:
                break
        self.paths.add(f"{prefix}/{slug}")
        lead = f"{actor} {verb} {obj}، {rng.choice(CLAUSES)}."
        no_body = section in NO_BODY
        paragraphs = [] if no_body else [_sentence(rng) for _ in range(rng.randint(2, 5))]
        if group == "articles":
            authors = rng.sample(WRITERS, 1 if rng.random() < 0.7 else rng.choice((2, 3)))
        else:
            authors = [DESK if group == "news" else NETWORK]
        tags = rng.sample(TAGS, rng.randint(1, 4))
        keywords = list(tags)
        if rng.random() < 0.35:  # a third of the records repeat a keyword
            keywords.insert(rng.randrange(len(keywords) + 1), rng.choice(tags))
        if rng.random() < 0.25:
            i = rng.randrange(len(keywords))
            keywords[i] = f" {keywords[i]} "
        return ArStory(
            post_id=post_id,
            group=group,
            section=section,
            prefix=prefix,
            slug=slug,
            title=title,
            lead=lead,
            paragraphs=paragraphs,
            authors=authors,
            keywords=keywords,
            region=rng.choice(REGIONS) if rng.random() < 0.8 else None,
            coverage=rng.choice(COVERAGES) if rng.random() < 0.3 else None,
            published=when,
            video_duration=str(rng.randint(40, 900)) if group == "videos" else None,
        )


def _choose_variations(rng: random.Random, stories: list[ArStory]) -> None:
    """Spread the page variations over the stories (each on at least 3 pages)."""
    n = len(stories)
    everyone = list(range(n))

    def some(pool: Sequence[int], share: float) -> list[int]:
        return rng.sample(list(pool), min(len(pool), max(3, round(share * len(pool)))))

    heads = some(everyone, 0.2)
    for k, i in enumerate(heads):
        stories[i].head = "no_metadata" if k % 2 else "visible"
    forms = ("levantine", "dual", "indic", "iso")
    for i in everyone:
        stories[i].date_form = forms[rng.randrange(len(forms))]
    for i in some(everyone, 0.2):
        stories[i].marks = True
    # Several writers on some opinion pieces: "، " and " و" in the byline.
    for i in some([i for i in everyone if stories[i].group == "articles"], 0.4):
        stories[i].authors = rng.sample(WRITERS, rng.choice((2, 3)))
    for i in some(everyone, 0.3):
        stories[i].category_space = True
    cutoff = (WINDOW_END - timedelta(days=2)).replace(tzinfo=BEIRUT)
    for i in some([i for i in everyone if stories[i].published < cutoff], 0.2):
        s = stories[i]
        s.updated = s.published + timedelta(hours=rng.randint(1, 40), minutes=rng.randrange(60))
    with_body = [i for i in everyone if stories[i].paragraphs]
    for i in some(with_body, 0.3):
        other = stories[rng.choice([j for j in everyone if j != i])]
        stories[i].read_also = other.path
    for i in some(with_body, 0.25):
        others = rng.sample([j for j in everyone if j != i], 2)
        stories[i].related = [stories[j].path for j in others]
    # An infographic or a report with a player: metadata video_duration outside videos.
    for i in some([i for i in everyone if stories[i].section == "infograph"], 0.5):
        stories[i].video_duration = str(rng.randint(30, 120))
    for i in some(everyone, 0.03):
        stories[i].fault = "transient_503"


# --------------------------------------------------------------------------- display forms


def display_date(moment: datetime, form: str, *, with_time: bool = True) -> str:
    """How the page shows a time: Levantine names, the dual form, Arabic-Indic digits or ISO."""
    local = moment.astimezone(BEIRUT)
    clock = f" {local:%H:%M}" if with_time else ""
    if form == "iso":
        return f"{local:%Y-%m-%d}{clock}"
    month = LEVANTINE[local.month - 1]
    if form in ("dual", "indic"):
        month = f"{month}/{EGYPTIAN[local.month - 1]}"
    text = f"{local.day} {month} {local.year}{clock}"
    return text.translate(INDIC) if form == "indic" else text


def _mark(story: ArStory, text: str, k: int = 0) -> str:
    """``text`` with a stray direction mark in front, on stories that carry them."""
    return DIRECTION_MARKS[k % len(DIRECTION_MARKS)] + text if story.marks else text


def byline(story: ArStory) -> str:
    """The author line: "بقلم: " on opinion pieces; names joined by "،" and " و"."""
    names = story.authors
    text = names[0] if len(names) == 1 else "، ".join(names[:-1]) + " و" + names[-1]
    return f"بقلم: {text}" if story.group == "articles" else text


# --------------------------------------------------------------------------- pages


def _menu() -> str:
    items = "".join(f'<li><a href="{p}">{escape(label)}</a></li>' for _, _, p, label in SECTIONS)
    return (
        '<header class="header"><div class="logo"><a href="/">الميادين</a></div>'
        '<nav class="main-menu"><ul><li class="has-sub"><a href="/news">أخبار</a>'
        f'<ul class="sub-menu">{items}</ul></li><li class="live"><a href="/live">مباشر</a></li>'
        "</ul></nav></header>"
    )


def _page(title: str, canonical: str, head: str, body_class: str, main: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="ar" dir="rtl"><head><meta charset="utf-8">'
        f"<title>{escape(title)} | الميادين</title>"
        f'<link rel="canonical" href="{escape(canonical)}">{head}</head>'
        f'<body class="{body_class}">{_menu()}<main class="container">{main}</main>'
        '<footer class="footer"><p>جميع الحقوق محفوظة</p></footer></body></html>'
    )


def _image(story: ArStory) -> str:
    day = story.published.astimezone(BEIRUT)
    return f"{MEDIA_HOST}/media/image/{day.year}/{day.month}/{day.day}/{story.post_id}.jpg"


def _metadata(story: ArStory, base: str) -> dict[str, object]:
    space = " " if story.category_space else ""
    classes = [{"key": "class1", "mapping": "posttype", "value": space + POSTTYPE[story.group]}]
    if story.section in CATEGORY:
        classes.append(
            {"key": "class2", "mapping": "category", "value": space + CATEGORY[story.section]}
        )
    if story.region:
        classes.append(
            {"key": "class3", "mapping": "country", "value": space + _mark(story, story.region, 1)}
        )
    if story.coverage:
        classes.append(
            {"key": "class5", "mapping": "coverage", "value": _mark(story, story.coverage, 2)}
        )
    classes.append({"key": "class6", "mapping": "author", "value": story.authors[0]})
    return {
        "postid": story.post_id,
        "title": _mark(story, story.title),
        "keywords": ",".join(story.keywords),
        "thumbnail": _image(story),
        "video_duration": story.video_duration,
        "word_count": str(len(story.body.split())),
        "lang": "ar",
        "published_time": story.published.isoformat(),
        "last_updated": (story.updated or story.published).isoformat(),
        "description": story.lead,
        "author": _mark(story, "، ".join(story.authors)),
        "classes": classes,
        # Half with the raw Arabic path, half percent-encoded: the same canonical URL.
        "url": base + (story.path if int(story.post_id) % 2 else story.encoded_path),
        "type": "article",
    }


def _meta_tags(story: ArStory, base: str) -> str:
    tags = [
        ("name", "description", story.lead),
        ("name", "keywords", ",".join(story.keywords)),
        ("name", "author", "، ".join(story.authors)),
        ("name", "postid", story.post_id),
        ("property", "og:title", _mark(story, story.title)),
        ("property", "og:description", story.lead),
        ("property", "og:url", base + story.encoded_path),
        ("property", "og:image", _image(story)),
        ("property", "article:published_time", story.published.isoformat()),
    ]
    if story.updated is not None:
        tags.append(("property", "article:modified_time", story.updated.isoformat()))
    return "".join(f'<meta {k}="{escape(n)}" content="{escape(v)}">' for k, n, v in tags)


def article_page(story: ArStory, base: str, titles: dict[str, str]) -> str:
    """The article's page in the modeled template (``reference/ar/article-*.html``)."""
    head = ""
    if story.head in ("full", "no_metadata"):
        head += _meta_tags(story, base)
    if story.head == "full":
        data = json.dumps(_metadata(story, base), ensure_ascii=False).replace("</", "<\\/")
        head += f'<script id="tawsiyat-metadata" type="text/tawsiyat">{data}</script>'
    body: list[str] = []
    for n, text in enumerate(story.paragraphs):
        body.append(f"<p>{escape(_mark(story, text) if n == 0 else text)}</p>")
        if n == 0 and story.read_also:
            href = escape(story.read_also)
            label = escape(titles[story.read_also])
            body.append(f'<p><strong>اقرأ أيضاً: <a href="{href}">{label}</a></strong></p>')
        if n == 1 and story.related:
            items = "".join(
                f'<li><a href="{escape(quote(p, safe="/:-"))}">{escape(titles[p])}</a></li>'
                for p in story.related
            )
            body.append(f'<div class="dual-related"><h5>اقرأ أيضاً</h5><ul>{items}</ul></div>')
    if len(story.paragraphs) == 1 and story.related:  # never: at least 2 paragraphs
        raise AssertionError("related box needs two paragraphs")
    player = (
        f'<div class="video-player" data-src="/media/video/{story.post_id}.m3u8"></div>'
        if story.is_video
        else ""
    )
    tags = "".join(
        f'<li><a href="/tags/{escape(t.strip())}">{escape(_mark(story, t, 2))}</a></li>'
        for t in story.keywords
    )
    coverage = (
        f'<div class="coverage-box"><a href="/coverage/{escape(story.coverage)}">'
        f"<h4>{escape(_mark(story, story.coverage))}</h4></a></div>"
        if story.coverage
        else ""
    )
    date = _mark(story, display_date(story.published, story.date_form), 1)
    main = (
        '<article class="article"><ol class="breadcrumb"><li><a href="/">الرئيسية</a></li>'
        f'<li><a href="{story.prefix}">{escape(story.section)}</a></li></ol>'
        '<div class="details-white-box">'
        f'<h1 class="article-title">{escape(_mark(story, story.title))}</h1>'
        f'<ul class="article-meta"><li class="author">{escape(_mark(story, byline(story), 1))}</li>'
        f'<li class="date"><span class="time">{escape(date)}</span></li></ul>'
        f'<div class="lg_para summary"><p>{escape(story.lead)}</p></div></div>'
        '<figure class="main-image">'
        f'<img src="{escape(_mark(story, _image(story)))}" alt=""></figure>'
        f'{player}<div class="p-content">{"".join(body)}</div>'
        f'<div class="tags"><ul>{tags}</ul></div></article>{coverage}'
    )
    return _page(story.title, base + story.encoded_path, head, "article-page", main)


def _card(story: ArStory | None, path: str, title: str, when: datetime, form: str) -> str:
    href = quote(path, safe="/:-") + ("?utm_source=homepage" if story and story.marks else "")
    return (
        f'<div class="white-card"><a href="{escape(href)}"><h4>{escape(title)}</h4></a>'
        f'<div class="time"><p>{escape(display_date(when, form, with_time=False))}</p></div></div>'
    )


def listing_page(label: str, canonical: str, cards: Sequence[str], next_path: str | None) -> str:
    more = f'<a class="loadmorebtn" href="{escape(next_path)}">المزيد</a>' if next_path else ""
    main = (
        f'<h1 class="page-title">{escape(label)}</h1>'
        f'<div class="no-gap white-bg-colored all-bordered">{"".join(cards)}</div>{more}'
    )
    return _page(label, canonical, "", "listing-page", main)


def profile_page(title: str, canonical: str, posttype: str) -> str:
    """An author profile or dossier page: metadata type "page", listed in the sitemaps."""
    data = {
        "url": canonical,
        "type": "page",
        "title": title,
        "keywords": "",
        "published_time": "2023-10-07T06:30:00+03:00",
        "classes": [{"key": "class1", "mapping": "posttype", "value": posttype}],
    }
    script = (
        '<script id="tawsiyat-metadata" type="text/tawsiyat">'
        f"{json.dumps(data, ensure_ascii=False)}</script>"
    )
    main = (
        f'<h1 class="page-title">{escape(title)}</h1>'
        f'<div class="p-content"><p>{escape(title)}</p></div>'
    )
    return _page(title, canonical, script, "listing-page", main)


# --------------------------------------------------------------------------- ground truth


def _strip_marks(text: str) -> str:
    for mark in DIRECTION_MARKS:
        text = text.replace(mark, "")
    return " ".join(text.split())


def ground_truth_for(story: ArStory, base: str, paths: set[str]) -> Article:
    """The `Article` a correct crawl makes of the story's page (site-notes.md's contract)."""
    url = canonicalize_url(base + story.encoded_path)
    visible = story.head == "visible"
    links: list[str] = []
    linked = ([story.read_also] if story.read_also and story.paragraphs else []) + (
        story.related if len(story.paragraphs) >= 2 else []
    )
    for path in linked:
        link = canonicalize_url(base + quote(path, safe="/:-"))
        if path in paths and link not in links:
            links.append(link)
    tags: list[str] = []
    for keyword in story.keywords:
        if keyword.strip() not in tags:
            tags.append(keyword.strip())
    article = Article(
        article_id=_article_id(url),
        url=url,
        title=story.title,
        published_at=story.published.astimezone(UTC),
        post_id=None if visible else story.post_id,
        edition="ar",
        section=story.section,
        section_group=story.group,
        # Only the metadata gives video_duration: a page without it is filed by its group.
        content_type="video"
        if story.group == "videos" or (story.video_duration and story.head == "full")
        else "article",
        subtitle=story.lead,
        authors=list(story.authors),
        tags=tags,
        source=None,
        region=story.region if story.head == "full" else None,
        coverage=story.coverage,
        updated_at=None if visible or story.updated is None else story.updated.astimezone(UTC),
        read_time_min=None,
        word_count=len(story.body.split()),
        body=story.body,
        image_url=_image(story),
        image_caption=None,
        links=links,
        # Only the metadata script carries video_duration.
        video_duration_s=(
            parse_duration_s(story.video_duration)
            if story.video_duration and story.head == "full"
            else None
        ),
    )
    article.content_hash = content_hash(article.to_dict())
    return article


def _article_id(url: str) -> str:
    """The Arabic edition's id rule (distinct from English ids of the same path)."""
    from newsdesk import editions

    return editions.get("ar").article_id_for(url)


# --------------------------------------------------------------------------- the site


def _revise(
    rng: random.Random, writer: _Writer, stories: list[ArStory], next_id: int
) -> tuple[list[ArStory], list[ArStory]]:
    """One round of changes: about 3 articles edited, about 4 new ones published."""
    newest = max(s.published for s in stories)
    with_body = [s for s in stories if s.paragraphs]
    edited = rng.sample(with_body, min(3, len(with_body)))
    for s in edited:
        s.paragraphs = [*s.paragraphs, _sentence(rng)]
        s.updated = newest + timedelta(hours=rng.randint(1, 12))
    added: list[ArStory] = []
    for k in range(4):
        row = rng.choices(SECTIONS, weights=WEIGHTS)[0]
        when = (newest + timedelta(hours=13 + k * 3)).astimezone(BEIRUT)
        added.append(writer.story(str(next_id + k), row, when))
    stories.extend(added)
    return edited, added


def generate_site(
    base_url: str, *, seed: int = 7, n_articles: int = 120, revision: int = 1
) -> Site:
    """Generate the Arabic replica (deterministic: same arguments, byte-identical pages).

    ``base_url`` (``http://127.0.0.1:8123``) prefixes every absolute URL; the
    pages link with relative, percent-encoded paths, the server answers the
    raw and the encoded form alike (``Site.resolve`` unquotes).
    """
    if n_articles < MIN_ARTICLES:
        raise ValueError(f"n_articles must be at least {MIN_ARTICLES}")
    if revision < 1:
        raise ValueError("revision starts at 1")
    base = base_url.rstrip("/")
    rng = random.Random(f"{seed}:ar")
    writer = _Writer(rng)
    rows = rng.choices(SECTIONS, weights=WEIGHTS, k=n_articles)
    # Every section has at least one article, so every listing has a card.
    for k, row in enumerate(SECTIONS):
        rows[k] = row
    times = _wall_times(rng, n_articles, WINDOW_START, WINDOW_END)
    stories = [
        writer.story(str(1_800_001 + n), row, when)
        for n, (row, when) in enumerate(zip(rows, times, strict=True))
    ]
    _choose_variations(rng, stories)

    edited: list[ArStory] = []
    added: list[ArStory] = []
    for round_no in range(2, revision + 1):
        round_rng = random.Random(f"{seed}:ar-revision:{round_no}")
        edited, added = _revise(round_rng, writer, stories, 1_800_001 + len(stories))

    resources: dict[str, Resource] = {}

    def put(
        path: str,
        body: str,
        content_type: str = HTML,
        *,
        status: int = 200,
        fault: str | None = None,
    ) -> None:
        resources[path] = Resource(status, content_type, body.encode("utf-8"), fault)

    titles = {s.path: s.title for s in stories}
    paths = set(titles)
    newest_first = sorted(stories, key=lambda s: (s.published, s.post_id), reverse=True)
    for story in newest_first:
        put(story.path, article_page(story, base, titles), fault=story.fault)

    # Faults: two dead links and one always-failing page, listed as cards.
    dead = ["/news/politics/خبر-محذوف-من-الموقع", "/video/فيديو-غير-موجود"]
    failing = ["/news/politics/صفحة-تفشل-دائما"]
    for path in failing:
        put(
            path,
            markup.error_page(500, "Internal Server Error", "Something went wrong."),
            status=500,
        )

    # Listings, newest first, with load-more.
    for _group, _section, prefix, label in SECTIONS:
        entries = [s for s in newest_first if s.prefix == prefix]
        cards = [_card(s, s.path, _mark(s, s.title), s.published, s.date_form) for s in entries]
        when = entries[0].published if entries else WINDOW_END.replace(tzinfo=BEIRUT)
        ghosts = [p for p in dead + failing if p.startswith(prefix + "/")]
        for n, path in enumerate(ghosts):
            cards.insert(min(len(cards), 2 + n), _card(None, path, "عنوان قديم", when, "dual"))
        pages = [cards[i : i + PER_PAGE] for i in range(0, len(cards), PER_PAGE)] or [[]]
        for n, chunk in enumerate(pages, start=1):
            path = prefix if n == 1 else f"{prefix}?page={n}"
            nxt = f"{prefix}?page={n + 1}" if n < len(pages) else None
            put(path, listing_page(label, base + prefix, chunk, nxt))
    home = [_card(s, s.path, s.title, s.published, s.date_form) for s in newest_first[:8]]
    put("/", listing_page("الرئيسية", base + "/", home, None))

    # Author profiles and dossiers: in the sitemaps, never articles.
    profiles: list[tuple[str, datetime]] = []
    for name in sorted({a for s in stories for a in s.authors}):
        path = "/authors/" + name.replace(" ", "-")
        put(path, profile_page(name, base + quote(path, safe="/:-"), "الكتّاب"))
        profiles.append((path, WINDOW_START.replace(tzinfo=BEIRUT)))
    for name in sorted({s.coverage for s in stories if s.coverage}):
        path = "/coverage/" + name.replace(" ", "-").replace('"', "")
        put(path, profile_page(name, base + quote(path, safe="/:-"), "ملفات"))
        profiles.append((path, WINDOW_START.replace(tzinfo=BEIRUT)))

    # Sitemaps: an index and one file a month (month not zero-padded).
    months: dict[tuple[int, int], list[tuple[str, datetime]]] = defaultdict(list)
    for story in reversed(newest_first):
        local = story.published.astimezone(BEIRUT)
        months[(local.year, local.month)].append((story.encoded_path, story.last_modified))
    first = min(months)
    months[first].extend((quote(p, safe="/:-"), when) for p, when in profiles)
    index = []
    for (year, month), entries in sorted(months.items()):
        path = f"/sitemaps/all/sitemap-{year}-{month}.xml"
        put(path, markup.sitemap_urlset((base + p, m) for p, m in entries), XML)
        index.append((base + path, max(m for _, m in entries)))
    put("/sitemaps/all.xml", markup.sitemap_index(index), XML)
    put("/robots.txt", markup.robots(base), TEXT)

    by_time = sorted(stories, key=lambda s: (s.published, s.post_id))
    not_found = markup.error_page(404, "الصفحة غير موجودة", "الصفحة التي طلبتها غير موجودة.")

    def urls(selected: Iterable[ArStory]) -> list[str]:
        return [canonicalize_url(base + s.encoded_path) for s in selected]

    return Site(
        base_url=base,
        seed=seed,
        n_articles=n_articles,
        revision=revision,
        resources=resources,
        ground_truth=[ground_truth_for(s, base, paths) for s in by_time],
        removed=[],
        edited=urls(edited),
        added=urls(added),
        dead_urls=[canonicalize_url(base + quote(p, safe="/:-")) for p in dead],
        failing_urls=[canonicalize_url(base + quote(p, safe="/:-")) for p in failing],
        transient_urls=urls(s for s in by_time if s.fault == "transient_503"),
        slow_urls=[],
        sections=[(g, s, label) for g, s, _, label in SECTIONS],
        variations=_variations(by_time, base, [base + quote(p, safe="/:-") for p, _ in profiles]),
        not_found=Resource(404, HTML, not_found.encode("utf-8")),
        stories=[],
    )


def _variations(stories: list[ArStory], base: str, profile_urls: list[str]) -> dict[str, list[str]]:
    """Variation name -> the URLs that carry it (what a test can pick its cases from)."""
    out: dict[str, list[str]] = defaultdict(list)
    for s in stories:
        url = canonicalize_url(base + s.encoded_path)
        checks = {
            "no_metadata": s.head == "no_metadata",
            "visible_only": s.head == "visible",
            "date_levantine": s.date_form == "levantine",
            "date_dual": s.date_form == "dual",
            "date_indic_digits": s.date_form == "indic",
            "date_iso": s.date_form == "iso",
            "direction_marks": s.marks,
            "classes_leading_space": s.category_space and s.head == "full",
            "keyword_repeated": len({k.strip() for k in s.keywords}) < len(s.keywords),
            "keyword_stray_spaces": any(k != k.strip() for k in s.keywords),
            "no_body": not s.paragraphs,
            "read_also": bool(s.read_also and s.paragraphs),
            "dual_related": bool(s.related and len(s.paragraphs) >= 2),
            "several_authors": len(s.authors) > 1,
            "video_duration_outside_videos": s.group != "videos" and s.video_duration is not None,
            "updated": s.updated is not None,
            "transient_503": s.fault == "transient_503",
            "slug_starts_with_dash": s.slug.startswith("-"),
        }
        for name, hit in checks.items():
            if hit:
                out[name].append(url)
    out["non_article_page"] = profile_urls
    return dict(out)
