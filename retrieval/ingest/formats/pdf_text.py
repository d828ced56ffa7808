"""A PDF page's text as lines of sized spans, from pypdf's own extraction (plus the font size of each piece).

pypdf's default extraction gives the page's text; its `visitor_text` callback sees the same text in
pieces, each with the font size and text matrix it was drawn with, and the pieces concatenate to exactly
the extracted text. The sizes are what tells a footnote (smaller than the body) and a footnote marker
(a small or raised figure after a word: "revenue grew¹²") from the body text, which plain extraction
runs together ("revenue grew12"). The font tells code (a monospace font) from prose, and where a piece
starts across the page gives a code line the indentation the text leaves out. Word gaps drawn as moves
are made spaces before pypdf reads them (pdf_spacing), and underscores drawn as rules put back (pdf_rules).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, replace

from retrieval.ingest.formats.pdf_rules import DrawnRules
from retrieval.ingest.formats.pdf_spacing import WordGaps, is_monospace, simple_widths
from retrieval.ingest.formats.pdf_tables import BULLET_GLYPHS, Table
from retrieval.text.normalize import compatibility_text

# Unicode superscript figures (a font's own ¹²³ glyphs); NFKC would turn them into plain figures.
_SUPERSCRIPT = re.compile("[\u00b9\u00b2\u00b3\u2070\u2074-\u2079]+")
_MARKER = re.compile(r"\d{1,3}|[*†‡§¶]{1,3}")
_SMALL = 0.8  # a span drawn at less than this share of its line's size is small (a marker)
# a word of two letters or more, or a percentage, then closing punctuation if any: "grew", "report.", "“Title”";
# or a bracket closing a clause or sentence: "(Marsh and Tidwell, 1998)." (not "(x+1)", mathematics)
_AFTER_WORD = re.compile(r"(?:[^\W\d_]{2}|%|\)[.,;:])[.,;:!?\"'”“’»]*$")
_DOUBLE_SPACE = re.compile(r" {2,}")
_BASELINE_SLACK = 0.5  # points a baseline may wander before a span counts as set lower
SIZE_SLACK = 0.5  # points two font sizes may differ and still be one size (one line's pieces, the body's)


@dataclass(frozen=True)
class Span:
    """A piece of a line as drawn: its text (NFKC), the font size in points, raised if a superscript glyph,
    the height of its baseline on the page (points from the bottom; a subscript sits lower), and whether
    its font is monospace (with its character width) and where its piece starts across the page."""

    text: str
    size: float
    raised: bool = False
    y: float = 0.0
    mono: bool = False  # drawn in a monospace (typewriter) font: code, in LaTeX and Sphinx output
    x: float = 0.0  # where the piece it is of starts on the page (points from the left)
    cell: float = 0.0  # a monospace font's character width in points (0: not monospace, or unknown)
    figure: bool = False  # drawn inside a form XObject: a figure's labels (an included plot or diagram)


@dataclass(frozen=True)
class PageLine:
    """One line of a page's extracted text; `size` is the size most of its characters are drawn at.

    A line with a `table` (and no spans) stands for the lines that held that table's cells.
    """

    spans: tuple[Span, ...]
    table: Table | None = None

    @property
    def text(self) -> str:
        return "".join(span.text for span in self.spans)

    @property
    def size(self) -> float:
        weights: Counter[float] = Counter()
        for span in self.spans:
            weights[round(span.size, 1)] += len(span.text.strip())
        return weights.most_common(1)[0][0] if weights and weights.most_common(1)[0][1] else 0.0

    @property
    def x(self) -> float:
        """Where the line's first text starts on the page, in points from the left."""
        return next((span.x for span in self.spans if span.text.strip()), 0.0)

    @property
    def cell(self) -> float:
        """A monospace line's character width in points (0 when unknown)."""
        return next((span.cell for span in self.spans if span.text.strip()), 0.0)

    @property
    def figure(self) -> bool:
        """Is every character of the line drawn inside a figure (a form XObject: a plot's tick labels)?"""
        shown = [span for span in self.spans if span.text.strip()]
        return bool(shown) and all(span.figure for span in shown)

    @property
    def mono(self) -> bool:
        """Is every character of the line drawn in a monospace font (a line of code)?"""
        shown = [span for span in self.spans if span.text.strip()]
        return bool(shown) and all(span.mono for span in shown)

    def markers(self) -> list[tuple[int, str]]:
        """(index of the span, marker) for each small or raised figure or symbol right after a word.

        A small figure set lower than the word before it is a subscript ("X₁"), and one after a single
        letter, a figure or a bracket is mathematics ("C¹", "R²", "(x+1)²"): neither is a marker.
        """
        found = []
        size = self.size
        for index, span in enumerate(self.spans[1:], start=1):
            small = span.raised or (size and span.size < _SMALL * size)
            before = self.spans[index - 1]
            lowered = span.y < before.y - _BASELINE_SLACK
            if small and not lowered and _MARKER.fullmatch(span.text) and _AFTER_WORD.search(before.text):
                found.append((index, span.text))
        return found


