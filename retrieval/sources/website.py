"""Fetches a documentation website into a folder the loader reads: the pages its sitemap lists, or the
same-site pages linked from a start URL, politely (robots.txt, a page and a byte cap, a pause between
requests) and incrementally (ETag / Last-Modified: a page the server says is unchanged is kept, not
downloaded again; a page gone from the site is removed from the folder).

What is read: HTML and XHTML pages, and Markdown, plain-text and PDF files when the server serves those
content types (a docs site's `.md` sources, `.txt` notes, PDF manuals); anything else is refused with
its content type. Each is saved under `into` at its URL's path (`/docs/install/` ->
`docs/install/index.html`, `/guide.php` served as HTML -> `guide.php.html`), so the loader's reader for
that suffix reads it. `into` belongs to this module: files in it that are no page of the latest fetch
are removed.

httpx (well kept, typed, a timeout on every request, streamed bodies) does the HTTP; redirects are
followed here, hop by hop, so no request leaves the site. robots.txt is read with the standard library's
urllib.robotparser, the sitemap with lxml (sitemap.py), links with lxml.html.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Protocol
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit
from urllib.robotparser import RobotFileParser

import httpx
import lxml.html
from lxml import etree
from wcmatch import glob

from retrieval.errors import RetrievalError
from retrieval.sources.sitemap import MAX_SITEMAP_BYTES, parse_sitemap

log = logging.getLogger(__name__)

ROBOTS_AGENT = "citebot"  # the name robots.txt rules are matched against
USER_AGENT = "citebot/0.1 (documentation indexer; robots.txt agent: citebot)"
TIMEOUT = httpx.Timeout(30.0, connect=10.0)  # seconds: connect, and each read/write/pool wait
PAGE_SECONDS = 120.0  # most seconds one page's body may take to arrive (a slow drip is cut off)
MAX_REDIRECTS = 5
MAX_SITEMAPS = 100  # sitemap files read from a sitemap index, at most
ROBOTS_MAX_BYTES = 500 * 1024  # what RFC 9309 asks crawlers to read at least; the rest is ignored
CACHE_FILE = ".citebot-site.json"  # hidden: the loader skips it
_CACHE_FORMAT = 1

# Content type -> the suffix its file gets, and the URL suffixes that already say that type.
_TYPES: dict[str, tuple[str, frozenset[str]]] = {
    "text/html": (".html", frozenset({".html", ".htm", ".xhtml"})),
    "application/xhtml+xml": (".xhtml", frozenset({".xhtml", ".html", ".htm"})),
    "text/markdown": (".md", frozenset({".md", ".markdown", ".mdx"})),
    "text/x-markdown": (".md", frozenset({".md", ".markdown", ".mdx"})),
    # Servers send .md/.rst/.adoc sources as text/plain: their own suffix picks the better reader.
    "text/plain": (".txt", frozenset({".txt", ".text", ".md", ".markdown", ".rst", ".adoc", ".asciidoc"})),
    "application/pdf": (".pdf", frozenset({".pdf"})),
}
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
_ACCEPT = "text/html,application/xhtml+xml,text/markdown;q=0.9,text/plain;q=0.8,application/pdf;q=0.8"
# Links to these are never followed when crawling: they are no pages (images, styles, archives, media).
_ASSET_SUFFIXES = frozenset(
    """.png .jpg .jpeg .gif .svg .webp .avif .ico .bmp .tif .tiff .css .js .mjs .map .json .xml .rss .atom
    .zip .gz .tgz .bz2 .xz .zst .7z .tar .rar .whl .egg .jar .exe .dmg .msi .deb .rpm .apk .iso .bin .mp3
    .mp4 .m4a .webm .ogg .ogv .wav .flac .avi .mov .mkv .woff .woff2 .ttf .otf .eot .ics .vcf""".split()
)
_TRANSIENT = "kept the copy from the last run"
_GLOB_FLAGS = glob.GLOBSTAR | glob.BRACE | glob.MATCHBASE | glob.DOTGLOB


class SourceError(RetrievalError):
    """A website source could not be read at all (site unreachable, robots.txt or sitemap failing, start
    page missing, a folder that is not ours); the message is one line that names the source."""

    def __init__(self, name: str, problem: str) -> None:
        self.name = name
        self.problem = problem
        super().__init__(f"source {name}: {problem}")


class WebsiteSource(Protocol):
    """The settings fetch_site reads; bot.settings.SourceSettings has this shape (retrieval never
    imports bot/). Exactly one of `sitemap` and `url` is set."""

    name: str
    sitemap: str | None
    url: str | None
    include: tuple[str, ...]
    exclude: tuple[str, ...]
    max_pages: int
    max_page_bytes: int
    crawl_delay_seconds: float


@dataclass(frozen=True)
class SiteSnapshot:
    """What one fetch left in `into`.

    pages: file path relative to `into` (POSIX) -> the page's URL (its final URL after redirects);
    refused: (url, reason) for each page not read this time (robots.txt, too large, not a page, HTTP
      status, network error, page cap reached). A page that failed for a passing reason (timeout, HTTP
      5xx or 429) but was saved by an earlier run is kept: it is in `pages` and in `refused`, its reason
      ending "kept the copy from the last run";
    fetched: pages downloaded this time; unchanged: pages the server answered 304 Not Modified for, kept.
    """

    pages: dict[str, str]
    refused: list[tuple[str, str]]
    fetched: int
    unchanged: int


@dataclass
class _CacheEntry:
    """What the last run knew about a URL it saved: its file, final URL and validators."""

    file: str
    final_url: str
    etag: str | None = None
    last_modified: str | None = None


@dataclass
class _Reply:
    """A final (non-redirect) answer: where it came from, its status and headers, and the body (read only
    for 200, within the byte cap)."""

    url: str
    status: int
    headers: httpx.Headers
    body: bytes = b""


class _Refused(Exception):
    """One page is not read; the message is the reason shown in SiteSnapshot.refused."""


class _Transient(_Refused):
    """A reason that may pass (network error, timeout, HTTP 5xx or 429): an earlier copy is kept."""


@dataclass
class _Run:
    """The state of one fetch: the site, the rules, and what has been read so far."""

    source: WebsiteSource
    into: Path
    client: httpx.Client
    sleep: Callable[[float], None]
    origin: tuple[str, str]
    robots: RobotFileParser = field(default_factory=RobotFileParser)
    delay: float = 0.0
    requests: int = 0
    old: dict[str, _CacheEntry] = field(default_factory=dict)
    new: dict[str, _CacheEntry] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)  # file -> final URL
    finals: set[str] = field(default_factory=set)
    refused: list[tuple[str, str]] = field(default_factory=list)
    fetched: int = 0
    unchanged: int = 0


def fetch_site(
    source: WebsiteSource,
    into: Path,
    client: httpx.Client | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> SiteSnapshot:
    """Fetch a website source (`source.sitemap` or `source.url`) into the folder `into`.

    Honours robots.txt (agent "citebot"), `max_pages` (pages kept), `max_page_bytes` (a larger body is
    not read: refused), `crawl_delay_seconds` (seconds slept between requests; robots.txt's Crawl-delay
    or Request-rate when longer) and the `include`/`exclude` globs, matched against the URL path without
    its leading "/" (`docs/**`, `*.pdf`; a folder pattern covers what is under it). A start URL crawl
    follows `<a href>` links breadth-first on the same scheme and host, under the start URL's folder,
    without query strings; the start page is always read for its links, kept only if the globs take it.
    `client`: an httpx.Client to send requests with (tests, proxies); one is made (and closed) if None.
    `sleep`: what pauses between requests (tests record it instead of waiting).

    Raises SourceError when the site cannot be read at all: unreachable, robots.txt answering a server
    error, the sitemap or start page failing, or `into` holding files that no fetch of ours put there.
    """
    location = source.sitemap or source.url
    if not location or urlsplit(location).scheme not in ("http", "https"):
        raise SourceError(source.name, f"{location!r} is not an http(s) URL")
    own_client = client is None
    http = client or httpx.Client(timeout=TIMEOUT, follow_redirects=False)
    try:
        run = _Run(source, into, http, sleep, _origin(location))
        run.old = _read_cache(run)
        _read_robots(run)
        if source.sitemap:
            _fetch_sitemap_pages(run, _normal(source.sitemap))
        else:
            _crawl(run, _normal(location))
        return _finish(run)
    finally:
        if own_client:
            http.close()


# --- the two ways of finding pages ---------------------------------------------------------------------


def _fetch_sitemap_pages(run: _Run, sitemap_url: str) -> None:
    """Read the sitemap (and the sitemaps an index lists), then each page it lists, in its order."""
    urls = _sitemap_urls(run, sitemap_url)
    selected = _path_filter(run.source.include, run.source.exclude)
    for position, url in enumerate(urls):
        if len(run.files) >= run.source.max_pages:
            run.refused += [(later, _cap_reason(run)) for later in urls[position:]]
            return
        reason = _not_on_site(run, url) or _robots_refusal(run, url)
        if reason:
            run.refused.append((url, reason))
        elif selected(_glob_path(url)):
            _read_page(run, url)


def _sitemap_urls(run: _Run, sitemap_url: str) -> list[str]:
    """Every page URL the sitemap lists (an index: its sitemaps, breadth-first), each once, in order."""
    pages: dict[str, None] = {}
    queue, seen = deque([sitemap_url]), {sitemap_url}
    while queue:
        url = queue.popleft()
        try:
            reply = _get(run, url, {}, MAX_SITEMAP_BYTES, _off_site)
            if reply.status != 200:
                raise _Refused(f"HTTP {reply.status}")
            entries = parse_sitemap(reply.body)
        except (_Refused, ValueError) as error:
            if url == sitemap_url:
                raise SourceError(run.source.name, f"the sitemap {url} could not be read: {error}") from None
            run.refused.append((url, f"sitemap not read: {error}"))
            continue
        pages.update((_normal(page), None) for page in entries.pages)
        for child in map(_normal, entries.sitemaps):
            if child in seen:
                continue
            seen.add(child)
            if len(seen) > MAX_SITEMAPS:
                run.refused.append((child, f"sitemap not read: more than {MAX_SITEMAPS} sitemaps"))
            elif reason := _off_site(run, child):
                run.refused.append((child, f"sitemap not read: {reason}"))
            else:
                queue.append(child)
    return list(pages)


def _crawl(run: _Run, start: str) -> None:
    """Breadth-first from `start` over same-site links under its folder (see fetch_site)."""
    prefix = _folder_of(urlsplit(start).path)
    selected = _path_filter(run.source.include, run.source.exclude)

    def outside(url: str) -> str | None:
        if reason := _not_on_site(run, url):
            return reason
        if url != start and not urlsplit(url).path.startswith(prefix):
            return f"outside {prefix}"
        return None

    queue, seen = deque([start]), {start}
    while queue:
        url = queue.popleft()
        if len(run.files) >= run.source.max_pages:
            run.refused += [(waiting, _cap_reason(run)) for waiting in [url, *queue]]
            return
        if reason := _robots_refusal(run, url):
            if url == start:
                raise SourceError(run.source.name, f"the start page {url}: {reason}")
            run.refused.append((url, reason))
            continue
        links = _read_page(run, url, keep=url != start or selected(_glob_path(url)), scope=outside)
        if links is None and url == start:
            raise SourceError(run.source.name, f"the start page {url} could not be read: {_last_reason(run)}")
        for link in links or ():
            if link not in seen and not outside(link) and not _is_asset(link) and selected(_glob_path(link)):
                seen.add(link)
                queue.append(link)


# --- one page ------------------------------------------------------------------------------------------


def _read_page(
    run: _Run, url: str, keep: bool = True, scope: Callable[[str], str | None] | None = None
) -> list[str] | None:
    """Fetch one page (conditionally when an earlier copy exists) and save it when `keep`.

    Returns its links (HTML pages; [] for others), or None when it could not be read (the reason is then
    in run.refused). `scope(url)`: why a redirect target may not be followed, if so (default: another
    site, or a query string).
    """
    cached = run.old.get(url)
    if cached and not (run.into / cached.file).is_file():
        cached = None
    hop_check = (lambda _run, target: scope(target)) if scope else _not_on_site
    try:
        reply = _get(run, url, _validators(cached), run.source.max_page_bytes, hop_check)
        if reply.url in run.finals:
            return []  # another URL of this run led to the same page
        if reply.status == 304 and cached:
            body = (run.into / cached.file).read_bytes()
            content_type = "text/html" if PurePosixPath(cached.file).suffix in _HTML_SUFFIXES else ""
        elif reply.status != 200:
            raise _Refused(f"HTTP {reply.status}")
        else:
            body, content_type = reply.body, _content_type(reply.headers, reply.url)
            if content_type not in _TYPES:
                raise _Refused(f"not a page citebot reads (content type {content_type or 'missing'})")
        links, noindex = _links(body, reply.url) if content_type in _HTML_TYPES else ([], False)
        if noindex and keep:
            run.refused.append((url, "the page asks not to be indexed (robots meta noindex)"))
        if keep and not noindex:
            _keep(run, url, reply, cached, content_type)
        return links
    except _Transient as problem:
        return _keep_earlier_copy(run, url, cached, str(problem))
    except _Refused as problem:
        run.refused.append((url, str(problem)))
        return None


def _keep(run: _Run, url: str, reply: _Reply, cached: _CacheEntry | None, content_type: str) -> None:
    """Record a page this run keeps: a 304 keeps the earlier file, a 200 is saved."""
    if reply.status == 304 and cached:
        entry = _CacheEntry(cached.file, reply.url, *_new_validators(reply, cached))
        run.unchanged += 1
    else:
        entry = _save(run, reply, content_type)
        run.fetched += 1
    run.new[url] = entry
    run.files[entry.file] = entry.final_url
    run.finals.add(entry.final_url)


def _save(run: _Run, reply: _Reply, content_type: str) -> _CacheEntry:
    """Write a 200 reply's body to its file under `into` (atomically); raises _Refused if it can't."""
    relative = _file_for(reply.url, content_type)
    if relative in run.files:
        raise _Refused(f"same file ({relative}) as {run.files[relative]}")
    target = run.into / relative
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.part")
        partial.write_bytes(reply.body)
        os.replace(partial, target)
    except OSError as error:
        raise _Refused(f"could not be saved as {relative} ({error.strerror or error})") from error
    return _CacheEntry(relative, reply.url, reply.headers.get("etag"), reply.headers.get("last-modified"))


def _keep_earlier_copy(run: _Run, url: str, cached: _CacheEntry | None, reason: str) -> list[str] | None:
    """A passing failure: keep the last run's copy of the page when there is one."""
    if cached is None:
        run.refused.append((url, reason))
        return None
    run.refused.append((url, f"{reason}; {_TRANSIENT}"))
    run.new[url] = cached
    run.files[cached.file] = cached.final_url
    run.finals.add(cached.final_url)
    return None


