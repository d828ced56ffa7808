"""Fetches a documentation website into a folder the loader reads: the pages its sitemap lists, or the
same-site pages linked from a start URL; politely (robots.txt, a page and a byte cap, a pause between
requests: polite_http.py) and incrementally (a page the server says is unchanged (304) is kept, not
downloaded again; a page gone from the site is removed from the folder: site_folder.py).

What is read: HTML and XHTML pages, and Markdown, plain-text and PDF files when the server serves those
content types (a docs site's `.md` sources, `.txt` notes, PDF manuals); anything else is refused with
its content type. Each is saved at its URL's path (`/docs/install/` -> `docs/install/index.html`), so
the loader's reader for that suffix reads it. Links are read with lxml.html, sitemaps with sitemap.py.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Protocol
from urllib.parse import unquote, urljoin, urlsplit

import httpx
import lxml.html
from lxml import etree

from retrieval.sources import site_folder
from retrieval.sources.base import SourceError
from retrieval.sources.globs import PathFilter
from retrieval.sources.polite_http import (
    ROBOTS_AGENT,
    TIMEOUT,
    PoliteClient,
    Refused,
    Reply,
    Transient,
    media_type,
    normal_url,
    origin_of,
)
from retrieval.sources.site_folder import HTML_SUFFIXES, HTML_TYPES, PAGE_TYPES, CachedPage
from retrieval.sources.sitemap import MAX_SITEMAP_BYTES, parse_sitemap

log = logging.getLogger(__name__)

MAX_SITEMAPS = 100  # sitemap files read from a sitemap index, at most
KEPT_FROM_LAST_RUN = "kept the copy from the last run"
# Links to these are never followed when crawling: no pages (images, styles, scripts, archives, media).
_ASSET_SUFFIXES = frozenset(
    """.png .jpg .jpeg .gif .svg .webp .avif .ico .bmp .tif .tiff .css .js .mjs .map .json .xml .rss .atom
    .zip .gz .tgz .bz2 .xz .zst .7z .tar .rar .whl .egg .jar .exe .dmg .msi .deb .rpm .apk .iso .bin .mp3
    .mp4 .m4a .webm .ogg .ogv .wav .flac .avi .mov .mkv .woff .woff2 .ttf .otf .eot .ics .vcf""".split()
)
_READ = frozenset(PAGE_TYPES)


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
    """What one fetch left in the folder.

    pages: file path relative to the folder (POSIX) -> the page's URL (its final URL after redirects).
    refused: (url, reason) for each page not read this time: robots.txt, too large, not a page, an HTTP
      status, a network error, the page cap. A page that failed for a passing reason (timeout, network
      error, HTTP 5xx or 429) but was saved by an earlier run is kept: it is in `pages` and in `refused`,
      its reason ending "kept the copy from the last run".
    fetched: pages downloaded this time; unchanged: pages the server answered 304 Not Modified for, kept.
    """

    pages: dict[str, str]
    refused: list[tuple[str, str]]
    fetched: int
    unchanged: int


@dataclass
class _Run:
    """One fetch: the source, the folder, the site's client, and what has been read so far."""

    source: WebsiteSource
    into: Path
    http: PoliteClient
    old: dict[str, CachedPage] = field(default_factory=dict)  # the last run's pages, by URL
    new: dict[str, CachedPage] = field(default_factory=dict)  # this run's, by URL
    files: dict[str, str] = field(default_factory=dict)  # file -> final URL, this run
    finals: set[str] = field(default_factory=set)  # final URLs kept this run
    refused: list[tuple[str, str]] = field(default_factory=list)
    fetched: int = 0
    unchanged: int = 0

    def refuse(self, url: str, reason: str) -> None:
        self.refused.append((url, reason))

    @property
    def full(self) -> bool:
        return len(self.files) >= self.source.max_pages

    def cap_reason(self) -> str:
        return f"page cap reached (max_pages: {self.source.max_pages})"


