"""Document parsers: each turns one file format into the same block model (see models.Block).

One module per format, all behind `parse(raw, source) -> Parsed`; `PARSERS` maps file suffixes to them.
"""

from __future__ import annotations

from collections.abc import Callable

from retrieval.ingest.formats import (
    asciidoc,
    docx,
    eml,
    epub,
    html,
    log,
    markdown,
    notebook,
    odt,
    openapi,
    pdf,
    pptx,
    rst,
    spreadsheet,
    text,
)
from retrieval.ingest.formats.base import Parsed

PARSERS: dict[str, Callable[[bytes, str], Parsed]] = {
    ".txt": text.parse,
    ".text": text.parse,
    ".md": markdown.parse,
    ".markdown": markdown.parse,
    ".mdx": markdown.parse_mdx,
    ".html": html.parse,
    ".htm": html.parse,
    ".xhtml": html.parse,
    ".pdf": pdf.parse,
    ".rst": rst.parse,
    ".docx": docx.parse,
    ".ipynb": notebook.parse,
    ".eml": eml.parse,
    ".yaml": openapi.parse,  # OpenAPI/Swagger only; other YAML is reported as not read
    ".yml": openapi.parse,
    ".json": openapi.parse,
    ".adoc": asciidoc.parse,
    ".asciidoc": asciidoc.parse,
    ".pptx": pptx.parse,
    ".xlsx": spreadsheet.parse_xlsx,
    ".csv": spreadsheet.parse_csv,
    ".tsv": spreadsheet.parse_tsv,
    ".odt": odt.parse,
    ".epub": epub.parse,
    ".log": log.parse,
}

__all__ = ["PARSERS", "Parsed"]
