"""AsciiDoc (.adoc, .asciidoc) into blocks: the common subset, read line by line.

Hand-written because no library fits. On PyPI, `asciidoc` (asciidoc-py 10) and its fork `asciidoc3` are
converters to HTML/DocBook driven by configuration files, with no document tree and no source lines;
the tree-giving parsers (`asciidoctrine`, `adparser`) are alpha releases of one author each. The
reference implementation, Asciidoctor, is Ruby. Converting to HTML and reading that would lose the line
numbers that citations name. So this reads what documentation uses, each construct a few lines:

- the document title (`= Title`: the first heading and the title) and its author and revision lines
  (dropped; the first author is {author}); section titles (`==` to `======`); attribute entries
  (`:name: value`, dropped, their `{name}` references replaced, as are the built-in ones like {empty})
- paragraphs (soft-wrapped lines joined), literal (indented) paragraphs as code, block titles (`.Title`)
  as paragraphs; `[quote]` and `[verse]` paragraphs as quotes
- lists (`*`, `-`, `.`, `1.`, nested by repeating the marker), callout lists (`<1>`), description lists
  (`term:: text`); the `+` continuation line is dropped and what it joins stays
- delimited blocks: listing `----`, literal `....` and Markdown-style fenced ```` ```java ```` blocks (which
  Asciidoctor reads as listings) as code (language from `[source,python]` or the fence), quote
  `____` as quotes, example `====`, sidebar `****` and open `--` as their content, passthrough `++++`
  and comments `////` dropped
- tables `|===` (columns from `cols=` or the first row, spans like `2+|` counted; a header from `%header`
  or a first row followed by a blank line), rows as " | "-joined cells
- admonitions: `NOTE: text` paragraphs kept as written; `[NOTE]` before a block prefixes "NOTE: "
- inline markup reduced to its text: *bold*, _italic_, `code` (kept as code spans), links and cross
  references as their text, kbd/btn/menu macros as their text, footnotes in parentheses, ((index terms))
- dropped: `include::` and other block macros (image::, toc::), conditionals (`ifdef::`, `endif::`; their
  content is kept), comment lines, anchors (`[[id]]`), page and thematic breaks
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from retrieval.ingest.formats.base import LineMap, Parsed, block, decode
from retrieval.models import Block

_SECTION = re.compile(r"^(={1,6})\s+(\S.*?)(?:\s+=+)?\s*$")
_ATTRIBUTE_ENTRY = re.compile(r"^:(!?[\w-]+!?):(?:\s+(.*))?$")
_BLOCK_ATTRIBUTES = re.compile(r"^\[([^\[\]]*)\]\s*$")
_ANCHOR_LINE = re.compile(r"^\[\[[^\]]*\]\]\s*$")
_ANCHOR_ID = re.compile(r"^\[\[([^\],]*)")  # [[id]] / [[id,reftext]]
_ATTRIBUTE_ID = re.compile(r"^[\w.%]*#([^.%,\s]+)")  # [#id], [#id.role], [source#id]
_BLOCK_TITLE = re.compile(r"^\.([^.\s].*)$")
_BLOCK_MACRO = re.compile(r"^[a-z]+::\S*\[.*\]\s*$")  # include::, image::, toc::, video::, ...
_CONDITIONAL = re.compile(r"^(ifdef|ifndef|ifeval|endif)::")
_LIST_ITEM = re.compile(r"^\s*(\*{1,5}|-|\.{1,5}|\d{1,3}\.|[a-z]\.)\s+(\S.*)$")
_CALLOUT_ITEM = re.compile(r"^<(\d{1,2}|\.)>\s+(\S.*)$")
_DESCRIPTION = re.compile(r"^(\S.*?)(:{2,4}|;;)(?:\s+(.*))?$")
_ADMONITION = re.compile(r"^(NOTE|TIP|IMPORTANT|WARNING|CAUTION)$")
_BREAKS = ("'''", "<<<", "---", "***", "- - -", "* * *")
_DELIMITER = re.compile(r"^([=*\-._+/])\1{3,}$|^--$")  # a delimited block's first and last line
_CODE_MARKS = "-."  # listing ----, literal ....
_SKIPPED_MARKS = "+/"  # passthrough ++++ (raw HTML), comment ////
_QUOTE_MARK = "_"  # quote ____ (example ====, sidebar ****, open --: their content is read as usual)
_TABLE_DELIMITER = re.compile(r"^\|={3,}\s*$")
# A fenced code block's first line: the fence and at most a language and its options ("```java", "``` yaml",
# "```ruby,linenums"; not "```x``` is inline", a paragraph); it ends at a "```" line. Inside one, "//" lines
# are code (Java comments, jbang's `//DEPS`), not AsciiDoc comments.
_FENCE = re.compile(r"^```\s*([\w+#.-]*)(?:,[^`]*)?$")
_FENCE_END = "```"
# A cell's start: its spec (span 2+, duplication 3*, alignment ^.>, style a/e/m/s/...) and a bar.
_CELL_SEPARATOR = re.compile(r"(?:^|(?<=\s))((?:\d+\*|\d*(?:\.\d+)?\+)?[<^>]?(?:\.[<^>]?)?[adehlmsv]?)\|")
_BUILT_IN_ATTRIBUTES = {  # the character replacement attributes every AsciiDoc processor defines
    "empty": "", "sp": " ", "nbsp": "\u00a0", "zwsp": "", "wj": "", "apos": "'", "quot": '"',
    "lsquo": "‘", "rsquo": "’", "ldquo": "“", "rdquo": "”", "deg": "°", "plus": "+", "brvbar": "¦",
    "vbar": "|", "amp": "&", "lt": "<", "gt": ">", "startsb": "[", "endsb": "]", "caret": "^",
    "asterisk": "*", "tilde": "~", "backslash": "\\", "backtick": "`", "two-colons": "::",
    "two-semicolons": ";;", "cpp": "C++", "pp": "++",
}  # fmt: skip

# Inline markup, reduced to its text.
_ATTRIBUTE_REFERENCE = re.compile(r"\{([\w-]+)\}")
_CURVED_QUOTES = (('"`', "“"), ('`"', "”"), ("'`", "‘"), ("`'", "’"))
_CODE_SPAN = re.compile(r"(?<![\w`])`\+?([^`]+?)\+?`(?![\w`])")
_LINK_MACRO = re.compile(r"\b(?:link|mailto|xref):([^\s\[]+)\[([^\]]*)\]")
_URL_WITH_TEXT = re.compile(r"\b((?:https?|ftp|irc)://[^\s\[]+)\[([^\]]*)\]")
_CROSS_REFERENCE = re.compile(r"<<([^,>]+)(?:,\s*([^>]+))?>>")
_UI_MACRO = re.compile(r"\b(?:kbd|btn|pass|indexterm2?|stem|latexmath|asciimath):\[([^\]]*)\]")
_MENU_MACRO = re.compile(r"\bmenu:([^\[\s]+)\[([^\]]*)\]")
_FOOTNOTE = re.compile(r"footnote:[\w-]*\[([^\]]*)\]")
_INDEX_TERMS = re.compile(r"\(\(\((.*?)\)\)\)|\(\((.+?)\)\)")  # (((concealed))) dropped, ((visible)) kept
_INLINE_IMAGE = re.compile(r"\b(image|icon):[^\s\[]+\[([^\]]*)\]")  # an image's alt text stays
_PASSTHROUGH = re.compile(r"\+\+\+(.*?)\+\+\+")
_TAG = re.compile(r"<[^<>]+>")
_INLINE_ANCHOR = re.compile(r"\[\[[^\]]*\]\]|\[#[^\]]*\]")
_ROLE = re.compile(r"\[\.[\w.-]+\]#([^#]+)#")
_EMPHASIS = (  # unconstrained (doubled marks) first, then constrained (at word boundaries)
    re.compile(r"\*\*(.+?)\*\*"),
    re.compile(r"__(.+?)__"),
    re.compile(r"##(.+?)##"),
    re.compile(r"(?<![\w*])\*(\S(?:.*?\S)?)\*(?![\w*])"),
    re.compile(r"(?<![\w_])_(\S(?:.*?\S)?)_(?![\w_])"),
    re.compile(r"(?<![\w#])#(\S(?:.*?\S)?)#(?![\w#])"),
)
_SUPERSCRIPT_OR_SUBSCRIPT = re.compile(r"\^([^\s^]+)\^|~([^\s~]+)~")
_HARD_BREAK = re.compile(r" \+$")


def parse(raw: bytes, source: str) -> Parsed:
    """Blocks of an AsciiDoc file; title from the document title (`= Title`)."""
    text, note = decode(raw)
    reader = _Reader(LineMap(text))
    reader.read()
    parsed = Parsed(reader.blocks, reader.title)
    if note:
        parsed.notes.append(note)
    return parsed


@dataclass
class _Reader:
    lines: LineMap
    blocks: list[Block] = field(default_factory=list)
    title: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)
    pending: str = ""  # the block attribute line before a block: "source,python", "NOTE", "%header"
    anchor: str | None = None  # an `[[id]]` line before the next block (a section's id)
    quote_depth: int = 0
    group: int = 0
    number: int = 1  # the next line to read (1-based)

    def read(self) -> None:
        count = len(self.lines.starts)
        while self.number <= count:
            self._step(self.lines.line(self.number), count)

    def _step(self, value: str, count: int) -> None:
        stripped = value.strip()
        first = self.number
        self.number += 1
        if _ANCHOR_LINE.match(stripped):
            self.anchor = _ANCHOR_ID.match(stripped).group(1).strip()
            return
        if not stripped or stripped == "+" or _CONDITIONAL.match(stripped):
            return
        if stripped.startswith("//") and not _DELIMITER.match(stripped):
            return
        if fence := _FENCE.match(stripped):
            self._code(_FENCE_END, first, count, fence.group(1))
        elif _DELIMITER.match(stripped):
            self._delimited(stripped, first, count)
        elif _TABLE_DELIMITER.match(stripped):
            self._table(first, count)
        elif _ATTRIBUTE_ENTRY.match(value):
            self._attribute(value, count)
        elif _BLOCK_ATTRIBUTES.match(stripped):
            self.pending = _BLOCK_ATTRIBUTES.match(stripped).group(1).strip()
        elif _BLOCK_MACRO.match(stripped) or stripped in _BREAKS:
            return
        elif _SECTION.match(value):
            self._section(value, first)
        elif _BLOCK_TITLE.match(value):
            self._add("paragraph", _BLOCK_TITLE.match(value).group(1), first, first, keep_pending=True)
        elif value[0] in " \t" and not self.quote_depth:  # a literal paragraph: indented lines, verbatim
            self._literal(first, count)
        else:
            self._paragraph(first, count)

    # -- blocks ----------------------------------------------------------------------------------
    def _delimited(self, delimiter: str, first: int, count: int) -> None:
        mark = delimiter[0]
        if mark in _SKIPPED_MARKS:
            self._until(delimiter, count)
            self.pending = ""
        elif mark in _CODE_MARKS and delimiter != "--":
            self._code(delimiter, first, count)
        elif mark == _QUOTE_MARK:
            self.quote_depth = 1 - self.quote_depth
            self.pending = ""
        # else: an example, sidebar or open block: its content follows; a pending [NOTE] applies to it

    def _attribute(self, value: str, count: int) -> None:
        """An attribute entry; a value ending in a backslash goes on to the next line."""
        name, setting = _ATTRIBUTE_ENTRY.match(value).groups()
        setting = (setting or "").strip()
        while setting.endswith("\\") and self.number <= count:
            setting = setting[:-1].rstrip() + " " + self.lines.line(self.number).strip()
            self.number += 1
        self.attributes[name.strip("!")] = setting

    def _section(self, value: str, first: int) -> None:
        marks, heading = _SECTION.match(value).groups()
        if len(marks) == 1 and self.title is None:
            self.title = " ".join(self._inline(heading)[0].split())
            self._skip_header_lines()
        own = _ANCHOR_ID.match(heading.strip()) or _ATTRIBUTE_ID.match(self.pending.split(",")[0].strip())
        anchor = self.anchor or (own.group(1).strip() if own else None)
        self._add("heading", heading, first, first, level=len(marks), anchor=anchor or None)

    def _skip_header_lines(self) -> None:
        """The author and revision lines right under the document title (the first author's name
        becomes {author}); attribute entries stay."""
        count = len(self.lines.starts)
        while self.number <= count:
            value = self.lines.line(self.number)
            if not value.strip() or _ATTRIBUTE_ENTRY.match(value) or value.startswith("//"):
                return
            self.attributes.setdefault("author", value.split("<")[0].split(";")[0].strip())
            self.number += 1

    def _until(self, delimiter: str, count: int) -> int:
        """Skip to the line closing a delimited block; returns the last line inside it."""
        while self.number <= count and self.lines.line(self.number).strip() != delimiter:
            self.number += 1
        last = self.number - 1
        self.number += 1
        return last

    def _code(self, delimiter: str, first: int, count: int, fence_language: str = "") -> None:
        """A listing, literal or fenced block up to its closing `delimiter` (or the file's end); its
        language from the fence ("```java") or the pending `[source,java]`."""
        last = self._until(delimiter, count)
        settings = [part.strip() for part in self.pending.split(",")]
        language = fence_language or (
            settings[1] if len(settings) > 1 and _style(settings[0]) in ("source", "") else None
        )
        self.pending = ""
        if last >= first + 1:
            code = "\n".join(self.lines.line(n) for n in range(first + 1, last + 1))
            self._add_code(code, first + 1, last, language or None)

    def _literal(self, first: int, count: int) -> None:
        while self.number <= count and self.lines.line(self.number).strip():
            if _DELIMITER.match(self.lines.line(self.number).strip()):
                break
            self.number += 1
        lines = [self.lines.line(n) for n in range(first, self.number)]
        indent = min(len(v) - len(v.lstrip()) for v in lines if v.strip())
        self.pending = ""
        self._add_code("\n".join(v[indent:] for v in lines), first, self.number - 1, None)

    def _paragraph(self, first: int, count: int) -> None:
        """A paragraph, list item, description or callout: the line and those continuing it."""
        value = self.lines.line(first)
        while self.number <= count and self._continues(self.lines.line(self.number)):
            self.number += 1
        last = self.number - 1
        rest = " ".join(self.lines.line(n).strip() for n in range(first + 1, last + 1))
        item = _LIST_ITEM.match(value) or _CALLOUT_ITEM.match(value)
        description = _DESCRIPTION.match(value) if not item else None
        if item:
            marker = item.group(1) if item.re is _LIST_ITEM else "<1>"
            level = len(marker) - 1 if marker[0] in "*." else 0
            if not self.blocks or self.blocks[-1].kind != "list_item":
                self.group += 1
            self._add("list_item", f"{item.group(2)} {rest}", first, last, level=level, group=self.group)
        elif description and "://" not in description.group(1):
            term, _, definition = description.groups()
            self._add("definition", f"{term.strip()}: {definition or ''} {rest}", first, last)
        else:
            quoted = self.quote_depth or _style(self.pending.split(",")[0]) in ("quote", "verse")
            self._add("quote" if quoted else "paragraph", f"{value.strip()} {rest}", first, last)

    def _continues(self, value: str) -> bool:
        """Whether a line goes on the paragraph above (no blank line, no new block or item)."""
        stripped = value.strip()
        return bool(stripped) and not (
            stripped == "+"
            or _LIST_ITEM.match(value)
            or _CALLOUT_ITEM.match(value)
            or _DESCRIPTION.match(value)
            or _BLOCK_ATTRIBUTES.match(stripped)
            or _TABLE_DELIMITER.match(stripped)
            or _DELIMITER.match(stripped)
            or _FENCE.match(stripped)
            or _CONDITIONAL.match(stripped)
            or _BLOCK_MACRO.match(stripped)
            or _SECTION.match(value)
            or (stripped.startswith("//") and not stripped.startswith("///"))
        )

    def _table(self, first: int, count: int) -> None:
        """A `|===` table: cells in order, cut into rows by the column count (a 2+ cell spans two)."""
        settings = self.pending
        self.pending = ""
        last = self._until(self.lines.line(first).strip(), count)  # closed by the same |=== line
        cells: list[list] = []  # [line, text, columns spanned]
        first_row_cells = 0
        implicit_header = False
        for number in range(first + 1, last + 1):
            value = self.lines.line(number)
            if not value.strip():
                implicit_header = implicit_header or (bool(cells) and number == cells[0][0] + 1)
                continue
            pieces = _CELL_SEPARATOR.split(value)  # text before, then spec, text, spec, text ...
            if pieces[0].strip() and cells:  # a cell's text going on below
                cells[-1][1] = f"{cells[-1][1]} {pieces[0].strip()}"
            new = [
                [number, text.strip(), _span(spec)]
                for spec, text in zip(pieces[1::2], pieces[2::2], strict=False)
            ]
            first_row_cells = first_row_cells or sum(cell[2] for cell in new)
            cells += new
        columns = _column_count(settings) or first_row_cells or 1
        header = "header" in settings or (implicit_header and "noheader" not in settings)
        self.group += 1
        row: list[list] = []
        rows = 0
        for position, cell in enumerate(cells):
            row.append(cell)
            if sum(c[2] for c in row) >= columns or position == len(cells) - 1:
                kind = "table_header" if header and rows == 0 else "table_row"
                text = " | ".join(self._inline(c[1])[0] for c in row)
                self._add(kind, text, row[0][0], row[-1][0], group=self.group, raw=True)
                row, rows = [], rows + 1

    # -- making blocks ---------------------------------------------------------------------------
    def _add(self, kind: str, text: str, first: int, last: int, raw: bool = False,
             keep_pending: bool = False, **extra) -> None:  # fmt: skip
        """A block of `text` (AsciiDoc inline markup, unless `raw`) on lines first..last; it takes the
        pending block attributes (an admonition style) unless `keep_pending` (a block title)."""
        spans: tuple[str, ...] = ()
        if not raw:
            text, spans = self._inline(text)
        if not keep_pending:
            admonition = _style(self.pending.split(",")[0])
            if _ADMONITION.match(admonition) and kind in ("paragraph", "list_item", "quote"):
                text = f"{admonition}: {text}"
            self.pending = ""
        made = block(kind, _HARD_BREAK.sub("", text), self.lines, first, last, code_spans=spans, **extra)
        self.anchor = None
        if made is not None:
            self.blocks.append(made)

    def _add_code(self, code: str, first: int, last: int, language: str | None) -> None:
        made = block("code", code, self.lines, first, last, language=language)
        if made is not None:
            self.blocks.append(made)

    def _inline(self, text: str) -> tuple[str, tuple[str, ...]]:
        """Text without inline markup, and its code spans."""
        text = _ATTRIBUTE_REFERENCE.sub(lambda m: self._attribute_value(m.group(1), m.group(0)), text)
        for marks, quote in _CURVED_QUOTES:
            text = text.replace(marks, quote)
        spans = tuple(m.group(1) for m in _CODE_SPAN.finditer(text))
        text = _CODE_SPAN.sub(lambda m: m.group(1), text)
        text = _LINK_MACRO.sub(lambda m: m.group(2) or m.group(1), text)
        text = _URL_WITH_TEXT.sub(lambda m: m.group(2) or m.group(1), text)
        text = _CROSS_REFERENCE.sub(lambda m: (m.group(2) or m.group(1)).strip(), text)
        text = _MENU_MACRO.sub(lambda m: " > ".join(p for p in (m.group(1), m.group(2)) if p), text)
        text = _UI_MACRO.sub(lambda m: m.group(1), text)
        text = _FOOTNOTE.sub(lambda m: f" ({m.group(1)})" if m.group(1).strip() else "", text)
        text = _INDEX_TERMS.sub(lambda m: m.group(2) or "", text)
        text = _INLINE_IMAGE.sub(_alt_text, text)
        text = _PASSTHROUGH.sub(lambda m: _TAG.sub("", m.group(1)), text)
        text = _ROLE.sub(lambda m: m.group(1), _INLINE_ANCHOR.sub("", text))
        for pattern in _EMPHASIS:
            text = pattern.sub(lambda m: m.group(1), text)
        text = _SUPERSCRIPT_OR_SUBSCRIPT.sub(lambda m: m.group(1) or m.group(2), text)
        return html.unescape(text), spans

    def _attribute_value(self, name: str, reference: str) -> str:
        """An attribute's value ({url-docs}); a reference to an unset attribute stays as written."""
        if name in self.attributes:
            return self.attributes[name]
        return _BUILT_IN_ATTRIBUTES.get(name, reference)


def _alt_text(image: re.Match) -> str:
    """An inline image's alt text (its first attribute, when not name=value); none for an icon."""
    first = image.group(2).split(",")[0].strip()
    return "" if image.group(1) == "icon" or "=" in first else first


def _style(setting: str) -> str:
    """A block's style without its options, id and roles: "NOTE%unbreakable" -> "NOTE"."""
    return re.split(r"[%#.]", setting.strip(), maxsplit=1)[0].strip()


def _span(spec: str) -> int:
    """Columns a cell spans, from its spec ("4+^e" -> 4)."""
    found = re.match(r"(\d+)\+", spec or "")
    return int(found.group(1)) if found else 1


def _column_count(settings: str) -> int:
    """Columns named by a `cols="1,2,3"`, `cols=4` or `cols="3*"` table attribute; 0 when none."""
    found = re.search(r'cols\s*=\s*(?:"([^"]+)"|([^,\]]+))', settings)
    if not found:
        return 0
    spec = (found.group(1) or found.group(2)).strip()
    if spec.isdigit():
        return int(spec)
    repeat = re.fullmatch(r"(\d+)\*.*", spec)
    return int(repeat.group(1)) if repeat else len([part for part in spec.split(",") if part.strip()])
