"""Cuts a document's blocks into passages sized for the embedding model, and marks their units.

all-MiniLM-L6-v2 truncates at 256 word pieces; English runs ~1.3 pieces a word, so a passage holds
at most 120 words. A passage stays inside one section (its heading path) and never splits a table
row, a list item or a code block; only a block longer than a whole passage is cut (prose at sentence
boundaries with one sentence of overlap, code at line boundaries). A passage that continues a table
starts with the table's header row again.
"""

from __future__ import annotations

import bisect
import math
import re
from dataclasses import dataclass, replace

from retrieval.config import ChunkingParams
from retrieval.models import Block, Passage, Unit
from retrieval.text.datelines import is_dated_heading, is_dateline
from retrieval.text.sentences import Glue, repeated_names, split_sentences

_UNIT_MAX_WORDS = 60  # a list item or definition longer than this is quoted sentence by sentence
_CODE_LEAD_WORDS = 40  # a longer sentence before a code block is prose of its own, not its lead-in
_CODE_SHORT_LINES = 8  # a code block this short is quoted whole
_CODE_UNIT_LINES = 12  # pieces of a longer one are at most this long


def chunk_document(
    source: str, blocks: list[Block], params: ChunkingParams, scraped: bool = False
) -> list[Passage]:
    """Passages in document order with ids `<source>#<n>` (n from 1).

    `scraped`: the text may have blocks glued together by a scraper (plain .txt), so sentences are
    also cut at "wordWord" joins, except the joins the document repeats, which are names (see
    sentences.split_sentences, `Glue`).
    """
    glued = Glue(repeated_names(b.text for b in blocks)) if scraped else None
    groups: list[tuple[tuple[str, ...], str | None, list[Block], int]] = []
    code: dict[int, _Code] = {}  # id of a code block or piece -> the block it is of
    introduced: set[int] = set()  # ids of code blocks (first pieces of long ones) kept with the block before
    tabbed = _tab_set_leads(blocks, glued)  # id of a tab's code block -> the tab set's lead-in
    leads: dict[int, str] = {}  # id of a tab's code block's first piece -> that lead-in
    for headings, anchor, section, dating in _sections(blocks):
        pieces: list[Block] = []
        for position, item in enumerate(section):
            fitted = _fit(item, params, glued)
            if item.kind == "code" and position and _instructs(section[position - 1], glued):
                introduced.add(id(fitted[0]))
            if item.kind == "code":
                owner = _Code(id(item), _top_indent(item.text.split("\n")))
                code.update((id(piece), owner) for piece in fitted)
                if id(item) in tabbed:
                    leads[id(fitted[0])] = tabbed[id(item)]
            pieces.extend(fitted)
        dated = section[:dating]
        for place, group in enumerate(_group(pieces, params.max_words, introduced)):
            if dated and place:  # each passage of a long release says which release it is of
                group = [
                    replace(b, line_start=None, line_end=None, start=None, end=None) for b in dated
                ] + group
            groups.append((headings, anchor, group, len(dated)))
    built = [
        _passage(source, ordinal, headings, group, glued, anchor, code, dated, leads)
        for ordinal, (headings, anchor, group, dated) in enumerate(groups, 1)
    ]
    return _number_parts(built)


@dataclass(frozen=True)
class _Code:
    """What a code block (or a piece of a long one) belongs to. A long block's lead-in sentence is not
    repeated in the passages its later pieces start: it is said once, where the block starts, so that
    search and the composer count it once (repeating it lifted a script's pieces over better answers);
    a composer quoting a later piece alone says where the whole block is instead."""

    block: int  # id() of the whole code block
    indent: int  # the whole block's top-level indent, so that each piece is cut into units alike


# A lead-in that shows what something looks like ("the new log format looks like this:", "An example of the
# output is:") presents the code under it as a sample, to be read where it falls; one that says what to do
# ("To release the UI packages, run the release script:") is what a "how do I ...?" is answered with, so a
# long block's first piece is kept with it.
_SAMPLE_LEAD = re.compile(r"\blooks? like (?:this|so)\b|\b(?:an |a )?examples? of\b|\bsamples? of\b", re.I)


