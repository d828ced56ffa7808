"""Running headers and footers of a PDF's pages: page numbers, lines repeated atop or below many pages,
and lines that carry the page's own number whatever their words ("2.8. Bytecode Cache 29", "30 Chapter
2. API": LaTeX's and Sphinx's running heads name the current chapter or section, so no two chapters
repeat one).

A page number is told from a figure in the text by where it is and how it goes on: an edge line (the
first or last `EDGE_LINES` lines with text) that starts or ends with a number that is the page's index
plus the same offset on many pages (the printed number runs with the page count: page 35 prints 29,
page 36 prints 30). A body line that ends a page with a figure matches only by chance, on one page.
"""

from __future__ import annotations

import re
from collections import Counter

from retrieval.ingest.formats.pdf_text import PageLine

EDGE_LINES = 2  # lines at the top and bottom of a page checked for running headers and footers
# An offset between printed and physical page numbers counts once this many pages and this share of
# the pages show it (a book's front matter shifts the count once; three pages is no coincidence).
_OFFSET_PAGES = 3
_OFFSET_SHARE = 0.2
_PAGE_NUMBER = re.compile(
    r"^\s*(page\s+)?\d{1,4}(\s*(of|/)\s*\d{1,4})?\s*$|^\s*[-–—]\s*\d{1,4}\s*[-–—]\s*$"
    r"|^\s*[ivxlc]{1,7}\s*$",  # front matter's roman numbers ("ii", "xiv")
    re.I,
)
_NUMBER_AT_EDGE = re.compile(r"^\s*(\d{1,4})(?:\s+\S|\s*$)|\S\s+(\d{1,4})\s*$")


def drop_running(pages: list[list[PageLine]]) -> list[list[PageLine]]:
    """Each page's lines without page numbers, headers/footers repeated across pages, and edge lines
    that carry the page's printed number."""
    edges = [_edge_texts(page) for page in pages]
    shapes: Counter[str] = Counter()
    for texts in edges:
        shapes.update({_shape(text) for text in texts})
    repeated = {
        shape for shape, count in shapes.items() if len(pages) >= 2 and count >= max(2, len(pages) // 2)
    }
    offsets = _page_offsets(edges)
    kept: list[list[PageLine]] = []
    for index, (page, edge) in enumerate(zip(pages, edges, strict=True)):
        numbered = {text for text in edge if _edge_numbers(text) & {index + offset for offset in offsets}}
        kept.append(
            [
                line
                for line in page
                if not (
                    line.text.strip()
                    and line.text in edge
                    and (
                        _PAGE_NUMBER.match(line.text)
                        or _shape(line.text) in repeated
                        or line.text in numbered
                    )
                )
            ]
        )
    return kept


def _edge_texts(page: list[PageLine]) -> list[str]:
    body = [line.text for line in page if line.text.strip()]
    return body[:EDGE_LINES] + body[-EDGE_LINES:]


def _shape(text: str) -> str:
    return re.sub(r"\d+", "#", " ".join(text.split()).lower())


def _edge_numbers(text: str) -> set[int]:
    """The numbers an edge line starts or ends with ("29" of "2.8. Bytecode Cache 29"), or is ("3")."""
    found = _NUMBER_AT_EDGE.search(text)
    return {int(group) for group in found.groups() if group} if found else set()


def _page_offsets(edges: list[list[str]]) -> set[int]:
    """Printed number minus page index, for each offset enough pages' edge lines agree on."""
    counts: Counter[int] = Counter()
    for index, texts in enumerate(edges):
        counts.update({number - index for text in texts for number in _edge_numbers(text)})
    least = max(_OFFSET_PAGES, _OFFSET_SHARE * len(edges))
    return {offset for offset, count in counts.items() if count >= least}
