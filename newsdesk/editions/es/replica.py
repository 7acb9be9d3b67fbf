"""A deterministic, offline replica of Al Mayadeen Español: pages and ground truth.

Simpler than the English generator (``newsdesk.replica.generator``), with the
Spanish site's variations (site-notes.md, "Spanish"):

* article URLs ``/{section}/{postid}/{slug}`` with accented sections and slugs
  (served decoded, linked and listed percent-encoded as canonical URLs are);
* the meta list: the author shown twice (photo alt text and name; on some pages
  the name is also rendered as text twice), ``Fuente: ...`` (absent on some),
  the date **without a year** (``23 Julio 19:20``) and ``20 Visualizaciones``;
* three page heads: the metadata script and meta tags (``full``), meta tags
  only (``no_metadata``), and neither (``bare``: only the yearless visible date
  tells when the page was published);
* videos (the videos group, or a ``video_duration`` in another section), updated
  pages, duplicate tags, "Lee también:" lines and related boxes, transient 503s
  and a dead link in a listing.

Year inference. A ``bare`` page's year can only come from what the crawler
knows. The crawl's clock is the real one, so on a replica of past articles the
fetch time says nothing; the monthly sitemap file that lists the page does (the
spider passes its month: the date is the latest one not after that month's
end). So ``bare`` pages are listed in sitemaps only, never on listings or in
other pages' bodies, and some are published in late December and filed in the
January file (lastmod in January), across the year boundary.

Everything is drawn from ``random.Random(seed)``; the ground truth is computed
from the stories, never by parsing the pages.
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html import escape
from zoneinfo import ZoneInfo

from newsdesk.editions.es.spec import EDITION, MENU_SECTIONS
from newsdesk.hashing import content_hash
from newsdesk.items import Article
from newsdesk.replica import markup
from newsdesk.replica.generator import HTML, TEXT, XML, Resource, Site
from newsdesk.urls import canonicalize_url

BEIRUT = ZoneInfo("Asia/Beirut")
MIN_ARTICLES = 20
PER_PAGE = 8
SLUG_MAX = 60
WINDOW_START = datetime(2024, 9, 1)  # naive Beirut wall time
WINDOW_DAYS = 420  # to late October 2025
HOUSE_AUTHOR = "Al Mayadeen Español"
TITLE_SUFFIX = " | Al Mayadeen Español"

MONTHS_ES = (
    "Enero",
    "Febrero",
    "Marzo",
    "Abril",
    "Mayo",
    "Junio",
    "Julio",
    "Agosto",
    "Septiembre",
    "Octubre",
    "Noviembre",
    "Diciembre",
)

# Menu labels of the sections (the slugs are the edition's), by menu item.
SECTION_LABELS: dict[str, str] = {
    "política": "Política",
    "cultura-y-arte": "Cultura y Arte",
    "deportes": "Deportes",
    "salud": "Salud",
    "tecnología": "Tecnología",
    "medio-ambiente": "Medio Ambiente",
    "medios-internacionales": "Medios Internacionales",
    "crónicas-del-medio-oriente": "Crónicas del Medio Oriente",
    "infografías": "Infografías",
    "caricaturas": "Caricaturas",
    "historietas": "Historietas",
    "coberturas": "Coberturas",
    "artículos-exclusivos": "Artículos Exclusivos",
    "artículos": "Artículos",
    "entrevistas": "Entrevistas",
    "a-profundidad": "A Profundidad",
    "escritores": "Escritores",
    "focus": "Focus",
    "como-te-cuento": "Como te Cuento",
    "al-mayadeen-semanal": "Al Mayadeen Semanal",
    "poesía-en-resistencia": "Poesía en Resistencia",
    "imagínate": "Imagínate",
    "flashdotnet": "Flashdotnet",
    "despixelado": "Despixelado",
    "televisión": "Televisión",
}
# The menu as the site shows it: (label, link, sub-menu slugs); no sub-menu: the
# item is a section itself.
MENU: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Noticias", "/noticias", MENU_SECTIONS["news"][:8]),
    ("Video", "/video", MENU_SECTIONS["videos"][:7]),
    ("Opinión", "/opinion", MENU_SECTIONS["articles"]),
    ("Televisión", "/televisión", ()),
    ("Multimedia", "/multimedia", ("infografías", "caricaturas", "historietas")),
    ("Coberturas", "/coberturas", ()),
)

ACTORS = (
    "El canciller iraní",
    "La resistencia palestina",
    "El gobierno venezolano",
    "La ONU",
    "El presidente de Colombia",
    "Los ministros de Exteriores",
    "La Unión Africana",
    "El portavoz de Hamás",
)
VERBS = ("denuncia", "anuncia", "rechaza", "celebra", "advierte sobre", "analiza")
OBJECTS = (
    "las sanciones económicas",
    "el bloqueo a Gaza",
    "la cumbre de los BRICS",
    "el acuerdo energético",
    "la ofensiva en el sur del Líbano",
    "las elecciones regionales",
    "la crisis del agua",
)
CITIES = ("Caracas", "Beirut", "Teherán", "La Habana", "Bogotá", "Saná", "Damasco", "México")
WRITERS = ("Ana Pérez", "Luis Gómez", "María López", "Juan Díaz", "Sofía Martínez")
SOURCES = ("Agencias", "Exclusivo Al Mayadeen", "Al Mayadeen Español", "Prensa Latina")
TAGS = ("Palestina", "Líbano", "Irán", "Venezuela", "BRICS", "Gaza", "Cuba", "Yemen")
REGIONS = ("Palestina", "Líbano", "Irán", "Venezuela", "Cuba")
COVERAGES = ("Diluvio de Al Aqsa", "Rusia y la OTAN")


def slugify(title: str) -> str:
    """The site's slug: lower case, accents kept, other punctuation and spaces ``-``, 60 chars."""
    out = [ch if ch.isalnum() or ch in ":-" else "-" for ch in title.lower()]
    return "".join(out)[:SLUG_MAX]


