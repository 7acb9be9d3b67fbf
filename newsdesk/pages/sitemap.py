"""Sitemaps: the index ``/sitemaps/all.xml`` and the monthly ``/sitemaps/all/sitemap-YYYY-M.xml``.

Parsing is XXE-safe: entities are not resolved, no DTD is loaded and nothing is
fetched from the network.
"""

from __future__ import annotations

import gzip
import re
import zlib
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from lxml import etree

from newsdesk import normalize

# Root element local names -> the kind returned by parse_sitemap.
ROOT_KINDS = {"sitemapindex": "index", "urlset": "urlset"}
# Entry element local names, per kind.
ENTRY_TAGS = {"index": "sitemap", "urlset": "url"}
LOC_TAG = "loc"
LASTMOD_TAG = "lastmod"
# "/sitemaps/all/sitemap-2025-7.xml": the month is not zero-padded on the site.
MONTH_FILE = re.compile(r"/sitemap-(\d{4})-(\d{1,2})\.xml(?:\.gz)?$")
# The sitemap protocol's own limit on an uncompressed file.
MAX_SITEMAP_BYTES = 50 * 1024 * 1024

_GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True)
class SitemapEntry:
    """One ``<sitemap>`` or ``<url>`` entry."""

    loc: str
    lastmod: datetime | None  # aware UTC


def _parser() -> etree.XMLParser:
    # A new parser per document: lxml parsers are not safe to share across threads.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def _gunzip(body: bytes) -> bytes:
    try:
        decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
        data = decompressor.decompress(body, MAX_SITEMAP_BYTES + 1)
    except (zlib.error, gzip.BadGzipFile) as exc:
        raise ValueError(f"sitemap: broken gzip data ({exc})") from exc
    if len(data) > MAX_SITEMAP_BYTES:
        raise ValueError(f"sitemap: larger than {MAX_SITEMAP_BYTES} bytes uncompressed")
    return data


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _child_text(el: etree._Element, name: str) -> str | None:
    for child in el:
        if _local(child.tag) == name:
            # Only the element's own text: an unresolved entity stays a node
            # whose replacement text is never read.
            return normalize.clean_text(child.text, unescape=False)
    return None


def parse_sitemap(body: bytes) -> tuple[str, list[SitemapEntry]]:
    """``(kind, entries)`` of a sitemap document; kind is ``"index"`` or ``"urlset"``.

    Gzip-compressed bodies are accepted. Entries without a ``<loc>`` are
    skipped; an unreadable ``<lastmod>`` is ``None``. A body that is not a
    well-formed sitemap raises ``ValueError`` saying why.
    """
    if not isinstance(body, bytes | bytearray):
        raise ValueError(f"sitemap: expected bytes, got {type(body).__name__}")
    data = bytes(body)
    if data.startswith(_GZIP_MAGIC):
        data = _gunzip(data)
    if not data.strip():
        raise ValueError("sitemap: empty document")
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"sitemap: not well-formed XML ({exc})") from exc
    if root is None:
        raise ValueError("sitemap: no root element")
    kind = ROOT_KINDS.get(_local(root.tag))
    if kind is None:
        raise ValueError(
            f"sitemap: root element <{_local(root.tag)}> is neither <sitemapindex> nor <urlset>"
        )
    entries: list[SitemapEntry] = []
    for el in root:
        if _local(el.tag) != ENTRY_TAGS[kind]:
            continue
        loc = _child_text(el, LOC_TAG)
        if not loc:
            continue
        entries.append(
            SitemapEntry(loc=loc, lastmod=normalize.parse_iso_utc(_child_text(el, LASTMOD_TAG)))
        )
    return kind, entries


def sitemap_month(url: str) -> tuple[int, int] | None:
    """``(year, month)`` of a monthly sitemap URL (``.../sitemap-2025-7.xml`` -> ``(2025, 7)``)."""
    try:
        path = urlsplit(url).path
    except (ValueError, AttributeError):
        return None
    m = MONTH_FILE.search(path)
    if not m:
        return None
    year, month = int(m.group(1)), int(m.group(2))
    return (year, month) if 1 <= month <= 12 else None
