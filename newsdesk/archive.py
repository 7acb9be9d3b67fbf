"""The raw archive: every fetched response, with its request, in WARC files.

Files live under ``<warehouse>/raw/date=YYYY-MM-DD/<run_id>-NNNNN.warc.gz``:
gzip-compressed WARC/1.1 (microsecond dates), one gzip member per record,
rotated by size and by crawl date. A file is written as a hidden ``.open`` file
and renamed when complete; a file left open by a killed crawl is recovered on
the next start (its complete records kept, a torn last record dropped).

Each response record carries ``WARC-Newsdesk-Kind`` (article, listing,
sitemap, page) and ``WARC-Newsdesk-Edition`` (the edition code, ``en``), so
`newsdesk reparse` can rebuild the dataset offline with the right edition's
parser even when every replica is on 127.0.0.1. A record without the edition
header (written before editions existed) is English.
"""

from __future__ import annotations

import io
import logging
import os
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from typing import BinaryIO, NamedTuple
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date, iso_date_to_datetime
from warcio.warcwriter import WARCWriter

from newsdesk.failpoints import failpoint

logger = logging.getLogger(__name__)

KIND_HEADER = "WARC-Newsdesk-Kind"
RUN_HEADER = "WARC-Newsdesk-Run"
EDITION_HEADER = "WARC-Newsdesk-Edition"
# The edition of a record that names none: archives before editions were English.
LEGACY_EDITION = "en"
DEFAULT_MAX_BYTES = 100 * 1024 * 1024
# Headers describing the wire encoding: the stored body is already decoded.
_WIRE_HEADERS = {"content-encoding", "transfer-encoding", "content-length"}


@dataclass(frozen=True)
class ArchivedResponse:
    """One response read back from the archive."""

    url: str
    fetched_at: datetime
    kind: str
    status: int
    body: bytes
    run_id: str | None
    edition: str = LEGACY_EDITION  # the edition code the crawl parsed it with


class WarcArchive:
    """Appends request/response record pairs to rotating gzip WARC files."""

    def __init__(
        self,
        root: Path,
        run_id: str,
        max_bytes: int = DEFAULT_MAX_BYTES,
        edition: str | None = None,
    ) -> None:
        self.root = root
        # The open file's name carries the edition (``.<name>.<edition>.open``): the
        # editions' writers run at the same time, and each recovers only its own.
        self.edition = edition
        self.run_id = run_id
        self.max_bytes = max_bytes
        self.sequence = 0
        self._handle: io.BufferedWriter | None = None
        self._writer: WARCWriter | None = None
        self._open_path: Path | None = None
        self._final_path: Path | None = None
        self._day: str | None = None

    def write(
        self,
        *,
        url: str,
        method: str,
        request_headers: list[tuple[str, str]],
        status: int,
        response_headers: list[tuple[str, str]],
        body: bytes,
        fetched_at: datetime,
        kind: str,
        edition: str | None = None,
    ) -> None:
        """Store one exchange. ``fetched_at`` becomes the records' WARC-Date.

        ``edition`` (a code) is recorded in ``WARC-Newsdesk-Edition`` when given.
        """
        failpoint("archive.write", self._open_path)
        writer = self._writer_for(fetched_at)
        date = datetime_to_iso_date(
            fetched_at.astimezone(UTC).replace(tzinfo=None), use_micros=True
        )
        extra = {"WARC-Date": date, KIND_HEADER: kind, RUN_HEADER: self.run_id}
        if edition is not None:
            extra[EDITION_HEADER] = edition
        headers = [(k, v) for k, v in response_headers if k.lower() not in _WIRE_HEADERS]
        headers.append(("Content-Length", str(len(body))))
        response = writer.create_warc_record(
            url,
            "response",
            payload=io.BytesIO(body),
            length=len(body),
            http_headers=StatusAndHeaders(
                f"{status} {_reason(status)}", headers, protocol="HTTP/1.1"
            ),
            warc_headers_dict=extra,
        )
        path = _request_target(url)
        request = writer.create_warc_record(
            url,
            "request",
            payload=io.BytesIO(b""),
            length=0,
            http_headers=StatusAndHeaders(
                f"{method} {path} HTTP/1.1", request_headers, is_http_request=True
            ),
            warc_headers_dict={"WARC-Date": date, RUN_HEADER: self.run_id},
        )
        request.rec_headers.add_header("WARC-Concurrent-To", response.rec_headers["WARC-Record-ID"])
        writer.write_record(response)
        writer.write_record(request)
        assert self._handle is not None
        self._handle.flush()

    def _writer_for(self, fetched_at: datetime) -> WARCWriter:
        day = fetched_at.astimezone(UTC).date().isoformat()
        too_big = self._handle is not None and self._handle.tell() >= self.max_bytes
        if self._writer is None or day != self._day or too_big:
            self.close()
            self._day = day
            directory = self.root / f"date={day}"
            directory.mkdir(parents=True, exist_ok=True)
            while True:
                name = f"{self.run_id}-{self.sequence:05d}.warc.gz"
                self.sequence += 1
                if not (directory / name).exists():
                    break
            self._final_path = directory / name
            tag = f".{self.edition}" if self.edition else ""
            self._open_path = directory / f".{name}{tag}.open"
            self._handle = open(self._open_path, "wb")  # noqa: SIM115 - lives across calls
            self._writer = WARCWriter(self._handle, gzip=True, warc_version="1.1")
        return self._writer

    def close(self) -> None:
        """Finish the current file (fsync, then rename into place)."""
        if self._handle is None:
            return
        self._handle.flush()
        os.fsync(self._handle.fileno())
        self._handle.close()
        assert self._open_path is not None and self._final_path is not None
        os.replace(self._open_path, self._final_path)
        self._handle = None
        self._writer = None


