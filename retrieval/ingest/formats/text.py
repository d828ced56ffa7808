"""Plain text into blocks: paragraphs by blank lines, hard wraps joined, bullets as list items.

No library covers "plain text as people write it", so this is rules, kept few: a blank line ends a
paragraph; inside one, lines are joined when the text is hard-wrapped (lines of similar width, the
way editors and mail clients wrap at ~72-80 columns) and kept apart when each line is a paragraph of
its own (scraped pages, one paragraph a line). A metadata header (id, title, year, URL lines, as in
seeds/003_*.txt) gives the title and URL. Text whose lines mostly start with a timestamp is a log and
is read as one (formats/log.py: records, not lines).
"""

from __future__ import annotations

import re
from dataclasses import replace

from retrieval.ingest.formats import log
from retrieval.ingest.formats.base import (
    TITLE_MAX_CHARS,
    LineMap,
    Parsed,
    block,
    breadcrumb_end,
    decode,
    ends_like_prose,
)
from retrieval.ingest.formats.errors import not_read
from retrieval.models import Block

_BULLET = re.compile(r"^\s*([-*+•▪‣◦]|\d{1,3}[.)]|[a-z][.)])\s+(?=\S)")
_URL_LINE = re.compile(r"^https?://\S+$")
_YEAR_LINE = re.compile(r"^(19|20)\d{2}$")
_KEY_VALUE_LINE = re.compile(r"^[\w ]{1,30}\s*[=:]\s*\S{1,40}$")
_UNDERLINE = re.compile(r"^\s*(=+|-+)\s*$")
_SENTENCE_END = re.compile(r"[.!?:;…\"'”’)]$")
_WRAP_WIDTH = 100  # lines longer than this are not hand-wrapped
_WRAP_MIN_WIDTH = 40  # narrower lines are a list or a menu, not wrapped prose
_WRAP_SIMILARITY = 0.55  # a wrapped line is at least this share of the paragraph's widest line


def parse(raw: bytes, source: str) -> Parsed:
    text, note = decode(raw)
    lines = LineMap(text)
    numbered = [(number, lines.line(number)) for number in range(1, len(lines.starts) + 1)]
    if is_requirements_list([value for _, value in numbered]):
        raise not_read(source, REQUIREMENTS)
    if log.looks_like_log([value for _, value in numbered[: 4 * log.SAMPLE_LINES]]):
        parsed = log.parse_text(text, lines)  # a log saved as .txt: records, not one paragraph a line
    else:
        title, url, body_start = _header(numbered)
        blocks = _blocks(numbered[body_start:], lines)
        if not title and _is_title_line(blocks):
            blocks = [replace(blocks[0], kind="heading", level=1), *blocks[1:]]
        parsed = Parsed(_headings(blocks), title, url)
    if note:
        parsed.notes.append(note)
    return parsed


