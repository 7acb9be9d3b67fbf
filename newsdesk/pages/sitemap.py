"""Sitemaps: the index ``/sitemaps/all.xml`` and the monthly ``/sitemaps/all/sitemap-YYYY-M.xml``.

Parsing is XXE-safe: entities are not resolved, no DTD is loaded and nothing is
fetched from the network.
"""

from __future__ import annotations

import gzip
import io
import re
import zlib
from collections.abc import Iterator
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


def _iterparse(data: bytes) -> etree.iterparse:
    # XXE-safe: no entity resolution, no DTD, no network; a new parser per
    # document (lxml parsers are not safe to share across threads).
    return etree.iterparse(
        io.BytesIO(data),
        events=("start", "end"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def iter_sitemap(body: bytes) -> tuple[str, Iterator[SitemapEntry]]:
    """``(kind, entries)`` of a sitemap document, the entries read as a stream.

    Same rules as :func:`parse_sitemap`, but the document is never held as a
    tree: each entry is dropped from memory once read, so a 300,000-URL file
    costs its body plus one entry at a time. The root element is checked
    before this returns (``ValueError`` for an empty or non-sitemap
    document); a document broken further on raises ``ValueError`` from the
    iterator, after the entries before the break.
    """
    if not isinstance(body, bytes | bytearray):
        raise ValueError(f"sitemap: expected bytes, got {type(body).__name__}")
    data = bytes(body)
    if data.startswith(_GZIP_MAGIC):
        data = _gunzip(data)
    if not data.strip():
        raise ValueError("sitemap: empty document")
    events = _iterparse(data)
    try:
        _event, root = next(events)
    except StopIteration:
        raise ValueError("sitemap: no root element") from None
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"sitemap: not well-formed XML ({exc})") from exc
    kind = ROOT_KINDS.get(_local(root.tag))
    if kind is None:
        raise ValueError(
            f"sitemap: root element <{_local(root.tag)}> is neither <sitemapindex> nor <urlset>"
        )
    return kind, _entries(events, root, ENTRY_TAGS[kind])


def _entries(
    events: etree.iterparse, root: etree._Element, entry_tag: str
) -> Iterator[SitemapEntry]:
    try:
        for event, el in events:
            # Only the root's direct children are entries; their own children are
            # read when the entry ends.
            if event != "end" or el.getparent() is not root:
                continue
            if _local(el.tag) == entry_tag:
                loc = _child_text(el, LOC_TAG)
                if loc:
                    lastmod = normalize.parse_iso_utc(_child_text(el, LASTMOD_TAG))
                    yield SitemapEntry(loc=loc, lastmod=lastmod)
            # Drop what was read: the tree never grows beyond one entry.
            el.clear()
            while el.getprevious() is not None:
                del root[0]
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"sitemap: not well-formed XML ({exc})") from exc


def parse_sitemap(body: bytes) -> tuple[str, list[SitemapEntry]]:
    """``(kind, entries)`` of a sitemap document; kind is ``"index"`` or ``"urlset"``.

    Gzip-compressed bodies are accepted. Entries without a ``<loc>`` are
    skipped; an unreadable ``<lastmod>`` is ``None``. A body that is not a
    well-formed sitemap raises ``ValueError`` saying why. (A whole list: for a
    large urlset, :func:`iter_sitemap` reads the same entries as a stream.)
    """
    kind, entries = iter_sitemap(body)
    return kind, list(entries)


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
