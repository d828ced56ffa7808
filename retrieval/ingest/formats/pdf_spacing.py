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
import math
import re
from typing import Any

log = logging.getLogger(__name__)

# A move of a tenth of the font size or more parts words: poppler's pdftotext (TextOutputDev.cc,
# minWordBreakSpace = 0.1, "minimum spacing between words, as a fraction of the font size"). Kerning
# and letter spacing move far less (Times' widest positive kerns are about 0.04 em; "C -5 HAPTER"), and
# the tightest TeX word space is its width less its shrink (0.25 - 0.07 em for Termes: about 0.18 em).
WORD_GAP = 100.0  # thousandths of the font size; TJ numbers are negative when they move right
# In a monospace font a space is a whole character cell (0.5-0.6 em: Inconsolata 500, cmtt 525, Courier 600),
# and the listings package's fixed columns move each letter by a fraction of one to put it in its column
# (GenMC's XeLaTeX manual, blind trial 45: 66-193 between the letters of "atomic_store_explicit", which read
# "a t o m i c _ s t o r e"); half a cell parts words there.
MONOSPACE_WORD_GAP = 250.0
_FIXED_PITCH = 1  # the FontDescriptor /Flags bit of a monospace font (PDF 32000-1, table 123)
# Typewriter font names: TeX's cmtt/t1xtt/txtt (a name ending "tt" before its size, a style or a dash),
# Latin Modern's lmmono, Inconsolata, and the usual system ones.
_MONOSPACE_NAME = re.compile(r"mono|courier|consol|menlo|typewriter|^[a-z0-9]*tt(?:\d|[-_,]|$)")
_SAME_LINE = 0.01  # a Td that moves up or down less than this (text space units) stays on the line
_UNSET_SPACE = 200.0  # the space width pypdf's extract_text gives a font whose space has none (its default)


class WordGaps:
    """Operand visitors that mark word gaps with a space for the duration of one TJ's reading.

    `fonts`: the page's font resources (name -> font dictionary), as pypdf reads them for `Tf`.
    Two kinds of gap: a number inside a TJ array, and a `Td` along the line past the end of the text
    shown since the line's last move (a link or a font change: "see also" `Td` "Line Statements";
    "encoding='utf-8'," `Td` "followlinks"); the second is measured from the font's /Widths, so only
    for simple fonts with no character or word spacing set.
    """

    def __init__(self, fonts: Any) -> None:
        self._fonts = fonts
        self._widths: dict[str, float | None] = {}
        self._glyphs: dict[str, tuple[int, list[float]] | None] = {}
        self._space: float | None = None  # the current font's space width as pypdf counts it
        self._font: tuple[int, list[float]] | None = None  # the current font's first code and widths
        self._size = 0.0
        self._gap = WORD_GAP  # the current font's word gap (MONOSPACE_WORD_GAP in a monospace font)
        self._monospace: dict[str, bool] = {}
        self._advance: float | None = 0.0  # text space units drawn since the line's last move
        self._pending = False  # a Td left a word gap: the next TJ opens with a space
        self._shown = False  # text was drawn since the line's last move (a TJ's leading move is a gap)
        self._changed: list[tuple[list[Any], list[Any]]] = []

    def before(self, operator: bytes, operands: list[Any], _cm: object, _tm: object) -> None:
        """Follow the text state; put " " at each word gap of a TJ array (remembering it as it was)."""
        if operator == b"Tf" and len(operands) >= 2:
            name = str(operands[0])
            self._space, self._font = self._space_width(name), self._glyph_widths(name)
            self._gap = MONOSPACE_WORD_GAP if self._is_monospace(name) else WORD_GAP
            self._size = operand_number(operands[1]) or 0.0
        elif operator in (b"Td", b"TD") and len(operands) >= 2:
            self._moved(operand_number(operands[0]), operand_number(operands[1]))
        elif operator in (b"BT", b"Tm", b"T*", b"'", b'"'):
            self._advance, self._pending, self._shown = 0.0, False, False
        elif (
            operator in (b"Tc", b"Tw", b"Tz")
            and operands
            and operand_number(operands[0]) != (100.0 if operator == b"Tz" else 0.0)
        ):
            self._advance = None  # spacing the widths do not show: no gap measured until the next line
        elif operator == b"Tj" and operands:
            self._drawn([operands[0]])
            self._pending, self._shown = False, self._shown or _has_text([operands[0]])
        elif operator == b"TJ" and operands and isinstance(operands[0], list):
            self._show(operands[0])

    @property
    def advance(self) -> float | None:
        """Text space units drawn since the line's last move (the strings' widths and the TJ moves, at
        the font's size); None when the fonts or spacing do not say."""
        return self._advance

    def after(self, operator: bytes, operands: list[Any], _cm: object, _tm: object) -> None:
        """Put a TJ array changed by `before` back as the PDF has it."""
        if operator == b"TJ" and self._changed and operands and operands[0] is self._changed[-1][0]:
            array, original = self._changed.pop()
            array[:] = original

    def _show(self, array: list[Any]) -> None:
        original = list(array)
        self._drawn(original)
        after_text, self._shown = self._shown, self._shown or _has_text(original)
        if self._space is None:
            self._pending = False
            return
        spaced = _spaced(original, self._space, after_text, self._gap)
        if self._pending and spaced and not _is_number(spaced[0]):
            spaced[:0] = [" ", self._space]
        self._pending = False
        if len(spaced) != len(original):
            self._changed.append((array, original))
            array[:] = spaced

    def _moved(self, tx: float | None, ty: float | None) -> None:
        """A `Td` along the line (no rise) past the end of what was drawn leaves a word gap."""
        drawn = self._advance
        self._advance, self._pending, self._shown = 0.0, False, False
        if tx is None or ty is None or drawn is None or abs(ty) > _SAME_LINE or not self._size:
            return
        self._pending = drawn > 0 and tx - drawn >= self._gap / 1000 * self._size

    def _drawn(self, items: list[Any]) -> None:
        """Add the advance of a TJ array's (or a Tj's) strings and moves to the line's."""
        if self._advance is None:
            return
        if self._font is None:
            self._advance = None
            return
        first, widths = self._font
        total = 0.0
        for item in items:
            if _is_number(item):
                total -= float(item)
            elif isinstance(item, (bytes, str)):
                codes = item.get_original_bytes() if hasattr(item, "get_original_bytes") else item
                codes = codes.encode("latin-1", "replace") if isinstance(codes, str) else codes
                total += sum(
                    widths[code - first] if 0 <= code - first < len(widths) else 0.0 for code in codes
                )
        self._advance += total / 1000 * self._size

    def _space_width(self, name: str) -> float | None:
        """The width pypdf counts for a shown " " in the font `name`, in thousandths of its size; None
        when the page's resources do not name it or pypdf cannot read it."""
        if name not in self._widths:
            self._widths[name] = _pypdf_space_width(self._fonts, name)
        return self._widths[name]

    def _is_monospace(self, name: str) -> bool:
        if name not in self._monospace:
            try:
                font = self._fonts[name].get_object()
            except (KeyError, TypeError, AttributeError):
                font = None
            self._monospace[name] = font is not None and is_monospace(font)
        return self._monospace[name]

    def _glyph_widths(self, name: str) -> tuple[int, list[float]] | None:
        """A simple font's first character code and /Widths; None for a composite (Type0) font."""
        if name not in self._glyphs:
            self._glyphs[name] = _simple_widths(self._fonts, name)
        return self._glyphs[name]


