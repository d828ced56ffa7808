"""What every parser shares: decoding bytes to text, line offsets, and the parse result."""

from __future__ import annotations

import bisect
import logging
import re
from dataclasses import dataclass, field, replace
from pathlib import PurePosixPath

from retrieval.models import Block
from retrieval.text.normalize import clean_text
from retrieval.text.sentences import ends_with_abbreviation

log = logging.getLogger(__name__)


@dataclass
class Parsed:
    """A parsed file: metadata (None where the file has none) and its blocks in reading order."""

    blocks: list[Block]
    title: str | None = None
    url: str | None = None
    date: str | None = None
    notes: list[str] = field(default_factory=list)  # e.g. "decoded as cp1252" (logged as warnings)


def decode(raw: bytes) -> tuple[str, str | None]:
    """Text of a file and, when it was not UTF-8, a note naming the encoding used.

    UTF-8 (with or without BOM) is tried first; UTF-16/32 with a BOM and legacy 8-bit encodings are
    detected by charset-normalizer. Raises ValueError for binary data or an encoding nobody can name.
    """
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16"), "decoded as UTF-16 (byte order mark)"
    if b"\x00" in raw[:8192]:
        raise ValueError("looks binary (contains NUL bytes)")
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    matches = from_bytes(raw)
    best = matches.best()
    if best is None:
        raise ValueError("not text in any known encoding")
    # Short Western text is ambiguous between the Windows code pages; cp1252 is by far the commonest,
    # so it wins whenever it is among the candidates charset-normalizer found plausible.
    if best.encoding != "cp1252" and any(m.encoding == "cp1252" for m in matches):
        return raw.decode("cp1252"), "not UTF-8; decoded as cp1252"
    return str(best), f"not UTF-8; decoded as {best.encoding}"