def _instructs(before: Block, glued: Glue | None) -> bool:
    """The block `before` a code block ends with a lead-in that introduces it as something to do (to run,
    to write), not as a sample of what something looks like."""
    lead = _lead(before, glued, any_sentence=True)
    return bool(lead) and not _SAMPLE_LEAD.search(lead)


def _sections(blocks: list[Block]) -> list[tuple[tuple[str, ...], str | None, list[Block], int]]:
    """Runs of content blocks under the same heading path; headings themselves become the path.

    Each run also carries its anchor: that of the innermost heading of the path that has one. A dated
    heading (retrieval/text/datelines.py) and the headings below it are also the first lines of each run
    under it, and a heading over a release line (_is_release_line) the first line of its run; each run
    carries how many of its first blocks are those lines dating it (0 for most)."""
    sections: list[tuple[tuple[str, ...], str | None, list[Block], int]] = []
    stack: list[Block] = []
    current: list[Block] = []
    dating = 0  # of the current run's first blocks, how many date it

    def close() -> None:
        anchor = next((h.anchor for h in reversed(stack) if h.anchor), None)
        sections.append((tuple(h.text for h in stack), anchor, current, dating))

    for item in blocks:
        ended = next((n for n, heading in enumerate(stack) if _scope_ended(heading, item)), None)
        if ended is not None:  # past a `<details>` block: its summary and the headings inside it end
            if current:
                close()
                current, dating = [], 0
            del stack[ended:]
        if item.kind == "heading":
            if current:
                close()
                current, dating = [], 0
            while stack and stack[-1].level >= item.level:
                stack.pop()
            stack.append(item)
            continue
        dated = next((i for i in range(len(stack) - 1, -1, -1) if is_dated_heading(stack[i].text)), None)
        if not current and (dated is not None or (stack and _is_release_line(item))):
            # Its date is what "when was 2.4.0 released?" asks, and a heading is never quoted: each run
            # of text under a dated heading opens with it and the headings below it, as lines ("[2.3.0] -
            # 2024-10-02", "Removed": what a change under it is); a version heading opens its run over
            # its "Released 2021-05-11" line.
            opening = stack[dated:] if dated is not None else stack[-1:]
            current.extend(replace(h, kind="paragraph", level=0, anchor=None) for h in opening)
            dating = len(opening) + (dated is None)  # the version heading and its release line
        current.append(item)
    if current:
        close()
    return sections


def _scope_ended(heading: Block, item: Block) -> bool:
    """Does `item` come after the container `heading` leads (its `scope_end`: a `<details>` block's
    summary heads the details, not the rest of the section; blind trial 54's Starlette GZip arguments had
    been filed under "Buffer on streaming responses", a closed note above them)."""
    return (
        heading.scope_end is not None and item.line_start is not None and item.line_start > heading.scope_end
    )


_DATED_LINE_WORDS = 5  # "Released 2021-05-11", "Release date: March 12, 2024"; longer is a sentence
# A release's date line under its version heading, said to be one ("Released on 2022-03-30"). Not "Last
# updated: ..." over a page, which dates no change, nor a date alone under a title: a news story's
# dateline (retrieval/text/datelines.py) leads only the title it dates, not every sentence of the story.
_RELEASE_LINE = re.compile(r"^\W*(released?\b|release date\b)", re.IGNORECASE)
_UNRELEASED = re.compile(r"^\W*unreleased\W*$", re.IGNORECASE)  # a release to come, as changelogs say it


def _is_release_line(item: Block) -> bool:
    """A short paragraph dating a release: "Released 2021-05-11", "Release date: March 12, 2024", or
    saying it is not out yet: "Unreleased"."""
    text = item.text.strip()
    if item.kind != "paragraph" or "\n" in text or _words(text) > _DATED_LINE_WORDS:
        return False
    return bool(_UNRELEASED.match(text)) or (bool(_RELEASE_LINE.search(text)) and is_dated_heading(text))


def _words(text: str) -> int:
    return len(text.split())


