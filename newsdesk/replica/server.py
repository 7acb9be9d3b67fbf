"""Serve a generated replica on loopback, from a background thread.

    with ReplicaServer(n_articles=60, slow_seconds=0.1) as srv:
        fetch(srv.base_url + "/robots.txt")
        srv.site.ground_truth      # what a crawl must produce
        srv.requests               # [(method, path_with_query, status), ...]

The server binds first (so ``port=0`` gets a real port), then generates the site
with ``base_url = f"http://{host}:{port}"``. Faults: a ``transient_503`` resource
answers 503 to its first request and 200 afterwards (per server, reset by
:meth:`ReplicaServer.set_revision`); a ``slow`` one answers after
``slow_seconds``. With ``forbidden=True`` everything, robots.txt included, is a
Cloudflare-like 403.

With ``trap_url`` (an absolute URL on another origin, e.g. another loopback
port) the replica also points off-site, as a hostile or misconfigured site
would: every listing page gets an extra card linking to the trap and a card
linking to :data:`TRAP_REDIRECT_PATH` (which redirects to it) and to
:data:`TRAP_REDIRECT_AFTER_503_PATH` (a 503 first, then a redirect: a retried
request carries ``dont_filter``); a listing's last page gets a load-more link
to it; every monthly sitemap gets an entry for it, and the sitemap index a
monthly file on it. A crawler that keeps to its origin requests none of it.
The ground truth is unchanged. Off by default.
"""

from __future__ import annotations

import hashlib
import ipaddress
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import urlsplit

from newsdesk.replica import markup
from newsdesk.replica.generator import HTML, Site

Served = tuple[str, str, int]  # (method, path_with_query, status)

# On-site, article-shaped paths that redirect to ``trap_url`` (see the module doc).
TRAP_REDIRECT_PATH = "/news/politics/moved-away"
TRAP_REDIRECT_AFTER_503_PATH = "/news/politics/moved-after-503"


class RequestLog(list[Served]):
    """A thread-safe list of the requests served: ``(method, path_with_query, status)``.

    Entries are appended before the response is written, so a client that has its
    answer can already count it.
    """

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()

    def append(self, item: Served) -> None:
        """Record one served request."""
        with self._lock:
            super().append(item)

    def clear(self) -> None:
        """Forget every recorded request."""
        with self._lock:
            super().clear()

    def snapshot(self) -> list[Served]:
        """A copy, safe to iterate while the server runs."""
        with self._lock:
            return list(self)

    def matching(
        self, path: str | None = None, *, method: str | None = None, status: int | None = None
    ) -> list[Served]:
        """Recorded requests with this path (with query), method and/or status."""
        return [
            r
            for r in self.snapshot()
            if (path is None or r[1] == path)
            and (method is None or r[0] == method)
            and (status is None or r[2] == status)
        ]


def _check_loopback(host: str) -> None:
    if host == "localhost":
        return
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ValueError(f"the replica only listens on loopback, not {host!r}")


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    replica: ReplicaServer


