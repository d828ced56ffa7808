"""Writes small EPUB files for tests with zipfile: EPUB 3 with a nav document, or EPUB 2 with an NCX.

The layout is the one the EPUB specifications give (and Sigil, calibre and ebooklib write): an
uncompressed `mimetype` first, META-INF/container.xml naming the package document, the package
document's manifest, spine and table of contents, and one XHTML file per chapter.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from urllib.parse import quote
from xml.sax.saxutils import escape, quoteattr


@dataclass(frozen=True)
class Chapter:
    path: str  # under OEBPS/, e.g. "text/camp.xhtml"
    body: str  # the XHTML <body> content
    toc_title: str | None = None  # its table-of-contents entry (None: not in the table of contents)
    toc_fragment: str = ""  # "#section" makes the entry point inside the file


def write_epub(chapters: list[Chapter], title: str, date: str | None = None, version: int = 3) -> bytes:
    """The bytes of an .epub holding `chapters` in spine order (version 3: nav; version 2: NCX)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip", zipfile.ZIP_STORED)
        book.writestr("META-INF/container.xml", _CONTAINER)
        book.writestr("OEBPS/content.opf", _package(chapters, title, date, version))
        book.writestr(
            "OEBPS/nav.xhtml" if version == 3 else "OEBPS/toc.ncx", (_nav if version == 3 else _ncx)(chapters)
        )
        for chapter in chapters:
            book.writestr(f"OEBPS/{chapter.path}", _xhtml(title, chapter.body))
    return buffer.getvalue()


_CONTAINER = """<?xml version="1.0" encoding="UTF-8"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
  <rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles>
</container>"""


def _package(chapters: list[Chapter], title: str, date: str | None, version: int) -> str:
    items = "".join(
        f'<item id="c{n}" href={quoteattr(quote(c.path))} media-type="application/xhtml+xml"/>'
        for n, c in enumerate(chapters)
    )
    if version == 3:
        items += '<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>'
        spine = '<spine><itemref idref="nav" linear="no"/>'
    else:
        items += '<item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/>'
        spine = '<spine toc="ncx">'
    spine += "".join(f'<itemref idref="c{n}"/>' for n in range(len(chapters))) + "</spine>"
    dated = f"<dc:date>{escape(date)}</dc:date>" if date else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="{version}.0" unique-identifier="id">
  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
    <dc:identifier id="id">urn:test:{escape(title)}</dc:identifier><dc:title>{escape(title)}</dc:title>
    <dc:language>en</dc:language>{dated}
  </metadata>
  <manifest>{items}</manifest>
  {spine}
</package>"""


def _entries(chapters: list[Chapter]) -> list[tuple[str, str]]:
    return [(quote(c.path) + c.toc_fragment, c.toc_title) for c in chapters if c.toc_title]  # hrefs are URLs


def _nav(chapters: list[Chapter]) -> str:
    links = "".join(
        f"<li><a href={quoteattr(href)}>{escape(text)}</a></li>" for href, text in _entries(chapters)
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops">
<head><title>Contents</title></head>
<body><nav epub:type="toc"><h1>Contents</h1><ol>{links}</ol></nav></body></html>"""


def _ncx(chapters: list[Chapter]) -> str:
    points = "".join(
        f'<navPoint id="p{n}" playOrder="{n + 1}"><navLabel><text>{escape(text)}</text></navLabel>'
        f"<content src={quoteattr(href)}/></navPoint>"
        for n, (href, text) in enumerate(_entries(chapters))
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1">
<head/><docTitle><text>Contents</text></docTitle><navMap>{points}</navMap></ncx>"""


def _xhtml(title: str, body: str) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml"><head><title>{escape(title)}</title></head>
<body>{body}</body></html>"""