def complete_prefix_length(data: bytes) -> int:
    """Bytes of ``data`` made of complete gzip members (one WARC record each)."""
    view = memoryview(data)
    pos = 0
    while pos < len(data):
        inflater = zlib.decompressobj(wbits=31)
        try:
            inflater.decompress(view[pos:])
        except zlib.error:
            break
        if not inflater.eof:
            break  # the member was cut short
        pos = len(data) - len(inflater.unused_data)
    return pos


def recover_open_files(root: Path, edition: str | None = None) -> int:
    """Turn ``.open`` files left by a killed crawl into complete WARC files.

    Each record is its own gzip member, so the complete records are the file's
    longest prefix of complete members; a torn last record is dropped. With an
    edition, only that edition's open files (``.<name>.<edition>.open``) and
    untagged ones (written before editions) are touched: another edition's
    crawl may be writing its own at this moment.
    """
    count = 0
    if not root.exists():
        return 0
    if edition is None:
        found = set(root.rglob(".*.warc.gz*.open"))
    else:
        found = set(root.rglob(".*.warc.gz.open")) | set(root.rglob(f".*.warc.gz.{edition}.open"))
    for open_path in sorted(found):
        name = open_path.name[1:].removesuffix(".open")
        if not name.endswith(".warc.gz"):
            name = name.rsplit(".", 1)[0]  # the edition tag
        final = open_path.with_name(name)
        data = open_path.read_bytes()
        keep = complete_prefix_length(data)
        if keep < len(data):
            logger.warning("dropping %d torn bytes at the end of %s", len(data) - keep, open_path)
        tmp = final.with_name(f".{final.name}.tmp")
        tmp.write_bytes(data[:keep])
        os.replace(tmp, final)
        open_path.unlink()
        count += 1
    return count


class ArchiveDamage(NamedTuple):
    """A WARC file that could not be read to its end."""

    path: Path
    records_read: int
    detail: str


_SCAN_CHUNK = 1024 * 1024
# What warcio and zlib raise on damaged input (warcio's ArchiveLoadFailed is an Exception).
_READ_ERRORS = (ArchiveLoadFailed, OSError, EOFError, ValueError, zlib.error)