def _links(body: bytes, page_url: str) -> tuple[list[str], bool]:
    """The page's `<a href>` targets (absolute, without fragments; none when its robots meta says
    `nofollow`, and no `rel="nofollow"` link), and whether its robots meta says `noindex`."""
    try:
        root = lxml.html.document_fromstring(body)
    except (etree.ParserError, ValueError):
        return [], False
    directives = {
        word.strip().lower()
        for meta in root.iter("meta")
        if (meta.get("name") or "").strip().lower() in ("robots", ROBOTS_AGENT)
        for word in (meta.get("content") or "").split(",")
    }
    noindex = bool(directives & {"noindex", "none"})
    if directives & {"nofollow", "none"}:
        return [], noindex
    base = next((b.get("href") for b in root.iter("base") if b.get("href")), None)
    base_url = urljoin(page_url, base) if base else page_url
    links = []
    for anchor in root.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or href.startswith("#") or "nofollow" in (anchor.get("rel") or "").lower().split():
            continue
        absolute = urljoin(base_url, href)
        if urlsplit(absolute).scheme in ("http", "https"):
            links.append(_normal(absolute))
    return links, noindex


# --- HTTP ----------------------------------------------------------------------------------------------


def _get(
    run: _Run,
    url: str,
    headers: dict[str, str],
    max_bytes: int,
    hop_check: Callable[[_Run, str], str | None],
    truncate: bool = False,
) -> _Reply:
    """GET `url`, following redirects that `hop_check` and robots.txt allow; the body of a 200 is read
    up to `max_bytes` (a larger one is refused, or cut there when `truncate`). Raises _Refused (or
    _Transient) with the reason."""
    for _hop in range(MAX_REDIRECTS + 1):
        with _request(run, url, headers) as response:
            if response.is_redirect and "location" in response.headers:
                target = _normal(urljoin(url, response.headers["location"]))
                reason = hop_check(run, target) or _robots_refusal(run, target)
                if reason:
                    raise _Refused(f"redirected to {target}: {reason}")
                url = target
                continue
            if response.status_code == 429 or response.status_code >= 500:
                raise _Transient(f"HTTP {response.status_code}")
            body = b""
            if response.status_code == 200:
                body = _read_body(response, max_bytes, truncate)
            return _Reply(url, response.status_code, response.headers, body)
    raise _Refused(f"more than {MAX_REDIRECTS} redirects")