# The model reads 256 word pieces, title and heading path included; English prose is ~1.3 pieces a
# word, so 120 words fit, but code and tables of paths and hashes are 2-5 pieces a word ("ECDHE-ECDSA-
# AES256-GCM-SHA384" is 16), and text past the limit is never seen by the embedding. The size of a code
# block or table row is therefore the larger of its words and its estimated pieces scaled to words (at
# most 200 pieces in a 120-word passage). Prose is sized by words alone: cutting scientific prose by its
# pieces (numbers, units, symbols) made smaller passages that SciFact retrieved worse (nDCG@10 0.7174
# against 0.7305). Estimated, not counted with the model's tokenizer, so that chunking stays the
# same whatever model embeds it: a run of letters/digits costs one piece per 6 characters, each
# punctuation mark one (median estimate/real 1.03-1.06 on two documentation corpora, 1.19 on news).
_WORDS_PER_PIECE = 120 / 200
# One match per estimated piece: a run of word characters counts one per 6 (\w{1,6} matches a run of n
# characters ceil(n / 6) times), each punctuation mark one. Counted by findall in C: a per-match Python
# loop took 2 minutes of a 20 MB log's build.
_PIECE = re.compile(r"\w{1,6}|[^\w\s]")


_PIECE_SIZED = ("code", "table_row", "table_header")


def _size(text: str, kind: str) -> int:
    """Size of a block's text in words; for code and tables, in word pieces scaled to words when those
    are more."""
    if kind not in _PIECE_SIZED:
        return _words(text)
    pieces = len(_PIECE.findall(text))
    return max(_words(text), math.ceil(pieces * _WORDS_PER_PIECE))


def _fit(item: Block, params: ChunkingParams, glued: Glue | None) -> list[Block]:
    """The block, or pieces of it when it alone is longer than a passage."""
    if _size(item.text, item.kind) <= params.max_words:
        return [item]
    if item.kind == "code":
        return _code_pieces(item, params.max_words)
    return _prose_pieces(item, params, glued)


def _code_pieces(item: Block, max_words: int) -> list[Block]:
    """A code block longer than a passage, cut between lines where a reader would: after a blank line,
    else before a top-level line (a new statement, command or key), else, in a run of indented lines
    longer than a passage, before the line that does not fit. Blank lines at a cut belong to no piece."""
    lines = item.text.split("\n")
    base = min((len(line) - len(line.lstrip()) for line in lines if line.strip()), default=0)
    pieces: list[Block] = []
    first = 0
    while first < len(lines):
        while first < len(lines) and not lines[first].strip():
            first += 1
        if first >= len(lines):
            break
        end = first + 1  # lines[first:end] fit
        while end < len(lines) and _size("\n".join(lines[first : end + 1]), "code") <= max_words:
            end += 1
        if end < len(lines):
            end = _code_cut(lines, first, end, base)
        last = end
        while last > first + 1 and not lines[last - 1].strip():
            last -= 1
        pieces.append(_slice(item, "\n".join(lines[first:last]), first, last - 1, len(lines)))
        first = end
    return pieces


