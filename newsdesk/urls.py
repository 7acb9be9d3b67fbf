"""URL rules of the site: canonical form, article ids, what is an article URL.

Slugs keep their case and colons (``exclusive:-axis-of-...``), so a canonical
URL is never lower-cased or stripped; only tracking query parameters and the
fragment are dropped.
"""

from __future__ import annotations

import functools
import hashlib
from urllib.parse import parse_qsl, quote, unquote, urlencode, urljoin, urlsplit, urlunsplit

TRACKING_PARAM_PREFIXES = ("utm_",)
# Characters left as they are in a canonical path (RFC 3986 pchar without "%"):
# `%3A` and `:` are the same slug, so both become `:`.
_PATH_SAFE = "/:@!$&'()*+,;=-._~"
TRACKING_PARAMS = frozenset({"fbclid", "gclid", "mc_cid", "mc_eid", "ref", "ocid", "_ga"})

SECTION_GROUPS = ("news", "articles", "videos")


def canonicalize_url(url: str, base: str | None = None) -> str:
    """Absolute URL without tracking parameters or fragment; path case and colons kept.

    The scheme and host are lower-cased (they are case-insensitive), a bare
    host gets the path ``/``, and percent-encoding in the path is normalized
    (``%3A`` and ``:`` name the same slug).
    """
    if base:
        url = urljoin(base, url)
    parts = urlsplit(url.strip())
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith(TRACKING_PARAM_PREFIXES) and k.lower() not in TRACKING_PARAMS
    ]
    return urlunsplit(
        (
            parts.scheme.lower(),
            parts.netloc.lower(),
            quote(unquote(parts.path), safe=_PATH_SAFE) or "/",
            urlencode(query, safe=":/"),
            "",
        )
    )


def article_id_for(url: str) -> str:
    """Stable article id: a hash of the canonical URL's path (host-independent).

    The same article keeps its id whether it was crawled from the live site or
    from a mirror on another host.
    """
    path = urlsplit(canonicalize_url(url)).path
    return hashlib.sha1(path.encode("utf-8")).hexdigest()[:16]


def section_from_path(url: str) -> tuple[str | None, str | None]:
    """``(section_group, section)`` from an article URL's path.

    ``/news/politics/<slug>`` -> ``("news", "politics")``; ``/videos/<slug>`` ->
    ``("videos", None)`` (a video URL names no section); anything else -> ``(None, None)``.
    """
    segments = [s for s in urlsplit(url).path.split("/") if s]
    if not segments or segments[0] not in SECTION_GROUPS:
        return None, None
    if segments[0] == "videos":
        return ("videos", None) if len(segments) == 2 else (None, None)
    if len(segments) == 3:
        return segments[0], segments[1]
    return None, None


def is_article_url(url: str) -> bool:
    """Whether a URL's path has the shape of an article (not a listing or static page)."""
    group, section = section_from_path(url)
    segments = [s for s in urlsplit(url).path.split("/") if s]
    if group == "videos":
        # /videos/<section> is a listing too; video sections come from the menu.
        return len(segments) == 2 and segments[1] not in VIDEO_SECTIONS
    return group is not None and section is not None


# The menu's video sections: /videos/<one of these> is a listing, not a video.
VIDEO_SECTIONS = frozenset({"newsfeed", "video-features", "explainers", "tv", "digital-series"})


def same_host(url: str, base_url: str) -> bool:
    return urlsplit(url).netloc.lower() == urlsplit(base_url).netloc.lower()


# --- origins ----------------------------------------------------------------------

DEFAULT_PORTS = {"http": 80, "https": 443}

Origin = tuple[str, str, int]  # (scheme, host, port), lower-case, default port filled in


def origin_of(url: str) -> Origin | None:
    """``(scheme, host, port)`` of an absolute http(s) URL, default port filled in.

    ``http://Example.com`` and ``http://example.com:80/x`` have the same origin;
    ``http://127.0.0.1:8765`` and ``http://127.0.0.1:8766`` do not. ``None`` for
    anything that is not an absolute http(s) URL (``mailto:``, ``javascript:``,
    a bad port).
    """
    try:
        parts = urlsplit(url.strip())
        scheme = parts.scheme.lower()
        host = parts.hostname
        port = parts.port
    except (ValueError, AttributeError):
        return None
    if scheme not in DEFAULT_PORTS or not host:
        return None
    return scheme, host.lower(), port if port is not None else DEFAULT_PORTS[scheme]


@functools.lru_cache(maxsize=16)
def site_origins(base_url: str) -> frozenset[Origin]:
    """Every origin that counts as the site whose base URL is given.

    The live site's declared aliases (``crawlconfig.SITE_HOST_ALIASES``: http
    and https, with and without ``www``) when the base URL is one of them; for
    any other base URL (the loopback replica, a mirror) only its exact origin.
    """
    from newsdesk.crawlconfig import SITE_HOST_ALIASES, SITE_SCHEMES

    base = origin_of(base_url)
    if base is None:
        raise ValueError(f"not an absolute http(s) URL: {base_url!r}")
    for hosts in SITE_HOST_ALIASES.values():
        if base[1] in hosts and base[2] == DEFAULT_PORTS[base[0]]:
            return frozenset(
                (scheme, host, DEFAULT_PORTS[scheme]) for scheme in SITE_SCHEMES for host in hosts
            )
    return frozenset({base})


def on_site(url: str, base_url: str) -> bool:
    """Whether absolute ``url`` is on ``base_url``'s site: same origin or a declared alias."""
    origin = origin_of(url)
    return origin is not None and origin in site_origins(base_url)


def to_base_origin(url: str, base_url: str) -> str | None:
    """``url`` moved onto the base URL's scheme and host when it is on-site, else ``None``.

    An alias link (``http://www.english.almayadeen.net/news/...`` seen from
    ``https://english.almayadeen.net``) is the same page: fetching it under
    the base origin avoids a second download and a redirect.
    """
    if not on_site(url, base_url):
        return None
    parts = urlsplit(url)
    base = urlsplit(base_url)
    return urlunsplit((base.scheme, base.netloc, parts.path, parts.query, parts.fragment))
