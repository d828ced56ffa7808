"""Jupyter notebooks (.ipynb) into blocks: Markdown cells as Markdown, code cells as code, text outputs kept.

Read with the standard json module, not nbformat: nbformat's worth is schema validation and conversion
between notebook versions, and it brings jsonschema, fastjsonschema, traitlets and jupyter_core along;
reading needs only each cell's type and source, a layout that has not changed since nbformat 4 (2015).
The older v3 layout (cells under `worksheets`, code in `input`) is read too.

Markdown cells go through the Markdown reader (formats/markdown.py), so a notebook's prose reads as a
.md file's does. Code cells are code blocks in the kernel's language. Outputs: the text a cell printed
(stdout) or returned (text/plain) is kept, as a code block whose language is "output" and whose first
line is OUTPUT_MARK ("Output:"), so that a quote shows it as output, not as code, because a
notebook's findings often stand only there ("accuracy: 0.93"); it is cut at _OUTPUT_MAX_LINES. Error
tracebacks, stderr (warnings, progress bars) and rich outputs (images, HTML, widgets) are dropped: they
are noise to search, and an HTML table's text/plain form is kept anyway. Raw cells (nbconvert input) are
dropped. Blocks carry no line numbers: a cell's lines are JSON strings, not lines of the file.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace

from retrieval.ingest.formats import markdown
from retrieval.ingest.formats.base import Parsed, block
from retrieval.models import Block

_OUTPUT_MAX_LINES = 30  # lines of one output kept; a long log or table is cut, marked with "…"
_OUTPUT_LANGUAGE = "output"
# The first line of an output block's text: the language above is lost when blocks become passages, and
# a quote must still tell "0.047" that the cell printed from the code that printed it.
OUTPUT_MARK = "Output:"
# A result that is only an object's repr says nothing: "<IPython.core.display.HTML at 0x1112757d0>",
# "<Figure size 640x480 with 1 Axes>", "<matplotlib.lines.Line2D object at 0x7f...>".
_OBJECT_REPR = re.compile(r"^<[^<>\n]*>$")


def parse(raw: bytes, source: str) -> Parsed:
    """Blocks of a notebook's cells in order; title from the metadata, else the first heading.

    Raises ValueError when the file is not JSON or has no cells.
    """
    try:
        notebook = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as error:
        raise ValueError(f"not a Jupyter notebook ({error.__class__.__name__})") from None
    cells = _cells(notebook)
    if cells is None:
        raise ValueError("not a Jupyter notebook (no cells)")
    metadata = notebook.get("metadata") if isinstance(notebook.get("metadata"), dict) else {}
    language = _language(metadata)
    blocks: list[Block] = []
    for cell in cells:
        if not isinstance(cell, dict):
            continue
        kind = cell.get("cell_type")
        if kind == "markdown":
            blocks.extend(_markdown_blocks(_text(cell.get("source")), source, _last_group(blocks)))
        elif kind == "heading":  # v3 only: a heading cell with its level
            made = block("heading", _text(cell.get("source")), level=int(cell.get("level") or 1))
            blocks.extend([made] if made else [])
        elif kind == "code":
            made = block("code", _text(cell.get("source", cell.get("input"))), language=language)
            blocks.extend([made] if made else [])
            blocks.extend(_output_blocks(cell.get("outputs") or []))
    title = metadata.get("title") if isinstance(metadata.get("title"), str) else None
    title = title or next((b.text for b in blocks if b.kind == "heading"), None)
    return Parsed(blocks, title)


def _cells(notebook) -> list | None:
    """The cells of a v4 notebook, or of every worksheet of a v3 one; None when there are none."""
    if not isinstance(notebook, dict):
        return None
    if isinstance(notebook.get("cells"), list):
        return notebook["cells"]
    worksheets = notebook.get("worksheets")
    if isinstance(worksheets, list):
        return [c for sheet in worksheets if isinstance(sheet, dict) for c in sheet.get("cells") or []]
    return None


def _language(metadata: dict) -> str:
    """The kernel's language ("python", "r", "julia"), as code fences name it; python when unstated."""
    for key, field in (("kernelspec", "language"), ("language_info", "name")):
        section = metadata.get(key)
        if isinstance(section, dict) and isinstance(section.get(field), str) and section[field].strip():
            return section[field].strip().lower()
    return "python"


def _text(value) -> str:
    """A cell field as text: notebooks store it as one string or as a list of lines."""
    if isinstance(value, list):
        return "".join(part for part in value if isinstance(part, str))
    return value if isinstance(value, str) else ""


def _last_group(blocks: list[Block]) -> int:
    return max((b.group for b in blocks), default=0)


def _markdown_blocks(text: str, source: str, group_base: int) -> list[Block]:
    """A Markdown cell's blocks, without positions (they are the cell's, not the file's), and with its
    tables' and lists' group numbers after those of the cells before it."""
    parsed = markdown.parse(text.encode("utf-8"), source)
    return [
        replace(b, line_start=None, line_end=None, start=None, end=None,
                group=b.group + group_base if b.group else 0)
        for b in parsed.blocks
    ]  # fmt: skip


def _output_blocks(outputs: list) -> list[Block]:
    """The text outputs of a code cell (stdout, text/plain results), each a code block marked "output"."""
    blocks = []
    for output in outputs:
        if not isinstance(output, dict):
            continue
        kind = output.get("output_type")
        if kind == "stream" and output.get("name", output.get("stream")) == "stdout":  # v3: "stream"
            text = _text(output.get("text"))
        elif kind in ("execute_result", "display_data", "pyout"):  # v3 keeps the data in the output itself
            data = output.get("data") if isinstance(output.get("data"), dict) else output
            text = "" if _is_rich(data) else _text(data.get("text/plain", data.get("text")))
            text = "" if _OBJECT_REPR.match(text.strip()) else text
        else:  # error tracebacks, stderr
            continue
        made = (
            block("code", f"{OUTPUT_MARK}\n{_cut(text)}", language=_OUTPUT_LANGUAGE) if text.strip() else None
        )
        blocks.extend([made] if made else [])
    return blocks


def _is_rich(data: dict) -> bool:
    """An image or a script: its text/plain is only a placeholder ("<IPython.core.display.Image ...>")."""
    return any(
        key.startswith("image/") or key in ("png", "jpeg", "svg", "application/javascript", "javascript")
        for key in data
    )


def _cut(text: str) -> str:
    lines = text.splitlines()
    if len(lines) <= _OUTPUT_MAX_LINES:
        return text
    return "\n".join(lines[:_OUTPUT_MAX_LINES] + ["…"])
