"""MDX (Markdown with JSX, as Docusaurus writes it) reduced to the Markdown a reader sees.

Why hand-written: MDX's parser is JavaScript (micromark + acorn) and no Python library reads it;
the parts of MDX that are not Markdown are few and regular. ESM `import`/`export` statements go
(never citable); `{...}` expressions and `{/* comments */}` go; a JSX component tag on its own
(`<TabItem value="linux" label="Linux">`) becomes a paragraph of its string props ("label: Linux");
a component tag inside a sentence goes, its text stays; ```` ```mdx-code-block ```` fences are MDX to
render, not code. Lower-case tags are HTML and stay for the Markdown parser.

`prepare` returns the reduced text as lines, each with the 0-based line of the source it came
from, so that blocks still cite the lines that hold them.
"""

from __future__ import annotations

import re

_FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})(.*)$")
_ESM = re.compile(r"^(import|export)\b")
_COMPONENT_START = re.compile(r"<(/?)(?:([A-Z][\w.]*)(?=[\s/>])|(?=>))")  # <Tabs>, </TabItem>, <>, </>
_PROP = re.compile(r"""([A-Za-z_][\w:-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
# Props that are identifiers or presentation, not text a reader sees.
_HIDDEN_PROPS = {"className", "class", "id", "key", "style", "groupId", "queryString", "defaultValue", "href", "to", "src",
                 "width", "height", "target", "rel", "type", "name", "lang", "language", "icon", "color", "variant",
                 "size", "align"}  # fmt: skip


def prepare(text: str) -> list[tuple[str, int]]:
    """MDX text as Markdown lines, each with the 0-based source line it comes from."""
    out: list[tuple[str, int]] = []
    lines = text.split("\n")
    index = 0
    prose: list[tuple[str, int]] = []
    labels: dict[str, str] = {}  # the last <Tabs values={[...]}>'s tab labels by value
    mdx_block_end: int | None = None  # closing line of an mdx-code-block fence being read as MDX
    while index < len(lines):
        line = lines[index]
        fence = _FENCE.match(line)
        if index == mdx_block_end:
            prose.append(("", index))
            mdx_block_end = None
            index += 1
            continue
        if fence and fence.group(2).strip().startswith("mdx-code-block"):  # its body is MDX to render
            prose.append(("", index))
            mdx_block_end = _fence_end(lines, index, fence.group(1))
            index += 1
            continue
        if fence:
            out.extend(_reduce(prose, labels))
            prose = []
            end = _fence_end(lines, index, fence.group(1))
            out.extend((lines[n], n) for n in range(index, end + 1))
            index = end + 1
            continue
        if _ESM.match(line.lstrip() if mdx_block_end is not None else line):
            end = _statement_end(lines, index)
            prose.extend(("", n) for n in range(index, end + 1))
            index = end + 1
            continue
        prose.append((line, index))
        index += 1
    out.extend(_reduce(prose, labels))
    return out


def _fence_end(lines: list[str], start: int, marker: str) -> int:
    """Index of the line closing the fence opened at `start` (the last line when none closes it)."""
    closing = re.compile(rf"^[ \t]{{0,3}}{re.escape(marker[0])}{{{len(marker)},}}[ \t]*$")
    for number in range(start + 1, len(lines)):
        if closing.match(lines[number]):
            return number
    return len(lines) - 1


def _statement_end(lines: list[str], start: int) -> int:
    """Last line of an ESM statement starting at `start`: brackets balanced, or a blank line."""
    depth = 0
    for number in range(start, len(lines)):
        line = lines[number]
        if number > start and not line.strip() and depth <= 0:
            return number - 1
        depth += sum(line.count(c) for c in "([{") - sum(line.count(c) for c in ")]}")
        if depth <= 0 and (line.rstrip().endswith(";") or re.search(r"\bfrom\s+['\"]", line)):
            return number
    return len(lines) - 1


def _reduce(prose: list[tuple[str, int]], labels: dict[str, str]) -> list[tuple[str, int]]:
    """Expressions and component tags of a run of non-code lines reduced to Markdown. `labels`: the
    last `<Tabs values={[...]}>`'s tab labels by value (updated here; code fences cut a tab set's runs)."""
    if not prose:
        return []
    text = "\n".join(line for line, _ in prose)
    origins = [origin for _, origin in prose]
    pieces: list[tuple[str, int]] = []  # (output text, source line index into `prose`)
    position, row = 0, 0
    at_line_start = True
    while position < len(text):
        char = text[position]
        if char == "`":
            run = re.match(r"`+", text[position:]).group(0)
            close = text.find(run, position + len(run))
            end = close + len(run) if close != -1 else position + len(run)
            pieces.append((text[position:end], row))
            row += text.count("\n", position, end)
            position = end
            at_line_start = False
            continue
        if char == "{":
            end = _balanced_end(text, position)
            row = _skip(pieces, text, position, end, row)
            position = end
            continue
        tag = _COMPONENT_START.match(text, position) if char == "<" else None
        if tag:
            end = _tag_end(text, position)
            if not tag.group(1) and tag.group(2) == "Tabs":
                labels.clear()
                labels.update(_tab_labels(text[position:end]))
            props = "" if tag.group(1) else _props(text[position:end], labels)
            block_level = at_line_start
            row = _skip(pieces, text, position, end, row)
            if block_level:
                pieces.append((f"\n\n{props}\n\n" if props else "\n\n", row))
            position = end
            continue
        pieces.append((char, row))
        if char == "\n":
            row += 1
            at_line_start = True
        elif not char.isspace():
            at_line_start = False
        position += 1
    return _lines(pieces, origins)


def _skip(pieces: list[tuple[str, int]], text: str, start: int, end: int, row: int) -> int:
    """Drop text[start:end] but keep its line breaks, so later lines keep their sources."""
    for _ in range(text.count("\n", start, end)):
        pieces.append(("\n", row))
        row += 1
    return row


def _balanced_end(text: str, start: int) -> int:
    """End (exclusive) of the brace group opening at `start`, quotes and template strings respected."""
    depth = 0
    position = start
    while position < len(text):
        char = text[position]
        if char in "\"'`":
            close = text.find(char, position + 1)
            position = close + 1 if close != -1 else len(text)
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return position + 1
        position += 1
    return len(text)


def _tag_end(text: str, start: int) -> int:
    """End (exclusive) of the JSX tag opening at `start`, `{...}` attribute values included."""
    position = start + 1
    while position < len(text):
        char = text[position]
        if char in "\"'":
            close = text.find(char, position + 1)
            position = close + 1 if close != -1 else len(text)
            continue
        if char == "{":
            position = _balanced_end(text, position)
            continue
        if char == ">":
            return position + 1
        position += 1
    return len(text)


# One tab of a Docusaurus `<Tabs values={[{label: 'bash', value: '1'}, ...]}>` (either key first).
_TAB_VALUE = re.compile(
    r"""\{\s*(?:label\s*:\s*(['"])(?P<l1>.*?)\1\s*,\s*value\s*:\s*(['"])(?P<v1>.*?)\3"""
    r"""|value\s*:\s*(['"])(?P<v2>.*?)\5\s*,\s*label\s*:\s*(['"])(?P<l2>.*?)\7)"""
)


def _tab_labels(tag: str) -> dict[str, str]:
    """The labels a `<Tabs values={[...]}>` tag gives its tabs' values ("1" -> "bash")."""
    return {m["v1"] or m["v2"] or "": m["l1"] or m["l2"] or "" for m in _TAB_VALUE.finditer(tag)}


def _props(tag: str, labels: dict[str, str] | None = None) -> str:
    """A component's string props as the text it shows: "label: Linux" (value hidden when labelled; a
    `<TabItem value="1">` labelled by its `<Tabs values={...}>`, `labels`, shows "label: bash")."""
    found = [(name, double if double is not None else single) for name, double, single in _PROP.findall(tag)]
    names = {name for name, _ in found}
    if "label" not in names and labels:
        value = next((v for name, v in found if name == "value"), None)
        if value in labels:
            found = [(name, v) for name, v in found if name != "value"] + [("label", labels[value])]
            names.add("label")
    shown = [
        f"{name}: {value}"
        for name, value in found
        if name not in _HIDDEN_PROPS and value.strip() and not (name == "value" and "label" in names)
    ]
    return ", ".join(shown)


def _lines(pieces: list[tuple[str, int]], origins: list[int]) -> list[tuple[str, int]]:
    """The output pieces split into lines, each with the source line of its first text."""
    rows: list[int | None] = []
    texts: list[str] = []
    current: list[str] = []
    current_row: int | None = None
    for piece, row in pieces:
        for number, part in enumerate(piece.split("\n")):
            if number:
                texts.append("".join(current))
                rows.append(current_row)
                current, current_row = [], None
            if part and current_row is None:
                current_row = row
            current.append(part)
    texts.append("".join(current))
    rows.append(current_row)
    known = 0
    lines: list[tuple[str, int]] = []
    for text, row in zip(texts, rows, strict=True):
        known = row if row is not None else known  # a blank line belongs where the text before it was
        lines.append((text, origins[min(known, len(origins) - 1)]))
    return lines