@contextmanager
def _request(run: _Run, url: str, headers: dict[str, str]) -> Iterator[httpx.Response]:
    """One paced, streamed request: the crawl delay is slept first (not before a run's first request);
    network errors and timeouts (while reading the body too) become _Transient."""
    if run.requests and run.delay > 0:
        run.sleep(run.delay)
    run.requests += 1
    headers = {"User-Agent": USER_AGENT, "Accept": _ACCEPT, **headers}
    try:
        with run.client.stream("GET", url, headers=headers, timeout=TIMEOUT) as response:
            yield response
    except httpx.InvalidURL as error:
        raise _Refused(f"not a valid URL ({error})") from error
    except httpx.HTTPError as error:
        kind = "timed out" if isinstance(error, httpx.TimeoutException) else "network error"
        raise _Transient(f"{kind} ({str(error) or type(error).__name__})") from error


def _read_body(response: httpx.Response, max_bytes: int, truncate: bool) -> bytes:
    """The body (decoded), stopping as soon as it passes `max_bytes` (refused, or cut when `truncate`)
    or takes longer than PAGE_SECONDS."""
    declared = response.headers.get("content-length", "")
    if not truncate and declared.isdigit() and int(declared) > max_bytes:
        raise _Refused(f"larger than {max_bytes} bytes ({declared} bytes)")
    chunks, size, started = [], 0, time.monotonic()
    for chunk in response.iter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size > max_bytes:
            if truncate:
                return b"".join(chunks)[:max_bytes]
            raise _Refused(f"larger than {max_bytes} bytes (stopped reading)")
        if time.monotonic() - started > PAGE_SECONDS:
            raise _Transient(f"took longer than {PAGE_SECONDS:.0f} s to arrive")
    return b"".join(chunks)


