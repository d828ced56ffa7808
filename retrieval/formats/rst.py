"""reStructuredText into blocks with docutils (the reference parser), directives and all.

Parsing is sandboxed: no file inclusion, no raw passthrough, and no system messages in the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from retrieval.formats.base import LineMap, Parsed, block, decode
from retrieval.models import Block

_SETTINGS = {
    "report_level": 5, "halt_level": 5, "file_insertion_enabled": False, "raw_enabled": False,
    "warning_stream": False, "input_encoding": "unicode", "syntax_highlight": "none", "doctitle_xform": False,
}  # fmt: skip
_UNDERLINE = re.compile(r"^\s*([=\-~^\"'`#*+:.])\1{2,}\s*$")
_SKIP = ("system_message", "comment", "substitution_definition", "target", "raw", "image", "figure_image")


def parse(raw: bytes, source: str) -> Parsed:
    from docutils.core import publish_doctree
    from docutils.utils import SystemMessage

    text, note = decode(raw)
    try:
        tree = publish_doctree(text, settings_overrides=_SETTINGS)
    except (SystemMessage, ValueError, AttributeError, IndexError) as error:
        raise ValueError(f"unparsable reStructuredText ({error.__class__.__name__})") from None
    walker = _Walker(LineMap(text))
    walker.walk(tree, 0)
    title = tree.get("title") or next((b.text for b in walker.blocks if b.kind == "heading"), None)
    parsed = Parsed(walker.blocks, title)
    if note:
        parsed.notes.append(note)
    return parsed


@dataclass
class _Walker:
    lines: LineMap
    blocks: list[Block] = field(default_factory=list)
    group: int = 0

    def walk(self, node, depth: int, kind: str = "paragraph", list_depth: int = -1) -> None:
        for child in node.children:
            name = child.tagname
            if name in _SKIP:
                continue
            if name == "title":
                self._add("heading", child, level=max(depth, 1))
            elif name == "section":
                self.walk(child, depth + 1, kind, list_depth)
            elif name == "paragraph":
                self._add(kind, child)
            elif name in ("bullet_list", "enumerated_list"):
                self.group += 1
                for item in child.children:
                    self.walk(item, depth, "list_item", list_depth + 1)
            elif name in ("literal_block", "doctest_block"):
                self._add("code", child, language=(child.get("classes") or [None])[-1])
            elif name == "table":
                self._table(child)
            elif name == "definition_list":
                for item in child.children:
                    term = " ".join(t.astext() for t in item.children if t.tagname == "term")
                    body = " ".join(d.astext() for d in item.children if d.tagname == "definition")
                    self._add("definition", item, text=f"{term}: {body}")
            elif name == "field_list":
                for item in child.children:
                    name_node, body = item.children[0], item.children[-1]
                    self._add("definition", item, text=f"{name_node.astext()}: {body.astext()}")
            elif name in ("block_quote",):
                self.walk(child, depth, "quote", list_depth)
            else:  # admonitions, containers, topics, list items: their children are the content
                self.walk(child, depth, kind, list_depth)

    def _table(self, table) -> None:
        self.group += 1
        for row in table.traverse(lambda n: n.tagname == "row"):
            cells = " | ".join(" ".join(entry.astext().split()) for entry in row.children)
            header = row.parent.tagname == "thead"
            self._add("table_header" if header else "table_row", row, text=cells, group=self.group)

    def _add(self, kind: str, node, text: str | None = None, **extra) -> None:
        value = node.astext() if text is None else text
        line = _locate(self.lines, value, _line(node))
        last = line + value.count("\n") if line and kind == "code" else line
        made = block(kind, value, self.lines if line else None, line, last, **extra)
        if made:
            self.blocks.append(made)


def _locate(lines: LineMap, text: str, near: int | None) -> int | None:
    """The source line where a block's text starts, searched around the line docutils reports.

    docutils reports some nodes on their last line (literal blocks), titles on their underline; the
    block's first words, found within a few lines before or after, give the line a citation needs.
    """
    if near is None:
        return None
    first = text.strip().split("\n")[0].strip()[:20]
    total = len(lines.starts)
    for number in sorted(range(max(1, near - 40), min(total, near + 3) + 1), key=lambda n: abs(n - near)):
        if first and first in lines.line(number) and not _UNDERLINE.match(lines.line(number)):
            return number
    return near


def _line(node) -> int | None:
    """docutils' `line` is where a node ends for some elements; the first descendant's is closer."""
    for candidate in node.traverse(include_self=True):
        if getattr(candidate, "line", None):
            number = candidate.line
            return number
    return None
