"""PDF into blocks with pypdf: ligatures expanded, hyphenation rejoined, lines joined into paragraphs,
running headers, footers and page numbers dropped, a sentence across a page break kept whole.

pypdf gives a page's text as lines with no paragraph structure; the joining rules below are the usual
layout heuristics (a paragraph ends at a blank line or at a short line that ends a sentence).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from retrieval.formats.base import Parsed, block
from retrieval.models import Block
from retrieval.textnorm import compatibility_text

_PAGE_NUMBER = re.compile(
    r"^\s*(page\s+)?\d{1,4}(\s*(of|/)\s*\d{1,4})?\s*$|^\s*[-–—]\s*\d{1,4}\s*[-–—]\s*$", re.I
)
_HYPHENATED = re.compile(r"[A-Za-z]{2,}-$")
_BULLET = re.compile(r"^\s*([-*•▪‣◦]|\d{1,3}[.)])\s+")
_SENTENCE_END = re.compile(r"[.!?:…\"”)]$")
_SHORT_LINE = 0.7  # a line narrower than this share of the page's widest line can end a paragraph
_EDGE_LINES = 2  # lines at the top and bottom of a page checked for running headers and footers


@dataclass
class _Line:
    text: str
    page: int


def parse(raw: bytes, source: str) -> Parsed:
    """Blocks of a PDF; title from its metadata. Raises ValueError for an unreadable or image-only PDF."""
    from io import BytesIO

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(BytesIO(raw))
        pages = [
            compatibility_text(page.extract_text() or "").rstrip("\n").split("\n") for page in reader.pages
        ]
        title = (reader.metadata.title if reader.metadata else None) or None
    except (PdfReadError, ValueError, KeyError, OSError, TypeError) as error:
        raise ValueError(f"unreadable PDF ({error.__class__.__name__})") from None
    if not any(line.strip() for page in pages for line in page):
        raise ValueError("PDF has no extractable text (scanned images need OCR first)")
    lines = _drop_running(pages)
    return Parsed(_paragraphs(lines), str(title).strip() if title else None)


def _shape(text: str) -> str:
    return re.sub(r"\d+", "#", " ".join(text.split()).lower())


def _drop_running(pages: list[list[str]]) -> list[_Line]:
    """Lines in reading order without page numbers and the headers/footers repeated across pages."""
    edges: Counter[str] = Counter()
    for page in pages:
        body = [line for line in page if line.strip()]
        edges.update({_shape(line) for line in body[:_EDGE_LINES] + body[-_EDGE_LINES:]})
    repeated = {
        shape for shape, count in edges.items() if len(pages) >= 2 and count >= max(2, len(pages) // 2)
    }
    kept: list[_Line] = []
    for number, page in enumerate(pages, start=1):
        body = [line for line in page if line.strip()]
        for _position, line in enumerate(page):
            at_edge = line in body[:_EDGE_LINES] or line in body[-_EDGE_LINES:]
            if line.strip() and at_edge and (_PAGE_NUMBER.match(line) or _shape(line) in repeated):
                continue
            kept.append(_Line(line.rstrip(), number))
    return kept


def _paragraphs(lines: list[_Line]) -> list[Block]:
    widest = max((len(line.text) for line in lines), default=0)
    blocks: list[Block] = []
    pieces: list[_Line] = []

    def flush() -> None:
        if pieces:
            text = ""
            for piece in pieces:
                value = piece.text.strip()
                if text and _HYPHENATED.search(text) and value[:1].islower():
                    text = text[:-1] + value  # "infor-" + "mation"
                else:
                    text = f"{text} {value}" if text else value
            kind = "list_item" if _BULLET.match(text) else "paragraph"
            text = _BULLET.sub("", text, count=1) if kind == "list_item" else text
            made = block(kind, text, page_start=pieces[0].page, page_end=pieces[-1].page)
            if made:
                blocks.append(made)
            pieces.clear()

    for line in lines:
        if not line.text.strip():
            if pieces and pieces[-1].page == line.page:
                flush()  # a blank line inside a page ends a paragraph; a page break alone does not
            continue
        if pieces and (_BULLET.match(line.text) or _ends_paragraph(pieces[-1], line, widest)):
            flush()
        pieces.append(line)
    flush()
    return blocks


def _ends_paragraph(previous: _Line, line: _Line, widest: int) -> bool:
    """Does a paragraph end between `previous` and `line`?"""
    ended = bool(_SENTENCE_END.search(previous.text.strip()))
    if previous.page != line.page:
        return ended and not line.text.strip()[:1].islower()
    short = len(previous.text.strip()) < _SHORT_LINE * widest
    if short and not ended and line.text.strip()[:1].isupper():
        return True  # a title or heading line ("Patient guide") above a paragraph
    return ended and short
