"""Chapter openers of LaTeX books (Sphinx's latexpdf, report and book classes): "CHAPTER" / "ONE" /
"INTRODUCTION" drawn as three lines (Sphinx), or "Chapter 1" / "Introduction" (the book class), becomes
one chapter heading, "Introduction".

The label ("Chapter", "Appendix") and the chapter's number (a figure, a roman number or a number word,
as Sphinx's chapter style spells it) are dropped; the title takes the casing of the PDF's outline
(bookmarks, which hyperref writes as the source spells the title: "API", "Tips and Tricks") when an
entry matches it, else stays as drawn. A chapter heading is one level above every heading the sizes give
(pdf_headings): a chapter and its sections are often set at one size.
"""

from __future__ import annotations

import logging
import re

from retrieval.ingest.formats.pdf_text import PageLine, Span
from retrieval.text.number_words import TEENS, TENS, UNITS

log = logging.getLogger(__name__)

_LABEL = re.compile(
    r"^\s*(chapter|appendix|kapitel|chapitre|cap[ií]tulo)(?:\s+(\d{1,3}|[A-Z]|[ivxlc]{1,7}))?\s*$", re.I
)
_NUMBER_WORD = re.compile(
    rf"^\s*(\d{{1,3}}|[ivxlc]{{1,7}}|[a-z]|{'|'.join(UNITS + TEENS)}"
    rf"|(?:{'|'.join(TENS)})(?:[\s-](?:{'|'.join(UNITS)}))?)\s*$",
    re.I,
)
_SECTION_NUMBER = re.compile(r"^\s*\d+(\.\d+)+\s")  # "10.1 Why is it called Jinja?" follows the title
_TOP_LINES = 3  # the label is among the first lines of a chapter's first page
_TITLE_LINES = 3  # a chapter title wraps over at most this many lines


def outline_titles(reader) -> dict[str, str]:
    """The PDF outline's titles, by their folded form ("tips and tricks" -> "Tips and Tricks"); {} when
    the PDF has none or it cannot be read."""
    titles: dict[str, str] = {}
    try:
        stack = list(reader.outline)
    except Exception as error:  # noqa: BLE001 - a broken outline costs only the titles' casing
        log.debug("PDF outline unreadable (%s)", error.__class__.__name__)
        return titles
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif getattr(item, "title", None):
            titles.setdefault(folded(str(item.title)), " ".join(str(item.title).split()))
    return titles


def chapter_opener(page: list[PageLine], titles: dict[str, str]) -> tuple[list[PageLine], PageLine | None]:
    """The page's lines with a chapter opener's label and number dropped and its title lines made one
    line in the outline's casing; and that title line (None when the page opens no chapter: no label
    line near its top followed by a number, unless the label has it, and a larger title)."""
    shown = [index for index, line in enumerate(page) if line.text.strip()]
    label = next((i for i in shown[:_TOP_LINES] if _LABEL.match(page[i].text)), None)
    after = [i for i in shown if label is not None and i > label]
    if label is None or not after:
        return page, None
    numbered = bool(_LABEL.match(page[label].text).group(2))  # "Chapter 1" on one line (LaTeX's book class)
    if not numbered:
        if len(after) < 2 or not _NUMBER_WORD.match(page[after[0]].text):
            return page, None
        number, after = [after[0]], after[1:]
    else:
        number = []
    size = page[after[0]].size
    if size <= page[label].size:
        return page, None
    title_lines = [after[0]]
    for index in after[1:_TITLE_LINES]:
        if page[index].size != size or _SECTION_NUMBER.match(page[index].text):
            break
        title_lines.append(index)
    title_lines, title = _title(page, title_lines, titles)
    heading = PageLine((Span(title, size),))
    dropped = {label, *number, *title_lines}
    kept = [
        heading if index == title_lines[0] else line
        for index, line in enumerate(page)
        if index not in dropped or index == title_lines[0]
    ]
    return kept, heading


def _title(page: list[PageLine], candidates: list[int], titles: dict[str, str]) -> tuple[list[int], str]:
    """The title's lines (the most of `candidates` whose text an outline entry names, else all) and
    its text, in the outline's casing when one names it."""
    for count in range(len(candidates), 0, -1):
        drawn = " ".join(page[i].text.strip() for i in candidates[:count])
        if folded(drawn) in titles:
            return candidates[:count], titles[folded(drawn)]
    return candidates, " ".join(page[i].text.strip() for i in candidates)


def folded(text: str) -> str:
    """A title as `outline_titles` keys it: spaces collapsed, case folded."""
    return " ".join(text.split()).casefold()
