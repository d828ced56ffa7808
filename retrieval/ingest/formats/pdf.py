"""PDF into blocks with pypdf: ligatures expanded, hyphenation rejoined, lines joined into paragraphs,
running headers, footers and page numbers dropped, a sentence across a page break kept whole; tables as
rows with their header, filled form fields as definitions, footnotes at the end of their page, contents
pages, back-of-book index pages and a cover page's lines dropped; monospace runs as code blocks with
their indentation, a definition's term opening its description, LaTeX chapter openers as one heading.

pypdf gives a page's text as lines with no paragraph structure; the joining rules below are the usual
layout heuristics (a paragraph ends at a blank line or at a short line that ends a sentence). The page's
parts each have their module: pdf_text (lines with font sizes, fonts and positions), pdf_spacing (word
gaps drawn as moves), pdf_running (running heads and page numbers), pdf_headings (headings and the title
by size), pdf_chapters (chapter openers), pdf_notes (footnotes, contents and index pages), pdf_tables
(tables from pypdf's layout mode), pdf_forms (AcroForm values).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass

from retrieval.ingest.formats.base import Parsed, block
from retrieval.ingest.formats.pdf_chapters import chapter_opener, folded, outline_titles
from retrieval.ingest.formats.pdf_forms import FormValue, form_values
from retrieval.ingest.formats.pdf_headings import (
    HEADING_LEVELS,
    HEADING_LINES,
    HEADING_RATIO,
    body_size,
    first_page_title,
    heading_levels,
    heading_shaped,
    is_placeholder_title,
    numbered_depth,
)
from retrieval.ingest.formats.pdf_layout import (
    figure_note,
    footnotes_by_column,
    full_line,
    two_columns,
    without_figure_text,
)
from retrieval.ingest.formats.pdf_notes import (
    Footnote,
    is_contents_line,
    is_contents_page,
    is_index_page,
    separate_footnotes,
)
from retrieval.ingest.formats.pdf_running import drop_running
from retrieval.ingest.formats.pdf_tables import BULLET_GLYPHS, Table, layout_tables, locate
from retrieval.ingest.formats.pdf_text import SIZE_SLACK, PageLine, page_lines
from retrieval.models import Block
from retrieval.text.normalize import compatibility_text

log = logging.getLogger(__name__)

_HYPHENATED = re.compile(r"([A-Za-z]{2,})-$")  # the word before the hyphen ending a line
_SPELLED = re.compile(r"[A-Za-z]+")  # a word as written, for `_joined`: "SpecifierSet" seen whole
_LETTER_HYPHEN = re.compile(r"([A-Za-z]+)-$")  # a line ending in a hyphenated word's first part
_BULLET = re.compile(rf"^\s*([{BULLET_GLYPHS}]|\d{{1,3}}[.)])\s+")
_BULLET_GLYPH = re.compile(rf"^\s*[{BULLET_GLYPHS}]\s+")
_SENTENCE_END = re.compile(r"[.!?:…\"”)]$")
_SHORT_LINE = 0.7  # a line narrower than this share of the page's widest line can end a paragraph


@dataclass
class _Line:
    text: str
    page: int
    table: Table | None = None  # a table stands here: its rows are blocks of their own
    hard_break: bool = False  # a paragraph ends here, even across a page break (a dropped contents page)
    size: float = 0.0  # the font size most of its characters are drawn at, in points (0: unknown)
    chapter: bool = False  # a chapter's title (pdf_chapters): a heading above every sized level
    code: bool = False  # drawn all in a monospace font (see `_mark_code`): a line of a code block
    term: bool = False  # one monospace word alone on its line: maybe a definition's term (`_is_term`)
    x: float = 0.0  # where its text starts across the page, in points
    cell: float = 0.0  # its monospace font's character width in points (0: unknown)


@dataclass
class _PageExtras:
    """What is read apart from a page's lines and placed after its text: footnotes, then form values."""

    footnotes: list[Footnote]
    fields: list[FormValue]


