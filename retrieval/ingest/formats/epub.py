"""EPUB books into blocks: each chapter in spine order under its title, read by the HTML reader.

An EPUB is a zip: META-INF/container.xml names the package document (OPF), whose manifest lists the
files, whose spine gives the reading order, and whose table of contents is an XHTML nav (EPUB 3) or
an NCX file (EPUB 2). Read here with zipfile and lxml, not with ebooklib (the one maintained EPUB
library): ebooklib is AGPL-3.0, which would bind a chat bot served over a network to that licence, and
reading these three small XML files is all a reader needs of it. Each chapter's XHTML goes through
the HTML reader (retrieval/ingest/formats/html.py), so chapters get the same headings, lists, tables and
chrome removal as web pages.

A chapter's title is the table of contents entry that points at its file (not at a place inside it).
When the chapter does not open with that title, the title becomes a level-1 heading over it and the
chapter's own headings move one level down. A chapter the table of contents does not name keeps just
its own headings (its <title> is often the book's). Lines and offsets of a chapter's XHTML would not
point into the .epub, so blocks have none.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass, replace
from io import BytesIO
from urllib.parse import unquote

from lxml import etree

from retrieval.ingest.formats import html
from retrieval.ingest.formats.base import Parsed
from retrieval.ingest.formats.packages import UnreadablePackage, unreadable_as_value_error
from retrieval.models import Block

_NS = {
    "container": "urn:oasis:names:tc:opendocument:xmlns:container",
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "ncx": "http://www.daisy.org/z3986/2005/ncx/",
    "xhtml": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
    "enc": "http://www.w3.org/2001/04/xmlenc#",
}
_CHAPTER_TYPES = {"application/xhtml+xml", "text/html", "application/x-dtbook+xml"}
_XML_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*\?>")
# No entities, no DTDs, no network: a book's XML is read as data only.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, recover=True)


@dataclass(frozen=True)
class _Item:
    path: str  # inside the zip
    media_type: str
    properties: tuple[str, ...]


def parse(raw: bytes, source: str) -> Parsed:
    """Blocks of an .epub's chapters in reading order; title and date from its Dublin Core metadata.

    Raises ValueError for a file that is no EPUB (no zip, no package document), a damaged one, and a
    book whose chapters are encrypted (DRM).
    """
    with unreadable_as_value_error(".epub"), zipfile.ZipFile(BytesIO(raw)) as book:
        opf_path = _package_path(book)
        opf = _xml(book.read(opf_path))
        manifest = _manifest(opf, posixpath.dirname(opf_path))
        chapters = [item for item in _spine(opf, manifest) if item.media_type in _CHAPTER_TYPES]
        _refuse_encrypted(book, chapters)
        titles = _toc_titles(book, opf, manifest)
        parsed = Parsed([], _metadata(opf, "title"), date=_metadata(opf, "date"))
        for item in chapters:
            if "nav" in item.properties:
                continue
            chapter = html.parse(_as_html(book.read(item.path)), item.path)
            parsed.blocks.extend(_chapter_blocks(chapter, titles.get(item.path)))
    return parsed


def _xml(data: bytes):
    root = etree.fromstring(data, _PARSER)
    if root is None:
        raise ValueError("empty XML document")
    return root


def _package_path(book: zipfile.ZipFile) -> str:
    container = _xml(book.read("META-INF/container.xml"))
    rootfile = container.find(".//container:rootfile", _NS)
    if rootfile is None or not rootfile.get("full-path"):
        raise KeyError("rootfile")
    return rootfile.get("full-path")


def _resolve(base: str, href: str) -> str:
    """A manifest or table-of-contents href as a path in the zip (relative to `base`, %-decoded)."""
    return posixpath.normpath(posixpath.join(base, unquote(href.split("#")[0])))


def _manifest(opf, base: str) -> dict[str, _Item]:
    items = {}
    for item in opf.iterfind("opf:manifest/opf:item", _NS):
        if item.get("id") and item.get("href"):
            properties = tuple((item.get("properties") or "").split())
            items[item.get("id")] = _Item(
                _resolve(base, item.get("href")), item.get("media-type", ""), properties
            )
    return items


def _spine(opf, manifest: dict[str, _Item]) -> list[_Item]:
    refs = (ref.get("idref") for ref in opf.iterfind("opf:spine/opf:itemref", _NS))
    return [manifest[ref] for ref in refs if ref in manifest]


def _refuse_encrypted(book: zipfile.ZipFile, chapters: list[_Item]) -> None:
    """Encrypted chapters (DRM) cannot be read; obfuscated fonts (also listed there) do not matter."""
    if "META-INF/encryption.xml" not in book.namelist():
        return
    listed = {
        _resolve("", ref.get("URI", ""))
        for ref in _xml(book.read("META-INF/encryption.xml")).iterfind(".//enc:CipherReference", _NS)
    }
    if any(item.path in listed for item in chapters):
        raise UnreadablePackage(".epub", "encrypted chapters: DRM")


def _metadata(opf, name: str) -> str | None:
    element = opf.find(f"opf:metadata/dc:{name}", _NS)
    text = " ".join("".join(element.itertext()).split()) if element is not None else ""
    return text or None


def _toc_titles(book: zipfile.ZipFile, opf, manifest: dict[str, _Item]) -> dict[str, str]:
    """Chapter file -> title, from the EPUB 3 nav, else the EPUB 2 NCX. Entries that point inside a
    file (href with #fragment) name a section, not the chapter, and are left out."""
    nav = next((item for item in manifest.values() if "nav" in item.properties), None)
    if nav is not None and nav.path in book.namelist():
        links = _xml(book.read(nav.path)).xpath(
            "//xhtml:nav[contains(concat(' ', @epub:type, ' '), ' toc ')]//xhtml:a[@href]", namespaces=_NS
        )
        entries = [(link.get("href"), "".join(link.itertext())) for link in links]
        base = posixpath.dirname(nav.path)
    else:
        spine = opf.find("opf:spine", _NS)
        ncx = manifest.get(spine.get("toc", "")) if spine is not None else None
        if ncx is None or ncx.path not in book.namelist():
            return {}
        points = _xml(book.read(ncx.path)).iterfind(".//ncx:navPoint", _NS)
        entries = [(_src(point), _label(point)) for point in points]
        base = posixpath.dirname(ncx.path)
    titles: dict[str, str] = {}
    for href, text in entries:
        title = " ".join((text or "").split())
        if href and "#" not in href and title:
            titles.setdefault(_resolve(base, href), title)
    return titles


def _src(point) -> str:
    content = point.find("ncx:content", _NS)
    return content.get("src", "") if content is not None else ""


def _label(point) -> str:
    return point.findtext("ncx:navLabel/ncx:text", "", _NS)


def _as_html(content: bytes) -> bytes:
    """Chapter XHTML as HTML the HTML reader takes: lxml's HTML parser refuses text that declares its
    encoding, and reads XHTML's self-closed tags (<title/>, <a id="x"/>) as opened, never closed.

    A book has no site chrome: its <header> elements hold chapter titles (<section><header><h2>), which
    the HTML reader would drop as a page's banner, so they become plain containers here.
    """
    strict = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        tree = etree.fromstring(content, strict)
    except etree.XMLSyntaxError:
        return _XML_DECLARATION.sub(b"", content)
    for header in tree.xpath("//*[local-name() = 'header']"):
        header.tag = etree.QName(etree.QName(header).namespace, "div").text
    return etree.tostring(tree, method="html", encoding="utf-8")


def _chapter_blocks(chapter: Parsed, title: str | None) -> list[Block]:
    """A chapter's blocks under its title, without lines or offsets (see the module docstring)."""
    blocks = [replace(b, line_start=None, line_end=None, start=None, end=None) for b in chapter.blocks]
    if not title or not blocks:
        return blocks
    if blocks[0].kind == "heading" and _same(blocks[0].text, title):
        return blocks
    shifted = [replace(b, level=b.level + 1) if b.kind == "heading" else b for b in blocks]
    return [Block("heading", title, level=1), *shifted]


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()
