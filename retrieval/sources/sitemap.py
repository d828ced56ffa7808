"""Reads a sitemap (sitemaps.org 0.9): the page URLs of a `<urlset>`, the child sitemaps of a
`<sitemapindex>`, or the lines of a plain-text sitemap; gzip-compressed ones are unpacked first.

Why lxml: it is already the project's HTML/XML parser, and its parser can be told to resolve no entities
and fetch nothing (a sitemap is untrusted input). Elements are matched by local name, so a sitemap that
forgets or misspells the namespace still reads.
"""

from __future__ import annotations

import gzip
import io
import zlib
from dataclasses import dataclass

from lxml import etree

MAX_SITEMAP_BYTES = 50 * 1024 * 1024  # the protocol's own limit on an uncompressed sitemap
_GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True)
class SitemapEntries:
    """What one sitemap file lists, each in document order: `pages` (page URLs) and `sitemaps` (child
    sitemap URLs, from a sitemap index). URLs are as written (absolute by the protocol), stripped."""

    pages: tuple[str, ...]
    sitemaps: tuple[str, ...]


def parse_sitemap(raw: bytes) -> SitemapEntries:
    """The URLs a sitemap lists. `raw` may be gzip-compressed (detected by its magic bytes).

    Raises ValueError with a short reason: not a sitemap, broken XML or gzip, larger than 50 MB unpacked.
    """
    if raw.startswith(_GZIP_MAGIC):
        raw = _gunzip(raw)
    if not raw.lstrip()[:1] == b"<":
        return _plain_text(raw)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(raw, parser)
    except etree.XMLSyntaxError as error:
        raise ValueError(f"the sitemap is not well-formed XML ({error.msg})") from error
    kind = etree.QName(root).localname
    if kind not in ("urlset", "sitemapindex"):
        raise ValueError(f"not a sitemap (its root element is <{kind}>, not <urlset> or <sitemapindex>)")
    locations = tuple(
        loc.text.strip()
        for entry in root
        if isinstance(entry.tag, str) and etree.QName(entry).localname in ("url", "sitemap")
        for loc in entry
        if isinstance(loc.tag, str) and etree.QName(loc).localname == "loc" and loc.text and loc.text.strip()
    )
    return SitemapEntries(locations, ()) if kind == "urlset" else SitemapEntries((), locations)


def _gunzip(raw: bytes) -> bytes:
    """The unpacked bytes, read no further than the size limit (a small .gz can unpack to gigabytes)."""
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(raw)) as unpacked:
            data = unpacked.read(MAX_SITEMAP_BYTES + 1)
    except (OSError, EOFError, zlib.error) as error:
        raise ValueError(f"the sitemap is not valid gzip ({error})") from error
    if len(data) > MAX_SITEMAP_BYTES:
        raise ValueError("the sitemap unpacks to more than 50 MB")
    return data


def _plain_text(raw: bytes) -> SitemapEntries:
    """A text sitemap: one absolute URL a line (sitemaps.org allows it); other lines are ignored."""
    text = raw.decode("utf-8", errors="replace")
    urls = tuple(
        line.strip() for line in text.splitlines() if line.strip().startswith(("http://", "https://"))
    )
    if not urls:
        raise ValueError("not a sitemap (neither XML nor a list of URLs)")
    return SitemapEntries(urls, ())
