"""Spreadsheets into table blocks: .xlsx with openpyxl, .csv/.tsv with the standard library's csv.

A sheet (or a CSV file) is one table: its first non-empty row is the header, every later row a
table_row whose cells read "cell | cell", all in one group, so the chunker gives each row its header
as lead. The row number in the sheet (or the file's line number) is the block's line, so a citation
names the row. Empty rows and columns are left out; a file is read up to MAX_ROWS rows in all (its
sheets together), and a note says where it was cut. In a sheet, leading rows with a single cell above
a wider table (a caption: "Price list 2024") become paragraphs instead of the header; a CSV's first
line is always its header. A Notion export's database (`Name <32 hex>.csv`) is titled by its name and
linked to Notion (notion.py).

Why openpyxl: the maintained pure-Python reader of the OOXML workbook; read_only streams rows without
loading the whole sheet, data_only gives the values Excel last computed instead of formulas. Why csv:
the standard library reads quoting and embedded newlines; csv.Sniffer guesses the delimiter.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Iterator

from retrieval.ingest.formats import notion
from retrieval.ingest.formats.base import LineMap, Parsed, block, decode
from retrieval.ingest.formats.packages import title_from_file_name, unreadable_as_value_error
from retrieval.models import Block

MAX_ROWS = 5000  # rows read per file, sheets together: each row is a passage the index embeds
MAX_COLUMNS = 60  # cells kept per row: a wider row would be longer than a passage anyway
_SNIFF_CHARS = 16384
_DELIMITERS = ",;\t|"

Row = tuple[int, int, list[str]]  # (first line, last line, cell texts)


def parse_xlsx(raw: bytes, source: str) -> Parsed:
    """Each visible sheet as a heading (its name) and its table; title from the workbook properties.

    Raises ValueError for a file openpyxl cannot read (not a zip, not a workbook, damaged).
    """
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    with unreadable_as_value_error(".xlsx", InvalidFileException):
        workbook = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
        try:
            return _workbook(workbook, source)
        finally:
            workbook.close()


def _workbook(workbook, source: str) -> Parsed:
    parsed = Parsed([], workbook.properties.title or title_from_file_name(source))
    group = 0
    budget = MAX_ROWS
    for sheet in workbook.worksheets:
        if sheet.sheet_state != "visible":
            parsed.notes.append(f"left out hidden sheet {sheet.title!r}")
            continue
        sheet.reset_dimensions()  # some writers record wrong dimensions; read what is there
        if budget == 0:
            parsed.notes.append(f"left out sheet {sheet.title!r}: {MAX_ROWS} rows were read before it")
            continue
        rows = _numbered(_sheet_rows(sheet), sheet.title, parsed.notes, budget)
        budget -= len(rows)
        table = _table_blocks(rows, group + 1, captions=True)
        _note_wide(rows, sheet.title, parsed.notes)
        if table:
            group += 1
            parsed.blocks.append(block("heading", sheet.title, level=1))
            parsed.blocks.extend(table)
    return parsed


def parse_csv(raw: bytes, source: str) -> Parsed:
    """A .csv (delimiter sniffed) or .tsv as one table; lines and character offsets of each row."""
    return _parse_delimited(raw, source, tab=False)


def parse_tsv(raw: bytes, source: str) -> Parsed:
    """A tab-separated file as one table (see parse_csv)."""
    return _parse_delimited(raw, source, tab=True)


def _sheet_rows(sheet) -> Iterator[Row]:
    for number, cells in enumerate(sheet.iter_rows(min_row=1, values_only=False), start=1):
        texts = [
            _cell_text(getattr(cell, "value", None), getattr(cell, "number_format", "")) for cell in cells
        ]
        yield number, number, texts


def _cell_text(value, number_format: str | None) -> str:
    """A cell's value as a reader sees it: whole numbers without ".0", percentages as percent, dates
    as ISO dates. Other number formats (currency, thousands separators) are not rendered."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(" ")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, int | float):
        if number_format and "%" in number_format:
            return f"{value * 100:.12g}%"
        return str(value) if isinstance(value, int) else f"{value:.15g}"  # 0.1 + 0.2 reads 0.3
    return str(value)


def _parse_delimited(raw: bytes, source: str, tab: bool) -> Parsed:
    text, note = decode(raw)
    parsed = Parsed([], title_from_file_name(source))
    name = notion.export_name(source)
    if name is not None:  # a Notion database: its own name and link, not the file's name
        parsed = notion.read_database(parsed, name)
    if note:
        parsed.notes.append(note)
    if not text.strip():
        return parsed
    dialect = csv.excel_tab if tab else _sniff(text)
    rows = _numbered(_csv_rows(text, dialect), source, parsed.notes, MAX_ROWS)
    parsed.blocks = _table_blocks(rows, 1, LineMap(text))
    _note_wide(rows, source, parsed.notes)
    return parsed


def _sniff(text: str):
    """The sample's dialect among the usual delimiters; plain comma-separated when it cannot tell."""
    try:
        return csv.Sniffer().sniff(text[:_SNIFF_CHARS], delimiters=_DELIMITERS)
    except csv.Error:
        return csv.excel


def _csv_rows(text: str, dialect) -> Iterator[Row]:
    """Records with the file lines they span (a quoted cell may hold newlines)."""
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    last = 0
    try:
        for cells in reader:
            yield last + 1, reader.line_num, cells
            last = reader.line_num
    except csv.Error:  # an unterminated quote at the end of the file: what came before stands
        return


def _numbered(rows: Iterable[Row], name: str, notes: list[str], limit: int) -> list[Row]:
    """Non-empty rows, at most `limit` of them (a note says when some were left out)."""
    kept: list[Row] = []
    for first, last, cells in rows:
        cells = [" ".join(cell.split()) for cell in cells]
        if not any(cells):
            continue
        if len(kept) == limit:
            notes.append(f"{name}: only the first {limit} rows were read (row {first} and later left out)")
            break
        kept.append((first, last, cells))
    return kept


def _table_blocks(
    rows: list[Row], group: int, lines: LineMap | None = None, captions: bool = False
) -> list[Block]:
    """Caption paragraphs (sheets only: a CSV's first line is its header), then the header and the
    rows of one table; empty columns left out."""
    position = next((n for n, row in enumerate(rows) if not _single_cell(row)), 0) if captions else 0
    blocks: list[Block | None] = [
        block("paragraph", next(c for c in cells if c), lines, first, last)
        for first, last, cells in rows[:position]
    ]
    columns = _used_columns(rows[position:])[:MAX_COLUMNS]
    for index, (first, last, cells) in enumerate(rows[position:]):
        kind = "table_header" if index == 0 else "table_row"
        text = " | ".join(cells[c] if c < len(cells) else "" for c in columns)
        blocks.append(block(kind, text, lines, first, last, group=group))
    return [b for b in blocks if b is not None]


def _used_columns(rows: list[Row]) -> list[int]:
    """Indexes of the columns with a value in some row."""
    width = max((len(cells) for _, _, cells in rows), default=0)
    return [c for c in range(width) if any(c < len(cells) and cells[c] for _, _, cells in rows)]


def _note_wide(rows: list[Row], name: str, notes: list[str]) -> None:
    used = len(_used_columns(rows))
    if used > MAX_COLUMNS:
        notes.append(f"{name}: only the first {MAX_COLUMNS} of {used} columns were read")


def _single_cell(row: Row) -> bool:
    return sum(1 for cell in row[2] if cell) == 1
