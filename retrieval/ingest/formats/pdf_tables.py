"""Tables on a PDF page, read from pypdf's layout mode: rows whole, cells in their columns, the header first.

Why pypdf's layout mode (`extract_text(extraction_mode="layout")`) and not pdfplumber: layout mode prints
the page as fixed-width text, so the cells of a row share a line and a column's cells share character
positions whether or not the table has ruling lines; it is pypdf, already a dependency, and costs about as
much as the default extraction (500 generated pages: 2.6 s default, 2.7 s layout). pdfplumber finds tables
by their ruling lines and text alignment too, but through pdfminer it took 38-43 s for the same 500 pages
(a 95 s index would become ~140 s, the most the brief allows) and brings pdfminer.six and pypdfium2.

What is hand-written here is only the reading of the fixed-width lines: a cell is a run of words with
single spaces, cells are parted by two or more; lines whose cells keep to the same column bands form a
table. The table is then located in the default extraction's lines (where pypdf gives one cell a line,
or a row a line) by its text, so a table is only ever taken where both readings agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_CELL = re.compile(r"\S+(?: \S+)*")  # words parted by single spaces; two or more spaces part cells
_PROSE_CELL = 40  # a table where most cells are longer than this is columns of prose, not a table
_FEWEST_ROWS = 3  # two aligned lines are too often an option list or an example's output to be a table
_NUMERIC = re.compile(r"\d")
# The glyphs drawn before list items: word processors' bullets too (Google Docs draws ● ○ ■ by level; Word's
# Symbol and Wingdings fonts map theirs into the private use area, U+F0B7, U+F0A7, U+F0D8).
BULLET_GLYPHS = "-–*•▪‣◦·●○■□◆◇▫➢➤►▸\uf0b7\uf0a7\uf0d8"
_ENUMERATOR = re.compile(rf"[{BULLET_GLYPHS}]|\(?(\d{{1,3}}(\.\d{{1,3}})*|[a-z]|[ivx]{{1,4}})[.)]?", re.I)
_YEAR = re.compile(r"(19|20)\d\d")  # a year heads a column ("2023") as a word would
# A column's label is a few words ("Default value", "Environment variable"); a cell longer than this is a row's.
_HEADER_WORDS = 6
_LEADING_MARK = re.compile(r"[-/$.@#%]+")  # an option's dashes, a path's slash, a variable's sigil


_Cell = tuple[int, int, str]  # start and end column in the fixed-width line, and the text


@dataclass(frozen=True)
class Table:
    """A table's rows, each a tuple of cell texts ("" for an empty cell); `header`: the first row is one."""

    rows: tuple[tuple[str, ...], ...]
    header: bool


def layout_tables(layout_text: str) -> list[Table]:
    """Tables in a page's layout-mode text, top to bottom (none when the page has none)."""
    tables: list[Table] = []
    run: list[list[_Cell]] = []
    for line in [*layout_text.split("\n"), ""]:
        cells = [(m.start(), m.end(), m.group()) for m in _CELL.finditer(line)]
        if run and cells and (_continues(run, cells) or (len(cells) == 1 and cells[0][0] > run[0][0][0] + 2)):
            run.append(cells)  # a row of the same columns, or a wrapped cell's next line (not in column one)
            continue
        table = _table(run)
        if table:
            tables.append(table)
        run = [cells] if len(cells) >= 2 else []
    return tables


def _continues(run: list[list[_Cell]], cells: list[_Cell]) -> bool:
    """Does a line of two or more cells keep to the columns of the run's first full row?"""
    if len(cells) < 2:
        return False
    widest = max(len(row) for row in run)
    first = next(row for row in run if len(row) == widest)  # the run's first row with every column
    if len(cells) > len(first):  # a header with an empty corner cell is narrower than its rows
        return len(run) == 1 and all(any(_aligned(a, b) for b in cells) for a in first)
    if len(cells) == len(first):
        return all(_aligned(a, b) for a, b in zip(cells, first, strict=True))
    return all(any(_aligned(a, b) for b in first) for a in cells)  # a row with empty cells