def parse(raw: bytes, source: str) -> Parsed:
    """Blocks of a PDF; title from its metadata, else the largest heading on its first page (read before
    running headers are dropped: a title repeated atop every page is one). Raises ValueError for an
    unreadable or image-only PDF."""
    from io import BytesIO

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(BytesIO(raw))
        read, figure_pages = without_figure_text([page_lines(page) for page in reader.pages])
        pages = [_with_tables(page, lines) for page, lines in zip(reader.pages, read, strict=True)]
        widths = [float(page.mediabox.width) for page in reader.pages]
        fields = _fields(reader)
        title = (reader.metadata.title if reader.metadata else None) or None
        titles = outline_titles(reader)
    except (PdfReadError, ValueError, KeyError, OSError, TypeError, AttributeError) as error:
        raise ValueError(f"unreadable PDF ({error.__class__.__name__})") from None
    if not any(line.text.strip() for page in read for line in page) and not fields:
        raise ValueError("PDF has no extractable text (scanned images need OCR first)")
    lines: list[_Line] = []
    extras: dict[int | None, _PageExtras] = {}
    cover = _is_cover(read)
    index_pages: list[int] = []
    columns = two_columns(read, widths)
    for number, page in enumerate(drop_running(pages), start=1):
        if number == 1 and cover:
            continue
        page, chapter = chapter_opener(page, titles)
        body, notes = footnotes_by_column(page, widths[number - 1]) if columns else separate_footnotes(page)
        if is_index_page([line.text for line in body]):
            index_pages.append(number)  # a back-of-book index: left out whole, and said so
            lines.append(_Line("", number, hard_break=True))
            continue
        lines.extend(_page_stream(body, number, chapter))
        extras[number] = _PageExtras(notes, [])
    for value in fields:
        extras.setdefault(value.page, _PageExtras([], [])).fields.append(value)
    # The widest line is measured as the page drew it (tables and contents entries included): it is the
    # yardstick for "a short line ends a paragraph", which should not change with what is read apart.
    widest = full_line(drop_running(read), columns)
    _mark_code(lines)
    sized = [(line.text, line.size) for line in lines if not line.table and not line.code]
    levels = heading_levels(sized)
    if any(line.chapter for line in lines):
        levels = {size: min(level + 1, HEADING_LEVELS) for size, level in levels.items()}
    blocks = _with_extras(_paragraphs(lines, widest, levels, frozenset(titles)), extras)
    title = str(title).strip() if title else ""
    if is_placeholder_title(title) and read:
        first_page = [(line.text, line.size) for line in read[0] if not line.table]
        title = first_page_title(first_page, body_size(sized)) or ""
    parsed = Parsed(blocks, title or None)
    if index_pages:
        parsed.notes.append(_index_note(index_pages))
    if figure_pages:
        parsed.notes.append(figure_note(figure_pages))
    return parsed


def _index_note(pages: list[int]) -> str:
    """What the build log says of the index pages left out: "back-of-book index left out (pages 157-163)"."""
    span = f"page {pages[0]}" if len(pages) == 1 else f"pages {pages[0]}-{pages[-1]}"
    return f"back-of-book index left out ({span}; its entries only point to pages)"


def _is_cover(read: list[list[PageLine]]) -> bool:
    """Is the first page of a document of three pages or more a cover: it opens at a heading's size over
    the body's (title, subtitle, author, date), holds no line of prose at the body's size, and draws a line
    at a size no later page uses? Small print under it (a footnote, an epigraph, a copyright line: METIS's
    manual, blind trial 47) and short lines at the body's size (an e-mail address) leave it a cover. Its
    lines are then no headings of the text (the title is read from it all the same)."""
    if len(read) < 3 or not read[0]:
        return False
    later = [(line.text, line.size) for page in read[1:] for line in page if not line.table]
    body = body_size(later)
    shown = [line for line in read[0] if line.text.strip() and not line.table]
    if not body or not shown:
        return False
    large = [line for line in shown if line.size >= HEADING_RATIO * body]
    prose = [
        line for line in shown
        if line.size < HEADING_RATIO * body and line.size >= body - SIZE_SLACK
        and len(line.text.split()) >= _COVER_PROSE_WORDS
    ]  # fmt: skip
    used_later = {size for _, size in later}
    return (
        bool(large)
        and shown[0] is large[0]
        and not prose
        and any(line.size not in used_later for line in large)
    )


_COVER_PROSE_WORDS = 6  # a line of this many words at the body's size is text, not a cover's address line


def _fields(reader) -> list[FormValue]:
    """The form's filled fields; none when the form cannot be read (the text still can)."""
    try:
        return form_values(reader)
    except Exception as error:  # noqa: BLE001 - a broken form must not cost the document its text
        log.warning("form fields unreadable (%s); indexing the text without them", error.__class__.__name__)
        return []


