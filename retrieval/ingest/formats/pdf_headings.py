"""A PDF's headings and title from its font sizes: lines drawn larger than the body text.

pypdf gives each line's size (pdf_text.PageLine.size) but no structure. pdflatex sets a 10 pt body under
14.4 pt sections and 12 pt subsections; a word processor's "Heading 1" is likewise larger than its
"Normal". So a short line at a size well above the body's is a heading, the largest size level 1. A
heading set in bold at the body's size is not told apart (pypdf does not give the weight). Lines come
as (text, size in points) pairs, tables left out.
"""

from __future__ import annotations

import re
from collections import Counter

from retrieval.text.datelines import is_dated_heading

# 1.08: pdflatex's smallest step from body to heading is a 12 pt subsection over the 10.95 pt body of
# its 11 pt class (1.096; a 10 pt class's is 1.2, its \subsubsection the body's size in bold, left as
# text); a size carrying over 15% of the text is a second body font (a larger introduction), not
# headings; six levels, as HTML and Markdown have.
HEADING_RATIO = 1.08
HEADING_SHARE = 0.15
HEADING_LEVELS = 6
HEADING_WORDS = 12
HEADING_CHARS = 100
HEADING_LINES = 3  # a title wraps over at most this many lines at its size

_NOT_TITLES = {"contents", "table of contents"}
# Metadata titles that name no document: none, a tool's default ("untitled", reportlab's and many
# drivers'), or the file it was printed from ("paper.dvi", "Microsoft Word - report.docx").
_PLACEHOLDER_TITLE = re.compile(
    r"^\s*$|^(untitled|untitled document|no title)$|^microsoft (word|powerpoint|excel) - |"
    r"\.(dvi|tex|ps|pdf|docx?|odt|rtf|txt|pptx?|xlsx?|indd)$",
    re.I,
)


def _weights(lines: list[tuple[str, float]]) -> Counter[float]:
    """Characters drawn at each size."""
    weight: Counter[float] = Counter()
    for text, size in lines:
        if size:
            weight[size] += len(text.strip())
    return weight


def body_size(lines: list[tuple[str, float]]) -> float:
    """The size most of the text is drawn at, in points (0 when no line has one)."""
    return _most_drawn(_weights(lines))


def _most_drawn(weight: Counter[float]) -> float:
    return weight.most_common(1)[0][0] if weight else 0.0


def heading_levels(lines: list[tuple[str, float]]) -> dict[float, int]:
    """Heading level (1 = largest) of each size that marks headings: at least `HEADING_RATIO` times the
    body's, carrying at most `HEADING_SHARE` of the characters, and drawn on at least one line shaped
    like a heading."""
    weight = _weights(lines)
    if not weight:
        return {}
    body = _most_drawn(weight)
    total = sum(weight.values())
    sizes = {
        size
        for text, size in lines
        if size >= HEADING_RATIO * body and weight[size] <= HEADING_SHARE * total and heading_shaped(text)
    }
    return {size: level for level, size in enumerate(sorted(sizes, reverse=True)[:HEADING_LEVELS], start=1)}


def heading_shaped(text: str) -> bool:
    """A short line with a letter, or a release's dated line ("1.16.9 25.0 - 2025-04-19", a changelog
    heading of figures only), that does not run on ("," or ";"), introduce what follows (a run-in label
    such as KaHIP's bold "Options:" over each program's option list: as a heading it had named 22 passages
    of eight programs alike) or end a long sentence."""
    value = text.strip()
    words = value.split()
    return (
        1 <= len(words) <= HEADING_WORDS
        and len(value) <= HEADING_CHARS
        and (any(ch.isalpha() for ch in value) or is_dated_heading(value))
        and not value.endswith((",", ";", ":"))
        and not (value.endswith(".") and len(words) > 5)
    )


# A numbered section's title at the size of the text ("2.1 Leave-one-out Attribution", "4.3 Exp. I:
# Disentangling Latent Space"): the number, then a capitalised title of a few words that ends in a letter or
# a bracket (not a sentence, nor a contents entry's page number). Articles set subsections this way, in
# bold the text extraction loses.
_NUMBERED_TITLE = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,3})\.?\s+[A-Z][^!?;]*[A-Za-z)]$")
# Words of the line, its number included: a title runs to a few (ACL's subsections 2-7 after the number).
NUMBERED_WORDS = 9


def numbered_depth(text: str) -> int:
    """How deep a numbered section title is ("2 Results" 1, "2.1 Data" 2), 0 when `text` is none."""
    value = text.strip()
    found = _NUMBERED_TITLE.match(value)
    if not found or len(value.split()) > NUMBERED_WORDS or " . ." in value:
        return 0
    return found.group(1).count(".") + 1


def is_placeholder_title(title: str) -> bool:
    """Does a metadata title name no document ("", "untitled", "paper.dvi", "Microsoft Word - a.docx")?"""
    return bool(_PLACEHOLDER_TITLE.search(title.strip()))


def first_page_title(first_page: list[tuple[str, float]], body: float) -> str | None:
    """The first run of lines at the largest size on the first page (as drawn, running headers not yet
    dropped: a title repeated atop every page is one), when that size is a heading's over `body` and the
    lines are shaped like one ("Contents" is no title); None otherwise."""
    lines = [(text, size) for text, size in first_page if text.strip()]
    sized = [size for _, size in lines if body and size >= HEADING_RATIO * body]
    if not sized:
        return None
    largest = max(sized)
    start = next(i for i, (_, size) in enumerate(lines) if size == largest)
    run = []
    for text, size in lines[start : start + HEADING_LINES]:
        if size != largest or not heading_shaped(text):
            break
        run.append(" ".join(text.split()))
    title = " ".join(run)
    return title if title and title.lower() not in _NOT_TITLES else None