def fetch_site(
    source: WebsiteSource,
    into: Path,
    client: httpx.Client | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> SiteSnapshot:
    """Fetch a website source (`source.sitemap` or `source.url`) into the folder `into`.

    Honours robots.txt (agent "citebot"), `max_pages` (pages kept), `max_page_bytes` (a larger body is
    not read: refused), `crawl_delay_seconds` (slept between requests; robots.txt's Crawl-delay or
    Request-rate when longer) and the `include`/`exclude` globs, matched against the URL path without its
    leading "/" (`docs/**`, `*.pdf`; a folder pattern covers what is under it). A start URL
    crawl follows `<a href>` links breadth-first on the same scheme and host, under the start URL's
    folder, without query strings; the start page is always read for its links, kept only if the globs
    take it; at most 2 × max_pages pages are asked for (links that fail count too). `into` belongs to
    the fetch: files in it that are no page of this fetch are removed.
    `client`: the httpx.Client to send requests with (its timeout is kept when it has one; else 30 s);
    one is made and closed when None. `sleep`: what pauses between requests (tests record it).

    Raises SourceError when the site cannot be read at all: unreachable, robots.txt answering a server
    error, the sitemap or the start page failing, or `into` holding files no fetch put there.
    """
    location = source.sitemap or source.url
    if not location or urlsplit(location).scheme not in ("http", "https"):
        raise SourceError(source.name, f"{location!r} is not an http(s) URL")
    timeout = client.timeout if client is not None and client.timeout.read is not None else TIMEOUT
    own_client = client is None
    client = client or httpx.Client(timeout=TIMEOUT)
    try:
        http = PoliteClient(client, origin_of(location), sleep, source.crawl_delay_seconds, timeout)
        run = _Run(source, into, http)
        try:
            run.old = site_folder.open_folder(into)
            http.read_robots()
        except Transient as problem:
            raise SourceError(source.name, f"{http.shown} could not be reached: {problem}") from None
        except (Refused, site_folder.NotOurFolder) as problem:
            raise SourceError(source.name, str(problem)) from None
        except OSError as error:
            raise SourceError(source.name, f"{into}: {error.strerror or error}") from None
        if source.sitemap:
            _fetch_sitemap_pages(run, normal_url(source.sitemap))
        else:
            _crawl(run, normal_url(location))
        return _finish(run)
    finally:
        if own_client:
            client.close()


def _finish(run: _Run) -> SiteSnapshot:
    site_folder.close_folder(run.into, run.new)
    pages = {page.file: page.final_url for page in sorted(run.new.values(), key=lambda page: page.file)}
    log.info(
        "source %s: %d page(s), %d fetched, %d unchanged, %d refused",
        run.source.name, len(pages), run.fetched, run.unchanged, len(run.refused),
    )  # fmt: skip
    return SiteSnapshot(pages, run.refused, run.fetched, run.unchanged)


# --- the two ways of finding pages ---------------------------------------------------------------------


def _fetch_sitemap_pages(run: _Run, sitemap_url: str) -> None:
    """Read the sitemap (and the sitemaps an index lists), then each page it lists, in its order."""
    urls = _sitemap_urls(run, sitemap_url)
    selected = PathFilter(run.source.include, run.source.exclude)
    for url in urls:
        reason = _not_a_page_url(run, url) or run.http.disallowed(url)
        if reason:
            run.refuse(url, reason)
        elif not selected(_glob_path(url)):
            continue
        elif run.full:
            run.refuse(url, run.cap_reason())
        else:
            _read_page(run, url, scope=lambda target: _not_a_page_url(run, target))


def _sitemap_urls(run: _Run, sitemap_url: str) -> list[str]:
    """Every page URL the sitemap lists (an index: its sitemaps, breadth-first), each once, in order.
    Raises SourceError when the sitemap itself cannot be read; a child sitemap failing is refused."""
    pages: dict[str, None] = {}
    queue, seen = deque([sitemap_url]), {sitemap_url}
    while queue:
        url = queue.popleft()
        try:
            reply = run.http.get(url, {}, MAX_SITEMAP_BYTES, run.http.off_site)
            if reply.status != 200:
                raise Refused(f"HTTP {reply.status}")
            entries = parse_sitemap(reply.body)
        except (Refused, ValueError) as error:
            if url == sitemap_url:
                raise SourceError(run.source.name, f"the sitemap {url} could not be read: {error}") from None
            run.refuse(url, f"sitemap not read: {error}")
            continue
        pages.update((normal_url(page), None) for page in entries.pages)
        for child in map(normal_url, entries.sitemaps):
            if child in seen:
                continue
            seen.add(child)
            if len(seen) > MAX_SITEMAPS:
                run.refuse(child, f"sitemap not read: more than {MAX_SITEMAPS} sitemaps")
            elif reason := run.http.off_site(child):
                run.refuse(child, f"sitemap not read: {reason}")
            else:
                queue.append(child)
    return list(pages)


def _crawl(run: _Run, start: str) -> None:
    """Breadth-first from `start` over same-site links under its folder (see fetch_site). Raises
    SourceError when the start page cannot be read."""
    prefix = _folder_of(urlsplit(start).path)
    selected = PathFilter(run.source.include, run.source.exclude)

    def outside(url: str) -> str | None:
        if reason := _not_a_page_url(run, url):
            return reason
        if url != start and not urlsplit(url).path.startswith(prefix):
            return f"outside {prefix}"
        return None

    queue, seen = deque([start]), {start}
    asked, most_asked = 0, 2 * run.source.max_pages  # broken links must not make a crawl endless
    while queue:
        url = queue.popleft()
        if run.full or asked >= most_asked:
            reason = run.cap_reason() if run.full else f"crawl cap reached ({most_asked} pages asked for)"
            run.refused += [(waiting, reason) for waiting in [url, *queue]]
            return
        if reason := run.http.disallowed(url):
            if url == start:
                raise SourceError(run.source.name, f"the start page {url}: {reason}")
            run.refuse(url, reason)
            continue
        asked += 1
        links = _read_page(run, url, keep=url != start or selected(_glob_path(url)), scope=outside)
        if links is None and url == start:
            problem = run.refused[-1][1] if run.refused else "no answer"
            raise SourceError(run.source.name, f"the start page {url} could not be read: {problem}")
        for link in links or ():
            if link not in seen and not outside(link) and not _is_asset(link) and selected(_glob_path(link)):
                seen.add(link)
                queue.append(link)


# --- one page ------------------------------------------------------------------------------------------


def _read_page(
    run: _Run, url: str, scope: Callable[[str], str | None], keep: bool = True
) -> list[str] | None:
    """Fetch one page (conditionally when the last run kept it) and keep it when `keep`.

    Returns its links (HTML pages; [] for others), or None when it could not be read (the reason is then
    in run.refused). `scope(url)`: why a redirect target may not be followed, if so.
    """
    cached = run.old.get(url)
    if cached and not (run.into / cached.file).is_file():
        cached = None
    try:
        reply = run.http.get(url, _validators(cached), run.source.max_page_bytes, scope, media_types=_READ)
        if reply.url in run.finals:
            return []  # another URL of this run led to the same page
        if reply.status == 304 and cached:
            body = (run.into / cached.file).read_bytes()
            content_type = "text/html" if PurePosixPath(cached.file).suffix in HTML_SUFFIXES else ""
        elif reply.status != 200:
            raise Refused(f"HTTP {reply.status}")
        else:
            body, content_type = reply.body, _content_type(reply)
            if content_type not in PAGE_TYPES:
                raise Refused(f"not a page citebot reads (content type {content_type or 'missing'})")
        links, noindex = _links(body, reply.url) if content_type in HTML_TYPES else ([], False)
        if keep and noindex:
            run.refuse(url, "the page asks not to be indexed (robots meta noindex)")
        elif keep:
            _keep(run, url, reply, cached, content_type)
        return links
    except Transient as problem:
        _keep_earlier_copy(run, url, cached, str(problem))
        return None
    except Refused as problem:
        run.refuse(url, str(problem))
        return None


def _keep(run: _Run, url: str, reply: Reply, cached: CachedPage | None, content_type: str) -> None:
    """Keep a page: a 304 keeps the earlier file, a 200 is saved (unless a page of this run has its file:
    `/a` and `/a.html`, `/docs/` and `/docs/index.html` are one page to a static host)."""
    if reply.status == 304 and cached:
        etag = reply.headers.get("etag") or cached.etag
        page = CachedPage(
            cached.file, reply.url, etag, reply.headers.get("last-modified") or cached.last_modified
        )
        run.unchanged += 1
    else:
        relative = site_folder.file_for(reply.url, content_type)
        if relative in run.files:
            return
        try:
            site_folder.save(run.into, relative, reply.body)
        except OSError as error:
            raise Refused(f"could not be saved as {relative} ({error.strerror or error})") from error
        page = CachedPage(relative, reply.url, reply.headers.get("etag"), reply.headers.get("last-modified"))
        run.fetched += 1
    _record(run, url, page)


def _keep_earlier_copy(run: _Run, url: str, cached: CachedPage | None, reason: str) -> None:
    """A passing failure: keep the last run's copy of the page when there is one."""
    if cached is None or cached.file in run.files:
        run.refuse(url, reason)
        return
    run.refuse(url, f"{reason}; {KEPT_FROM_LAST_RUN}")
    _record(run, url, cached)


def _record(run: _Run, url: str, page: CachedPage) -> None:
    run.new[url] = page
    run.files[page.file] = page.final_url
    run.finals.add(page.final_url)


def _links(body: bytes, page_url: str) -> tuple[list[str], bool]:
    """The page's `<a href>` targets (absolute, without fragments; none when its robots meta says
    `nofollow`, no `rel="nofollow"` link), and whether its robots meta says `noindex`."""
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
    base = next((tag.get("href") for tag in root.iter("base") if tag.get("href")), None)
    base_url = urljoin(page_url, base) if base else page_url
    links = []
    for anchor in root.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or href.startswith("#") or "nofollow" in (anchor.get("rel") or "").lower().split():
            continue
        absolute = urljoin(base_url, href)
        if urlsplit(absolute).scheme in ("http", "https"):
            links.append(normal_url(absolute))
    return links, noindex


def _validators(cached: CachedPage | None) -> dict[str, str]:
    """If-None-Match / If-Modified-Since for a page the last run kept."""
    headers: dict[str, str] = {}
    if cached and cached.etag:
        headers["If-None-Match"] = cached.etag
    if cached and cached.last_modified:
        headers["If-Modified-Since"] = cached.last_modified
    return headers


def _content_type(reply: Reply) -> str:
    """The media type, lower case, without parameters; guessed from the URL's suffix when missing."""
    declared = media_type(reply.headers)
    if declared:
        return declared
    suffix = PurePosixPath(urlsplit(reply.url).path).suffix.lower()
    return next((kind for kind, (_own, suffixes) in PAGE_TYPES.items() if suffix in suffixes), "")


# --- which URLs --------------------------------------------------------------------------------------


def _not_a_page_url(run: _Run, url: str) -> str | None:
    """Why `url` is not read as a page of this site, if so: another site, or a query string (a page is
    saved at its path; `?` variants are the same page or no page)."""
    if reason := run.http.off_site(url):
        return reason
    return "has a query string" if urlsplit(url).query else None


def _folder_of(path: str) -> str:
    """The crawl prefix of a start path: `/docs/` and `/docs` -> `/docs/`; `/docs/index.html` -> `/docs/`."""
    if path.endswith("/"):
        return path
    head, _, last = path.rpartition("/")
    return f"{head}/" if "." in last else f"{path}/"


def _is_asset(url: str) -> bool:
    return PurePosixPath(urlsplit(url).path).suffix.lower() in _ASSET_SUFFIXES


def _glob_path(url: str) -> str:
    """What include/exclude globs see: the URL path, unquoted, without its leading "/" (a folder URL
    keeps its trailing "/": `docs/` is matched by `docs/**` and by `docs`)."""
    return unquote(urlsplit(url).path).lstrip("/")