def _code_cut(lines: list[str], first: int, end: int, base: int) -> int:
    """Where to end a piece of lines[first:end] (all of which fit): after the last blank line, else before
    the last top-level line, else before the shallowest line opening a statement, looked for in the
    piece's second half and then in all of it; else before the last line that opens a statement; else after
    the last line that does not go on in the next (a trailing backslash or comma); else at `end`."""
    floor = min((_indent(line) for line in lines[first:end] if line.strip()), default=0)
    tests = (
        lambda i: not lines[i - 1].strip() and lines[i].strip(),
        lambda i: lines[i].strip() and _indent(lines[i]) <= base and _opens(lines, i),
        # the shallowest line of the piece opening a statement or a comment, not inside a comment
        lambda i: lines[i].strip() and _indent(lines[i]) <= floor and _opens(lines, i)
        and not _comment(lines[i - 1]),
    )  # fmt: skip
    for lowest in (first + (end - first) // 2, first):
        for test in tests:
            for index in range(end, lowest, -1):
                if test(index):
                    return index
    for index in range(end, first, -1):
        if _opens(lines, index):
            return index
    for index in range(end, first, -1):
        if not _continued(lines[index - 1]):
            return index
    return end


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _continued(line: str) -> bool:
    """A line that goes on in the next one (a trailing backslash, comma or open bracket)."""
    return line.rstrip().endswith(("\\", ",", "(", "[", "{", "|", "&&"))


# A line that closes what the lines before it opened ("}", "fi", "done", "end") ends their statement.
_CLOSER = re.compile(r"^\s*(?:[}\])]|(?:fi|done|esac|end|endif|endfor|endwhile|until)\b)")


def _closes(line: str) -> bool:
    return bool(_CLOSER.match(line))


def _opens(lines: list[str], index: int) -> bool:
    """lines[index] starts a statement: the line before does not go on into it, and it closes nothing."""
    return not _continued(lines[index - 1]) and not _closes(lines[index])


def _comment(line: str) -> bool:
    return line.lstrip().startswith(("#", "//", "--", ";", "/*", "*"))


def _prose_pieces(item: Block, params: ChunkingParams, glued: Glue | None) -> list[Block]:
    spans = split_sentences(item.text, glued, item.code_spans)
    pieces: list[Block] = []
    current: list[tuple[int, int]] = []
    for span in spans:
        words = sum(_words(item.text[s:e]) for s, e in current)
        if current and words + _words(item.text[span[0] : span[1]]) > params.max_words:
            pieces.append(_prose_slice(item, current))
            overlap = current[-params.overlap_sentences :] if params.overlap_sentences else []
            fits = sum(_words(item.text[s:e]) for s, e in overlap) + _words(item.text[span[0] : span[1]])
            current = list(overlap) if fits <= params.max_words else []
        current.append(span)
    if current:
        pieces.append(_prose_slice(item, current))
    return [piece for chunk in pieces for piece in _hard_cut(chunk, params.max_words)]


def _prose_slice(item: Block, spans: list[tuple[int, int]]) -> Block:
    start, end = spans[0][0], spans[-1][1]
    lines = _line_span(item, start, end, len(item.text))
    breaks = tuple(b - start for b in item.line_breaks if start < b < end)
    return replace(
        item, text=item.text[start:end], line_start=lines[0], line_end=lines[1], line_breaks=breaks
    )


def _hard_cut(item: Block, max_words: int) -> list[Block]:
    """A 'sentence' longer than a passage (scraped text without full stops) is cut between words."""
    words = item.text.split()
    if len(words) <= max_words:
        return [item]
    return [
        replace(item, text=" ".join(words[i : i + max_words]), line_breaks=())
        for i in range(0, len(words), max_words)
    ]


def _slice(item: Block, text: str, first: int, last: int, total: int) -> Block:
    if item.line_start is None:
        return replace(item, text=text)
    return replace(item, text=text, line_start=item.line_start + first, line_end=item.line_start + last)


def _line_span(item: Block, start: int, end: int, length: int) -> tuple[int | None, int | None]:
    """Source lines of characters start..end of a block's text: exact where the reader said where each
    line begins (`Block.line_breaks`), and for one-line blocks and code; else in proportion to the
    block's lines (for a soft-wrapped paragraph, the right line or its neighbour).
    """
    if item.line_start is None or item.line_end is None or item.line_end == item.line_start or length == 0:
        return item.line_start, item.line_end
    if len(item.line_breaks) == item.line_end - item.line_start:
        first = item.line_start + bisect.bisect_right(item.line_breaks, start)
        return first, max(first, item.line_start + bisect.bisect_right(item.line_breaks, max(start, end - 1)))
    span = item.line_end - item.line_start + 1
    first = item.line_start + min(span - 1, start * span // length)
    last = item.line_start + min(span - 1, max(0, end - 1) * span // length)
    return first, last


def _group(pieces: list[Block], max_words: int, introduced: set[int] | None = None) -> list[list[Block]]:
    """Consecutive blocks packed into passages of at most max_words; a table header is repeated, and goes
    with its first row when that row starts a passage. A code
    block, or the first piece of a long one (an id in `introduced`), takes the block before it, its lead-in,
    along into a new passage when it does not fit after it: the lead-in is said once, in the passage where
    code starts ("...set the second parameter to true:" had ended one passage, its example opened the next).
    """
    introduced = introduced or set()
    groups: list[list[Block]] = []
    current: list[Block] = []
    words = 0
    headers: dict[int, Block] = {}
    for item in pieces:
        if item.kind == "table_header":
            headers[item.group] = item
        size = _size(item.text, item.kind)
        limit = max_words // 2 if item.kind == "table_row" else max_words  # a row's own vector finds it
        if current and (words + size > limit or _page_break(current[-1], item)):
            carried = current[-1] if id(item) in introduced and not _page_break(current[-1], item) else None
            if carried is not None and _size(carried.text, carried.kind) + size <= max_words:
                current.pop()
            else:
                carried = None
            ends_with_header = (
                current and current[-1].kind == "table_header" and current[-1].group == item.group
            )
            if item.kind == "table_row" and ends_with_header:
                current.pop()  # a header ending a passage heads no row there: it opens the next with its rows
            if current:
                groups.append(current)
            current, words = [], 0
            if carried is not None:
                current, words = [carried], _size(carried.text, carried.kind)
            header = headers.get(item.group) if item.kind == "table_row" else None
            if header is not None and _size(header.text, header.kind) + size <= max_words:
                current, words = [header], _size(header.text, header.kind)
        current.append(item)
        words += size
    if current:
        groups.append(current)
    return [group for group in groups if any(b.kind != "table_header" for b in group)]


def _page_break(previous: Block, item: Block) -> bool:
    """A passage's blocks share a page, so a citation names one page (a sentence may run onto the next)."""
    if previous.page_start is None or item.page_start is None:
        return False
    return item.page_start != (previous.page_end or previous.page_start)


def _passage(
    source: str,
    ordinal: int,
    headings: tuple[str, ...],
    group: list[Block],
    glued: Glue | None,
    anchor: str | None,
    code: dict[int, _Code] | None = None,
    dated: int = 0,
    leads: dict[int, str] | None = None,
) -> tuple[Passage, list[int | None]]:
    """The passage of `group` (`anchor`: its section's innermost heading anchor), and for each of its
    units the code block it quotes (an id), else None. `dated`: how many of the group's first blocks
    are the lines dating its section (_sections): together they lead every unit after them, and each
    of them is led by those above it ("Version 2.4.0" over "Released 2023-10-16"). `leads`: the lead-in
    of a tab's code block (its first piece's id: _tab_set_leads), said in another section."""
    texts: list[str] = []
    units: list[Unit] = []
    blocks: list[int | None] = []
    cursor = 0
    previous: Block | None = None
    for position, item in enumerate(group):
        above = "\n".join(texts[: min(position, dated)])  # the dating lines before this block
        texts.append(item.text)
        owner = (code or {}).get(id(item))
        made = _units(
            item, cursor, previous, group, glued, owner.indent if owner else None, head=ordinal == 1
        )
        if above:
            made = [u if u.lead or u.kind == "table_row" else replace(u, lead=above) for u in made]
        if leads and id(item) in leads:
            made = [u if u.lead else replace(u, lead=leads[id(item)]) for u in made]
        units.extend(made)
        blocks.extend([owner.block if owner and item.kind == "code" else None] * len(made))
        cursor += len(item.text) + 1
        previous = item
    numbers = [n for b in group for n in (b.line_start, b.line_end) if n is not None]
    pages = [p for b in group for p in (b.page_start, b.page_end) if p is not None]
    starts = [b.start for b in group if b.start is not None]
    ends = [b.end for b in group if b.end is not None]
    passage = Passage(
        id=f"{source}#{ordinal}",
        source=source,
        ordinal=ordinal,
        text="\n".join(texts),
        line_start=min(numbers) if numbers else None,
        line_end=max(numbers) if numbers else None,
        page=min(pages) if pages else None,
        start=min(starts) if starts else None,
        end=max(ends) if ends else None,
        page_end=max(pages) if pages and max(pages) != min(pages) else None,
        headings=headings,
        units=tuple(units),
        code_spans=tuple(dict.fromkeys(span for b in group for span in b.code_spans)),
        anchor=anchor,
    )
    return passage, blocks


def _number_parts(built: list[tuple[Passage, list[int | None]]]) -> list[Passage]:
    """The passages, each code unit of a block quoted in several units numbered `part` of `parts`, with
    how many passages back the block's first unit is (`first`)."""
    places: dict[int, list[tuple[int, int]]] = {}  # block -> (passage index, unit index), in order
    for index, (_, blocks) in enumerate(built):
        for position, block in enumerate(blocks):
            if block is not None:
                places.setdefault(block, []).append((index, position))
    units = [list(passage.units) for passage, _ in built]
    for found in places.values():
        if len(found) < 2:
            continue
        start = found[0][0]
        for part, (index, position) in enumerate(found, 1):
            units[index][position] = replace(
                units[index][position], part=part, parts=len(found), first=index - start
            )
    return [replace(passage, units=tuple(own)) for (passage, _), own in zip(built, units, strict=True)]


def _units(
    item: Block,
    offset: int,
    previous: Block | None,
    group: list[Block],
    glued: Glue | None,
    indent: int | None = None,
    head: bool = False,
) -> list[Unit]:
    """The quotable units of one block, at `offset` in the passage text (`indent`: a code piece's whole
    block's top-level indent; `head`: the block is in the document's first passage)."""
    pages = (item.page_start, item.page_end or item.page_start)
    if item.kind == "table_header":
        return []
    if item.kind == "table_row":
        header = next((b.text for b in group if b.kind == "table_header" and b.group == item.group), "")
        return [
            Unit("table_row", offset, offset + len(item.text), item.line_start, item.line_end, *pages, header)
        ]
    if item.kind == "code":
        lead = _lead(previous, glued, any_sentence=True)
        if previous is not None and _is_label(previous):
            lead = _lead_over_labels(item, group, glued) or lead
        return _code_units(item, offset, lead, pages, indent)
    if item.kind in ("list_item", "definition") and _words(item.text) <= _UNIT_MAX_WORDS:
        if item.kind == "list_item":
            lead = _list_lead(item, group, glued)
        else:
            lead = _subject_lead(item, group, glued) if _states_bare_value(item.text) else ""
        return [
            Unit(item.kind, offset, offset + len(item.text), item.line_start, item.line_end, *pages, lead)
        ]
    units = []
    spans = split_sentences(item.text, glued, item.code_spans)
    for index, (start, end) in enumerate(spans):
        lines = _line_span(item, start, end, len(item.text))
        lead = ""
        if _states_bare_value(item.text[start:end]):  # its paragraph's first sentence, or the one before it
            lead = item.text[spans[0][0] : spans[0][1]] if index else _subject_lead(item, group, glued)
        elif head and is_dateline(item.text[start:end]):  # the title line just before it
            lead = item.text[spans[index - 1][0] : spans[index - 1][1]] if index else _title_before(previous)
        units.append(Unit("sentence", offset + start, offset + end, *lines, *pages, lead))
    return units


# "Default is 1073741824 (1GB)." or "Default: proxy.timeout.keepalive: 2000" says a value but not of
# what: the sentence that opens its paragraph (a directive's description) says that. Such a unit is
# matched and shown with that sentence as its lead. Bare: at most this many words, shaped as a label
# ("Default: 2000", "Range: 1-100") or a default or a pronoun ("Defaults to 30s.", "It is 5 by
# default."), and holding a value; a dateline ("July 22, 2019") is none.
_BARE_VALUE_WORDS = 6
_BARE_SHAPE = re.compile(
    r"^(?:[A-Za-z][\w -]{0,24}:\s*\S|(?:the )?defaults?\b|(?:it|this|that)\b)", re.IGNORECASE
)
_VALUE = re.compile(r"\d|\b(true|false|on|off|yes|no|none|null|enabled?|disabled?)\b|[`\"']", re.IGNORECASE)


def _states_bare_value(text: str) -> bool:
    """A short unit giving a value without saying of what (see _BARE_SHAPE)."""
    return _words(text) <= _BARE_VALUE_WORDS and bool(_BARE_SHAPE.search(text)) and bool(_VALUE.search(text))


# A dateline at the head of a document (retrieval/text/datelines.py) dates what the line before it, the
# title, announces: "when was the partnership announced?" is answered by it though it shares no word
# with the question. Such a unit is matched and shown with that line as its lead.
_TITLE_WORDS = 30  # a longer line before the date is prose, not a title


def _title_before(previous: Block | None) -> str:
    """The title a dateline opening its block dates: the block before it when that is one short line."""
    if previous is None or previous.kind not in ("paragraph", "heading") or "\n" in previous.text.strip():
        return ""
    return previous.text.strip() if _words(previous.text) <= _TITLE_WORDS else ""


def _subject_lead(item: Block, group: list[Block], glued: Glue | None) -> str:
    """For a bare value (see _states_bare_value) opening its block: the first sentence of the run of prose blocks before it
    (a directive's description may be several paragraphs; its first sentence says what it sets)."""
    position = next(i for i, b in enumerate(group) if b is item)
    first = None
    while position > 0 and group[position - 1].kind in ("paragraph", "definition"):
        position -= 1
        first = group[position]
    if first is None:
        return ""
    spans = split_sentences(first.text, glued, first.code_spans)
    return first.text[spans[0][0] : spans[0][1]] if spans else ""


def _code_units(item: Block, offset: int, lead: str, pages: tuple, indent: int | None = None) -> list[Unit]:
    """A short code block is one unit; a long one is cut where its top-level lines start (each option
    of a help text, each key of a config file), in pieces of at most _CODE_UNIT_LINES lines. `indent`:
    the top-level indent when the block is a piece of a longer one (else its own)."""
    lines = item.text.split("\n")
    pieces = [lines] if len(lines) <= _CODE_SHORT_LINES else _code_pieces_by_indent(lines, indent)
    units: list[Unit] = []
    position = 0
    line_index = 0
    for piece in pieces:
        chunk = "\n".join(piece)
        quoted = chunk.rstrip()  # a blank line between pieces belongs to neither
        start = offset + position
        line_start = item.line_start + line_index if item.line_start is not None else None
        line_end = line_start + len(piece) - 1 if line_start is not None else None
        if quoted.strip():
            line_end = line_start + quoted.count("\n") if line_start is not None else None
            units.append(Unit("code", start, start + len(quoted), line_start, line_end, *pages, lead))
        position += len(chunk) + 1
        line_index += len(piece)
    return units


def _top_indent(lines: list[str]) -> int:
    """The indent of a code block's top-level lines: the least, or the next when only one line (a header
    such as "Options:" over the entries) has the least."""
    indents = [len(line) - len(line.lstrip()) for line in lines if line.strip()]
    levels = sorted(set(indents))
    base = levels[0] if levels else 0
    if len(levels) > 1 and indents.count(base) == 1:
        base = levels[1]
    return base


def _code_pieces_by_indent(lines: list[str], base: int | None = None) -> list[list[str]]:
    """A long block's units: a piece starts at each top-level line (a statement, a key) and at each
    option of a help listing however indented ("  -p, --port int ..." and "      --pprof ..." align
    their long names), except a line that a run of comment lines right above it describes ("# Minimum
    acceptable TLS version. ..." over "[ min_version: <string> ]" in a configuration reference: those
    comments and it are one piece) and a line of a directory tree ("├── public/"), which goes on its tree."""
    base = _top_indent(lines) if base is None else base
    transcript = _is_transcript(lines)
    pieces: list[list[str]] = [[]]
    for index, line in enumerate(lines):
        top_level = line.strip() and len(line) - len(line.lstrip()) <= base and not _closes(line)
        entry = (top_level or _OPTION_LINE.match(line)) and not (index and _continued(lines[index - 1]))
        described = pieces[-1] and all(_unit_comment(p) for p in pieces[-1])
        starts = entry and not described and not _TREE_LINE.match(line)
        if transcript:  # at each command, and at each option of a help text it prints
            starts = bool(_PROMPT.match(line) or _OPTION_LINE.match(line)) and not (
                index and _continued(lines[index - 1])
            )
        if pieces[-1] and (starts or len(pieces[-1]) >= _CODE_UNIT_LINES):
            pieces.append([])
        pieces[-1].append(line)
    return pieces


# A console or REPL transcript: prompted commands ("$ restic init", ">>> import x") with what they print.
# Each command with its output is one unit, but for each option of a help text it prints (h2o's
# "--max-workers=nnn ... (default: unlimited)"); cut at every top-level line, each line of output had been
# a unit of its own (blind trials 52 and 56: restic's "enter password for repository:" as an answer unit).
_PROMPT = re.compile(r"^\s*(?:\$|>>>)(?:\s|$)")


def _is_transcript(lines: list[str]) -> bool:
    """Prompted lines with other lines (their output) among them, the first text line a prompt."""
    text = [line for line in lines if line.strip()]
    prompted = [bool(_PROMPT.match(line)) for line in text]
    return bool(text) and prompted[0] and not all(prompted)


_OPTION_LINE = re.compile(r"^\s*--?[A-Za-z]")  # "  -p, --port int", "      --pprof": an option's entry
_TREE_LINE = re.compile(r"^[\s│├└┬┴┼─|`]*[│├└]")  # "├── public/", "│   └── hugo.toml": a tree's branch


def _unit_comment(line: str) -> bool:
    """A comment line ("# ...", "// ...", "; ...", "-- ..."), not a blank line, a shebang or a "--flag" line."""
    text = line.lstrip()
    return (_comment(text) and not text.startswith(("#!", "--", "*"))) or text.startswith("-- ")


# A tab's label ("Bash", "Fish", "Windows", "conda") read as a paragraph of its own: one short line
# without a sentence's ending. Tabbed commands (sphinx-tabs, sphinx-design, Docsy) stand under such
# labels, one tab after the other, below the one lead-in that says what they all do ("For example, to set
# the port for the run command, instead of flask run --port 8000:").
_LABEL_WORDS = 3


def _is_label(block: Block) -> bool:
    """A short one-line paragraph naming a variant (see _LABEL_WORDS), not a sentence."""
    text = block.text.strip()
    return (
        block.kind == "paragraph"
        and "\n" not in text
        and 0 < _words(text) <= _LABEL_WORDS
        and not text.endswith((".", ":", "!", "?", ";", ","))
    )


def _lead_over_labels(item: Block, group: list[Block], glued: Glue | None) -> str:
    """For a code block under a label: the lead-in before the run of labels and code blocks it belongs
    to (the tabs before it), else ""."""
    position = next(i for i, b in enumerate(group) if b is item)
    while position > 0 and (group[position - 1].kind == "code" or _is_label(group[position - 1])):
        position -= 1
    return _lead(group[position - 1], glued, any_sentence=True) if position > 0 else ""


# A lead heading (level 7, below every real heading) is what the Markdown and HTML readers make of a
# content tab's label (MkDocs `=== "docker run"`, sphinx-tabs' built labels): each tab is then a section
# of its own, and the sentence introducing the whole tab set ("Example using a custom report template:")
# ends the section before, where no command follows it.
_LEAD_HEADING = 7


def _tab_set_leads(blocks: list[Block], glued: Glue | None) -> dict[int, str]:
    """For the code blocks of a tab set read as lead headings, each followed by code (two tabs at least):
    id of each code block -> the lead-in sentence before the set (`_lead`), where there is one."""
    leads: dict[int, str] = {}
    start = 0
    while start < len(blocks):
        end, tabs = start, []
        while (
            end + 1 < len(blocks)
            and blocks[end].kind == "heading"
            and blocks[end].level >= _LEAD_HEADING
            and blocks[end + 1].kind == "code"
        ):
            tabs.append(blocks[end + 1])
            end += 2
        if len(tabs) >= 2 and start > 0:
            lead = _lead(blocks[start - 1], glued, any_sentence=True)
            if lead:
                leads.update((id(tab), lead) for tab in tabs)
        start = max(end, start + 1)
    return leads


def _list_lead(item: Block, group: list[Block], glued: Glue | None) -> str:
    """The sentence introducing the list an item belongs to, shared by all its items."""
    position = next(i for i, b in enumerate(group) if b is item)
    while position > 0 and group[position - 1].kind == "list_item":  # items before it, nested ones too
        position -= 1
    return _lead(group[position - 1] if position > 0 else None, glued)


def _lead(previous: Block | None, glued: Glue | None, any_sentence: bool = False) -> str:
    """The sentence that introduces a command or a list: the last one of the paragraph before.

    A list is introduced only by a sentence ending in ':'; a code block by the sentence right before it
    whatever its ending ("... you can use promtool." then the command), when that sentence is short.
    """
    if previous is None or previous.kind not in ("paragraph", "quote", "list_item"):
        return ""
    spans = split_sentences(previous.text, glued, previous.code_spans)
    last = previous.text[spans[-1][0] : spans[-1][1]] if spans else ""
    if last.rstrip().endswith(":"):
        return last
    return last if any_sentence and previous.kind != "list_item" and _words(last) <= _CODE_LEAD_WORDS else ""