def display_date(moment: datetime, *, with_time: bool = True) -> str:
    """``23 Julio 19:20``: Beirut wall time, Spanish month name, no year (as the site shows)."""
    local = moment.astimezone(BEIRUT)
    text = f"{local.day} {MONTHS_ES[local.month - 1]}"
    return f"{text} {local:%H:%M}" if with_time else text


@dataclass
class EsStory:
    """One Spanish article and every choice that makes its page vary."""

    post_id: str
    section: str
    title: str
    lead: str
    authors: list[str]
    source: str | None
    tags: list[str]  # as written, duplicates and stray spaces included
    region: str | None
    coverage: str | None
    published: datetime  # aware, Beirut
    updated: datetime | None
    head: str  # "full", "no_metadata" or "bare"
    paragraphs: list[str]
    video_duration: int | None = None
    image: str | None = None
    caption: str | None = None
    read_also: EsStory | None = None  # a "Lee también:" line in the body
    related: list[EsStory] = field(default_factory=list)  # a related-news box
    author_text_twice: bool = False  # the byline text repeats the name
    fault: str | None = None
    sitemap_month: tuple[int, int] = (0, 0)

    @property
    def group(self) -> str:
        group = EDITION.group_of_section(self.section)
        assert group is not None
        return group

    @property
    def path(self) -> str:
        """The decoded path (what the server keys resources by)."""
        return f"/{self.section}/{self.post_id}/{slugify(self.title)}"

    @property
    def is_video(self) -> bool:
        return self.group == "videos" or self.video_duration is not None

    @property
    def listed(self) -> bool:
        # A bare page's date needs its sitemap month: it is found through sitemaps only.
        return self.head != "bare"

    @property
    def last_modified(self) -> datetime:
        return self.updated or self.published


def _url(base: str, story: EsStory) -> str:
    return canonicalize_url(base + story.path)


def _dedupe(values: list[str]) -> list[str]:
    out: list[str] = []
    for value in (v.strip() for v in values):
        if value and value not in out:
            out.append(value)
    return out