def _with_tables(page, lines: list[PageLine]) -> list[PageLine]:
    """The page's lines with the lines of each table found in layout mode replaced by one table line."""
    texts = [line.text for line in lines]
    placed = list(lines)
    for table in reversed(_tables(page, texts)):
        found = locate(table, texts)
        if found and all(line.mono for line in lines[found[0] : found[1] + 1] if line.text.strip()):
            continue  # code set in columns (a listing's "#include  <stdatomic.h>"): its lines stay code
        if found:
            first, last = found
            placed[first : last + 1] = [PageLine((), table)]
            texts[first : last + 1] = [""]
    return placed


# Text set letter by letter (LaTeX's listings package boxes each character of code on a fixed grid, about
# a tenth of an em apart): pypdf reads a space between every two ("pip install -U n e t w o r k 2 t i k z"),
# where pdftotext joins them. A run of four or more single letters or figures, each one space from the
# next, is one word when two of them are lower-case letters; operators break a run ("x = y + z" stays), and
# capitals alone are initials or names of options ("plans A B C D"), not a spaced-out word.
_SPACED_LETTERS = re.compile(r"(?<!\S)(?:[^\W_] ){3,}[^\W_](?!\S)")


def _letters_joined(text: str) -> str:
    """`text` with each run of spaced single letters or figures closed up ("n e t w o r k 2" -> "network2")."""

    def closed(match: re.Match) -> str:
        run = match.group(0)
        return run.replace(" ", "") if sum(ch.islower() for ch in run) >= 2 else run

    return _SPACED_LETTERS.sub(closed, text)


def _page_stream(body: list[PageLine], number: int, chapter: PageLine | None = None) -> list[_Line]:
    """A page's lines for the paragraph joiner; on a contents page its entries (and tables) are dropped."""
    texts = [line.text.rstrip() for line in body]
    contents = is_contents_page(texts)
    return [
        _Line("", number, hard_break=True)
        if contents and (line.table or is_contents_line(text))
        else _Line("", number, table=line.table)
        if line.table
        else _Line(
            _letters_joined(_accented(text)),
            number,
            size=line.size,
            chapter=line is chapter,
            code=line.mono,
            x=line.x,
            cell=line.cell,
        )
        for line, text in zip(body, texts, strict=True)
    ]


def _accented(text: str) -> str:
    """TeX draws an accent before its letter, so the text has it loose ("Yasuz ̄o", a space and a
    combining macron before "o"): the mark goes after its letter and the pair is composed ("Yasuzō").
    A tilde in a path or URL is no accent: TeX draws `\\~{}` as the same small tilde (NFKC: a space and a
    combining tilde), so one after a slash or before no letter reads "~" ("www.cs.umn.edu/~karypis", not
    "…/k̃arypis": blind trial 47)."""
    if "\u0303" in text:
        text = _PATH_TILDE.sub(lambda found: "~" if found.group("path") or not found.start() else " ~", text)
    if not _LOOSE_ACCENT.search(text):
        return text
    return unicodedata.normalize("NFC", _LOOSE_ACCENT.sub(r"\2\1", text))


# a combining mark after a space (or first) and before a letter; the space goes too (a word rarely starts
# with an accented letter in the Latin-script text TeX accents: "Yasuz ̄o" is one word)
_LOOSE_ACCENT = re.compile(r"(?:\s|^)([\u0300-\u036f])([^\W\d_])")
_PATH_TILDE = re.compile(
    r"(?P<path>(?<=/)\s?\u0303)|(?<!/)(?:\s|^)\u0303(?![^\W\d_])"
)  # "/ ̃karypis", " ̃/.bashrc"


def _tables(page, texts: list[str]) -> list[Table]:
    """The page's tables from layout mode; none when the page has too few lines to hold one."""
    if sum(bool(text.strip()) for text in texts) < 2:
        return []
    try:
        layout = page.extract_text(extraction_mode="layout", layout_mode_space_vertically=False)
    except Exception as error:  # noqa: BLE001 - layout mode is an extra reading; the text is already read
        log.debug("no layout-mode text for a page (%s); its tables stay lines", error)
        return []
    return layout_tables(compatibility_text(layout))