def _simple_widths(fonts: Any, name: str) -> tuple[int, list[float]] | None:
    try:
        font = fonts[name]
    except (KeyError, TypeError):
        return None
    return simple_widths(font)


def simple_widths(font: Any) -> tuple[int, list[float]] | None:
    """A simple font resource's first character code and its /Widths (thousandths of an em); None for a
    composite (Type0) font, one without /Widths, or one pypdf cannot read."""
    try:
        font = font.get_object()
        if font.get("/Subtype") == "/Type0" or "/Widths" not in font:
            return None
        return int(font.get("/FirstChar", 0)), [float(width) for width in font["/Widths"].get_object()]
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def operand_number(value: object) -> float | None:
    """A content stream operand as a number (pypdf's NumberObject and FloatObject are int and float);
    None for anything else."""
    return float(value) if _is_number(value) else None  # type: ignore[arg-type]


def _pypdf_space_width(fonts: Any, name: str) -> float | None:
    """What pypdf's text extraction adds to a line's width for a " " shown in font `name` (its
    `get_text_operands`: the font's space width, or 200 when the font gives its space none)."""
    try:  # pypdf's own font model, private (pypdf 7): an older pypdf in pyproject's range keeps its reading
        from pypdf.generic._font import Font
    except ImportError:
        return None
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


def _spaced(items: list[Any], space: float, after_text: bool = False, gap: float = WORD_GAP) -> list[Any]:
    """A TJ array's items with the plain str " " before each move of `gap` or more that follows
    text (pypdf shows a str as it is, with no font encoding), the move shortened by the `space` pypdf
    counts for it. A leading move follows text only when `after_text` (text was drawn on the line before
    this TJ, in another colour: "Japanese" then [-237 (Shinto)]); after a line's move it is an indent.

    A move under `gap` that pypdf would itself take for a space (at least 0.95 of half its `space`) is
    split into moves it does not, the same distance in all: in a monospace font (`gap` above WORD_GAP) the
    moves that put letters in their columns are no word gaps."""
    spaced: list[Any] = []
    pypdf_gap = 0.95 * space / 2
    for item in items:
        follows = not _is_number(spaced[-1]) if spaced else after_text
        if _is_number(item) and follows and -float(item) >= gap:
            spaced.extend([" ", float(item) + space])
            continue
        if _is_number(item) and gap > WORD_GAP and pypdf_gap > 0 and -float(item) >= pypdf_gap:
            parts = math.ceil(-float(item) / (0.9 * pypdf_gap))
            spaced.extend([float(item) / parts] * parts)
            continue
        spaced.append(item)
    return spaced


def _has_text(items: list[Any]) -> bool:
    return any(isinstance(item, (bytes, str)) and len(item) > 0 for item in items)


def _is_number(item: object) -> bool:
    return isinstance(item, (int, float)) and not isinstance(item, bool)


def is_monospace(font: object) -> bool:
    """Is a font resource monospace: its descriptor's FixedPitch flag, or a typewriter name (Courier,
    "...Mono", Consolas, Menlo, TeX's "cmtt10", "t1xtt", "lmmono")? False for no font."""
    try:
        name = str(font.get("/BaseFont", "")).rsplit("+", 1)[-1].lower()  # type: ignore[attr-defined]
        descriptor = font.get("/FontDescriptor")  # type: ignore[attr-defined]
        flags = int(descriptor.get_object().get("/Flags", 0)) if descriptor is not None else 0
    except (AttributeError, TypeError, ValueError):
        return False
    return bool(flags & _FIXED_PITCH) or bool(_MONOSPACE_NAME.search(name))