def body_text(story: EsStory) -> str:
    """The body as the dataset keeps it: own paragraphs only."""
    return "\n\n".join(story.paragraphs)


def ground_truth_for(story: EsStory, base: str) -> Article:
    """The Article a correct extractor makes of this story's page (site-notes' rules)."""
    url = _url(base, story)
    body = body_text(story)
    links: list[str] = []
    for other in ([story.read_also] if story.read_also else []) + story.related:
        link = _url(base, other)
        if link not in links:
            links.append(link)
    updated = story.updated if story.head != "bare" else None
    article = Article(
        article_id=EDITION.article_id_for(url),
        url=url,
        title=story.title,
        published_at=story.published.astimezone(UTC),
        post_id=story.post_id,
        edition=EDITION.code,
        section=story.section,
        section_group=story.group,
        content_type="video" if story.is_video else "article",
        subtitle=story.lead,
        authors=list(story.authors),
        tags=_dedupe(story.tags),
        source=story.source,
        region=story.region if story.head == "full" else None,
        coverage=story.coverage,
        updated_at=updated.astimezone(UTC) if updated else None,
        read_time_min=None,
        word_count=len(body.split()),
        body=body,
        image_url=base + story.image if story.image else None,
        image_caption=story.caption if story.image else None,
        links=links,
        # Only the metadata script carries video_duration.
        video_duration_s=story.video_duration if story.head == "full" else None,
    )
    article.content_hash = content_hash(article.to_dict())
    return article


# --------------------------------------------------------------------------- markup


def _menu() -> str:
    items = []
    for label, link, subs in MENU:
        if not subs:
            items.append(f'<li><a href="{escape(link)}">{escape(label)}</a></li>')
            continue
        sub = "".join(
            f'<li><a href="/{escape(s)}">{escape(SECTION_LABELS[s])}</a></li>' for s in subs
        )
        items.append(
            f'<li class="has-sub"><a href="{escape(link)}">{escape(label)}</a>'
            f'<ul class="sub-menu">{sub}</ul></li>'
        )
    return '<nav class="main-menu"><ul>' + "".join(items) + "</ul></nav>"


def _header() -> str:
    return (
        '<header class="header"><div class="top-bar"><ul class="lang-switch">'
        '<li><a href="https://english.almayadeen.net/">En</a></li>'
        '<li><a href="https://www.almayadeen.net/">ع</a></li></ul></div>'
        '<div class="logo"><a href="/"><img src="/static/logo.svg" alt="Al Mayadeen Español">'
        f"</a></div>{_menu()}</header>"
    )


def _footer() -> str:
    return '<footer class="footer"><p>Todos los derechos reservados</p></footer>'


def _iso(moment: datetime) -> str:
    return moment.astimezone(BEIRUT).isoformat()


def _metadata(story: EsStory, base: str) -> str:
    classes = [
        {"key": "class1", "mapping": "posttype", "value": "Video" if story.is_video else "Noticia"},
        {"key": "class2", "mapping": "category", "value": SECTION_LABELS[story.section]},
    ]
    if story.region:
        classes.append({"key": "class3", "mapping": "country", "value": story.region})
    if story.coverage:
        classes.append({"key": "class5", "mapping": "coverage", "value": story.coverage})
    data = {
        "postid": story.post_id,
        "title": story.title,
        "keywords": ",".join(story.tags),
        "thumbnail": base + story.image if story.image else "",
        "video_duration": str(story.video_duration) if story.video_duration else None,
        "word_count": str(len(body_text(story).split())),
        "lang": "es",
        "published_time": _iso(story.published),
        "last_updated": _iso(story.last_modified),
        "description": story.lead,
        "author": " y ".join(story.authors),
        "classes": classes,
        "url": _url(base, story),
        "type": "article",
    }
    text = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    return f'<script id="tawsiyat-metadata" type="text/tawsiyat">{text}</script>'


