"""Editions: each site of the network as one unit of site knowledge, and their registry.

An edition lives in ``newsdesk/editions/<code>/``: its spec (``spec.py``), its
selectors as data (``selectors.py``) and its page fixtures (``fixtures/``).
The package's ``EDITION`` is registered here. Adding an edition is one folder
plus one line in ``BUILTIN_MODULES``; a test can define an edition in place and
call `register` (and `unregister` after).

The built-in editions are imported on first use, not when this package is
imported, so the page classes (which the specs name) can import this package.
"""

from __future__ import annotations

import importlib
import os
import threading
from urllib.parse import urlsplit

from newsdesk.editions.spec import (
    ArticleSelectors,
    DateRules,
    Edition,
    ListingSelectors,
    ParserVersion,
    Selectors,
    TextRules,
    UrlMatch,
    UrlRule,
)

# One line per built-in edition: a module whose ``EDITION`` is an `Edition`.
BUILTIN_MODULES: tuple[str, ...] = (
    "newsdesk.editions.en",
    "newsdesk.editions.ar",
    "newsdesk.editions.es",
)
# More edition modules, comma separated, for editions kept outside this package
# (a fork's, a test's): each is registered like a built-in, in every process
# (crawl subprocesses and Dagster's Pipes child inherit the variable).
EXTRA_MODULES_ENV = "NEWSDESK_EDITIONS"
# The edition of a URL on no known host (the loopback replica, a mirror) and of
# an archived record that names none (archives written before editions existed).
DEFAULT_EDITION = "en"

_REGISTRY: dict[str, Edition] = {}
_HOSTS: dict[str, str] = {}  # every declared host (aliases included) -> edition code
_LOCK = threading.RLock()
_builtins_loaded = False


def _ensure_builtins() -> None:
    global _builtins_loaded
    if _builtins_loaded:
        return
    with _LOCK:
        if _builtins_loaded:
            return
        _builtins_loaded = True  # set first: a built-in's import may call get()
        extra = [m.strip() for m in os.environ.get(EXTRA_MODULES_ENV, "").split(",")]
        for name in (*BUILTIN_MODULES, *(m for m in extra if m)):
            edition = importlib.import_module(name).EDITION
            if edition.code not in _REGISTRY:
                register(edition)


def register(edition: Edition) -> Edition:
    """Add an edition; raises ValueError if its code or one of its hosts is taken."""
    with _LOCK:
        if edition.code in _REGISTRY:
            raise ValueError(f"edition {edition.code!r} is already registered")
        for host in edition.host_aliases:
            owner = _HOSTS.get(host.lower())
            if owner is not None:
                raise ValueError(f"host {host!r} already belongs to edition {owner!r}")
        _REGISTRY[edition.code] = edition
        for host in edition.host_aliases:
            _HOSTS[host.lower()] = edition.code
    _site_origins_changed()
    return edition


def unregister(code: str) -> None:
    """Remove an edition (tests that register their own); unknown codes are ignored."""
    with _LOCK:
        edition = _REGISTRY.pop(code, None)
        if edition is not None:
            for host in edition.host_aliases:
                _HOSTS.pop(host.lower(), None)
    _site_origins_changed()


def _site_origins_changed() -> None:
    # newsdesk.urls caches the origins of a base URL, which depend on the hosts.
    from newsdesk.urls import site_origins

    site_origins.cache_clear()


def get(code: str) -> Edition:
    """The edition with this code (``"en"``); raises KeyError naming the known ones."""
    _ensure_builtins()
    try:
        return _REGISTRY[code]
    except KeyError:
        known = ", ".join(sorted(_REGISTRY))
        raise KeyError(f"unknown edition {code!r} (known: {known})") from None


def all_editions() -> tuple[Edition, ...]:
    """Every registered edition, built-ins first, in registration order."""
    _ensure_builtins()
    return tuple(_REGISTRY.values())


def for_host(host: str) -> Edition | None:
    """The edition whose live site ``host`` is (a declared alias counts); None if none.

    Accepts a bare host (``www.english.almayadeen.net``), a ``host:port`` or a
    whole URL (``http://english.almayadeen.net/news``); case is ignored.
    """
    _ensure_builtins()
    text = host.strip()
    # A bare host or host:port is read as a network location ("//host").
    name = urlsplit(text if "//" in text else "//" + text).hostname or ""
    code = _HOSTS.get(name.lower())
    return None if code is None else _REGISTRY[code]


def for_url(url: str, default: str = DEFAULT_EDITION) -> Edition:
    """The edition of a URL's host, else the ``default`` edition (replicas, mirrors)."""
    return for_host(url) or get(default)


__all__ = [
    "BUILTIN_MODULES",
    "DEFAULT_EDITION",
    "ArticleSelectors",
    "DateRules",
    "Edition",
    "ListingSelectors",
    "ParserVersion",
    "Selectors",
    "TextRules",
    "UrlMatch",
    "UrlRule",
    "all_editions",
    "for_host",
    "for_url",
    "get",
    "register",
    "unregister",
]
