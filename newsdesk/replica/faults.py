"""Hostile sites on loopback for fault tests and benchmarks: a gzip bomb, a huge sitemap.

    with FaultServer() as srv:
        srv.add(SITEMAP_INDEX_PATH, sitemap_index_xml([srv.base_url + MONTH_PATH]))
        srv.add("/news/politics/bomb", gzip_bomb(2 * GIB), headers={"Content-Encoding": "gzip"})
        ...                                     # crawl srv.base_url
        srv.requests                            # [(method, path_with_query, status), ...]

Unknown paths (robots.txt included) answer a tiny 404 at once, so a crawl
that walks a 300,000-URL sitemap is limited by the crawler, not the server.
"""

from __future__ import annotations

import multiprocessing
import threading
import zlib
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any

from newsdesk.crawl import CrawlError, CrawlOptions, CrawlSummary, run_crawl
from newsdesk.replica.server import RequestLog

MIB = 1024 * 1024
GIB = 1024 * MIB
SITEMAP_INDEX_PATH = "/sitemaps/all.xml"
MONTH_PATH = "/sitemaps/all/sitemap-2025-7.xml"
XML = "application/xml; charset=utf-8"
HTML = "text/html; charset=utf-8"

Route = tuple[int, dict[str, str], bytes]  # status, headers, body


def gzip_bomb(inflated_bytes: int = 2 * GIB) -> bytes:
    """A gzip stream of zeros that inflates to ``inflated_bytes`` (2 GiB: about 2 MB)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    chunk = bytes(MIB)
    parts = [compressor.compress(chunk) for _ in range(inflated_bytes // MIB)]
    parts.append(compressor.compress(bytes(inflated_bytes % MIB)))
    parts.append(compressor.flush())
    return b"".join(parts)


def sitemap_index_xml(locs: Iterable[str]) -> bytes:
    """A sitemap index listing ``locs``."""
    entries = "".join(
        f"<sitemap><loc>{loc}</loc><lastmod>2025-07-31T00:00:00+00:00</lastmod></sitemap>"
        for loc in locs
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}'
        "</sitemapindex>"
    ).encode()


def sitemap_urlset_xml(locs: Iterable[str]) -> bytes:
    """A urlset listing ``locs`` (each with a July 2025 lastmod)."""
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
    )
    body = "".join(
        f"<url><loc>{loc}</loc><lastmod>2025-07-15T10:00:00+00:00</lastmod></url>\n" for loc in locs
    )
    return (head + body + "</urlset>\n").encode()


def article_urls(base_url: str, n: int, section: str = "politics") -> list[str]:
    """``n`` distinct article-shaped URLs on ``base_url``."""
    return [f"{base_url}/news/{section}/story-{i:07d}" for i in range(n)]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    fault: FaultServer


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.0"

    def do_GET(self) -> None:
        status, headers, body = self.server.fault.answer(self.path)
        try:
            self.send_response(status)
            headers = {"Content-Type": HTML, **headers, "Content-Length": str(len(body))}
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the crawler gave up on a body it found too large: expected

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the request log is ``FaultServer.requests``."""


class FaultServer:
    """A loopback HTTP server answering fixed routes; everything else is a fast 404."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.port = port
        self.base_url = ""
        self.routes: dict[str, Route] = {}
        self.requests = RequestLog()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    def add(
        self, path: str, body: bytes, *, status: int = 200, headers: dict[str, str] | None = None
    ) -> None:
        """Serve ``body`` at ``path`` (XML content type for ``.xml`` paths, else HTML)."""
        content_type = XML if path.endswith(".xml") else HTML
        self.routes[path] = (status, {"Content-Type": content_type, **(headers or {})}, body)

    def answer(self, target: str) -> Route:
        """The route for a request target (recorded in ``requests``)."""
        status, headers, body = self.routes.get(target, (404, {}, b"not found"))
        self.requests.append(("GET", target, status))
        return status, headers, body

    def start(self) -> FaultServer:
        """Bind and serve from a daemon thread."""
        httpd = _Server((self.host, self.port), _Handler)
        httpd.fault = self
        self.port = httpd.server_address[1]
        self.base_url = f"http://{self.host}:{self.port}"
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port."""
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None

    def __enter__(self) -> FaultServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def peak_rss_bytes() -> int:
    """This process's peak resident set (``VmHWM`` in /proc/self/status), 0 if unknown.

    Not ``ru_maxrss``: a child forked from a big parent reports at least the
    parent's size in it.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _measured_child(options: CrawlOptions, queue: Any) -> None:
    try:
        summary = run_crawl(options).to_dict()
    except CrawlError as exc:
        queue.put(("error", str(exc), peak_rss_bytes()))
        return
    queue.put(("ok", summary, peak_rss_bytes()))


def crawl_with_peak_rss(options: CrawlOptions, timeout: float = 600.0) -> tuple[CrawlSummary, int]:
    """Run one crawl in a fresh (spawned) process; its summary and the process's peak RSS."""
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_measured_child, args=(options, queue))
    proc.start()
    try:
        status, payload, peak = queue.get(timeout=timeout)
    finally:
        proc.join(timeout=30)
        if proc.is_alive():
            proc.kill()
    if status == "error":
        raise CrawlError(payload)
    return CrawlSummary(**payload), int(peak)
