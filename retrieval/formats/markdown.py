"""Markdown (CommonMark + GFM tables) into blocks, with markdown-it-py.

markdown-it-py is the CommonMark reference port with source line maps on every block token, which
is what citations need; mdit-py-plugins adds front matter, admonitions (MkDocs `!!!`/`???`) and
definition lists. Two MkDocs/Hugo extensions no parser plugin covers are reduced before parsing,
keeping every line where it was: content tabs (`=== "Tab"` with indented bodies) and Hugo shortcodes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.admon import admon_plugin
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

from retrieval.formats.base import LineMap, Parsed, block, decode
from retrieval.formats.html import fragment_blocks, inline_html_text
from retrieval.models import Block

_PARSER = (
    MarkdownIt("commonmark")
    .enable(["table", "strikethrough"])
    .use(front_matter_plugin)
    .use(admon_plugin)
    .use(deflist_plugin)
)
# MkDocs content tabs (pymdownx.tabbed): the marker line becomes blank and its body is dedented.
_TAB = re.compile(r'^(\s*)===\+?\s+"[^"]*"\s*$')
# Hugo shortcodes {{< name args >}} / {{% name %}}: the tags go, the text between them stays.
_SHORTCODE = re.compile(r"\{\{[<%].*?[%>]\}\}")
# Attribute lists ({: .class }) and MkDocs snippet includes (--8<--) are not text.
_ATTR_LIST = re.compile(r"\{:\s*[^}]*\}")
_SNIPPET = re.compile(r"^\s*-{1,2}8<-{1,2}.*$")
_GITHUB_ALERT = re.compile(r"^\s*\[!(NOTE|TIP|IMPORTANT|WARNING|CAUTION)\]\s*", re.IGNORECASE)
_BREAK_TAG = re.compile(r"^<br\s*/?>$", re.IGNORECASE)


def parse(raw: bytes, source: str) -> Parsed:
    """Blocks of a Markdown file; title from front matter, else the first heading."""
    text, note = decode(raw)
    lines = LineMap(text)
    walker = _Walker(lines)
    walker.walk(_PARSER.parse(_prepare(text)))
    meta = walker.meta
    title = meta.get("title") or next((b.text for b in walker.blocks if b.kind == "heading"), None)
    parsed = Parsed(walker.blocks, _text_or_none(title), _text_or_none(meta.get("url")))
    parsed.date = _text_or_none(meta.get("date"))
    if note:
        parsed.notes.append(note)
    return parsed


def _prepare(text: str) -> str:
    """Content tabs dedented, shortcodes and snippet markers removed; line count unchanged."""
    out: list[str] = []
    tab_indent: int | None = None
    for line in text.split("\n"):
        marker = _TAB.match(line)
        if marker:
            tab_indent = len(marker.group(1))
            out.append("")
            continue
        if tab_indent is not None:
            stripped = len(line) - len(line.lstrip(" "))
            if line.strip() and stripped <= tab_indent:
                tab_indent = None
            elif line.startswith(" " * (tab_indent + 4)):
                line = line[:tab_indent] + line[tab_indent + 4 :]
        line = _SHORTCODE.sub("", line)
        out.append("" if _SNIPPET.match(line) else line)
    return "\n".join(out)


def _text_or_none(value: object) -> str | None:
    return None if value in (None, "") else " ".join(str(value).split())


@dataclass
class _Walker:
    lines: LineMap
    blocks: list[Block] = field(default_factory=list)
    meta: dict = field(default_factory=dict)
    list_depth: int = -1
    in_item: list[bool] = field(default_factory=list)
    quote_depth: int = 0
    group: int = 0
    groups: list[int] = field(default_factory=list)  # the open lists' group numbers, innermost last
    term: str | None = None

    def walk(self, tokens: list[Token]) -> None:
        index = 0
        while index < len(tokens):
            index = self._step(tokens, index)

    def _step(self, tokens: list[Token], index: int) -> int:
        token = tokens[index]
        kind = token.type
        if kind == "front_matter":
            self._front_matter(token.content)
        elif kind == "heading_open":
            inline = tokens[index + 1]
            self._add("heading", _inline_text(inline), token.map, level=int(token.tag[1]))
            return index + 3
        elif kind in ("bullet_list_open", "ordered_list_open"):
            self.list_depth += 1
            self.group += 1
            self.groups.append(self.group)
        elif kind in ("bullet_list_close", "ordered_list_close"):
            self.list_depth -= 1
            self.groups.pop()
        elif kind == "list_item_open":
            self.in_item.append(True)
        elif kind == "list_item_close":
            self.in_item.pop()
        elif kind == "blockquote_open":
            self.quote_depth += 1
        elif kind == "blockquote_close":
            self.quote_depth -= 1
        elif kind == "dt_open":
            self.term = _inline_text(tokens[index + 1]).rstrip(":")
            return index + 3
        elif kind == "paragraph_open":
            self._paragraph(tokens[index + 1], token.map)
            return index + 3
        elif kind in ("fence", "code_block"):
            language = token.info.split()[0] if token.info.strip() else None
            where = token.map
            if kind == "fence" and where:  # the fence lines themselves are not code
                where = [where[0] + 1, max(where[0] + 1, where[1] - 1)]
            self._add("code", token.content, where, language=language)
        elif kind == "table_open":
            return self._table(tokens, index)
        elif kind == "html_block":
            self._html(token)
        return index + 1

    def _paragraph(self, inline: Token, where: list[int] | None) -> None:
        text, spans = _inline_text(inline), _inline_code(inline)
        if self.term is not None:
            text, self.term = f"{self.term}: {text}", None
            self._add("definition", text, where, code_spans=spans)
        elif self.in_item and self.in_item[-1]:
            level, group = max(self.list_depth, 0), self.groups[-1]
            self._add("list_item", text, where, level=level, group=group, code_spans=spans)
            self.in_item[-1] = False  # a second paragraph of the same item continues it as prose
        elif self.quote_depth:
            self._add("quote", _GITHUB_ALERT.sub("", text), where, code_spans=spans)
        else:
            self._add("paragraph", text, where, code_spans=spans)

    def _table(self, tokens: list[Token], index: int) -> int:
        self.group += 1
        row: list[str] = []
        spans: list[str] = []
        row_map = None
        in_head = False
        while tokens[index].type != "table_close":
            token = tokens[index]
            if token.type == "thead_open":
                in_head = True
            elif token.type == "thead_close":
                in_head = False
            elif token.type == "tr_open":
                row, row_map, spans = [], token.map, []
            elif token.type == "inline":
                row.append(_inline_text(token))
                spans.extend(_inline_code(token))
            elif token.type == "tr_close" and any(cell.strip() for cell in row):
                kind = "table_header" if in_head else "table_row"
                self._add(
                    kind,
                    " | ".join(cell.strip() for cell in row),
                    row_map,
                    group=self.group,
                    code_spans=spans,
                )
            index += 1
        return index + 1

    def _html(self, token: Token) -> None:
        first = token.map[0] + 1 if token.map else None
        for found in fragment_blocks(token.content, first_line=first):
            self.group += 1
            start, end = (None, None)
            if found.line_start is not None:
                start, end = self.lines.region(found.line_start, found.line_end or found.line_start)
            self.blocks.append(replace(found, start=start, end=end, group=self.group if found.group else 0))

    def _front_matter(self, content: str) -> None:
        try:
            loaded = yaml.safe_load(content)
        except yaml.YAMLError:
            return
        self.meta = loaded if isinstance(loaded, dict) else {}

    def _add(self, kind: str, text: str, where: list[int] | None, **extra) -> None:
        text = _ATTR_LIST.sub("", text)
        first, last = (where[0] + 1, where[1]) if where else (None, None)
        made = block(kind, text, self.lines, first, last, **extra)
        if made is not None:
            self.blocks.append(made)


def _inline_code(inline: Token) -> tuple[str, ...]:
    """The code spans of an inline token (`--api.insecure`), for answers to show them as code."""
    return tuple(child.content for child in inline.children or [] if child.type == "code_inline")


def _inline_text(inline: Token) -> str:
    """Readable text of an inline token: code spans kept exactly, links as their text, tags dropped.

    A `<br>` between two code spans joins them when the first ends like a wrapped identifier
    (`transport.`<br>`idleTimeout`); elsewhere it is a space.
    """
    parts: list[str] = []
    children = inline.children or []
    for position, child in enumerate(children):
        kind = child.type
        if kind in ("text", "code_inline"):
            parts.append(child.content)
        elif kind in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif kind == "image":
            parts.append(child.content or "")
        elif kind == "html_inline":
            if _BREAK_TAG.match(child.content.strip()):
                before = children[position - 1] if position else None
                after = children[position + 1] if position + 1 < len(children) else None
                wrapped = (
                    before is not None and after is not None and before.type == after.type == "code_inline"
                    and before.content.endswith((".", "-", "_", "/", ":"))
                )  # fmt: skip
                parts.append("" if wrapped else " ")
            else:
                parts.append(inline_html_text(child.content))
    return "".join(parts)
