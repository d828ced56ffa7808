"""Word .docx into blocks with python-docx: headings by style, list paragraphs, tables with header rows,
and code: paragraphs in a code style ("Code", "HTML Preformatted", "Source Code") or set wholly in a
monospace font, consecutive ones one block, their line breaks kept ("cd apl" / "./install_apl" had been
read as one line "cd apl ./install_apl")."""

from __future__ import annotations

import re

from retrieval.ingest.formats.base import Parsed, block
from retrieval.models import Block

_HEADING_STYLE = re.compile(r"^(heading|title)\s*(\d*)", re.IGNORECASE)
# Paragraph styles that word processors and templates use for code: Word's "HTML Preformatted", "Macro
# Text" and "Plain Text", and the "Code", "Source Code", "Preformatted Text", "Verbatim" of templates
# and Pandoc's reference.docx.
_CODE_STYLE = re.compile(r"code|preformatted|verbatim|macro text|plain text|listing|console|terminal", re.I)
# Fonts that set text as code: the monospace families Office, macOS, Linux and Google Docs ship.
_MONOSPACE = re.compile(
    r"courier|consolas|menlo|monaco|mono\b|monospace|lucida console|source code|inconsolata", re.I
)


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
            if made and made.kind == "code" and blocks and blocks[-1].kind == "code":
                made = block("code", f"{blocks.pop().text}\n{made.text}")  # the next line of one listing
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
    if _is_code(paragraph, style or ""):
        return block("code", paragraph.text.replace("\xa0", " "))
    numbered = paragraph._p.pPr is not None and paragraph._p.pPr.numPr is not None
    if numbered or "list" in (style or "").lower():
        return block("list_item", paragraph.text)
    return block("paragraph", paragraph.text)


def _is_code(paragraph, style: str) -> bool:
    """A paragraph in a code style, or whose every run with text is set in a monospace font (the run's
    own font, else its character style's, else the paragraph style's)."""
    if _CODE_STYLE.search(style):
        return True
    runs = [run for run in paragraph.runs if run.text.strip()]
    if not runs:
        return False
    default = paragraph.style.font.name if paragraph.style is not None else None
    fonts = [
        run.font.name or (run.style.font.name if run.style is not None else None) or default for run in runs
    ]
    return all(font and _MONOSPACE.search(font) for font in fonts)