def _indented(code: list[_Line]) -> list[str]:
    """A code block's lines with their indentation, which pypdf's text leaves out: each line's start
    less the leftmost start of the block's lines on its page, in its font's character widths."""
    left: dict[int, float] = {}
    for line in code:
        left[line.page] = min(left.get(line.page, line.x), line.x)
    return [
        " " * max(0, round((line.x - left[line.page]) / line.cell)) + line.text.strip()
        if line.cell > 0
        else line.text.strip()
        for line in code
    ]


def _mark_code(lines: list[_Line]) -> None:
    """Keep `code` only on runs of monospace lines that are code: two lines or more, or one of two words
    or more ("$ pip install Jinja2"); a lone monospace word is a term or a name (Sphinx sets a
    definition's term, "cache_size", in the typewriter font) and stays text."""
    run: list[_Line] = []
    for line in [*lines, _Line("", 0)]:
        if line.code and line.text.strip():
            run.append(line)
            continue
        if len(run) == 1 and len(run[0].text.split()) < _CODE_WORDS:
            run[0].code = False
            run[0].term = True
        run = []


_CODE_WORDS = 2


def _joined(texts: list[str], spelled: frozenset[str] = frozenset()) -> str:
    """Lines of one paragraph as one text: "infor-" + "mation" rejoined, "size-" + "tiered" kept a
    compound (see `_compound`), other lines parted by a space. A capital after the hyphen ("Doshi-" +
    "Velez", "Specifier-" + "Set") joins with the hyphen kept, unless the document spells the two as one
    word elsewhere (`spelled`: its words as written, "SpecifierSet", "LaTeX")."""
    text = ""
    for value in (t.strip() for t in texts):
        broken = _HYPHENATED.search(text) if text else None
        if broken and value[:1].islower():
            text = text + value if _compound(broken.group(1), value) else text[:-1] + value
        elif (head := _LETTER_HYPHEN.search(text)) and value[:1].isalpha():
            whole = head.group(1) + re.match(r"[^\W\d_]+", value).group(0)
            text = text[:-1] + value if whole in spelled else text + value
        else:
            text = f"{text} {value}" if text else value
    return text


def _compound(head: str, after: str) -> bool:
    """Is the hyphen after `head` (the word ending a line) part of a compound ("size-" + "tiered", "key-"
    + "value") rather than a word broken at a syllable ("infor-" + "mation")? When the two halves are
    common English words and their join is no word at all (wordfreq's frequency lists, shipped in its
    wheel). A join that is a word ("well-" + "known" -> "wellknown") is still joined: the two cannot be
    told apart."""
    from wordfreq import zipf_frequency

    tail = re.match(r"[A-Za-z]+", after)
    if not tail:
        return False
    first, second = head.lower(), tail.group(0).lower()
    if zipf_frequency(first + second, "en") >= _WORD_ZIPF:
        return False
    return zipf_frequency(first, "en") >= _HALF_ZIPF and zipf_frequency(second, "en") >= _HALF_ZIPF


# Zipf frequencies (log10 per billion words): a join seen at all (>= 1, once per 100 million words:
# "thermodynamical" 1.3) is a word; halves of a compound are common words (>= 2: "spinel" 2.3, "tiered"
# 3.1), where syllables of a broken word mostly are not ("mation" 1.5).
_WORD_ZIPF = 1.0
_HALF_ZIPF = 2.0


