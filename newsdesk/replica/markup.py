"""HTML and XML rendering of the replica, in the markup of ``/work/shared/reference``.

Every function takes plain data (stories, sections, strings) and returns text;
nothing here draws random numbers or decides what varies: the generator has
already recorded every choice on the :class:`~newsdesk.replica.model.Story`.
Text goes through :func:`esc` (``html.escape``); in-page links are root-relative
like the reference, head tags use absolute URLs built on ``base_url``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape
from urllib.parse import quote

from newsdesk.replica.model import (
    Ghost,
    LeadCopy,
    Para,
    ReadMore,
    Related,
    Section,
    Story,
    display_date,
    display_datetime,
    read_time,
    slugify,
    word_count,
)
from newsdesk.replica.vocab import COVERAGES, POSTTYPES, REGIONS, TICKER

SITE_NAME = "Al Mayadeen English"
PLACEHOLDER = "/static/placeholder.jpg"
UTM_CARD = "utm_source=homepage&utm_medium=card"


def esc(text: str) -> str:
    """HTML-escape text for element content and attribute values."""
    return escape(text, quote=True)


def _json_script(data: dict[str, object]) -> str:
    blob = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    return f'<script id="tawsiyat-metadata" type="text/tawsiyat">{blob}</script>'


# --------------------------------------------------------------------------- chrome


def _menu(sections: Sequence[Section]) -> str:
    groups: list[str] = []
    for group in ("news", "articles", "videos"):
        members = [s for s in sections if s.group == group]
        items = "".join(f'<li><a href="{s.path}">{esc(s.label)}</a></li>' for s in members)
        label = members[0].group_label
        groups.append(
            f'<li class="has-sub"><a href="/{group}">{label}</a>'
            f'<ul class="sub-menu">{items}</ul></li>'
        )
    return (
        '<nav class="main-menu"><ul>\n'
        + "\n".join(groups)
        + '\n<li><a href="/infographs">Infographs</a></li>'
        + '<li><a href="/in-pictures">In Pictures</a></li>\n'
        + '<li class="live"><a href="/live"><span class="dot"></span> LIVE</a></li>\n'
        + "</ul></nav>"
    )


def _regions() -> str:
    items = "".join(
        f'<li><a href="/search?region={quote(r, safe="")}">{esc(r)}</a></li>' for r in REGIONS
    )
    return f'<nav class="regions"><ul>{items}</ul></nav>'


def header(sections: Sequence[Section]) -> str:
    """The page header: language bar, logo, main menu, regions."""
    return (
        '<header class="header">\n'
        '<div class="top-bar"><ul class="lang-switch">'
        '<li><a href="https://www.almayadeen.net/">Ar</a></li>'
        '<li><a href="https://espanol.almayadeen.net/">Es</a></li>'
        '<li><a href="https://x.com/MayadeenEnglish" class="social">x</a></li></ul></div>\n'
        '<div class="logo"><a href="/"><img src="/static/logo.svg" alt="Al Mayadeen English">'
        '</a><span class="slogan">Slogan</span></div>\n'
        f"{_menu(sections)}\n{_regions()}\n</header>"
    )


def ticker() -> str:
    """The BREAKING ticker."""
    items = "\n".join(f"<li>{esc(t)}</li>" for t in TICKER)
    return (
        '<section class="breaking-news"><h3>BREAKING</h3>'
        f'<ul class="ticker">\n{items}\n</ul></section>'
    )


def footer() -> str:
    """The page footer, with links to the static pages."""
    return (
        '<footer class="footer"><div class="about"><img src="/static/logo-white.svg" '
        'alt="Al Mayadeen English"><p>Al Mayadeen is an Arab Independent Media Satellite '
        "Channel.</p><p>All Rights Reserved</p></div>\n"
        '<ul class="social"><li><a href="https://x.com/MayadeenEnglish">x</a></li></ul>\n'
        '<ul class="footer-links"><li><a href="/privacy-policy">Privacy Policy</a></li>'
        '<li><a href="/about-us">About Us</a></li><li><a href="/contact-us">Contact Us</a></li>'
        '<li><a href="/authors">Authors</a></li></ul>\n'
        '<ul class="apps"><li><a href="https://play.google.com/store/apps/details?id=net.'
        'almayadeen.english">Android</a></li><li><a href="https://apps.apple.com/app/id0000000">'
        "iOS</a></li></ul></footer>"
    )


class Chrome:
    """The parts every HTML page shares, rendered once per site."""

    def __init__(self, sections: Sequence[Section]) -> None:
        self.header = header(sections)
        self.ticker = ticker()
        self.footer = footer()


# --------------------------------------------------------------------------- cards


def _card_image(story: Story) -> str:
    return story.image.split("?", 1)[0] if story.image else PLACEHOLDER


def card(story: Story, *, utm: bool = False) -> str:
    """A listing card (``div.white-card``) for a story."""
    href = story.path + (f"?{UTM_CARD}" if utm else "")
    sec = story.section
    return (
        f'<div class="white-card"><a href="{esc(href)}"><img src="{_card_image(story)}" alt="">'
        f"<h4>{esc(story.title)}</h4></a>"
        f'<a class="category-meta" href="{sec.path}">{esc(sec.label)}</a>'
        f'<div class="time"><p>{display_date(story.published)}</p></div>'
        f'<p class="media-caption">{esc(story.subtitle)}</p></div>'
    )


def ghost_card(ghost: Ghost, when: datetime) -> str:
    """A card to a dead or failing URL, as in the reference listing."""
    sec = ghost.listed_in
    return (
        f'<div class="white-card"><a href="{ghost.path}"><img src="{PLACEHOLDER}" alt="">'
        f"<h4>Ghost {ghost.path}</h4></a>"
        f'<a class="category-meta" href="{sec.path}">{esc(sec.label)}</a>'
        f'<div class="time"><p>{display_date(when)}</p></div>'
        '<p class="media-caption"></p></div>'
    )


def _teaser(story: Story) -> str:
    sec = story.section
    return (
        f'<li><a href="{story.path}"><img src="{_card_image(story)}" alt="{esc(story.title)}">'
        f"<h4>{esc(story.title)}</h4></a>"
        f'<a class="category-meta" href="{sec.path}">{esc(sec.label)}</a>'
        f'<div class="time"><p>{display_date(story.published)}</p></div></li>'
    )


def _teaser_box(tag: str, css: str, heading: str, stories: Iterable[Story]) -> str:
    items = "".join(_teaser(s) for s in stories)
    return f'<{tag} class="{css}"><h3>{heading}</h3><ul>{items}</ul></{tag}>'


# --------------------------------------------------------------------------- article page


def _metadata(story: Story, base_url: str) -> dict[str, object]:
    url = base_url + story.path
    classes: list[dict[str, str]] = [
        {"key": "class1", "mapping": "posttype", "value": POSTTYPES[story.section.group]},
        {"key": "class2", "mapping": "category", "value": story.section.label},
    ]
    if story.region:
        classes.append({"key": "class3", "mapping": "country", "value": story.region})
    if story.coverage:
        classes.append({"key": "class5", "mapping": "coverage", "value": story.coverage})
    classes += [{"key": "class6", "mapping": "author", "value": a} for a in story.authors]
    published = story.published.isoformat()
    return {
        "url": url,
        "postid": story.post_id,
        "title": story.title,
        "keywords": ",".join(story.tags),
        "thumbnail": base_url + story.image if story.image else "",
        "video_duration": story.video_duration,
        "word_count": str(word_count(story)),
        "lang": "en",
        "published_time": published,
        "last_updated": story.updated.isoformat() if story.updated else published,
        "description": story.subtitle,
        "author": author_line(story.authors),
        "type": "article",
        "classes": classes,
    }


def author_line(authors: Sequence[str]) -> str:
    """``X``, ``X and Y`` or ``X, Y and Z``."""
    if len(authors) <= 1:
        return "".join(authors)
    return ", ".join(authors[:-1]) + " and " + authors[-1]


def _meta_tags(story: Story, base_url: str) -> list[str]:
    url = base_url + story.path
    tags = [
        f'<link rel="canonical" href="{esc(url)}">',
        f'<meta name="description" content="{esc(story.subtitle)}">',
    ]
    if story.tags:
        tags.append(f'<meta name="keywords" content="{esc(",".join(story.tags))}">')
    tags += [
        f'<meta name="author" content="{esc(author_line(story.authors))}">',
        f'<meta name="postid" content="{story.post_id}">',
        '<meta property="og:type" content="article">',
        f'<meta property="og:site_name" content="{SITE_NAME}">',
        f'<meta property="og:title" content="{esc(story.title)}">',
        f'<meta property="og:description" content="{esc(story.subtitle)}">',
        f'<meta property="og:url" content="{esc(url)}">',
    ]
    if story.image:
        tags.append(f'<meta property="og:image" content="{esc(base_url + story.image)}">')
    tags.append(f'<meta property="article:published_time" content="{story.published.isoformat()}">')
    if story.updated:
        tags.append(
            f'<meta property="article:modified_time" content="{story.updated.isoformat()}">'
        )
    return tags


def article_head(story: Story, base_url: str) -> str:
    """``<head>`` of an article page; which layers it carries depends on ``story.head``."""
    lines = [
        f'<meta charset="utf-8"><title>{esc(story.title)} | {SITE_NAME}</title>',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
    ]
    if story.has_meta_tags:
        lines += _meta_tags(story, base_url)
    if story.has_metadata:
        lines.append(_json_script(_metadata(story, base_url)))
    lines.append('<script src="/static/app.js" defer></script>')
    return "<head>\n" + "\n".join(lines) + "\n</head>"


def _breadcrumb(story: Story) -> str:
    sec = story.section
    return (
        '<ol class="breadcrumb"><li><a href="/">Home</a></li>'
        f'<li><a href="/{sec.group}">{sec.group_label}</a></li>'
        f'<li><a href="{sec.path}">{esc(sec.label)}</a></li>'
        f"<li>{esc(story.title)}</li></ol>"
    )


def _article_meta(story: Story) -> str:
    links = [f'<a href="/authors/{slugify(a)}">{esc(a)}</a>' for a in story.authors]
    items = [f'<li class="author">By {author_line(links)}</li>']
    if story.source:
        items.append(f'<li class="source">Source: {esc(story.source)}</li>')
    time_text = display_datetime(story.published, story.date_form)
    items.append(f'<li class="date"><span class="time">{time_text}</span></li>')
    minutes = read_time(story)
    if minutes is not None:
        items.append(f'<li class="read-time">{minutes} Min Read</li>')
    return f'<ul class="article-meta">{"".join(items)}</ul>'


def _share(story: Story, base_url: str) -> str:
    target = quote(base_url + story.path, safe="/")
    return (
        f'<ul class="share"><li><a href="https://x.com/intent/tweet?url={target}">x</a></li>'
        '<li><a href="#" class="copy">ds</a></li></ul>'
    )


def _figure(story: Story) -> str:
    parts = []
    if story.image:
        parts.append(
            f'<figure class="main-image"><img src="{esc(story.image)}" alt="{esc(story.title)}">'
            f'<figcaption class="media-caption">{esc(story.caption or "")}</figcaption></figure>'
        )
    if story.is_video:
        parts.append(
            f'<div class="video-player" data-src="/media/video/{story.post_id}.m3u8"></div>'
        )
    return "".join(parts)


def _paragraph(block: Para) -> str:
    inner = "".join(
        esc(text) if href is None else f'<a href="{esc(href)}">{esc(text)}</a>'
        for text, href in block.segments
    )
    return f"<p>{inner}" if block.unclosed else f"<p>{inner}</p>"


def _block(block: object, story: Story) -> str:
    if isinstance(block, Para):
        return _paragraph(block)
    if isinstance(block, LeadCopy):
        return f"<p>{esc(story.subtitle)}</p>"
    if isinstance(block, ReadMore):
        return (
            f'<p><strong>Read more: <a href="{esc(block.href)}">{esc(block.text)}</a></strong></p>'
        )
    if isinstance(block, Related):
        items = "".join(f'<li><a href="{esc(h)}">{esc(t)}</a></li>' for h, t in block.items)
        return f'<div class="related-news inline"><h5>Related News</h5><ul>{items}</ul></div>'
    raise TypeError(f"unknown block {block!r}")


def _tags(story: Story) -> str:
    if not story.tags:
        return ""
    items = "".join(
        f'<li><a href="/tags/{slugify(t.strip())}">{esc(t)}</a></li>' for t in story.tags
    )
    return f'<div class="tags"><ul>{items}</ul></div>'


def _coverage_box(story: Story) -> str:
    if not story.coverage:
        return ""
    blurb = COVERAGES.get(story.coverage, "")
    return (
        f'<div class="coverage-box"><a href="/coverage/{slugify(story.coverage)}">'
        f"<h4>{esc(story.coverage)}</h4></a><p>{esc(blurb)}</p></div>"
    )


def article_page(
    story: Story,
    base_url: str,
    chrome: Chrome,
    most_read: Sequence[Story],
    read_next: Sequence[Story],
) -> str:
    """A full article (or video) page."""
    body = "\n".join(_block(b, story) for b in story.blocks)
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en" dir="ltr">',
            article_head(story, base_url),
            '<body class="article-page">',
            chrome.header,
            chrome.ticker,
            '<main class="container">',
            '<article class="article">',
            _breadcrumb(story),
            f'<h1 class="article-title">{esc(story.title)}</h1>',
            _article_meta(story),
            f'<div class="lg_para summary"><p>{esc(story.subtitle)}</p></div>',
            _share(story, base_url),
            _figure(story),
            '<div class="p-content">' + (f"\n{body}" if body else ""),
            "</div>",
            _tags(story),
            "</article>",
            _coverage_box(story),
            _teaser_box("aside", "most-read", "Most Read", most_read),
            _teaser_box("section", "read-next", "Read Next", read_next),
            "</main>",
            chrome.footer,
            "</body>",
            "</html>",
        ]
    )


# --------------------------------------------------------------------------- other pages


def _page_head(title: str, canonical: str, extra: str = "") -> str:
    meta = {"url": canonical, "type": "page", "title": title, "keywords": "", "classes": []}
    return (
        f'<head><meta charset="utf-8"><title>{esc(title)} | {SITE_NAME}</title>\n'
        f'<link rel="canonical" href="{esc(canonical)}">\n{extra}'
        f"{_json_script(meta)}\n</head>"
    )


def _page(title: str, canonical: str, body_class: str, main: str, chrome: Chrome) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en" dir="ltr">'
        f"{_page_head(title, canonical)}"
        f'<body class="{body_class}">{chrome.header}\n{chrome.ticker}\n'
        f'<main class="container">{main}</main>{chrome.footer}</body></html>'
    )


def listing_page(
    section_title: str,
    canonical: str,
    cards: Sequence[str],
    next_href: str | None,
    chrome: Chrome,
) -> str:
    """A section listing page: cards, then ``a.loadmorebtn`` unless it is the last page."""
    more = f'<a class="loadmorebtn" href="{esc(next_href)}">Load more</a>\n' if next_href else ""
    main = (
        f'<h1 class="page-title">{esc(section_title)}</h1>\n'
        f'<div class="no-gap white-bg-colored all-bordered">{"".join(cards)}</div>\n{more}'
    )
    return _page(section_title, canonical, "listing-page", main, chrome)


def home_page(base_url: str, cards: Sequence[str], chrome: Chrome) -> str:
    """The home page: latest cards under the menu and ticker."""
    main = (
        '<section class="latest"><h2>Latest</h2>'
        f'<div class="no-gap white-bg-colored all-bordered">{"".join(cards)}</div></section>\n'
    )
    return _page("Home", base_url + "/", "home-page", main, chrome)


def static_page(title: str, text: str, canonical: str, chrome: Chrome) -> str:
    """A static page (About Us, Privacy Policy, ...), metadata type ``page``."""
    main = (
        f'<h1 class="page-title">{esc(title)}</h1>\n'
        f'<div class="page-content"><p>{esc(text)}</p></div>\n'
    )
    return _page(title, canonical, "static-page", main, chrome)


def error_page(status: int, title: str, message: str) -> str:
    """A bare error page (404, 500, 503)."""
    return (
        '<!DOCTYPE html>\n<html lang="en" dir="ltr"><head><meta charset="utf-8">'
        f"<title>{status} {esc(title)} | {SITE_NAME}</title></head>"
        f'<body class="error-page"><main class="container"><h1>{esc(title)}</h1>'
        f"<p>{esc(message)}</p></main></body></html>"
    )


def cloudflare_page(ray_id: str) -> str:
    """The 403 page a Cloudflare bot check answers with."""
    return (
        '<!DOCTYPE html>\n<html lang="en-US"><head><title>Attention Required! | Cloudflare'
        '</title><meta charset="UTF-8"></head><body><div id="cf-wrapper">'
        '<div class="cf-error-details"><h1>Sorry, you have been blocked</h1>'
        "<h2>You are unable to access english.almayadeen.net</h2>"
        "<p>This website is using a security service to protect itself from online attacks."
        "</p></div>"
        f'<div class="cf-footer">Cloudflare Ray ID: <strong>{ray_id}</strong></div>'
        "</div></body></html>"
    )


# --------------------------------------------------------------------------- XML and text


def sitemap_index(entries: Iterable[tuple[str, datetime]]) -> str:
    """``sitemapindex`` of ``(absolute loc, lastmod)``."""
    rows = "".join(
        f"<sitemap><loc>{esc(loc)}</loc><lastmod>{mod.isoformat()}</lastmod></sitemap>\n"
        for loc, mod in entries
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{rows}</sitemapindex>"
    )


def sitemap_urlset(entries: Iterable[tuple[str, datetime]]) -> str:
    """``urlset`` of ``(absolute loc, lastmod)``."""
    rows = "".join(
        f"<url><loc>{esc(loc)}</loc><lastmod>{mod.isoformat()}</lastmod></url>\n"
        for loc, mod in entries
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{rows}</urlset>"
    )


def rss(base_url: str, stories: Iterable[Story]) -> str:
    """RSS 2.0 channel of the given stories (newest first)."""
    items = "".join(
        f"<item><title>{esc(s.title)}</title><link>{esc(base_url + s.path)}</link>"
        f"<pubDate>{format_datetime(s.published.astimezone(UTC))}</pubDate>"
        f"<description>{esc(s.subtitle)}</description></item>"
        for s in stories
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>{SITE_NAME}</title><link>{esc(base_url)}/</link>"
        f"<description>Latest</description>{items}</channel></rss>"
    )


def robots(base_url: str) -> str:
    """robots.txt, naming the sitemap index."""
    return (
        f"User-agent: *\nDisallow: /search\nDisallow: /live\nSitemap: {base_url}/sitemaps/all.xml\n"
    )