def page_lines(page) -> list[PageLine]:
    """Lines of a pypdf page, as `page.extract_text()` splits them (trailing empty lines dropped).

    Word gaps drawn as TJ moves are spaces (pdf_spacing). Raises what pypdf raises for a broken page (the
    caller turns it into "unreadable PDF").
    """
    pieces: list[Span] = []

    monospace: dict[int, float | None] = {}  # id of a font -> its character width (em), None if proportional

    def visit(text: str, cm: list[float], tm: list[float], font: object, font_size: float) -> None:
        if text:
            baseline = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            left = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            if id(font) not in monospace:
                monospace[id(font)] = _cell_width(font) if is_monospace(font) else None
            size = font_size * _scale(tm, cm)
            text = rules.underscored(text, left, baseline, size)
            cell = monospace[id(font)]
            drawn = _spans(text, size, baseline, cell is not None)
            inside = nested[0] > 0
            pieces.extend(replace(span, x=left, cell=(cell or 0.0) * size, figure=inside) for span in drawn)

    # pypdf reads a form XObject's content where the page draws it (`Do`), between the operator's two
    # visits: text seen in between is a figure's.
    nested = [0]

    def before(operator: bytes, operands: list, cm: object, tm: object) -> None:
        nested[0] += operator == b"Do"
        gaps.before(operator, operands, cm, tm)
        rules.before(operator, operands, cm, tm, gaps.advance)

    def after(operator: bytes, operands: list, cm: object, tm: object) -> None:
        nested[0] -= operator == b"Do" and nested[0] > 0
        gaps.after(operator, operands, cm, tm)

    gaps = WordGaps(_font_resources(page))
    rules = DrawnRules()  # TeX's `\_` drawn as a rule: an underscore in the text (pdf_rules)
    page.extract_text(visitor_text=visit, visitor_operand_before=before, visitor_operand_after=after)
    lines: list[PageLine] = []
    current: list[Span] = []
    for piece in pieces:
        parts = piece.text.split("\n")
        for position, part in enumerate(parts):
            if position:
                lines.append(PageLine(tuple(current)))
                current = []
            part = _DOUBLE_SPACE.sub(" ", part)  # pypdf's space at a move and ours (pdf_spacing) at one gap
            if part.startswith(" ") and current and current[-1].text.endswith(" "):
                part = part[1:]
            if part:
                current.append(replace(piece, text=part))
    lines.append(PageLine(tuple(current)))
    while len(lines) > 1 and not lines[-1].spans:
        lines.pop()
    return _rejoined([_without_unmapped(line) for line in lines])


# A control character in extracted text is a glyph the font does not map to Unicode: pdfTeX's Type 1
# math fonts (cmsy) draw itemize's bullet at a code pypdf reads as U+0088 (blind trial 53: SuiteSparse's
# AMD guide had "\x88 amd_order ..." for each of 18 list items, none read as a list, and answers quoted it).
# One opening a line of text, the line's only one, is that line's bullet. Others are left as they are:
# which glyph they stand for is the font's (Axe's manual marks its table's cells with a tick read as U+0013).
_UNMAPPED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_UNMAPPED_BULLET = re.compile("^\\s*[\x00-\x08\x0b-\x1f\x7f-\x9f]\\s+\\w")


def _without_unmapped(line: PageLine) -> PageLine:
    """`line` with an unmapped glyph that opens it as a bullet would (see _UNMAPPED) made "•"."""
    text = line.text
    if len(_UNMAPPED.findall(text)) != 1 or not _UNMAPPED_BULLET.match(text):
        return line
    first = next(n for n, span in enumerate(line.spans) if span.text.strip())
    bullet = replace(line.spans[first], text=_UNMAPPED.sub("•", line.spans[first].text, count=1))
    return replace(line, spans=(*line.spans[:first], bullet, *line.spans[first + 1 :]))