def _paragraphs(
    lines: list[_Line],
    widest: int,
    levels: dict[float, int] | None = None,
    outline: frozenset[str] = frozenset(),
) -> list[Block]:
    """Blocks of the document's lines: paragraphs, list items, table rows, code (consecutive code lines,
    one line each), and headings (a short line at a size of `levels`: size -> heading level; consecutive
    lines of one size on a page are one heading; a numbered title the PDF's outline lists, `outline`:
    its titles as pdf_chapters.folded keys them)."""
    levels = levels or {}
    spelled = frozenset(word for line in lines for word in _SPELLED.findall(line.text))
    blocks: list[Block] = []
    pieces: list[_Line] = []
    heading: list[_Line] = []
    code: list[_Line] = []
    tables = 0
    numbered: dict[int, int] = {}  # depth of a numbered section title ("2.1" 2) -> its heading level

    def flush_code() -> None:
        if code:
            text = "\n".join(_indented(code))
            made = block("code", text, page_start=code[0].page, page_end=code[-1].page)
            if made:
                blocks.append(made)
            code.clear()

    def flush_heading() -> None:
        if heading:
            text = _joined([piece.text for piece in heading], spelled)
            level = 1 if heading[0].chapter else levels[heading[0].size]
            made = block("heading", text, page_start=heading[0].page, page_end=heading[-1].page, level=level)
            if made:
                blocks.append(made)
                if depth := numbered_depth(text):
                    numbered[depth] = level
            heading.clear()

    def numbered_level(depth: int) -> int:
        """The level of a numbered title at the text's size: its depth's level where a larger one of that
        depth was seen, else one below its parent's (or below every sized level)."""
        if depth in numbered:
            return numbered[depth]
        parent = numbered.get(depth - 1, max(levels.values(), default=1))
        return min(parent + 1, HEADING_LEVELS)

    def flush() -> None:
        if pieces:
            text = _joined([piece.text for piece in pieces], spelled)
            kind = "list_item" if _BULLET.match(text) else "paragraph"
            # a bullet glyph is dropped; an item's number ("2.") is kept, as the page shows it
            text = _BULLET_GLYPH.sub("", text, count=1) if kind == "list_item" else text
            made = block(kind, text, page_start=pieces[0].page, page_end=pieces[-1].page)
            if made:
                blocks.append(made)
            pieces.clear()

    for position, line in enumerate(lines):
        if line.code and line.text.strip():
            flush()
            flush_heading()
            code.append(line)
            continue
        flush_code()
        if line.chapter or (line.text.strip() and line.size in levels and heading_shaped(line.text)):
            flush()
            if heading and (
                heading[-1].chapter
                or line.chapter
                or heading[-1].size != line.size
                or heading[-1].page != line.page
                or len(heading) >= HEADING_LINES
                or numbered_depth(line.text)  # a numbered title opens its own: an empty section's is apart
            ):
                flush_heading()
            heading.append(line)
            continue
        flush_heading()
        if line.table or line.hard_break:
            flush()
            if line.table:
                tables += 1
                blocks.extend(_table_blocks(line.table, line.page, tables))
            continue
        if not line.text.strip():
            if pieces and pieces[-1].page == line.page:
                flush()  # a blank line inside a page ends a paragraph; a page break alone does not
            continue
        following = _next_text(lines, position)
        if depth := _numbered_title_depth(line, pieces, following, widest, outline):
            flush()
            made = block("heading", line.text.strip(), page_start=line.page, level=numbered_level(depth))
            if made:
                blocks.append(made)
            continue
        if pieces and _is_term(pieces[-1], line, following, widest):
            flush()
            pieces.append(_Line(_term_text(line.text), line.page, size=line.size, term=True))
            continue
        if pieces and pieces[-1].term and len(pieces) == 1:
            pieces.append(line)  # a term's description follows it in its paragraph
            continue
        if pieces and (_BULLET.match(line.text) or _ends_paragraph(pieces[-1], line, widest)):
            flush()
        pieces.append(line)
    flush_code()
    flush_heading()
    flush()
    return blocks


def _table_blocks(table: Table, page: int, group: int) -> list[Block]:
    """A table's rows as table_header (the first row, when it is a header) and table_row blocks."""
    made = []
    for position, row in enumerate(table.rows):
        kind = "table_header" if table.header and position == 0 else "table_row"
        found = block(kind, " | ".join(row), page_start=page, page_end=page, group=group)
        if found:
            made.append(found)
    return made


def _with_extras(blocks: list[Block], extras: dict[int | None, _PageExtras]) -> list[Block]:
    """Blocks with each page's footnotes and form values after the last block that starts on that page.

    A page with no block of its own gets them after the blocks of the pages before it; fields no page
    shows come last.
    """
    placed = list(blocks)
    for page in sorted((p for p in extras if p is not None), reverse=True):
        made = _extra_blocks(extras[page], page)
        if made:
            at = next(
                (i + 1 for i in range(len(placed) - 1, -1, -1) if (placed[i].page_start or 0) <= page), 0
            )
            placed[at:at] = made
    if None in extras:
        placed.extend(_extra_blocks(extras[None], None))
    return placed


def _extra_blocks(extras: _PageExtras, page: int | None) -> list[Block]:
    made = [
        block(
            "paragraph",
            f"Footnote {note.marker}: {_joined(list(note.lines))}",
            page_start=page,
            page_end=page,
        )
        for note in extras.footnotes
    ]
    made += [
        block("definition", f"{field.name}: {field.value}", page_start=page, page_end=page)
        for field in extras.fields
    ]
    return [b for b in made if b]