def is_requirements_list(lines: list[str]) -> bool:
    """Is a text file pip's requirements or constraints list ("Sphinx==7.2.6", "requests[socks]>=2.31",
    "-r base.txt", comments)? Every line that says something is a requirement or an option, and one
    pins a version. A documentation folder keeps one for its site's build (Read the Docs); indexed, its
    pins were a "page" titled by its first comment."""
    said = [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
    return (
        bool(said)
        and all(_REQUIREMENT.match(line) or line.startswith(("-r ", "-c ", "-e ", "--")) for line in said)
        and any(_PINNED.search(line) for line in said)
    )


# A PEP 508 requirement as requirements files write them: a name, extras, version clauses, a marker.
_REQUIREMENT = re.compile(
    r"^[A-Za-z0-9][A-Za-z0-9._-]*(\[[\w,\s-]*\])?\s*"
    r"((===?|>=|<=|~=|!=|<|>)\s*[\w.*+!-]+(\s*,\s*(===?|>=|<=|~=|!=|<|>)\s*[\w.*+!-]+)*)?"
    r"\s*(;.*)?(\s+#.*)?$"
)
_PINNED = re.compile(r"(===?|>=|<=|~=|!=)\s*\d")
REQUIREMENTS = "a pip requirements list, not a page"  # why one is not read


def _header(numbered: list[tuple[int, str]]) -> tuple[str | None, str | None, int]:
    """A metadata header: a few short lines (id, title, year) ending in a bare URL line.

    Returns (title, url, index of the first body line); without a header (None, None, 0).
    """
    head = [(i, value.strip()) for i, (_, value) in enumerate(numbered[:8]) if value.strip()][:5]
    for position, (index, value) in enumerate(head):
        if _URL_LINE.match(value) and position >= 1:
            candidates = [
                v for _, v in head[:position] if not _YEAR_LINE.match(v) and not _KEY_VALUE_LINE.match(v)
            ]
            if candidates and all(len(v) <= 300 for _, v in head[:position]):
                title = max(candidates, key=len)
                title = re.sub(r"\s+-\s+\w+$", "", title) if len(title) > 40 else title
                return title, value, index + 1
    return None, None, 0


def _blocks(numbered: list[tuple[int, str]], lines: LineMap) -> list[Block]:
    blocks: list[Block] = []
    run: list[tuple[int, str]] = []
    for number, value in [*numbered, (0, "")]:
        if value.strip():
            run.append((number, value))
            continue
        blocks.extend(_paragraphs(run, lines))
        run = []
    return blocks


def _headings(blocks: list[Block]) -> list[Block]:
    """A short unpunctuated line standing before a longer paragraph is a heading ("Partnership Role"),
    one level down for each part of its section number ("2 Methods" level 2, "2.1 Data" level 3). A
    numbered line right above another numbered heading is one too ("4 Experiments" over "4.1 Datasets"
    over the text), so the blocks are read from the last."""
    out = list(blocks)
    for index in range(len(blocks) - 2, -1, -1):
        current, following = blocks[index], blocks[index + 1]
        previous = blocks[index - 1] if index else None
        number = _SECTION_NUMBER.match(current.text)
        if (
            previous is not None
            and previous.kind != "heading"
            and previous.line_start == previous.line_end
            and len(previous.text.split()) <= 4
            and not (number and _SECTION_NUMBER.match(previous.text))
        ):
            continue  # inside a run of short lines (a menu), not a heading
        words = current.text.split()
        over_text = following.kind in ("paragraph", "list_item") and len(following.text) > 2 * len(
            current.text
        )
        over_section = (
            bool(number) and out[index + 1].kind == "heading" and _SECTION_NUMBER.match(following.text)
        )
        if (
            current.kind == "paragraph" and current.line_start == current.line_end and 1 <= len(words) <= 8
            and not _ends_sentence(current.text) and _unnumbered(current.text)[:1].isupper()
            and (over_text or over_section)
        ):  # fmt: skip
            depth = number.group(1).rstrip(".").count(".") if number else 0
            out[index] = replace(current, kind="heading", level=min(2 + depth, 6))
    return out


# A section number before a heading's words, as papers and manuals number them: "2", "2.1", "3.2.1.", "A.1".
_SECTION_NUMBER = re.compile(r"^((?:\d{1,2}|[A-Z](?=\.\d))(?:\.\d{1,2})*\.?)\s+(?=\S)")


def _unnumbered(text: str) -> str:
    """`text` without a leading section number ("2.1 Data" -> "Data")."""
    return _SECTION_NUMBER.sub("", text, count=1)


def _is_title_line(blocks: list[Block]) -> bool:
    """Is the first block a file's title: its first line standing alone above the rest, short and no
    sentence?

    "Set Fire to the Rain" over "Composition" over the text, or "O Brother, Where Art Thou?" over its
    text: the way articles, notes and exported pages are saved as plain text. Read as a paragraph,
    the title was a passage (or a unit) of its own that matched every question about its subject and
    was quoted as the answer, and the section heading below it became the document's title. It is a
    level-1 heading, as a Markdown page's "# Title" is: the document's title, and the subject every
    passage under it is about. (Taken out of the text as the title alone, wikiqa's and clapnq's
    unanswerable questions were answered more often: 207 -> 193 and 271 -> 269 of the pool.) A line
    ending like a sentence or a lead-in (".", ",", ":", ";") is text, as is one starting lower-case;
    a breadcrumb ("Home Articles Some Title" over "Some Title") is page chrome, not the title.
    """
    if len(blocks) < 2:
        return False
    first = blocks[0]
    words = first.text.split()
    breadcrumb = breadcrumb_end(first.text, [later.text for later in blocks[1:6]])
    return (
        not breadcrumb and first.kind == "paragraph" and first.line_start == first.line_end
        and blocks[1].line_start is not None and first.line_end is not None
        and blocks[1].line_start > first.line_end + 1  # a blank line under it: a menu's lines have none
        and 1 <= len(words) <= _TITLE_MAX_WORDS and len(first.text) <= TITLE_MAX_CHARS
        and (first.text[:1].isupper() or first.text[:1].isdigit())
        and not ends_like_prose(first.text)
    )  # fmt: skip


# A title line is at most this many words (and base.TITLE_MAX_CHARS); news headlines run to ~15 words,
# Wikipedia titles far fewer.
_TITLE_MAX_WORDS = 20


def _paragraphs(run: list[tuple[int, str]], lines: LineMap) -> list[Block]:
    """Blocks of one blank-line-delimited run of lines."""
    if not run:
        return []
    if len(run) == 2 and _UNDERLINE.match(run[1][1]) and not _BULLET.match(run[0][1]):
        made = block("heading", run[0][1], lines, run[0][0], run[1][0], level=1 if "=" in run[1][1] else 2)
        return [made] if made else []
    wrapped = _is_wrapped([value for _, value in run if not _BULLET.match(value)])
    found: list[Block] = []
    pieces: list[tuple[int, str]] = []

    def flush(kind: str = "paragraph") -> None:
        if pieces:
            made = block(kind, " ".join(v.strip() for _, v in pieces), lines, pieces[0][0], pieces[-1][0])
            if made:
                found.append(made if kind != "list_item" else _as_item(made))
            pieces.clear()

    item = False  # is the block being gathered a list item?
    for number, value in run:
        if _BULLET.match(value):
            flush("list_item" if item else "paragraph")
            item = True
        elif pieces and not _continues(pieces[-1][1], value, wrapped, item):
            flush("list_item" if item else "paragraph")
            item = False
        pieces.append((number, value))
    flush("list_item" if item else "paragraph")
    return found


def _continues(previous: str, value: str, wrapped: bool, item: bool) -> bool:
    """Does `value` continue the block whose last line is `previous`?"""
    if item:
        return value.startswith((" ", "\t")) or wrapped
    if wrapped:
        return True
    # One paragraph a line, but a line broken mid-sentence ("... said that" / "the rest") is rejoined.
    return not _ends_sentence(previous) and value.lstrip()[:1].islower()


def _as_item(made: Block) -> Block:
    return replace(made, text=_BULLET.sub("", made.text, count=1))


def _ends_sentence(value: str) -> bool:
    return bool(_SENTENCE_END.search(value.rstrip()))


def _is_wrapped(values: list[str]) -> bool:
    """Hard-wrapped: several lines, none very long, all but the last close to the widest."""
    if len(values) < 2:
        return False
    widths = [len(v.rstrip()) for v in values]
    widest = max(widths)
    if widest > _WRAP_WIDTH or widest < _WRAP_MIN_WIDTH:
        return False
    return all(width >= _WRAP_SIMILARITY * widest for width in widths[:-1])
