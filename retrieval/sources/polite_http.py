"""Requests to one website, politely: its robots.txt rules, a pause between requests, redirects followed
only where they stay allowed, bodies read no further than a byte cap, and a timeout on every request.

httpx (encode/httpx: maintained, typed, pure Python) sends the requests, streamed so that a large body is
cut off while it arrives; it is told not to follow redirects, so each hop is checked here and no request
leaves the site. robots.txt is read with the standard library's urllib.robotparser (note: it applies a
group's rules in file order, first match wins, where RFC 9309 prefers the longest match; the usual
Disallow-only files read the same).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit, urlunsplit
from urllib.robotparser import RobotFileParser

import httpx

log = logging.getLogger(__name__)

ROBOTS_AGENT = "citebot"  # the name robots.txt groups are matched against
USER_AGENT = "citebot/0.1 (documentation indexer; robots.txt agent: citebot)"
TIMEOUT = httpx.Timeout(30.0, connect=10.0)  # seconds: to connect, and for each read, write, pool wait
PAGE_SECONDS = 120.0  # most seconds one body may take to arrive (a slow drip is cut off)
MAX_REDIRECTS = 5
ROBOTS_MAX_BYTES = 500 * 1024  # RFC 9309 asks crawlers to read at least 500 KiB; the rest is ignored
_ACCEPT = "text/html,application/xhtml+xml,text/markdown;q=0.9,text/plain;q=0.8,application/pdf;q=0.8"


class Refused(Exception):
    """One URL is not read; the message is the reason, shown to the user as is."""


class Transient(Refused):
    """A reason that may pass by itself: a network error, a timeout, HTTP 5xx or 429."""


class ServerError(Transient):
    """The server answered HTTP 5xx or 429."""


@dataclass
class Reply:
    """A final (non-redirect) answer: the URL it came from (after redirects), its status and headers, and
    its body (read for a 200 only, within the byte cap)."""

    url: str
    status: int
    headers: httpx.Headers
    body: bytes = b""


HopCheck = Callable[[str], "str | None"]  # why a redirect target may not be followed, if so


def normal_url(url: str) -> str:
    """`url` without its fragment, scheme and host in lower case, an empty path as "/"."""
    parts = urlsplit(url.strip())
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", parts.query, ""))


def media_type(headers: httpx.Headers) -> str:
    """The Content-Type's media type, lower case, without parameters ("" when there is none)."""
    return headers.get("content-type", "").split(";")[0].strip().lower()


def origin_of(url: str) -> tuple[str, str]:
    """(scheme, host[:port]) in lower case: what "the same site" compares."""
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