def _next_text(lines: list[_Line], position: int) -> str:
    """The text of the first line with text after `position` on the same page ("" when none)."""
    for line in lines[position + 1 :]:
        if line.page != lines[position].page or line.table or line.hard_break:
            return ""
        if line.text.strip():
            return line.text.strip()
    return ""


def _is_term(previous: _Line, line: _Line, following: str, widest: int) -> bool:
    """Is `line` a definition list's term: one monospace word, or one name ending in a colon
    ("urlize.rel:"), alone on its line after a line that ends its paragraph (a sentence's end or a short
    line; a paragraph's last word wrapped onto a line of its own follows a full line), and before a
    description that starts as a sentence does (`following`, capitalised: "Aliases" / "d" before a
    signature is no term)? The term then opens the paragraph of its description, so neither is glued to
    the definition before."""
    value = line.text.strip()
    if not (line.term or _COLON_TERM.match(value)) or previous.page != line.page:
        return False
    if not following[:1].isupper():
        return False
    return (
        bool(_SENTENCE_END.search(previous.text.strip())) or len(previous.text.strip()) < _SHORT_LINE * widest
    )


def _term_text(text: str) -> str:
    """A term as it opens its description's paragraph: "cache_size:" ("urlize.rel:" as it is)."""
    value = text.strip()
    return value if value.endswith(":") else f"{value}:"


_OUTLINED = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,3})(\.?)\s+(\S.*)$")  # "3.4.1 uthash never frees ..."
_COLON_TERM = re.compile(r"^[A-Za-z_][\w.\-]*:$")


def _numbered_title_depth(
    line: _Line, pieces: list[_Line], following: str, widest: int, outline: frozenset[str] = frozenset()
) -> int:
    """How deep a numbered section's title set at the text's size `line` is ("2.1 Leave-one-out
    Attribution" 2), 0 when it is none: a line of that shape (pdf_headings.numbered_depth), short of a full
    line, after a paragraph's end, before a capital; or any numbered line whose title the PDF's outline
    lists (`outline`, its titles as pdf_chapters.folded keys them): the uthash guide's "1.4.1 Test suite" after a list's last item and
    "3.4.1 uthash never frees your structure", in lower case, had been glued to the text before them
    (blind trial 59: 13 of its outline's subsections)."""
    listed = _OUTLINED.match(line.text.strip())
    # "7. select" is a list's seventh item though the outline lists "5.7 Select": one number with a dot
    # is an enumerator's shape
    if listed and not (listed.group(2) and "." not in listed.group(1)):
        if folded(listed.group(3)) in outline:
            return listed.group(1).count(".") + 1
    depth = numbered_depth(line.text)
    if not depth or len(line.text.strip()) >= widest:
        return 0
    if pieces and not _SENTENCE_END.search(pieces[-1].text.strip()):
        return 0  # "... as described in Section" / "2.1 Data": the sentence goes on
    return depth if following.strip()[:1].isupper() else 0


def _ends_paragraph(previous: _Line, line: _Line, widest: int) -> bool:
    """Does a paragraph end between `previous` and `line`?"""
    ended = bool(_SENTENCE_END.search(previous.text.strip()))
    if ended and previous.size and previous.x - line.x >= _OUTDENT_EM * previous.size:
        return True  # a description's last line, then the next term at the list's margin (METIS's options)
    if previous.page != line.page:
        return ended and not line.text.strip()[:1].islower()
    if _LETTER_HYPHEN.search(previous.text.rstrip()):
        return False  # the word goes on on the next line ("Deep k-" / "Nearest Neighbors")
    short = len(previous.text.strip()) < _SHORT_LINE * widest
    if short and not ended and line.text.strip()[:1].isupper():
        return True  # a title or heading line ("Patient guide") above a paragraph
    return ended and short


# A line starting this many ems left of the sentence ending the line above starts a new block: a hanging
# indent's next term ("-contig" at 97 pt under a description at 142 pt, METIS's manual, blind trial 47,
# had been glued to the description before it). A paragraph's own first-line indent is less (TeX's
# \parindent is 1.5 em), so its second line never counts.
_OUTDENT_EM = 2.0
