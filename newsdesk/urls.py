"""URL rules of the site: canonical form, article ids, what is an article URL.

Slugs keep their case and colons (``exclusive:-axis-of-...``), so a canonical
URL is never lower-cased or stripped; only tracking query parameters and the
fragment are dropped.
"""

from __future__ import annotations

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