def _meta_tags(story: EsStory, base: str) -> str:
    url = _url(base, story)
    tags = [
        ("name", "description", story.lead),
        ("name", "keywords", ",".join(story.tags)),
        ("name", "author", " y ".join(story.authors)),
        ("name", "postid", story.post_id),
        ("property", "og:type", "article"),
        ("property", "og:title", story.title),
        ("property", "og:description", story.lead),
        ("property", "og:url", url),
    ]
    if story.image:
        tags.append(("property", "og:image", base + story.image))
    tags.append(("property", "article:published_time", _iso(story.published)))
    if story.updated:
        tags.append(("property", "article:modified_time", _iso(story.updated)))
    return "".join(f'<meta {k}="{escape(n)}" content="{escape(v)}">\n' for k, n, v in tags)


def _link(base: str, story: EsStory) -> str:
    return f'<a href="{escape(_url(base, story))}">{escape(story.title)}</a>'


def article_page(story: EsStory, base: str) -> str:
    """The article page in the network's template, with the Spanish meta list."""
    url = _url(base, story)
    head = [
        f'<meta charset="utf-8"><title>{escape(story.title + TITLE_SUFFIX)}</title>\n',
        f'<link rel="canonical" href="{escape(url)}">\n',
    ]
    if story.head != "bare":
        head.append(_meta_tags(story, base))
    if story.head == "full":
        head.append(_metadata(story, base))
    byline = " y ".join(story.authors)
    photo = (
        f'<img class="author-photo" src="/static/autores/{story.post_id}.jpg" '
        f'alt="{escape(byline)}">'
    )
    shown = f"{byline} {byline}" if story.author_text_twice else byline
    meta = [f'<li class="author">{photo}<span class="name">{escape(shown)}</span></li>']
    if story.source:
        meta.append(f'<li class="source">Fuente: {escape(story.source)}</li>')
    meta.append(f'<li class="date"><span class="time">{display_date(story.published)}</span></li>')
    meta.append('<li class="views">20 Visualizaciones</li>')
    writer = story.authors[0]
    crumbs = (
        '<ol class="breadcrumb"><li><a href="/">Inicio</a></li>'
        f'<li><a href="/escritores">{escape(writer)}</a></li>'
        f'<li><a href="/{escape(story.section)}">{escape(SECTION_LABELS[story.section])}</a></li>'
        f"<li>{escape(story.title)}</li></ol>"
    )
    figure = ""
    if story.image:
        cap = f"<figcaption>{escape(story.caption)}</figcaption>" if story.caption else ""
        figure = (
            f'<figure class="main-image"><img src="{escape(story.image)}" '
            f'alt="{escape(story.title)}">{cap}</figure>\n'
        )
    player = ""
    if story.is_video:
        player = f'<div class="video-player" data-duration="{story.video_duration or 0}"></div>\n'
    body = [f"<p>{escape(p)}</p>" for p in story.paragraphs]
    if story.read_also is not None:
        body.insert(
            min(1, len(body)),
            f"<p><strong>Lee también: {_link(base, story.read_also)}</strong></p>",
        )
    if story.related:
        items = "".join(f"<li>{_link(base, s)}<p>{escape(s.lead)}</p></li>" for s in story.related)
        body.append(
            f'<div class="related-news"><h5>Noticias relacionadas</h5><ul>{items}</ul></div>'
        )
    tags = "".join(
        f'<li><a href="/etiquetas/{escape(t.strip())}">{escape(t)}</a></li>' for t in story.tags
    )
    coverage = ""
    if story.coverage:
        coverage = (
            '<div class="coverage-box"><a href="/coberturas">'
            f"<h4>{escape(story.coverage)}</h4></a></div>"
        )
    return (
        '<!DOCTYPE html>\n<html lang="es" dir="ltr"><head>\n'
        + "".join(head)
        + '</head><body class="article-page">'
        + _header()
        + '\n<main class="container"><article class="article">'
        + crumbs
        + '\n<div class="details-white-box"><h1 class="article-title">'
        + escape(story.title)
        + '</h1>\n<ul class="article-meta">'
        + "".join(meta)
        + '</ul>\n<div class="lg_para summary"><p>'
        + escape(story.lead)
        + "</p></div></div>\n"
        + figure
        + player
        + '<div class="p-content">\n'
        + "\n".join(body)
        + "\n</div>\n"
        + (f'<div class="tags"><ul>{tags}</ul></div>\n' if story.tags else "")
        + "</article>\n"
        + coverage
        + "</main>"
        + _footer()
        + "</body></html>\n"
    )