def scan_members(handle: BinaryIO) -> tuple[int, int]:
    """(bytes made of complete gzip members, total bytes) of an open file, streamed.

    Unlike ``complete_prefix_length`` this reads in chunks and never copies the
    rest of the file per member, so it is linear in the file size. The output
    is discarded: only the member boundaries matter.
    """
    good = 0
    offset = 0  # bytes of the file fed so far
    inflater = zlib.decompressobj(wbits=31)
    while True:
        chunk = handle.read(_SCAN_CHUNK)
        if not chunk:
            break
        offset += len(chunk)
        data = chunk
        while data:
            try:
                inflater.decompress(data)
            except zlib.error:
                return good, offset + _rest(handle)
            if not inflater.eof:
                break  # the member goes on in the next chunk (or was cut short)
            data = inflater.unused_data
            good = offset - len(data)
            inflater = zlib.decompressobj(wbits=31)
    # A torn last member simply leaves ``good`` short of ``offset``.
    return good, offset


def _rest(handle: BinaryIO) -> int:
    rest = 0
    while chunk := handle.read(_SCAN_CHUNK):
        rest += len(chunk)
    return rest


def iter_archive(
    root: Path,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    kinds: frozenset[str] | None = None,
    on_damage: Callable[[ArchiveDamage], None] | None = None,
) -> Iterator[ArchivedResponse]:
    """Response records in fetch order (files are read in name order, records in order).

    A damaged file (truncated, or garbage inside) never stops the iteration:
    the records before the damage are yielded, then ``on_damage`` is called
    with the file (or a warning is logged when there is no callback) and the
    next file is read. warcio alone stops silently at a truncated gzip member,
    so each file's gzip members are checked first.
    """
    if not root.exists():
        return
    files = sorted(root.rglob("*.warc.gz"), key=lambda p: (p.parent.name, p.name))
    for path in files:
        if path.name.startswith("."):
            continue
        yield from _iter_file(path, since, until, kinds, on_damage)


def _iter_file(
    path: Path,
    since: datetime | None,
    until: datetime | None,
    kinds: frozenset[str] | None,
    on_damage: Callable[[ArchiveDamage], None] | None,
) -> Iterator[ArchivedResponse]:
    def damaged(records: int, detail: str) -> None:
        damage = ArchiveDamage(path, records, detail)
        if on_damage is None:
            logger.warning("damaged archive file %s after %d records: %s", path, records, detail)
        else:
            on_damage(damage)

    records = 0
    try:
        with open(path, "rb") as handle:
            good, size = scan_members(handle)
            if good < size:
                # Only the complete members go to warcio; a damaged file is rare,
                # so holding its good prefix in memory is fine.
                handle.seek(0)
                source: BinaryIO = io.BytesIO(handle.read(good))
            else:
                handle.seek(0)
                source = handle
            for record in ArchiveIterator(source):
                if record.rec_type != "response":
                    continue
                kind = record.rec_headers.get_header(KIND_HEADER) or "page"
                if kinds is not None and kind not in kinds:
                    continue
                fetched_at = iso_date_to_datetime(record.rec_headers.get_header("WARC-Date"))
                fetched_at = fetched_at.replace(tzinfo=UTC)
                if since is not None and fetched_at < since:
                    continue
                if until is not None and fetched_at >= until:
                    continue
                status = int(record.http_headers.get_statuscode() or 0)
                response = ArchivedResponse(
                    url=record.rec_headers.get_header("WARC-Target-URI"),
                    fetched_at=fetched_at,
                    kind=kind,
                    status=status,
                    body=record.content_stream().read(),
                    run_id=record.rec_headers.get_header(RUN_HEADER),
                    edition=record.rec_headers.get_header(EDITION_HEADER) or LEGACY_EDITION,
                )
                records += 1
                yield response
    except _READ_ERRORS as exc:
        damaged(records, f"{type(exc).__name__}: {exc}".splitlines()[0][:200])
        return
    if good < size:
        damaged(records, f"only {good} of {size} bytes are complete records")


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def _request_target(url: str) -> str:
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
