"""EPUB books into blocks with ebooklib: each chapter in spine order under its title, read as HTML.

Why ebooklib: it reads the package (container, OPF manifest and spine, the EPUB 3 nav or the EPUB 2
NCX table of contents), which zipfile alone would leave to us. Each chapter's XHTML goes through the
HTML reader (retrieval/formats/html.py), so chapters get the same headings, lists, tables and chrome
removal as web pages. A chapter's title comes from the table of contents;
a chapter the table of contents does not name keeps just its own headings (its <title> is often the
book's). When the chapter does not open with its title, the title becomes a level-1 heading over it
and the chapter's own headings move one level down. Lines and offsets of a chapter's XHTML would not
point into the .epub, so blocks have none.
"""

from __future__ import annotations

import re
from dataclasses import replace
from io import BytesIO

from lxml import etree

from retrieval.formats import html
from retrieval.formats.base import Parsed
from retrieval.formats.packages import unreadable_as_value_error
from retrieval.models import Block

_XML_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*\?>")


def parse(raw: bytes, source: str) -> Parsed:
    """Blocks of an .epub's chapters in reading order; title and date from its Dublin Core metadata.

    Raises ValueError for a file ebooklib cannot read (not a zip, no package document, damaged).
    """
    import ebooklib
    from ebooklib import epub

    with unreadable_as_value_error(".epub", epub.EpubException):
        book = epub.read_epub(BytesIO(raw), {"ignore_ncx": True})
        titles = _toc_titles(book.toc)
        parsed = Parsed([], _metadata(book, "title"), date=_metadata(book, "date"))
        for idref, _linear in book.spine:
            item = book.get_item_with_id(idref)
            if item is None or item.get_type() != ebooklib.ITEM_DOCUMENT or _is_nav(item):
                continue
            chapter = html.parse(_as_html(item.get_content()), item.get_name())
            parsed.blocks.extend(_chapter_blocks(chapter, titles.get(item.get_name())))
    return parsed


def _metadata(book, name: str) -> str | None:
    values = book.get_metadata("DC", name)
    text = " ".join(str(values[0][0] or "").split()) if values else ""
    return text or None


def _toc_titles(toc, found: dict[str, str] | None = None) -> dict[str, str]:
    """Title of each chapter file named in the table of contents (its first entry wins)."""
    from ebooklib import epub

    found = {} if found is None else found
    for entry in toc:
        if isinstance(entry, tuple | list):  # (Section, [children])
            section, children = entry[0], entry[1]
            if getattr(section, "href", None):
                found.setdefault(section.href.split("#")[0], section.title)
            _toc_titles(children, found)
        elif isinstance(entry, epub.Link):
            found.setdefault(entry.href.split("#")[0], entry.title)
        elif isinstance(entry, epub.EpubHtml):
            found.setdefault(entry.get_name(), entry.title)
    return found


def _is_nav(item) -> bool:
    from ebooklib import epub

    return isinstance(item, epub.EpubNav) or "nav" in (getattr(item, "properties", None) or [])


def _as_html(content: bytes) -> bytes:
    """Chapter XHTML as HTML the HTML reader takes: lxml's HTML parser refuses text that declares its
    encoding, and reads XHTML's self-closed tags (<title/>, <a id="x"/>) as opened, never closed."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, recover=False)
    try:
        tree = etree.fromstring(content, parser)
    except etree.XMLSyntaxError:
        return _XML_DECLARATION.sub(b"", content)
    return etree.tostring(tree, method="html", encoding="utf-8")


def _chapter_blocks(chapter: Parsed, title: str | None) -> list[Block]:
    """A chapter's blocks under its title, without lines or offsets (see the module docstring)."""
    blocks = [replace(b, line_start=None, line_end=None, start=None, end=None) for b in chapter.blocks]
    title = " ".join((title or "").split())
    opening = next((b for b in blocks if b.kind == "heading"), None)
    if not title or (opening is not None and opening is blocks[0] and opening.text == title):
        return blocks
    shifted = [replace(b, level=b.level + 1) if b.kind == "heading" else b for b in blocks]
    return [Block("heading", title, level=1), *shifted] if shifted else []
