"""Underscores that a PDF draws as short rules, put back into the text before the next word.

TeX's `\\_` in the OT1 encoding of Computer Modern (LaTeX's default) is no glyph: plain.tex defines it as
`\\leavevmode \\kern.06em \\vbox{\\hrule width.3em}`, a rule 0.3 em long and 0.4 pt thick sitting on the
baseline. pdfTeX draws it as a stroked line (`m`, `l`, `S`) or a filled rectangle (`re`, `f`) between
two pieces of text, so every text extractor (pypdf, pdftotext) reads a gap where the underscore was:
Lem's manual names its option `-only_changed_output` and the text reads "-only changed output"
(blind trial 44), a setting or variable named with underscores is not found as written, and an answer
quotes it wrongly.

`DrawnRules` is a pypdf operand visitor (`visitor_operand_before`) that keeps the short horizontal
rules of the current path; `underscored` gives the text of the next piece drawn, with "_" in place of
its leading space when it starts where such a rule ends, on its baseline. A longer rule (an underline,
a table's line, a fraction bar above the baseline) is left alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from retrieval.ingest.formats.pdf_spacing import operand_number

# The rule's length in ems of the next piece's font size: plain.tex's 0.3 em, with room for fonts whose
# `\_` is drawn wider or narrower (0.2-0.7 em); an underline spans its word, several ems.
_SHORTEST_EM, _LONGEST_EM = 0.2, 0.7
_THICKEST = 1.0  # points: a rule drawn thicker is no underscore (plain.tex's \hrule is 0.4 pt)
# Where the rule may sit against the next piece's baseline, in points: TeX's sits on it (its middle 0.2 pt
# above); a fraction bar sits on the maths axis, about 2.5 pt up at 10 pt, and a link's underline lower.
_BELOW, _ABOVE = 0.6, 1.0
# A gap wider than this between the text before and the rule is a word space: "a variable _x" (TeX's kern
# before its rule is 0.06 em; its narrowest word space, 0.333 - 0.111 em).
_SPACE_EM = 0.2
# Painting a path: stroking it, filling it, or ending it unpainted (a clip); with the path's own operators.
_STROKE = frozenset((b"S", b"s"))
_FILL = frozenset((b"f", b"F", b"f*", b"B", b"B*", b"b", b"b*"))
_UNPAINTED = frozenset((b"n", b"W", b"W*"))
_PATH_OPERATORS = frozenset((b"w", b"m", b"l", b"re")) | _STROKE | _FILL | _UNPAINTED
_JOIN_EM = 0.15  # how far the next piece may start from the rule's end, in ems (TeX puts no space there)


@dataclass(frozen=True)
class _Rule:
    left: float  # points from the page's left edge
    right: float
    y: float  # points from the bottom, the rule's middle
    thickness: float
    text_end: float | None = None  # where the text drawn before it ended (points from the left), if known


class DrawnRules:
    """Follows the page's path operators for the short horizontal rules it strokes or fills.

    Coordinates are in page space (the current transformation matrix applied); only translation and
    scaling are taken into account, as TeX draws its rules unrotated.
    """

    def __init__(self) -> None:
        self._width = 1.0  # the line width (`w`) in user space units; PDF's default is 1.0
        self._start: tuple[float, float] | None = None
        self._segments: list[tuple[float, float, float, float]] = []  # page space (x0, y0, x1, y1)
        self._boxes: list[tuple[float, float, float, float]] = []  # page space (x0, y0, x1, y1)
        self._pending: list[_Rule] = []
        self._text_end: float | None = None  # page space x where the text drawn last ended

    def before(
        self, operator: bytes, operands: list[Any], cm: list[float], tm: list[float], advance: float | None
    ) -> None:
        """Follow `w`, `m`, `l`, `re` and the painting operators; `cm` and `tm` are the current
        transformation and text matrices, `advance` the text space units drawn since the line's last
        move once this operator's text is counted (pdf_spacing's `WordGaps.advance`; None: unknown)."""
        if operator in (b"TJ", b"Tj", b"'", b'"'):
            if advance is None:
                self._text_end = None
            else:
                self._text_end = _point(cm, tm[4] + advance * tm[0], tm[5])[0]
            return
        if operator not in _PATH_OPERATORS:
            return  # most of a page's operators show text or set its state: no operand to read
        numbers = [operand_number(value) for value in operands]
        if operator == b"w" and numbers and numbers[0] is not None:
            self._width = numbers[0]
        elif operator == b"m" and len(numbers) == 2 and None not in numbers:
            self._start = _point(cm, numbers[0], numbers[1])
        elif operator == b"l" and len(numbers) == 2 and None not in numbers and self._start is not None:
            end = _point(cm, numbers[0], numbers[1])
            self._segments.append((*self._start, *end))
            self._start = end
        elif operator == b"re" and len(numbers) == 4 and None not in numbers:
            x, y, width, height = numbers
            self._boxes.append((*_point(cm, x, y), *_point(cm, x + width, y + height)))
        elif operator in _STROKE:
            scale = abs(cm[3]) or 1.0
            self._paint(_stroked(segment, self._width * scale) for segment in self._segments)
        elif operator in _FILL:
            self._paint(_filled(box) for box in self._boxes)
        elif operator in _UNPAINTED:
            self._clear()

    def _paint(self, rules: Iterable[_Rule]) -> None:
        self._pending.extend(replace(rule, text_end=self._text_end) for rule in rules)
        self._clear()

    def _clear(self) -> None:
        self._start, self._segments, self._boxes = None, [], []

    def underscored(self, text: str, x: float, y: float, size: float) -> str:
        """`text` (a piece about to be read, starting at `x`, baseline `y`, font size `size` in points)
        with "_" for its leading space, or before it, when an underscore-shaped rule ends where it starts.
        Rules drawn before it are forgotten either way: only the piece right after a rule is its next."""
        rules, self._pending = self._pending, []
        if not text.strip() or size <= 0:
            self._pending = rules  # an empty piece (pypdf's visits at a path) is no text after the rule
            return text
        for rule in rules:
            length = rule.right - rule.left
            if (
                _SHORTEST_EM * size <= length <= _LONGEST_EM * size
                and rule.thickness <= _THICKEST
                and y - _BELOW <= rule.y <= y + _ABOVE
                and abs(x - rule.right) <= _JOIN_EM * size
            ):
                spaced = rule.text_end is not None and rule.left - rule.text_end > _SPACE_EM * size
                return (" _" if spaced else "_") + (text[1:] if text.startswith(" ") else text)
        return text


def _stroked(segment: tuple[float, float, float, float], width: float) -> _Rule:
    x0, y0, x1, y1 = segment
    if abs(y1 - y0) > 0.01:  # not horizontal: no rule
        return _Rule(0.0, 0.0, 0.0, _THICKEST + 1)
    return _Rule(min(x0, x1), max(x0, x1), y0, width)


def _filled(box: tuple[float, float, float, float]) -> _Rule:
    x0, y0, x1, y1 = box
    return _Rule(min(x0, x1), max(x0, x1), (y0 + y1) / 2, abs(y1 - y0))


def _point(cm: list[float], x: float, y: float) -> tuple[float, float]:
    return (cm[0] * x + cm[2] * y + cm[4], cm[1] * x + cm[3] * y + cm[5])
