"""Word gaps that a PDF draws as TJ offsets, made spaces before pypdf reads them.

pdfTeX (and other TeX engines) draws no space glyphs: a line is one `TJ` array of words parted by
numbers, each a move in thousandths of the font size ("[(We) -237 (recommend) -237 (using)]"). pypdf
takes a number as a space only when it is at least 0.95 of *half* the width the font gives character
code 32; TeX's T1-encoded fonts put a 500-unit visible-space glyph there, so pypdf asks for 237.5 and the
word gaps of a tightly justified line (-211, -237) run the words together ("Werecommendusingthe").

`WordGaps` is a pair of pypdf operand visitors (`visitor_operand_before` and `visitor_operand_after`,
pypdf's public extraction hooks): before a `TJ` is shown it puts a space before each move of at least
`WORD_GAP` (moving right) and, after pypdf has read it, puts the array back as it was, so the page's
content is unchanged for any later reading (layout mode). A space is then in the text whatever the
font claims; pypdf adds none of its own after one, so no gap gets two.

pypdf counts the width of every string it shows to tell, at the next move on the same line, whether
that move leaves a gap ("the" then a typewriter "followlinks" after a `Td`). So the move after an added
space is shortened by the width pypdf gives a space in that font (its `Font`, the one name this module
takes from pypdf's internals): the line's width stays as drawn. A font the page's resources do not name
(inside a form XObject) gets no added spaces: pypdf's own reading stands there.
"""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)

# A move of a tenth of the font size or more parts words: poppler's pdftotext (TextOutputDev.cc,
# minWordBreakSpace = 0.1, "minimum spacing between words, as a fraction of the font size"). Kerning
# and letter spacing move far less (Times' widest positive kerns are about 0.04 em; "C -5 HAPTER"), and
# the tightest TeX word space is its width less its shrink (0.25 - 0.07 em for Termes: about 0.18 em).
WORD_GAP = 100.0  # thousandths of the font size; TJ numbers are negative when they move right
_UNSET_SPACE = 200.0  # the space width pypdf's extract_text gives a font whose space has none (its default)


class WordGaps:
    """Operand visitors that mark TJ word gaps with a space for the duration of one TJ's reading.

    `fonts`: the page's font resources (name -> font dictionary), as pypdf reads them for `Tf`.
    """

    def __init__(self, fonts: Any) -> None:
        self._fonts = fonts
        self._widths: dict[str, float | None] = {}
        self._space: float | None = None  # the current font's space width as pypdf counts it
        self._changed: list[tuple[list[Any], list[Any]]] = []

    def before(self, operator: bytes, operands: list[Any], _cm: object, _tm: object) -> None:
        """Follow `Tf`; put " " before each word-gap number of a TJ array (remembering it as it was)."""
        if operator == b"Tf" and operands:
            self._space = self._space_width(str(operands[0]))
            return
        if operator != b"TJ" or self._space is None or not operands or not isinstance(operands[0], list):
            return
        array = operands[0]
        spaced = _spaced(list(array), self._space)
        if len(spaced) != len(array):
            self._changed.append((array, list(array)))
            array[:] = spaced

    def after(self, operator: bytes, operands: list[Any], _cm: object, _tm: object) -> None:
        """Put a TJ array changed by `before` back as the PDF has it."""
        if operator == b"TJ" and self._changed and operands and operands[0] is self._changed[-1][0]:
            array, original = self._changed.pop()
            array[:] = original

    def _space_width(self, name: str) -> float | None:
        """The width pypdf counts for a shown " " in the font `name`, in thousandths of its size; None
        when the page's resources do not name it or pypdf cannot read it."""
        if name not in self._widths:
            self._widths[name] = _pypdf_space_width(self._fonts, name)
        return self._widths[name]


def _pypdf_space_width(fonts: Any, name: str) -> float | None:
    """What pypdf's text extraction adds to a line's width for a " " shown in font `name` (its
    `get_text_operands`: the font's space width, or 200 when the font gives its space none)."""
    from pypdf.generic._font import Font

    try:
        font = Font.from_font_resource(fonts[name].get_object())
    except Exception as error:  # noqa: BLE001 - an unreadable font keeps pypdf's own reading
        log.debug("no space width for font %s (%s)", name, error.__class__.__name__)
        return None
    if font.character_widths.get(font.space_char, 0) == 0:
        font.space_width = _UNSET_SPACE
    if font.space_char == " ":
        return float(font.space_width)
    return float(font.get_text_width(" "))


def _spaced(items: list[Any], space: float) -> list[Any]:
    """A TJ array's items with the plain str " " before each move of `WORD_GAP` or more that follows
    text (pypdf shows a str as it is, with no font encoding), the move shortened by the `space` pypdf
    counts for it; a move before any text is no word gap."""
    spaced: list[Any] = []
    for item in items:
        if _is_number(item) and spaced and not _is_number(spaced[-1]) and -float(item) >= WORD_GAP:
            spaced.extend([" ", float(item) + space])
            continue
        spaced.append(item)
    return spaced


def _is_number(item: object) -> bool:
    return isinstance(item, (int, float)) and not isinstance(item, bool)
