"""URL machinery: canonical form, article ids, origins; an edition's grammar applied.

What is an article URL, and which section it names, is each edition's URL
grammar (``Edition.url_rules``); the functions here take an edition and use
English when given none.

Slugs keep their case and colons (``exclusive:-axis-of-...``), so a canonical
URL is never lower-cased or stripped; only tracking query parameters and the
fragment are dropped.
"""

from __future__ import annotations

import functools
import hashlib
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, quote, unquote, urlencode, urljoin, urlsplit, urlunsplit

if TYPE_CHECKING:
    from collections.abc import Callable

    from newsdesk.editions.spec import Edition

TRACKING_PARAM_PREFIXES = ("utm_",)
# Characters left as they are in a canonical path (RFC 3986 pchar without "%"):
# `%3A` and `:` are the same slug, so both become `:`.
_PATH_SAFE = "/:@!$&'()*+,;=-._~"
TRACKING_PARAMS = frozenset({"fbclid", "gclid", "mc_cid", "mc_eid", "ref", "ocid", "_ga"})


def _edition(edition: Edition | None) -> Edition:
    # Imported here: the editions' specs import the page classes, which import this module.
    from newsdesk import editions

    return edition if edition is not None else editions.get(editions.DEFAULT_EDITION)


def __getattr__(name: str) -> Any:
    # The English edition's groups and video sections under their old names.
    if name == "SECTION_GROUPS":
        return _edition(None).section_groups
    if name == "VIDEO_SECTIONS":
        return frozenset(_edition(None).menu_sections.get("videos", ()))
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def canonicalize_url(url: str, base: str | None = None) -> str:
    """Absolute URL without tracking parameters or fragment; path case and colons kept.

    The scheme and host are lower-cased (they are case-insensitive), a bare
    host gets the path ``/``, and percent-encoding in the path is normalized
    (``%3A`` and ``:`` name the same slug; raw UTF-8 such as an Arabic slug and
    lower-case escapes become upper-case escapes; invalid UTF-8 is kept byte for byte).
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
            # surrogateescape: a slug cut inside a UTF-8 sequence (an Arabic letter's
            # first byte alone) keeps its bytes instead of becoming U+FFFD.
            quote(
                unquote(parts.path, errors="surrogateescape"),
                safe=_PATH_SAFE,
                errors="surrogateescape",
            )
            or "/",
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


def edition_article_id(edition: str, url: str) -> str:
    """The article id of a URL of a non-English edition: a hash of ``f"{edition}:{path}"``.

    The editions share one CMS, so one path can name different articles on two
    sites; prefixing the edition keeps ids unique across editions, and English
    keeps `article_id_for` (its stored ids, exports and joins never change).
    """
    path = urlsplit(canonicalize_url(url)).path
    return hashlib.sha1(f"{edition}:{path}".encode()).hexdigest()[:16]


def edition_id_rule(edition: str) -> Callable[[str], str]:
    """An ``Edition.id_rule`` for a non-English edition (see `edition_article_id`)."""
    return functools.partial(edition_article_id, edition)


def section_from_path(url: str, edition: Edition | None = None) -> tuple[str | None, str | None]:
    """``(section_group, section)`` from an article URL's path, by the edition's grammar.

    English: ``/news/politics/<slug>`` -> ``("news", "politics")``;
    ``/videos/<slug>`` -> ``("videos", None)`` (a video URL names no section);
    anything else -> ``(None, None)``.
    """
    return _edition(edition).section_from_path(url)


def is_article_url(url: str, edition: Edition | None = None) -> bool:
    """Whether a URL's path has the shape of an article (not a listing or static page)."""
    return _edition(edition).is_article_url(url)


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

    The live site's declared aliases (its edition's ``host_aliases`` and
    ``schemes``: http and https, with and without ``www``) when the base URL is one of them; for
    any other base URL (the loopback replica, a mirror) only its exact origin.
    """
    from newsdesk import editions

    base = origin_of(base_url)
    if base is None:
        raise ValueError(f"not an absolute http(s) URL: {base_url!r}")
    edition = editions.for_host(base[1])
    if edition is not None and base[2] == DEFAULT_PORTS[base[0]]:
        return frozenset(
            (scheme, host, DEFAULT_PORTS[scheme])
            for scheme in edition.schemes
            for host in edition.host_aliases
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