# A word's reach along its baseline: its characters and one space at 0.6 em each, a generous width for a
# proportional font (Helvetica's and Arial's lowercase average about 0.5 em, a space 0.28 em), so the next
# word of the same line falls within it and a table's next cell, a column's width away, does not.
_WORD_EM = 0.6


# How far right of a list's bullet its item's text may start on the bullet's baseline: word processors put
# a tab stop there (18 pt after an 11 pt "●" in Google Docs' lists; Word's default hanging indent is 0.25 in).
_BULLET_REACH_EM = 4.0


def _rejoined(lines: list[PageLine]) -> list[PageLine]:
    """`lines` with a line that goes on the one before it put back into it. Some producers draw a justified
    line word by word (Google Docs' Skia renderer), and pypdf then ends a line after every word ("Cloud" /
    "Function" / "names", one baseline): a line whose first piece is on the baseline of the line before,
    whose last piece is one word, and starts to its right within that word's reach, continues it. A list's
    bullet drawn apart from its item ("●" or "-" alone, the text a tab stop to its right on its baseline)
    is that item's first piece, as it is where the producer draws both in one run."""
    joined: list[PageLine] = []
    for line in lines:
        before = joined[-1] if joined else None
        if (
            before is not None
            and before.spans
            and line.spans
            and (_goes_on(before.spans[-1], line.spans[0]) or _bullet_of(before, line.spans[0]))
        ):
            first = line.spans[0]
            if not first.text.startswith(" ") and not before.spans[-1].text.endswith(" "):
                first = replace(first, text=" " + first.text)
            joined[-1] = PageLine(before.spans + (first, *line.spans[1:]))
        else:
            joined.append(line)
    return joined


def _bullet_of(line: PageLine, first: Span) -> bool:
    """Is `line` a lone bullet glyph and `first` its item's text, on its baseline a tab stop to its right?"""
    if len(line.spans) != 1 or len(line.spans[0].text.strip()) != 1:
        return False
    bullet = line.spans[0]
    if bullet.text.strip() not in BULLET_GLYPHS or first.figure or abs(bullet.y - first.y) > _BASELINE_SLACK:
        return False
    return bullet.x < first.x <= bullet.x + _BULLET_REACH_EM * max(bullet.size, first.size)


def _goes_on(last: Span, first: Span) -> bool:
    """Is `first` (a line's first piece) the next word after `last` (the line before's last piece), on its
    baseline and in its font size, within the word's reach (_WORD_EM)?"""
    word = last.text.strip()
    if not word or " " in word or last.figure or first.figure:
        return False
    if abs(last.y - first.y) > _BASELINE_SLACK or abs(last.size - first.size) > SIZE_SLACK:
        return False
    return last.x < first.x <= last.x + (len(word) + 1) * last.size * _WORD_EM


def _font_resources(page) -> dict:
    """The page's font resources by name ({} when it names none)."""
    resources = page.get("/Resources")
    fonts = resources.get_object().get("/Font") if resources is not None else None
    return dict(fonts.get_object()) if fonts is not None else {}


def _cell_width(font: object) -> float:
    """A monospace font's character width in ems: its first nonzero /Widths entry (0 when none)."""
    widths = simple_widths(font)
    return next((width / 1000 for width in widths[1] if width > 0), 0.0) if widths else 0.0


def _spans(text: str, size: float, y: float, mono: bool = False) -> list[Span]:
    """A visited piece split at superscript figures, each part in its stored (NFKC) form."""
    found, position = [], 0
    for match in _SUPERSCRIPT.finditer(text):
        if match.start() > position:
            found.append(Span(compatibility_text(text[position : match.start()]), size, y=y, mono=mono))
        found.append(Span(compatibility_text(match.group()), size, raised=True, y=y, mono=mono))
        position = match.end()
    if position < len(text):
        found.append(Span(compatibility_text(text[position:]), size, y=y, mono=mono))
    return found


def _scale(tm: list[float], cm: list[float]) -> float:
    """How much the text and current transformation matrices scale a font's size (1.0 when unscaled)."""
    a = tm[0] * cm[0] + tm[1] * cm[2]
    b = tm[0] * cm[1] + tm[1] * cm[3]
    c = tm[2] * cm[0] + tm[3] * cm[2]
    d = tm[2] * cm[1] + tm[3] * cm[3]
    return math.sqrt(abs(a * d - b * c)) or 1.0
