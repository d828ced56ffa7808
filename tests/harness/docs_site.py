"""A documentation website on 127.0.0.1 for tests, served as a static host serves a built site.

`DocsSite(root)` serves the files under `root` (`/x/` -> x/index.html, `/x` -> a redirect to `/x/` when x
is a folder) with an ETag and a Last-Modified, answering 304 to If-None-Match / If-Modified-Since; a
robots.txt (`robots`: its text, None: 404); a sitemap made from `sitemap_paths` at /sitemap.xml, gzipped at
/sitemap.xml.gz, and a sitemap index listing the gzipped one at /sitemap_index.xml. `redirects` (path ->
Location), `statuses` (path -> status), `unsized` (paths sent without Content-Length) and `slow` (path ->
seconds waited before answering) change answers.
Every request is recorded (path, headers, status) in `requests`.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import sys
import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit
from xml.sax.saxutils import escape

_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
    ".xml": "application/xml",
}


@dataclass
class SiteRequest:
    path: str
    headers: dict[str, str]
    status: int


@dataclass
class DocsSite:
    root: Path
    robots: str | None = None
    sitemap_paths: list[str] = field(default_factory=list)
    redirects: dict[str, str] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)
    unsized: set[str] = field(default_factory=set)
    slow: dict[str, float] = field(default_factory=dict)
    requests: list[SiteRequest] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._server = _Server(("127.0.0.1", 0), _handler_for(self))
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    @property
    def base(self) -> str:
        """http://127.0.0.1:PORT (no trailing slash)."""
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    @property
    def paths(self) -> list[str]:
        """The paths requested so far, in order."""
        return [request.path for request in self.requests]

    def start(self) -> DocsSite:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def sitemap(self) -> bytes:
        entries = "".join(f"<url><loc>{escape(self.url(path))}</loc></url>" for path in self.sitemap_paths)
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>\n'
        ).encode()

    def sitemap_index(self) -> bytes:
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<sitemap><loc>{self.url('/sitemap.xml.gz')}</loc></sitemap></sitemapindex>\n"
        ).encode()


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that hangs up mid-body (a page over the byte cap, a timeout) is expected here."""
        if not isinstance(sys.exc_info()[1], BrokenPipeError | ConnectionResetError):
            super().handle_error(request, client_address)


def _handler_for(site: DocsSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
            pass

        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            path = unquote(urlsplit(self.path).path)
            self.record = SiteRequest(path, dict(self.headers.items()), 0)
            site.requests.append(self.record)  # before answering: the client acts on the answer at once
            time.sleep(site.slow.get(path, 0))
            self._answer(path)

        def _answer(self, path: str) -> int:
            if path in site.statuses:
                return self._send(site.statuses[path], b"no", "text/plain")
            if path in site.redirects:
                return self._send(301, b"", "text/plain", {"Location": site.redirects[path]})
            if path == "/robots.txt":
                if site.robots is None:
                    return self._send(404, b"not found", "text/plain")
                return self._send(200, site.robots.encode(), "text/plain")
            if path == "/sitemap.xml":
                return self._send(200, site.sitemap(), "application/xml")
            if path == "/sitemap.xml.gz":
                return self._send(200, gzip.compress(site.sitemap()), "application/gzip")
            if path == "/sitemap_index.xml":
                return self._send(200, site.sitemap_index(), "application/xml")
            return self._file(path)

        def _file(self, path: str) -> int:
            target = site.root / path.lstrip("/")
            if target.is_dir() and not path.endswith("/"):
                return self._send(301, b"", "text/plain", {"Location": path + "/"})
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file() or site.root.resolve() not in target.resolve().parents:
                return self._send(404, b"not found", "text/plain")
            body = target.read_bytes()
            etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
            modified = target.stat().st_mtime
            validators = {"ETag": etag, "Last-Modified": formatdate(modified, usegmt=True)}
            if self._not_modified(etag, modified):
                return self._send(304, b"", None, validators)
            kind = _TYPES.get(target.suffix) or mimetypes.guess_type(target.name)[0] or "text/plain"
            return self._send(200, body, kind, validators, sized=path not in site.unsized)

        def _not_modified(self, etag: str, modified: float) -> bool:
            if "If-None-Match" in self.headers:
                return etag in [tag.strip() for tag in self.headers["If-None-Match"].split(",")]
            since = self.headers.get("If-Modified-Since")
            return bool(since) and parsedate_to_datetime(since).timestamp() >= int(modified)

        def _send(
            self,
            status: int,
            body: bytes,
            kind: str | None,
            headers: dict[str, str] | None = None,
            sized: bool = True,
        ) -> int:
            self.record.status = status
            self.send_response(status)
            if kind:
                self.send_header("Content-Type", kind)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            if status == 304:
                pass  # no body, whatever the headers say
            elif sized:
                self.send_header("Content-Length", str(len(body)))
            else:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            if status != 304:
                self.wfile.write(body)
            return status

    return Handler