def _aligned(a: _Cell, b: _Cell) -> bool:
    """Do two cells sit in one column: left, right or centre aligned (one character of slack)?"""
    return abs(a[0] - b[0]) <= 1 or abs(a[1] - b[1]) <= 1 or abs(a[0] + a[1] - b[0] - b[1]) <= 2


def locate(table: Table, lines: list[str]) -> tuple[int, int] | None:
    """(first, last) index of the lines of `lines` that hold exactly the table's text, or None.

    The lines may give the cells in another order than the rows do (a wrapped cell's second line after
    the row's other cells): lines that begin with the table's first cell and hold exactly its characters
    are the table too.
    """
    key = "".join("".join(cell.split()) for row in table.rows for cell in row)
    packed = ["".join(line.split()) for line in lines]
    for first in range(len(lines)):
        if not packed[first] or not key.startswith(packed[first]):
            continue
        seen = ""
        for last in range(first, len(lines)):
            seen += packed[last]
            if len(seen) >= len(key):
                if seen == key or sorted(seen) == sorted(key):
                    return first, last
                break
    return None


def _table(run: list[list[_Cell]]) -> Table | None:
    """The table a run of lines forms, or None when their cells do not keep to columns."""
    while run and len(run[-1]) < 2:
        run = run[:-1]  # a trailing one-cell line is the next paragraph, not a wrapped cell
    width = max((len(cells) for cells in run), default=0)
    full = [cells for cells in run if len(cells) == width]
    if width < 2 or len(full) < 2 or len(run) < _FEWEST_ROWS:
        return None
    bands = [(min(c[k][0] for c in full), max(c[k][1] for c in full)) for k in range(width)]
    if any(bands[k][1] >= bands[k + 1][0] for k in range(width - 1)):
        return None  # cells of neighbouring columns overlap: not columns
    rows: list[list[str]] = []
    for cells in run:
        placed = _place(cells, bands)
        if placed is None:
            return None
        if placed[0] or not rows:
            rows.append(placed)
        else:  # the next line of a row's wrapped cells
            rows[-1] = [f"{a} {b}".strip() for a, b in zip(rows[-1], placed, strict=True)]
    if all(_ENUMERATOR.fullmatch(row[0]) or row[0].endswith(":") for row in rows):
        return None  # bullets or numbers before text (a list), or terms before their descriptions
    cells = [cell for row in rows for cell in row if cell]
    if sum(len(cell) > _PROSE_CELL for cell in cells) * 2 > len(cells):
        return None
    return Table(tuple(tuple(row) for row in rows), _has_header(rows))


def _place(cells: list[_Cell], bands: list[tuple[int, int]]) -> list[str] | None:
    """A line's cells in their columns, or None when a cell fits no column or two share one."""
    placed = [""] * len(bands)
    for start, end, text in cells:
        hits = [k for k, (low, high) in enumerate(bands) if start < high and end > low]
        if len(hits) != 1 or placed[hits[0]]:
            return None
        placed[hits[0]] = text
    return placed


def _has_header(rows: list[list[str]]) -> bool:
    """Is the first row a header? Not when it has figures where the second row has them too, nor when
    its first cell is numbered as the second row's is ("Fig. 1.13", "Fig. 2.1"): then it is a data row.
    Nor when a cell is a sentence, or its first cell opens with the punctuation the second row's does
    (GenMC's option list, blind trial 45: "-sc | Perform the exploration under the SC memory model" is an
    option's row like "-tso | ..." below it, and as a header it was repeated over every later passage)."""
    if len(rows) < 2:
        return False
    first, second = rows[0], rows[1]
    if any(len(cell.split()) > _HEADER_WORDS for cell in first):
        return False
    lead = _LEADING_MARK.match(first[0])
    if lead and second[0].startswith(lead.group()):
        return False
    numbered = _NUMERIC.search(first[0]) and _figures_as(first[0]) == _figures_as(second[0])
    return not numbered and not any(
        _NUMERIC.search(a) and not _YEAR.fullmatch(a) and _NUMERIC.search(b)
        for a, b in zip(first[1:], second[1:], strict=True)
    )


def _figures_as(cell: str) -> str:
    return re.sub(r"\d+", "#", cell.lower())
