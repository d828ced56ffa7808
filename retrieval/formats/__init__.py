"""Document parsers: each turns one file format into the same block model (see models.Block).

One module per format, all behind `parse(raw, source) -> Parsed`; `PARSERS` maps file suffixes to them.
"""

from __future__ import annotations

from collections.abc import Callable

from retrieval.formats import asciidoc, docx, eml, html, markdown, notebook, openapi, pdf, rst, text
from retrieval.formats.base import Parsed

PARSERS: dict[str, Callable[[bytes, str], Parsed]] = {
    ".txt": text.parse,
    ".text": text.parse,
    ".md": markdown.parse,
    ".markdown": markdown.parse,
    ".mdx": markdown.parse_mdx,
    ".html": html.parse,
    ".htm": html.parse,
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
}

__all__ = ["PARSERS", "Parsed"]