def _validators(cached: _CacheEntry | None) -> dict[str, str]:
    """If-None-Match / If-Modified-Since for a page saved before."""
    if cached is None:
        return {}
    headers = {}
    if cached.etag:
        headers["If-None-Match"] = cached.etag
    if cached.last_modified:
        headers["If-Modified-Since"] = cached.last_modified
    return headers


def _new_validators(reply: _Reply, cached: _CacheEntry) -> tuple[str | None, str | None]:
    """A 304 may carry fresh validators; otherwise the old ones stay."""
    return (
        reply.headers.get("etag") or cached.etag,
        reply.headers.get("last-modified") or cached.last_modified,
    )


def _content_type(headers: httpx.Headers, url: str) -> str:
    """The media type, lower case, without parameters; guessed from the URL's suffix when missing."""
    declared = headers.get("content-type", "").split(";")[0].strip().lower()
    if declared:
        return declared
    suffix = PurePosixPath(urlsplit(url).path).suffix.lower()
    return next((kind for kind, (_own, suffixes) in _TYPES.items() if suffix in suffixes), "")


# --- robots.txt ----------------------------------------------------------------------------------------


def _read_robots(run: _Run) -> None:
    """Read the site's robots.txt and set the pause between requests. RFC 9309: a 4xx (or a redirect
    off the site) means no rules; a 5xx means nothing may be read; the first 500 KiB are read."""
    scheme, host = run.origin
    url = f"{scheme}://{host}/robots.txt"
    try:
        reply = _get(run, url, {}, ROBOTS_MAX_BYTES, _off_site, truncate=True)
    except _Transient as problem:
        raise SourceError(run.source.name, f"{scheme}://{host} could not be reached: {problem}") from None
    except _Refused as problem:
        log.info("source %s: robots.txt not read (%s); no rules", run.source.name, problem)
        reply = _Reply(url, 404, httpx.Headers())
    if reply.status >= 500:
        raise SourceError(run.source.name, f"robots.txt answered HTTP {reply.status}; nothing is read")
    lines = reply.body.decode("utf-8", errors="replace").splitlines() if reply.status == 200 else []
    run.robots.parse(lines)
    waits = [run.source.crawl_delay_seconds, float(run.robots.crawl_delay(ROBOTS_AGENT) or 0)]
    rate = run.robots.request_rate(ROBOTS_AGENT)
    if rate and rate.requests:
        waits.append(rate.seconds / rate.requests)
    run.delay = max(waits)


