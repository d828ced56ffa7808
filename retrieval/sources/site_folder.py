"""The folder a website is fetched into: where each page's file goes, the cache that remembers each URL's
file and validators (ETag, Last-Modified) between runs, and removing what the latest fetch did not keep.

The folder belongs to the fetch: a file in it that is no page of the latest fetch is removed. The cache
(a hidden JSON file the loader skips) marks it as such; a folder holding files but no cache is refused.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

log = logging.getLogger(__name__)

CACHE_FILE = ".citebot-site.json"
_CACHE_FORMAT = 1

# The content types read, each with the suffix its file gets and the URL suffixes that already say it.
PAGE_TYPES: dict[str, tuple[str, frozenset[str]]] = {
    "text/html": (".html", frozenset({".html", ".htm", ".xhtml"})),
    "application/xhtml+xml": (".xhtml", frozenset({".xhtml", ".html", ".htm"})),
    "text/markdown": (".md", frozenset({".md", ".markdown", ".mdx"})),
    "text/x-markdown": (".md", frozenset({".md", ".markdown", ".mdx"})),
    # Servers send .md/.rst/.adoc sources as text/plain: their own suffix picks the better reader.
    "text/plain": (".txt", frozenset({".txt", ".text", ".md", ".markdown", ".rst", ".adoc", ".asciidoc"})),
    "application/pdf": (".pdf", frozenset({".pdf"})),
}
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})


class NotOurFolder(Exception):
    """The folder holds files but no cache: no fetch filled it."""


@dataclass
class CachedPage:
    """What a run knew about a URL it kept: its file (relative, POSIX), final URL and validators."""

    file: str
    final_url: str
    etag: str | None = None
    last_modified: str | None = None


def open_folder(into: Path) -> dict[str, CachedPage]:
    """The last run's pages by URL; {} for a new or empty folder, which is marked as ours at once.

    Raises NotOurFolder when `into` holds files but no cache. An unreadable cache is logged and read as
    empty (every page is then fetched again).
    """
    cache_path = into / CACHE_FILE
    if not cache_path.is_file():
        if into.exists() and any(into.iterdir()):
            raise NotOurFolder(f"{into} holds files no website fetch put there; give an empty folder")
        write_cache(into, {})
        return {}
    try:
        data = json.loads(cache_path.read_text("utf-8"))
        return {url: CachedPage(**page) for url, page in data["pages"].items()}
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        log.warning("%s unreadable (%s); every page is fetched again", cache_path, error)
        return {}


def pages_in(into: Path) -> dict[str, str]:
    """The pages the latest fetch left in `into`: file (relative, POSIX) -> its URL (final, after
    redirects); {} when there was none. For reading a fetched folder again without fetching (an index
    built later, a refresh that failed)."""
    cache_path = into / CACHE_FILE
    if not cache_path.is_file():
        return {}
    try:
        pages = json.loads(cache_path.read_text("utf-8"))["pages"].values()
        return dict(sorted((page["file"], page["final_url"]) for page in pages))
    except (ValueError, KeyError, TypeError, AttributeError):
        return {}


def write_cache(into: Path, pages: dict[str, CachedPage]) -> None:
    """Write the cache (URL -> file, final URL, ETag, Last-Modified), atomically."""
    into.mkdir(parents=True, exist_ok=True)
    cache = {"format": _CACHE_FORMAT, "pages": {url: asdict(page) for url, page in sorted(pages.items())}}
    partial = into / f"{CACHE_FILE}.part"
    partial.write_text(json.dumps(cache, indent=1, ensure_ascii=False), "utf-8")
    os.replace(partial, into / CACHE_FILE)


def file_for(url: str, content_type: str) -> str:
    """Where a page is saved (POSIX, relative to the folder): its URL path; a folder URL's page as
    `index<suffix>`; the type's suffix appended when the URL's own does not say the type
    (`/guide.php` served as HTML -> `guide.php.html`). Dot-segments are dropped and a leading "." becomes
    "_" (hidden files are never read). `content_type` is a key of PAGE_TYPES."""
    own_suffix, known = PAGE_TYPES[content_type]
    path = unquote(urlsplit(url).path)
    parts = [part for part in path.split("/") if part not in ("", ".", "..")]
    parts = [f"_{part[1:]}" if part.startswith(".") else part for part in parts]
    if path.endswith("/") or not parts:
        return "/".join([*parts, f"index{own_suffix}"])
    if PurePosixPath(parts[-1]).suffix.lower() not in known:
        parts[-1] += own_suffix
    return "/".join(parts)


def save(into: Path, relative: str, body: bytes) -> None:
    """Write `body` to into/relative atomically (a partial file, then a rename). Raises OSError."""
    target = into / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.part")
    partial.write_bytes(body)
    os.replace(partial, target)


def close_folder(into: Path, kept: dict[str, CachedPage]) -> None:
    """Remove every file that is no kept page (and folders left empty), then write the cache."""
    files = {page.file for page in kept.values()}
    for path in [p for p in into.rglob("*") if p.is_file() or p.is_symlink()]:
        relative = path.relative_to(into).as_posix()
        if relative not in files and relative != CACHE_FILE:
            path.unlink()
    folders = sorted((p for p in into.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True)
    for folder in folders:
        if not any(folder.iterdir()):
            folder.rmdir()
    write_cache(into, kept)
