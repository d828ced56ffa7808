"""OpenDocument text (.odt) into blocks with odfdo: headings, paragraphs, lists, tables, footnotes.

Why odfdo: the maintained Python library for OpenDocument (odfpy has had no release since 2020); it
opens the package, wraps the XML and resolves styles. Its own text rendering is not used: it writes
links as Markdown ("[text](url)") and puts footnote bodies inside the sentence, so the inline text of
a paragraph is read here (spaces, tabs, line breaks; notes and annotations left out). Footnotes
become paragraphs after the paragraph that cites them. ODF has no fixed pages, so blocks have neither
lines nor pages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from io import BytesIO

from retrieval.ingest.formats.base import Parsed, block
from retrieval.ingest.formats.packages import unreadable_as_value_error
from retrieval.models import Block

_SKIPPED_INLINE = {"text:note", "office:annotation", "draw:frame", "draw:a"}  # notes come after; frames
_CONTAINERS = {"text:section", "office:text"}  # a table of contents, tracked deletions: not text
_ROW_PARENTS = {"table:table-header-rows", "table:table-rows", "table:table-row-group"}
_CLOSING_PUNCTUATION = tuple(".,;:!?)")
_MAX_REPEAT = (
    50  # a repeated cell with text is kept at most this often; an empty one, or a repeated row, once
)


def parse(raw: bytes, source: str) -> Parsed:
    """Blocks of an .odt in body order; title from the document's metadata or its first heading.

    Raises ValueError for a file odfdo cannot read (not a zip, not OpenDocument, damaged).
    """
    from odfdo import Document
    from odfdo.security import SecurityError

    with unreadable_as_value_error(".odt", SecurityError):
        document = Document(BytesIO(raw))
        walker = _Walker(document)
        walker.children(document.body)
        title = document.meta.title
    first_heading = next((b.text for b in walker.blocks if b.kind == "heading"), None)
    return Parsed(walker.blocks, title or first_heading)


def inline_text(element) -> str:
    """The text of a paragraph-like element as a reader sees it, without its notes and frames."""
    parts = [element.text or ""]
    for child in element.children:
        tag = child.tag
        if tag == "text:s":
            parts.append(" " * int(child.get_attribute("text:c") or 1))
        elif tag in ("text:tab", "text:line-break"):
            parts.append(" ")
        elif tag == "text:number":  # a heading's rendered number ("1.2"), written before its text
            parts.append(inline_text(child) + " ")
        elif tag not in _SKIPPED_INLINE:
            parts.append(inline_text(child))
        elif (child.tail or "")[:1] in _CLOSING_PUNCTUATION:  # "weekdays <note/>." reads "weekdays."
            parts[-1] = parts[-1].rstrip()
        parts.append(child.tail or "")
    return "".join(parts)


@dataclass
class _Walker:
    document: object
    blocks: list[Block] = field(default_factory=list)
    group: int = 0

    def children(self, element, list_depth: int | None = None) -> None:
        for child in element.children:
            self.element(child, list_depth)

    def element(self, element, list_depth: int | None) -> None:
        tag = element.tag
        if tag == "text:h":
            level = int(element.get_attribute("text:outline-level") or 1)
            self._add("heading", element, level=level)
        elif tag == "text:p":
            heading = self._heading_level(element)
            if heading:
                self._add("heading", element, level=heading)
            elif list_depth is not None:
                self._add("list_item", element, level=list_depth, group=self.group)
            else:
                self._add("paragraph", element)
        elif tag == "text:list":
            self._list(element, list_depth)
        elif tag == "table:table":
            self._table(element)
        elif tag in _CONTAINERS:
            self.children(element, list_depth)

    def _list(self, element, list_depth: int | None) -> None:
        if list_depth is None:  # a top-level list is a group of its own; nested lists share it
            self.group += 1
        depth = 0 if list_depth is None else list_depth + 1
        for item in element.children:
            if item.tag in ("text:list-item", "text:list-header"):
                for child in item.children:
                    self.element(child, depth)

    def _table(self, element) -> None:
        """One group: the header rows (the first row when none is marked) merged into one, then the rest."""
        self.group += 1
        rows = list(_rows(element))
        headers = [cells for is_header, cells in rows if is_header]
        body = [cells for is_header, cells in rows if not is_header]
        if not headers and body:
            headers, body = body[:1], body[1:]
        if headers:
            width = max(len(cells) for cells in headers)
            self._row("table_header", [" ".join(c[n] for c in headers if n < len(c)) for n in range(width)])
        for cells in body:
            self._row("table_row", cells)

    def _row(self, kind: str, cells: list[str]) -> None:
        made = block(kind, " | ".join(cells), group=self.group) if any(cells) else None
        self.blocks.extend([made] if made else [])

    def _heading_level(self, paragraph) -> int:
        """1 for a paragraph styled Title (or a style based on it), n for "Heading n"; else 0."""
        name = paragraph.get_attribute("text:style-name")
        seen = set()
        while name and name not in seen:
            seen.add(name)
            label = name.replace("_20_", " ")
            if label == "Title":
                return 1
            if label.startswith("Heading ") and label[8:].isdigit():
                return int(label[8:])
            style = self.document.get_style("paragraph", name)
            name = style.parent_style if style is not None else None
        return 0

    def _add(self, kind: str, element, **extra) -> None:
        made = block(kind, inline_text(element), **extra)
        self.blocks.extend([made] if made else [])
        for note in element.get_elements("descendant::text:note-body"):
            for paragraph in note.get_elements("descendant::text:p"):
                made = block("paragraph", inline_text(paragraph))
                self.blocks.extend([made] if made else [])


def _rows(table):
    """(is a header row, cell texts) per row; repeated filler cells and rows kept once."""
    for child in table.children:
        if child.tag == "table:table-row":
            yield False, _cells(child)
        elif child.tag in _ROW_PARENTS:
            header = child.tag == "table:table-header-rows"
            for row in child.children:
                if row.tag == "table:table-row":
                    yield header, _cells(row)


def _cells(row) -> list[str]:
    cells: list[str] = []
    for cell in row.children:
        if cell.tag not in ("table:table-cell", "table:covered-table-cell"):
            continue
        paragraphs = cell.get_elements("descendant::text:p|descendant::text:h")  # lists in cells too
        text = " ".join(inline_text(p) for p in paragraphs)
        text = " ".join(text.split())
        repeat = int(cell.get_attribute("table:number-columns-repeated") or 1)
        cells.extend([text] * (min(repeat, _MAX_REPEAT) if text else 1))
    while cells and not cells[-1]:
        cells.pop()
    return cells