def _robots_refusal(run: _Run, url: str) -> str | None:
    if run.robots.can_fetch(ROBOTS_AGENT, url):
        return None
    return "robots.txt disallows it"


# --- URLs and files ------------------------------------------------------------------------------------


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


def _normal(url: str) -> str:
    """The URL without its fragment, scheme and host in lower case, an empty path as "/"."""
    parts = urlsplit(url.strip())
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", parts.query, ""))


def _off_site(run: _Run, url: str) -> str | None:
    """Why `url` is not on this site, if so: another scheme or host (or port)."""
    if _origin(url) == run.origin:
        return None
    scheme, host = run.origin
    return f"not on the site {scheme}://{host}"


def _not_on_site(run: _Run, url: str) -> str | None:
    """Why `url` is not fetched as a page of this site, if so: another site, or a query string (a page
    is saved at its path; `?` variants are the same page or no page)."""
    if reason := _off_site(run, url):
        return reason
    if urlsplit(url).query:
        return "has a query string"
    return None


def _folder_of(path: str) -> str:
    """The crawl prefix of a start path: `/docs/` and `/docs` -> `/docs/`; `/docs/index.html` -> `/docs/`."""
    if path.endswith("/"):
        return path
    head, _, last = path.rpartition("/")
    return f"{head}/" if "." in last else f"{path}/"