class _HTTPServer6(_HTTPServer):
    address_family = socket.AF_INET6


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer
    protocol_version = "HTTP/1.0"

    def do_GET(self) -> None:
        self._answer(with_body=True)

    def do_HEAD(self) -> None:
        self._answer(with_body=False)

    def version_string(self) -> str:
        """The ``Server`` header: Cloudflare's when the replica plays blocked."""
        return "cloudflare" if self.server.replica.forbidden else "replica"

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the request log is ``ReplicaServer.requests``."""

    def _answer(self, with_body: bool) -> None:
        target = self.path
        if target.startswith(("http://", "https://")):
            parts = urlsplit(target)
            target = parts.path + (f"?{parts.query}" if parts.query else "")
        status, content_type, body, headers = self.server.replica.respond(self.command, target)
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            if with_body:
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass


class ReplicaServer:
    """The replica served over HTTP on loopback; a context manager (or ``start``/``stop``).

    Attributes: ``base_url``, ``site`` (the :class:`~newsdesk.replica.generator.Site`
    being served), ``requests`` (a :class:`RequestLog`), and the settings
    ``slow_seconds`` and ``forbidden``, which may be changed while it runs.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        seed: int = 7,
        n_articles: int = 240,
        revision: int = 1,
        slow_seconds: float = 1.0,
        forbidden: bool = False,
        trap_url: str | None = None,
        edition: str = "en",
    ) -> None:
        _check_loopback(host)
        self.edition = edition
        self.trap_url = trap_url
        self.host = host
        self.port = port
        self.seed = seed
        self.n_articles = n_articles
        self.revision = revision
        self.slow_seconds = slow_seconds
        self.forbidden = forbidden
        self.base_url = ""
        self.site: Site | None = None
        self.requests = RequestLog()
        self._lock = threading.Lock()
        self._failed_once: set[str] = set()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> ReplicaServer:
        """Bind, generate the site for the bound address, serve from a thread."""
        if self._httpd is not None:
            return self
        ipv6 = ":" in self.host
        httpd = (_HTTPServer6 if ipv6 else _HTTPServer)((self.host, self.port), _Handler)
        try:
            self.port = httpd.server_address[1]
            host = f"[{self.host}]" if ipv6 else self.host
            self.base_url = f"http://{host}:{self.port}"
            self.site = self._generate(self.revision)
        except BaseException:
            httpd.server_close()
            raise
        httpd.replica = self
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"replica-{self.port}",
            daemon=True,
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
        self._thread = None

    def __enter__(self) -> ReplicaServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def set_revision(self, revision: int) -> Site:
        """Serve another revision of the same site, on the same port; returns it.

        Transient faults are armed again (their next request gets a 503).
        """
        if not self.base_url:
            raise RuntimeError("start the server first")
        site = self._generate(revision)
        with self._lock:
            self.site = site
            self.revision = revision
            self._failed_once.clear()
        return site

    def _generate(self, revision: int) -> Site:
        from newsdesk import editions

        site: Site = editions.get(self.edition).generate_replica(
            self.base_url, seed=self.seed, n_articles=self.n_articles, revision=revision
        )
        return site

    # ------------------------------------------------------------------ answering

    def respond(self, method: str, target: str) -> tuple[int, str, bytes, dict[str, str]]:
        """Status, content type, body and extra headers for a request; records it.

        Sleeps ``slow_seconds`` first for a slow resource.
        """
        if self.forbidden:
            ray = hashlib.sha1(target.encode("utf-8")).hexdigest()[:16]
            answer = (403, HTML, markup.cloudflare_page(ray).encode("utf-8"))
            headers = {"CF-RAY": f"{ray}-BEY"}
            self.requests.append((method, target, answer[0]))
            return (*answer, headers)
        site = self.site
        assert site is not None
        if self.trap_url is not None:
            trapped = self._trap_redirect(target)
            if trapped is not None:
                self.requests.append((method, target, trapped[0]))
                return trapped
        resource = site.resolve(target)
        status, body, headers = resource.status, resource.body, {}
        if resource.fault == "transient_503":
            key = urlsplit(target).path
            with self._lock:
                first = key not in self._failed_once
                self._failed_once.add(key)
            if first:
                status, headers = 503, {"Retry-After": "1"}
                page = markup.error_page(503, "Service Unavailable", "Please try again shortly.")
                body = page.encode("utf-8")
        elif resource.fault == "slow":
            time.sleep(self.slow_seconds)
        content_type = resource.content_type if status == resource.status else HTML
        if self.trap_url is not None and status == 200:
            body = self._with_trap_links(body)
        self.requests.append((method, target, status))
        return status, content_type, body, headers

    def _trap_redirect(self, target: str) -> tuple[int, str, bytes, dict[str, str]] | None:
        path = urlsplit(target).path
        if path == TRAP_REDIRECT_AFTER_503_PATH:
            with self._lock:
                first = path not in self._failed_once
                self._failed_once.add(path)
            if first:
                return 503, HTML, b"try again", {"Retry-After": "0"}
        elif path != TRAP_REDIRECT_PATH:
            return None
        assert self.trap_url is not None
        return 302, HTML, b"moved", {"Location": self.trap_url}

    def _with_trap_links(self, body: bytes) -> bytes:
        """The body with links to ``trap_url`` added (listings and sitemaps only)."""
        trap = markup.esc(self.trap_url or "")
        if b'class="white-card"' in body:
            extra = "".join(
                f'<div class="white-card"><a href="{href}"><h4>Elsewhere</h4></a></div>'
                for href in (trap, TRAP_REDIRECT_PATH, TRAP_REDIRECT_AFTER_503_PATH)
            )
            if b"loadmorebtn" not in body:
                extra += f'<a class="loadmorebtn" href="{trap}">Load more</a>'
            return body.replace(b"</body>", extra.encode("utf-8") + b"</body>", 1)
        if b"</urlset>" in body:
            entry = f"<url><loc>{trap}</loc><lastmod>2025-10-01T00:00:00+00:00</lastmod></url>"
            return body.replace(b"</urlset>", entry.encode("utf-8") + b"</urlset>", 1)
        if b"</sitemapindex>" in body:
            entry = f"<sitemap><loc>{trap}</loc></sitemap>"
            return body.replace(b"</sitemapindex>", entry.encode("utf-8") + b"</sitemapindex>", 1)
        return body


def serve_forever(
    host: str = "127.0.0.1",
    port: int = 8123,
    *,
    seed: int = 7,
    n_articles: int = 240,
    revision: int = 1,
    slow_seconds: float = 1.0,
    forbidden: bool = False,
    edition: str = "en",
) -> None:
    """Serve the replica in the foreground until Ctrl-C; prints the base URL once."""
    server = ReplicaServer(
        host,
        port,
        seed=seed,
        n_articles=n_articles,
        revision=revision,
        slow_seconds=slow_seconds,
        forbidden=forbidden,
        edition=edition,
    )
    with server:
        print(server.base_url, flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
