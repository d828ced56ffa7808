"""Word .docx into blocks with python-docx: headings by style, list paragraphs, tables with header rows."""

from __future__ import annotations

import re

from retrieval.ingest.formats.base import Parsed, block
from retrieval.models import Block

_HEADING_STYLE = re.compile(r"^(heading|title)\s*(\d*)", re.IGNORECASE)


def parse(raw: bytes, source: str) -> Parsed:
    """Blocks of a .docx in body order; title from the core properties or the first heading."""
    from io import BytesIO
    from zipfile import BadZipFile

    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(BytesIO(raw))
    except (BadZipFile, KeyError, ValueError) as error:
        raise ValueError(f"unreadable .docx ({error.__class__.__name__})") from None
    blocks: list[Block] = []
    group = 0
    for element in document.element.body.iterchildren():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "p":
            made = _paragraph(Paragraph(element, document))
            blocks.extend([made] if made else [])
        elif tag == "tbl":
            group += 1
            for position, row in enumerate(Table(element, document).rows):
                cells = " | ".join(" ".join(cell.text.split()) for cell in row.cells)
                made = block("table_header" if position == 0 else "table_row", cells, group=group)
                blocks.extend([made] if made else [])
    title = document.core_properties.title or next((b.text for b in blocks if b.kind == "heading"), None)
    return Parsed(blocks, title or None)


def _paragraph(paragraph) -> Block | None:
    style = paragraph.style.name if paragraph.style is not None else ""
    heading = _HEADING_STYLE.match(style or "")
    if heading:
        return block("heading", paragraph.text, level=int(heading.group(2) or 1))
    numbered = paragraph._p.pPr is not None and paragraph._p.pPr.numPr is not None
    if numbered or "list" in (style or "").lower():
        return block("list_item", paragraph.text)
    return block("paragraph", paragraph.text)