def _is_asset(url: str) -> bool:
    return PurePosixPath(urlsplit(url).path).suffix.lower() in _ASSET_SUFFIXES


def _glob_path(url: str) -> str:
    """What include/exclude globs see: the URL path, unquoted, without its leading and trailing "/"."""
    return unquote(urlsplit(url).path).strip("/")


def _path_filter(include: Sequence[str], exclude: Sequence[str]) -> Callable[[str], bool]:
    """Whether a path is read: some `include` pattern matches it (any path when none is given) and no
    `exclude` pattern does. The same rules as the folder and git sources: shell globs with `**`, `{a,b}`,
    a pattern without "/" matching a name at any depth, `docs` also meaning `docs/**` (wcmatch)."""

    def expanded(patterns: Sequence[str]) -> list[str]:
        out: list[str] = []
        for pattern in patterns:
            folder = pattern.strip().lstrip("/").removeprefix("./").rstrip("/")
            if folder:
                out += [folder] if folder.endswith("**") else [folder, f"{folder}/**"]
        return out

    wanted, unwanted = expanded(include), expanded(exclude)

    def selected(path: str) -> bool:
        if wanted and not glob.globmatch(path, wanted, flags=_GLOB_FLAGS):
            return False
        return not (unwanted and glob.globmatch(path, unwanted, flags=_GLOB_FLAGS))

    return selected