class LineMap:
    """Character offsets of the lines of a text, for turning line numbers into offsets and back."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0, *(match.end() for match in re.finditer("\n", text))]  # a char loop: 11 s on 20 MB

    def line_of(self, offset: int) -> int:
        """1-based line holding character `offset`."""
        return bisect.bisect_right(self.starts, offset)

    def line(self, number: int) -> str:
        """Text of 1-based line `number`, without its newline."""
        start = self.starts[number - 1]
        end = self.starts[number] - 1 if number < len(self.starts) else len(self.text)
        return self.text[start:end].rstrip("\r")

    def region(self, first: int, last: int) -> tuple[int, int]:
        """(start, end) offsets of lines first..last (1-based, inclusive), outer whitespace trimmed."""
        last = min(max(last, 1), len(self.starts))
        first = min(max(first, 1), last)
        start = self.starts[first - 1]
        end = self.starts[last] - 1 if last < len(self.starts) else len(self.text)
        while start < end and self.text[start].isspace():
            start += 1
        while end > start and self.text[end - 1].isspace():
            end -= 1
        return start, end


def block(kind: str, text: str, lines: LineMap | None = None, first: int | None = None,
          last: int | None = None, **extra) -> Block | None:  # fmt: skip
    """A Block with clean text and, given a LineMap and 1-based lines, its character region.

    Returns None when no text is left (an empty paragraph is no block).
    """
    value = clean_text(text) if kind == "code" else " ".join(clean_text(text).split())
    if kind == "code":
        value = value.strip("\n").rstrip()
    if not value.strip():
        return None
    if extra.get("code_spans"):
        spans = (" ".join(clean_text(span).split()) for span in extra["code_spans"])
        extra["code_spans"] = tuple(dict.fromkeys(s for s in spans if len(s) > 1 and s in value))
    start = end = None
    if lines is not None and first is not None:
        last = last if last is not None and last >= first else first
        start, end = lines.region(first, last)
        if kind != "code" and last > first and "line_breaks" not in extra:
            extra["line_breaks"] = line_breaks(value, lines, first, last)
    return Block(kind, value, first, last if first is not None else None, start=start, end=end, **extra)


_WORD = re.compile(r"[^\W_]+")  # letters and digits: "_safe_" (emphasis) reads "safe"
_LAST_LINE_SEARCH = 400  # lines past a block's first that its last word is looked for in, at most
_LAST_LINE_SLACK = 10  # blank lines a block may hold beyond one line per word


def _word_lines(words: list[str], lines: LineMap, first: int, last: int) -> tuple[list[int], int] | None:
    """The source line where each of `words` starts and the line where the last one ends, the words
    found in order in lines first..last; a source word that is not the next one (markup: a link's
    address, a role name) is skipped, and a word may be split by markup (":term:`directive`\\ s" reads
    "directives"; "86400<sup><a href=...>1</a></sup>" reads "864001"). None when some word is not found (text the reader made up or decoded)."""
    found: list[int] = []
    partial, partial_line = "", 0
    for number in range(first, min(last, len(lines.starts)) + 1):
        for token in _WORD.findall(lines.line(number)):
            if len(found) == len(words):
                return found, number
            word = words[len(found)]
            if partial and word.startswith(partial + token):
                partial += token
                if partial == word:
                    found.append(partial_line)
                    partial = ""
            elif token == word:
                found.append(number)
                partial = ""
            elif word.startswith(token) and not partial:
                partial, partial_line = token, number
        if len(found) == len(words):
            return found, number
    return None


def line_breaks(value: str, lines: LineMap, first: int, last: int) -> tuple[int, ...]:
    """Where in `value` (a block's text: its source lines first..last, markup removed, joined by single
    spaces) each of the lines first+1..last begins: one offset per line, ascending.

    The words of `value` are found in the source lines in order (`_word_lines`). A line begins after
    the last space before its first word (the space that joined it to the line before), so a
    sentence's closing marks stay on the line of its last word and an opening quote mark goes with its
    first. () when some word is not found: lines are then estimated in proportion."""
    words = list(_WORD.finditer(value))
    placed = _word_lines([w.group() for w in words], lines, first, last)
    if placed is None:
        return ()
    starts = placed[0]
    breaks = []
    for number in range(first + 1, last + 1):
        before = bisect.bisect_left(starts, number)  # words starting on earlier lines (ascending)
        following = words[before].start() if before < len(words) else len(value)
        breaks.append(value.rfind(" ", 0, following) + 1 if before < len(words) else following)
    return tuple(breaks)


# The kinds of block an ordered list's number may open (not code: its text is verbatim).
NUMBERED_KINDS = ("list_item", "paragraph", "definition", "quote")


def numbered(made: Block, number: str) -> Block:
    """`made`, an ordered list item's first block, shown after its number ("2. "); its line breaks move
    with the text. A block of another kind (code) is returned as it is."""
    if made.kind not in NUMBERED_KINDS:
        return made
    breaks = tuple(offset + len(number) for offset in made.line_breaks)
    return replace(made, text=number + made.text, line_breaks=breaks)


def last_line(value: str, lines: LineMap, first: int) -> int:
    """The source line where `value` (a block's text whose first line is `first`) ends: where its last
    word is found, its words found in order from line `first` on (`_word_lines`), at most as many lines
    on as it has words (and _LAST_LINE_SLACK blank ones); `first` when they are not all found there."""
    words = _WORD.findall(value)
    # A block has a word on each of its lines but its blank ones: a few more lines than words at most.
    reach = min(_LAST_LINE_SEARCH, len(words) + _LAST_LINE_SLACK)
    placed = _word_lines(words, lines, first, first + reach) if words else None
    return placed[1] if placed is not None else first


# A title is at most this many characters (a longer first line is prose, not a title).
TITLE_MAX_CHARS = 150


def ends_like_prose(text: str) -> bool:
    """Does `text` end as a sentence or clause does (".", ",", ":", ";", "…"), so that it is no title?
    An abbreviation's dot ("Assassination of Martin Luther King, Jr.") and an ellipsis set apart ("First
    they came ...") end titles too (one glued to its word trails off a sentence: "on a per-request basis..."), as "?" and "!" may ("O Brother, Where Art Thou?", "Mamma
    Mia!")."""
    text = text.rstrip()
    if text.endswith((" ...", " …")) or (
        text.endswith(".") and not text.endswith("..") and ends_with_abbreviation(text)
    ):
        return False
    return text.endswith((".", ",", ":", ";", "…"))


def heading_title(blocks: list[Block]) -> str | None:
    """The heading that names a page: one that opens it, else its first level-1 heading, else the one
    heading at its top level; None when it has several sections of one level under opening prose
    (MkDocs pages without an H1: "## Setting and disabling timeouts", "## Fine tuning ..."), whose
    first section's heading would name every passage of the page."""
    headings = [b for b in blocks if b.kind == "heading"]
    if not headings:
        return None
    if blocks[0].kind == "heading":
        return blocks[0].text
    top = min(h.level for h in headings)
    at_top = [h for h in headings if h.level == top]
    return at_top[0].text if top == 1 or len(at_top) == 1 else None


_INDEX_PAGES = {"index", "_index", "readme", "default", "home"}  # a folder's own page
_ORDER_PREFIX = re.compile(r"^\d{1,3}[_-](?=[A-Za-z-]+$)")  # "01-introduction"; not "000_a62311b28d2c"


def name_title(source: str) -> str:
    """A title from a file's path: its name without suffix and ordering number, "-" and "_" read as
    spaces ("advanced/resource-limits.md" -> "resource limits", "02_getting-started.md" -> "getting
    started"); an index page is named after its folder ("httpx/index.md" -> "httpx"). A name with
    figures after its number is an id and keeps it ("000_a62311b28d2cec3e.txt" -> "000 a62311b28d2cec3e")."""
    path = PurePosixPath(source)
    stem = path.stem
    if stem.lower() in _INDEX_PAGES and path.parent.name:
        stem = path.parent.name
    return _ORDER_PREFIX.sub("", stem).replace("_", " ").replace("-", " ").strip() or stem


def breadcrumb_end(first: str, later: list[str]) -> str | None:
    """The later line that a breadcrumb first line ends with ("Home Articles Some Title" over "Some
    Title" -> "Some Title"); None when `first` is no breadcrumb of any of them."""
    return next((text for text in later if len(text) > 10 and text != first and first.endswith(text)), None)
