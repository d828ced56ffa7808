"""Discord markdown helpers: escaping document text, defusing mass mentions, splitting at safe places."""

from __future__ import annotations

import re

ZERO_WIDTH_SPACE = "\u200b"
FENCE = "```"
_MASS_MENTION = re.compile(r"@(everyone|here)", re.IGNORECASE)
_MARKDOWN = re.compile(r"([\\*_~`|\[\]])")
_LINE_START_MARKER = re.compile(r"^(\s*)(>>>|>|#{1,3}|-#|-|\+|\d+\.)(?=\s)", re.MULTILINE)
_CODE_BLOCK = re.compile(r"```.*?(?:```|\Z)", re.DOTALL)
_PARAGRAPH_END = re.compile(r"(?<=\n\n)(?=\S)")
_SENTENCE_END = re.compile(r"(?<=[.!?])(?=\s+\S)|(?<=[.!?][\"')\]])(?=\s+\S)")
_WORD_END = re.compile(r"(?<=\s)(?=\S)")
_FENCE_LINE = re.compile(r"^```[\w+.#-]*$")


def defuse_mentions(text: str) -> str:
    """`@everyone`/`@here` with a zero-width space, so they never ping even if allowed_mentions is lost."""
    return _MASS_MENTION.sub(lambda m: f"@{ZERO_WIDTH_SPACE}{m.group(1)}", text)


def escape(text: str) -> str:
    """Document text shown literally: no bold, links, quotes, headings or lists made from its characters."""
    escaped = _MARKDOWN.sub(r"\\\1", text)
    return defuse_mentions(_LINE_START_MARKER.sub(_escape_marker, escaped))


def _escape_marker(match: re.Match[str]) -> str:
    indent, marker = match.groups()
    return indent + (marker[:-1] + "\\." if marker.endswith(".") else "\\" + marker)


def one_line(text: str) -> str:
    """Whitespace runs (newlines included) as single spaces: predictable length inside a quote."""
    return " ".join(text.split())


def truncate(text: str, limit: int, ellipsis: str = "…") -> str:
    """At most `limit` characters, cut at a word where possible and never after a lone backslash."""
    if len(text) <= limit:
        return text
    if limit <= len(ellipsis):
        return ellipsis[:limit]
    cut = text[: limit - len(ellipsis)]
    space = cut.rfind(" ")
    if space > len(cut) // 2:
        cut = cut[:space]
    return _drop_dangling_escape(cut.rstrip()) + ellipsis


def _drop_dangling_escape(text: str) -> str:
    trailing = len(text) - len(text.rstrip("\\"))
    return text[:-1] if trailing % 2 else text


def fences_balanced(text: str) -> bool:
    return text.count(FENCE) % 2 == 0


def split_message(text: str, limit: int = 2000) -> list[str]:
    """Chunks of at most `limit` characters, cut between paragraphs, else sentences, else words.

    A code block is never cut: one that is too long on its own becomes several complete blocks.
    """
    pieces = [(block, _CODE) if block.startswith(FENCE) else (block, 0) for block in _blocks(text)]
    chunks = _pack(pieces, limit)
    return [chunk for chunk in (c.strip() for c in chunks) if chunk]


_CODE = -1
_SPLITTERS = (_PARAGRAPH_END, _SENTENCE_END, _WORD_END)


def _blocks(text: str) -> list[str]:
    """Code blocks as whole pieces (an unclosed one is closed), the prose between them by paragraph."""
    blocks: list[str] = []
    position = 0
    for match in _CODE_BLOCK.finditer(text):
        blocks.extend(_PARAGRAPH_END.split(text[position : match.start()]))
        code = match.group(0)
        blocks.append(code if len(code) > 3 and code.endswith(FENCE) else code.rstrip() + "\n" + FENCE)
        position = match.end()
    blocks.extend(_PARAGRAPH_END.split(text[position:]))
    return [block for block in blocks if block]


def _pack(pieces: list[tuple[str, int]], limit: int) -> list[str]:
    """Greedy: as many whole pieces per chunk as fit; a piece too big alone is split one level finer."""
    chunks: list[str] = []
    current = ""
    for piece, level in pieces:
        if len(current) + len(piece) <= limit:
            current += piece
            continue
        if current.strip():
            chunks.append(current)
        current = ""
        if len(piece) <= limit:
            current = piece
            continue
        inner = _pack(_finer(piece, level, limit), limit)
        chunks.extend(inner[:-1])
        current = inner[-1] if inner else ""
    if current.strip():
        chunks.append(current)
    return chunks


def _finer(piece: str, level: int, limit: int) -> list[tuple[str, int]]:
    if level == _CODE:
        return [(block, len(_SPLITTERS)) for block in _split_code_block(piece, limit)]
    if level + 1 < len(_SPLITTERS):
        parts = [part for part in _SPLITTERS[level + 1].split(piece) if part]
        if len(parts) > 1:
            return [(part, level + 1) for part in parts]
        return _finer(piece, level + 1, limit)
    return [(part, len(_SPLITTERS)) for part in _hard_cut(piece, limit)]


def _hard_cut(text: str, limit: int) -> list[str]:
    """Fixed-size slices for a run with no space in it, never splitting a backslash from what it escapes."""
    parts: list[str] = []
    while len(text) > limit:
        cut = limit
        if len(text[:cut]) != len(_drop_dangling_escape(text[:cut])):
            cut -= 1
        parts.append(text[:cut])
        text = text[cut:]
    return parts + [text]


def _split_code_block(block: str, limit: int) -> list[str]:
    """A too-long code block as several complete blocks, each reopened with the same fence line."""
    first_line, newline, rest = block.partition("\n")
    if newline and _FENCE_LINE.match(first_line):
        opening, body = first_line, rest[: -len(FENCE)].rstrip("\n")
    else:
        opening, body = FENCE, block[len(FENCE) : -len(FENCE)].strip("\n")
    room = limit - len(opening) - len(FENCE) - 3  # the newlines around the body, plus one between parts
    if room < 1:
        opening, room = FENCE, limit - 2 * len(FENCE) - 3
    lines: list[str] = []
    for line in body.split("\n"):
        lines.extend(line[i : i + room] for i in range(0, max(len(line), 1), room))
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for line in lines:
        if current and size + len(line) + 1 > room:
            parts.append(f"{opening}\n" + "\n".join(current) + f"\n{FENCE}\n")
            current, size = [], 0
        current.append(line)
        size += len(line) + 1
    parts.append(f"{opening}\n" + "\n".join(current) + f"\n{FENCE}\n")
    return parts