def _file_for(url: str, content_type: str) -> str:
    """Where a page is saved under `into` (POSIX, relative): its URL path, a folder URL's page as
    `index<suffix>`, a suffix the reader needs appended when the URL's own does not say the type.
    Dot-segments are dropped and a leading "." becomes "_" (hidden files are never read)."""
    own_suffix, known = _TYPES[content_type]
    path = unquote(urlsplit(url).path)
    parts = [part for part in path.split("/") if part not in ("", ".", "..")]
    parts = [f"_{part[1:]}" if part.startswith(".") else part for part in parts]
    if path.endswith("/") or not parts:
        return "/".join([*parts, f"index{own_suffix}"])
    if PurePosixPath(parts[-1]).suffix.lower() not in known:
        parts[-1] += own_suffix
    return "/".join(parts)


def _cap_reason(run: _Run) -> str:
    return f"page cap reached (max_pages: {run.source.max_pages})"


def _last_reason(run: _Run) -> str:
    return run.refused[-1][1] if run.refused else "no answer"


# --- the cache and the folder --------------------------------------------------------------------------


def _read_cache(run: _Run) -> dict[str, _CacheEntry]:
    """The last run's cache; {} for a new folder, which is marked as ours with an empty cache at once.

    Raises SourceError when `into` holds files but no cache: no fetch filled it, and fetch_site removes
    what is no page of its own.
    """
    cache_path = run.into / CACHE_FILE
    if not cache_path.is_file():
        if run.into.exists() and any(run.into.iterdir()):
            raise SourceError(
                run.source.name, f"{run.into} holds files no website fetch put there; give an empty folder"
            )
        _write_cache(run.into, {})
        return {}
    try:
        data = json.loads(cache_path.read_text("utf-8"))
        return {url: _CacheEntry(**entry) for url, entry in data["pages"].items()}
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        log.warning(
            "source %s: %s unreadable (%s); every page is fetched again", run.source.name, cache_path, error
        )
        return {}


def _write_cache(into: Path, pages: dict[str, _CacheEntry]) -> None:
    """Write the cache (URL -> file, final URL, ETag, Last-Modified) atomically."""
    into.mkdir(parents=True, exist_ok=True)
    cache = {"format": _CACHE_FORMAT, "pages": {url: vars(entry) for url, entry in sorted(pages.items())}}
    partial = into / f"{CACHE_FILE}.part"
    partial.write_text(json.dumps(cache, indent=1, ensure_ascii=False), "utf-8")
    os.replace(partial, into / CACHE_FILE)


def _finish(run: _Run) -> SiteSnapshot:
    """Remove the files of pages this run did not keep, write the cache, and say what was read."""
    kept = {entry.file for entry in run.new.values()}
    for path in _own_files(run.into):
        relative = path.relative_to(run.into).as_posix()
        if relative not in kept and relative != CACHE_FILE:
            path.unlink()
    _remove_empty_folders(run.into)
    _write_cache(run.into, run.new)
    pages = {entry.file: entry.final_url for entry in sorted(run.new.values(), key=lambda e: e.file)}
    log.info(
        "source %s: %d page(s), %d fetched, %d unchanged, %d refused",
        run.source.name, len(pages), run.fetched, run.unchanged, len(run.refused),
    )  # fmt: skip
    return SiteSnapshot(pages, run.refused, run.fetched, run.unchanged)


def _own_files(folder: Path) -> Iterator[Path]:
    """Every file under `folder` (a crashed run's partial files included)."""
    return (path for path in folder.rglob("*") if path.is_file() or path.is_symlink())


def _remove_empty_folders(folder: Path) -> None:
    for path in sorted(
        (p for p in folder.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True
    ):
        if not any(path.iterdir()):
            path.rmdir()