class PoliteClient:
    """GET requests to the site `origin` (scheme, host[:port]) through an httpx.Client.

    `sleep(seconds)` pauses between requests (not before the first), for the longer of `min_delay` and
    robots.txt's Crawl-delay / Request-rate once read_robots has run. `timeout`: each request's.
    """

    def __init__(
        self,
        client: httpx.Client,
        origin: tuple[str, str],
        sleep: Callable[[float], None],
        min_delay: float,
        timeout: httpx.Timeout = TIMEOUT,
    ) -> None:
        self.client = client
        self.origin = origin
        self.sleep = sleep
        self.delay = min_delay
        self.timeout = timeout
        self.requests = 0
        self.robots = RobotFileParser()
        self.robots.parse([])  # no rules until read_robots

    @property
    def site(self) -> str:
        """The site as a URL without a path: scheme://[user:password@]host[:port]."""
        return "{}://{}".format(*self.origin)

    @property
    def shown(self) -> str:
        """The site as messages and logs show it: scheme://host[:port], any user:password@ left out."""
        scheme, host = self.origin
        return f"{scheme}://{host.rpartition('@')[2]}"

    def off_site(self, url: str) -> str | None:
        """Why `url` is not on this site, if so: another scheme or host (or port)."""
        return None if origin_of(url) == self.origin else f"not on the site {self.shown}"

    def read_robots(self) -> None:
        """Read the site's robots.txt and lengthen the pause to its Crawl-delay / Request-rate.

        RFC 9309: a 4xx (or a redirect off the site, or more than five) means no rules; the first 500 KiB
        are read. Raises Transient when the site does not answer at all, and Refused when robots.txt
        answers a server error (then nothing may be read).
        """
        try:
            reply = self.get(f"{self.site}/robots.txt", {}, ROBOTS_MAX_BYTES, self.off_site, truncate=True)
        except ServerError as problem:
            raise Refused(f"robots.txt answered {problem}; nothing is read") from None
        except Transient:
            raise
        except Refused as problem:
            log.info("%s: robots.txt not read (%s); no rules", self.shown, problem)
            reply = Reply(f"{self.site}/robots.txt", 404, httpx.Headers())
        lines = reply.body.decode("utf-8", errors="replace").splitlines() if reply.status == 200 else []
        self.robots = RobotFileParser()
        self.robots.parse(lines)
        waits = [self.delay, float(self.robots.crawl_delay(ROBOTS_AGENT) or 0)]
        rate = self.robots.request_rate(ROBOTS_AGENT)
        if rate and rate.requests:
            waits.append(rate.seconds / rate.requests)
        self.delay = max(waits)

    def disallowed(self, url: str) -> str | None:
        """Why robots.txt keeps `url` from being read, if it does."""
        return None if self.robots.can_fetch(ROBOTS_AGENT, url) else "robots.txt disallows it"

    def get(
        self,
        url: str,
        headers: dict[str, str],
        max_bytes: int,
        hop_check: HopCheck,
        truncate: bool = False,
        media_types: frozenset[str] | None = None,
    ) -> Reply:
        """GET `url`, following redirects that `hop_check` and robots.txt allow; a 200's body is read up
        to `max_bytes` (a larger one is refused, or cut there when `truncate`). With `media_types`, a 200
        declaring another Content-Type is refused before its body is read.

        Raises Transient (network error, timeout, HTTP 5xx or 429) or Refused (a redirect not followed,
        too many, another media type, a body too large, an invalid URL), each with the reason.
        """
        for _hop in range(MAX_REDIRECTS + 1):
            with self._request(url, headers) as response:
                if response.is_redirect and "location" in response.headers:
                    target = normal_url(urljoin(url, response.headers["location"]))
                    reason = hop_check(target) or self.disallowed(target)
                    if reason:
                        raise Refused(f"redirected to {target}: {reason}")
                    url = target
                    continue
                if response.status_code == 429 or response.status_code >= 500:
                    raise ServerError(f"HTTP {response.status_code}")
                body = b""
                if response.status_code == 200:
                    declared = media_type(response.headers)
                    if media_types is not None and declared and declared not in media_types:
                        raise Refused(f"not a page citebot reads (content type {declared})")
                    body = _read_body(response, max_bytes, truncate)
                return Reply(url, response.status_code, response.headers, body)
        raise Refused(f"more than {MAX_REDIRECTS} redirects")

    @contextmanager
    def _request(self, url: str, headers: dict[str, str]) -> Iterator[httpx.Response]:
        """One paced, streamed request; network errors and timeouts (while the body is read too) become
        Transient."""
        if self.requests and self.delay > 0:
            self.sleep(self.delay)
        self.requests += 1
        headers = {"User-Agent": USER_AGENT, "Accept": _ACCEPT, **headers}
        try:
            with self.client.stream("GET", url, headers=headers, timeout=self.timeout) as response:
                yield response
        except httpx.InvalidURL as error:
            raise Refused(f"not a valid URL ({error})") from error
        except httpx.HTTPError as error:
            kind = "timed out" if isinstance(error, httpx.TimeoutException) else "network error"
            raise Transient(f"{kind} ({str(error) or type(error).__name__})") from error


def _read_body(response: httpx.Response, max_bytes: int, truncate: bool) -> bytes:
    """The body (decoded), stopping as soon as it passes `max_bytes` (refused, or cut when `truncate`) or
    has taken longer than PAGE_SECONDS."""
    declared = response.headers.get("content-length", "")
    if not truncate and declared.isdigit() and int(declared) > max_bytes:
        raise Refused(f"larger than {max_bytes} bytes ({declared} bytes)")
    chunks, size, started = [], 0, time.monotonic()
    for chunk in response.iter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size > max_bytes:
            if truncate:
                return b"".join(chunks)[:max_bytes]
            raise Refused(f"larger than {max_bytes} bytes (stopped reading)")
        if time.monotonic() - started > PAGE_SECONDS:
            raise Transient(f"took longer than {PAGE_SECONDS:.0f} s to arrive")
    return b"".join(chunks)
