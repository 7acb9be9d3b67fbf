"""Crawl options: parsing and validation shared by the CLI, the spider and Dagster."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Iterable
from datetime import UTC, date, datetime
from urllib.parse import urlsplit

from newsdesk import editions
from newsdesk.editions.spec import Edition
from newsdesk.normalize import parse_iso_utc

# Site knowledge is the editions' (newsdesk/editions/<code>/spec.py). The names
# below are the English edition's, kept for existing importers.
_EN = editions.get(editions.DEFAULT_EDITION)
LIVE_BASE_URL = _EN.live_base_url
# The live sites' own hosts, per edition: a URL on any of them, over http or
# https (default ports), is on-site, whatever the base URL's scheme. Anything
# else (another port, a subdomain, the media/CDN hosts that serve images) is
# off-site: image URLs are data, never crawled. A base URL on a host not listed
# (the loopback replica, a mirror) has exactly one origin: its scheme, host and port.
SITE_HOST_ALIASES: dict[str, frozenset[str]] = {
    e.host: e.host_aliases for e in editions.all_editions()
}
SITE_SCHEMES: tuple[str, ...] = _EN.schemes
BASE_URL_ENV = "NEWSDESK_BASE_URL"
DISCOVERY_MODES = ("listings", "sitemaps", "both")

# The English menu's 17 sections (group -> slugs); each edition has its own
# (``Edition.menu_sections``). The spider still reads the live menu; this list
# lets the CLI reject a misspelt section before any request is made.
MENU_SECTIONS: dict[str, tuple[str, ...]] = dict(_EN.menu_sections)
ALL_SECTIONS: tuple[str, ...] = _EN.all_sections


def resolve_base_url(base_url: str | None = None, edition: Edition | None = None) -> str:
    """The base URL: the argument, else ``NEWSDESK_BASE_URL``, else the edition's live site.

    ``edition`` None: English. Raises ValueError for anything that is not an
    absolute http(s) URL.
    """
    live = (edition or _EN).live_base_url
    value = (base_url or os.environ.get(BASE_URL_ENV) or live).strip()
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"base URL must be an absolute http(s) URL, got {value!r}")
    return f"{parts.scheme}://{parts.netloc}".rstrip("/")


def is_loopback(url: str) -> bool:
    """Whether the URL's host is on this machine (the offline replica)."""
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_sections(
    value: str | Iterable[str] | None, edition: Edition | None = None
) -> frozenset[str]:
    """Section slugs from ``"politics,opinion"`` or a list; group names expand.

    Checked against the edition's menu (None: English, where ``news`` means
    its 8 sections, ``articles`` its 4, ``videos`` its 5). Raises ValueError
    naming any unknown section.
    """
    if value is None:
        return frozenset()
    menu = (edition or _EN).menu_sections
    known = (edition or _EN).all_sections
    items = value.split(",") if isinstance(value, str) else list(value)
    slugs: set[str] = set()
    unknown: list[str] = []
    for raw in items:
        slug = raw.strip().lower()
        if not slug:
            continue
        if slug in menu:
            slugs.update(menu[slug])
        elif slug in known:
            slugs.add(slug)
        else:
            unknown.append(raw.strip())
    if unknown:
        raise ValueError(f"unknown section(s): {', '.join(unknown)} (known: {', '.join(known)})")
    return frozenset(slugs)


def parse_since(value: str | date | datetime) -> datetime:
    """A UTC instant from ``2025-07-01`` (midnight UTC) or an ISO time with offset."""
    if isinstance(value, datetime):
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    text = value.strip()
    try:
        day = date.fromisoformat(text)
        return datetime(day.year, day.month, day.day, tzinfo=UTC)
    except ValueError:
        pass
    parsed = parse_iso_utc(text) if len(text) <= 40 else None
    if parsed is None:
        raise ValueError(f"--since must be a date like 2025-07-01 or an ISO time, got {value!r}")
    return parsed


def parse_month(value: str) -> tuple[int, int]:
    """``(year, month)`` from ``2025-07``; raises ValueError with a clear message."""
    text = value.strip()
    parts = text.split("-")
    if len(parts) == 2 and parts[0].isdigit() and parts[1].isdigit():
        year, month = int(parts[0]), int(parts[1])
        if 1990 <= year <= 2100 and 1 <= month <= 12:
            return year, month
    raise ValueError(f"--month must look like 2025-07, got {value!r}")