def _card(story: EsStory, base: str) -> str:
    return (
        f'<div class="white-card"><a href="{escape(_url(base, story))}"><h4>{escape(story.title)}'
        f'</h4></a><div class="time"><p>{display_date(story.published, with_time=False)}</p>'
        f'</div><p class="media-caption">{escape(story.lead)}</p></div>'
    )


def listing_page(title: str, canonical: str, cards: list[str], next_url: str | None) -> str:
    """A section listing (or the home page): cards, newest first, and "Cargar más"."""
    more = f'<a class="loadmorebtn" href="{escape(next_url)}">Cargar más</a>' if next_url else ""
    return (
        '<!DOCTYPE html><html lang="es" dir="ltr"><head><meta charset="utf-8">'
        f"<title>{escape(title + TITLE_SUFFIX)}</title>"
        f'<link rel="canonical" href="{escape(canonical)}"></head><body class="listing-page">'
        f'{_header()}<main class="container"><h1 class="page-title">{escape(title)}</h1>'
        f'<div class="no-gap white-bg-colored all-bordered">{"".join(cards)}</div>{more}</main>'
        f"{_footer()}</body></html>"
    )


# --------------------------------------------------------------------------- stories


class _Writer:
    """Draws the stories' text and variations from one seeded generator."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def sentence(self) -> str:
        r = self.rng
        return (
            f"{r.choice(ACTORS)} {r.choice(VERBS)} {r.choice(OBJECTS)} en {r.choice(CITIES)}, "
            f"según fuentes {r.choice(('oficiales', 'locales', 'diplomáticas'))}."
        )

    def story(self, n: int, section: str, published: datetime, head: str) -> EsStory:
        r = self.rng
        city = r.choice(CITIES)
        title = f"{r.choice(ACTORS)} {r.choice(VERBS)} {r.choice(OBJECTS)} en {city}"
        if r.random() < 0.3:
            title = f"¿{title}?"
        group = EDITION.group_of_section(section)
        if group == "articles":
            authors = r.sample(WRITERS, 2 if r.random() < 0.3 else 1)
        else:
            authors = [HOUSE_AUTHOR]
        n_paras = 0 if group == "videos" and r.random() < 0.5 else r.randint(2, 4)
        tags = r.sample(TAGS, r.randint(0, 4))
        if tags and r.random() < 0.3:
            tags.append(tags[0])  # a repeated keyword
        if tags and r.random() < 0.2:
            tags[-1] = f" {tags[-1]} "  # stray spaces
        updated = None
        if head != "bare" and r.random() < 0.25:
            updated = published + timedelta(hours=r.randint(1, 40), minutes=r.randint(0, 59))
        image = f"/media/imagen/{published:%Y/%m/%d}/{n:06x}.jpg" if r.random() < 0.85 else None
        return EsStory(
            post_id=str(2_040_001 + n),
            section=section,
            title=title,
            lead=f"{r.choice(ACTORS)} {r.choice(VERBS)} {r.choice(OBJECTS)}.",
            authors=authors,
            source=r.choice(SOURCES) if r.random() < 0.8 else None,
            tags=tags,
            region=r.choice(REGIONS) if r.random() < 0.7 else None,
            coverage=r.choice(COVERAGES) if r.random() < 0.3 else None,
            published=published,
            updated=updated,
            head=head,
            paragraphs=[
                " ".join(self.sentence() for _ in range(r.randint(1, 3))) for _ in range(n_paras)
            ],
            video_duration=r.randint(40, 900) if group == "videos" else None,
            image=image,
            caption=f"{city}. (Archivo)" if image and r.random() < 0.8 else None,
            author_text_twice=r.random() < 0.25,
        )


def _wall(naive: datetime) -> datetime:
    return naive.replace(tzinfo=BEIRUT)


def _draw_stories(rng: random.Random, n_articles: int) -> list[EsStory]:
    writer = _Writer(rng)
    sections = list(EDITION.all_sections)
    # Pages across the year boundary, all "bare" (only the yearless date shows):
    # (published, sitemap month). Late December filed in January is the hard case.
    boundary = [
        (datetime(2024, 12, 30, 19, 20), (2025, 1)),
        (datetime(2024, 12, 31, 22, 45), (2025, 1)),
        (datetime(2024, 12, 28, 9, 5), (2024, 12)),
        (datetime(2025, 1, 2, 8, 30), (2025, 1)),
    ]
    stories: list[EsStory] = []
    for n in range(n_articles):
        section = sections[n % len(sections)] if n < len(sections) else rng.choice(sections)
        if n < len(boundary):
            naive, month = boundary[n]
            head = "bare"
        else:
            day = WINDOW_START + timedelta(days=rng.randrange(WINDOW_DAYS))
            naive = day.replace(hour=rng.randint(8, 21), minute=rng.randrange(60))
            month = (naive.year, naive.month)
            head = rng.choices(("full", "no_metadata", "bare"), (0.7, 0.15, 0.15))[0]
        story = writer.story(n, section, _wall(naive), head)
        story.sitemap_month = month
        stories.append(story)
    # A video outside the videos group: only its video_duration says it is one.
    for story in stories:
        if story.group == "news" and story.head == "full":
            story.video_duration = 95
            break
    # Links between pages (never to a bare page: it must be found through a sitemap).
    linkable = [s for s in stories if s.listed]
    for story in stories:
        if story.paragraphs and rng.random() < 0.3:
            story.read_also = rng.choice(linkable)
        if story.paragraphs and rng.random() < 0.2:
            story.related = rng.sample(linkable, 2)
    for story in rng.sample(linkable, min(3, len(linkable))):
        story.fault = "transient_503"
    return stories


def _sitemap_lastmod(story: EsStory) -> datetime:
    year, month = story.sitemap_month
    if (year, month) == (story.published.year, story.published.month):
        return story.last_modified
    # Filed later than published: modified within the file's month.
    return datetime(year, month, 3, 10, 0, tzinfo=BEIRUT)


def generate_site(
    base_url: str, *, seed: int = 7, n_articles: int = 240, revision: int = 1
) -> Site:
    """Generate the Spanish replica (deterministic: same arguments, same bytes).

    ``revision`` ``r > 1`` adds ``2 * (r - 1)`` articles published after the newest.
    """
    if n_articles < MIN_ARTICLES:
        raise ValueError(f"n_articles must be at least {MIN_ARTICLES}")
    if revision < 1:
        raise ValueError("revision starts at 1")
    base = base_url.rstrip("/")
    rng = random.Random(f"es:{seed}")
    stories = _draw_stories(rng, n_articles)
    added: list[EsStory] = []
    if revision > 1:
        later = random.Random(f"es:{seed}:revision:{revision}")
        writer = _Writer(later)
        newest = max(s.published for s in stories)
        for i in range(2 * (revision - 1)):
            published = newest + timedelta(hours=3 * (i + 1))
            story = writer.story(
                n_articles + i, later.choice(EDITION.all_sections), published, "full"
            )
            story.sitemap_month = (published.year, published.month)
            added.append(story)
        stories += added

    resources: dict[str, Resource] = {}

    def put(path: str, body: str, content_type: str = HTML, fault: str | None = None) -> None:
        resources[path] = Resource(200, content_type, body.encode("utf-8"), fault)

    newest_first = sorted(stories, key=lambda s: (s.published, s.post_id), reverse=True)
    for story in stories:
        put(story.path, article_page(story, base), fault=story.fault)

    dead = f"/política/{2_099_999}/nota-eliminada"
    page_urls = [base + "/"]
    for section in EDITION.all_sections:
        cards = [_card(s, base) for s in newest_first if s.section == section and s.listed]
        if section == "política":
            cards.insert(min(2, len(cards)), _card_dead(base, dead))
        pages = [cards[i : i + PER_PAGE] for i in range(0, len(cards), PER_PAGE)] or [[]]
        for n, chunk in enumerate(pages, start=1):
            path = f"/{section}" if n == 1 else f"/{section}?page={n}"
            nxt = f"/{section}?page={n + 1}" if n < len(pages) else None
            canonical = canonicalize_url(base + f"/{section}")
            put(path, listing_page(SECTION_LABELS[section], canonical, chunk, nxt))
            page_urls.append(base + path)
    home_cards = [_card(s, base) for s in newest_first if s.listed][:8]
    put("/", listing_page("Al Mayadeen Español", base + "/", home_cards, None))

    months: dict[tuple[int, int], list[EsStory]] = defaultdict(list)
    for story in sorted(stories, key=lambda s: (s.published, s.post_id)):
        months[story.sitemap_month].append(story)
    index = []
    for (year, month), filed in sorted(months.items()):
        path = f"/sitemaps/all/sitemap-{year}-{month}.xml"
        entries = [(_url(base, s), _sitemap_lastmod(s)) for s in filed]
        put(path, markup.sitemap_urlset(entries), XML)
        index.append((base + path, max(mod for _, mod in entries)))
    put("/sitemaps/all.xml", markup.sitemap_index(index), XML)
    put("/robots.txt", markup.robots(base), TEXT)

    by_time = sorted(stories, key=lambda s: (s.published, s.post_id))
    not_found = markup.error_page(404, "Página no encontrada", "La página no existe.")

    def urls(selected: list[EsStory]) -> list[str]:
        return [_url(base, s) for s in selected]

    year_boundary = [
        s
        for s in by_time
        if s.head == "bare"
        and (s.published.month, s.published.day) in ((12, 28), (12, 30), (12, 31), (1, 2))
    ]
    variations = {
        "full": urls([s for s in by_time if s.head == "full"]),
        "no_metadata": urls([s for s in by_time if s.head == "no_metadata"]),
        "bare_yearless_only": urls([s for s in by_time if s.head == "bare"]),
        "year_boundary": urls(year_boundary),
        "filed_in_next_month": urls(
            [s for s in by_time if s.sitemap_month != (s.published.year, s.published.month)]
        ),
        "video": urls([s for s in by_time if s.is_video]),
        "video_duration_outside_videos": urls(
            [s for s in by_time if s.is_video and s.group != "videos"]
        ),
        "updated": urls([s for s in by_time if s.updated and s.head != "bare"]),
        "no_source": urls([s for s in by_time if s.source is None]),
        "several_authors": urls([s for s in by_time if len(s.authors) > 1]),
        "author_text_twice": urls([s for s in by_time if s.author_text_twice]),
        "tags_duplicates": urls([s for s in by_time if len(_dedupe(s.tags)) < len(s.tags)]),
        "read_also": urls([s for s in by_time if s.read_also]),
        "related_box": urls([s for s in by_time if s.related]),
        "transient_503": urls([s for s in by_time if s.fault == "transient_503"]),
        "dead_link": [canonicalize_url(base + dead)],
    }
    return Site(
        base_url=base,
        seed=seed,
        n_articles=n_articles,
        revision=revision,
        resources=resources,
        ground_truth=[ground_truth_for(s, base) for s in by_time],
        removed=[],
        edited=[],
        added=urls(added),
        dead_urls=[canonicalize_url(base + dead)],
        failing_urls=[],
        transient_urls=variations["transient_503"],
        slow_urls=[],
        sections=[
            (EDITION.group_of_section(s) or "", s, SECTION_LABELS[s]) for s in EDITION.all_sections
        ],
        variations=variations,
        not_found=Resource(404, HTML, not_found.encode("utf-8")),
    )


def _card_dead(base: str, path: str) -> str:
    return (
        f'<div class="white-card"><a href="{escape(canonicalize_url(base + path))}">'
        "<h4>Nota eliminada</h4></a></div>"
    )
