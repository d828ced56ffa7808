"""Values that flow through retrieval: documents, lines, passages and hits."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class SourceLine:
    """One line of a source file's text, with where it came from."""

    text: str
    number: int | None  # 1-based line in the source file (None when it cannot be traced)
    page: int | None = None  # 1-based page for PDFs
    offset: int | None = None  # character offset of `text` in the decoded file (None when not verbatim)


@dataclass(frozen=True)
class Document:
    """A corpus file's metadata; `source` is its path relative to the corpus folder."""

    source: str
    title: str
    url: str | None = None
    date: str | None = None
    sha256: str = ""


BLOCK_KINDS = (
    "heading",
    "paragraph",
    "list_item",
    "table_header",
    "table_row",
    "code",
    "quote",
    "definition",
)


@dataclass(frozen=True)
class Block:
    """One structural unit of a document, as its parser saw it.

    kind: one of BLOCK_KINDS. `text` is the block's readable text: markup removed, soft wraps joined,
    code verbatim (newlines kept), table rows as cells joined by " | ". Lines are 1-based and
    inclusive; `start`/`end` are character offsets of the block's region in the decoded file
    (None where the format has no text offsets, e.g. PDF and DOCX).
    """

    kind: str
    text: str
    line_start: int | None = None
    line_end: int | None = None
    page_start: int | None = None
    page_end: int | None = None
    start: int | None = None
    end: int | None = None
    level: int = 0  # heading level (1-6); list nesting depth (0 = top level)
    group: int = 0  # blocks of one table or one list share a group number (0: none)
    language: str | None = None  # code blocks: the fence's language
    code_spans: tuple[str, ...] = ()  # inline code in the text (`--api.insecure`), as it reads there
    anchor: str | None = None  # headings: the section's `#fragment` on the published page (see anchors.py)
    # Prose of several source lines: where in `text` each line after the first begins (offsets, one per
    # line, ascending), so that a sentence's lines are exact (see formats/base.py line_breaks); () where
    # unknown, and then a sentence's lines are estimated in proportion to its offsets.
    line_breaks: tuple[int, ...] = ()
    # A lead heading (level 7) of a container that ends before its section does (a `<details>` block's
    # summary): the last source line it heads. None: it heads what follows up to the next heading, as
    # every heading does.
    scope_end: int | None = None


@dataclass(frozen=True)
class LoadedDocument:
    document: Document
    blocks: tuple[Block, ...]


UNIT_KINDS = ("sentence", "list_item", "table_row", "code", "definition")


@dataclass(frozen=True)
class Unit:
    """A quotable piece of a passage: a sentence, a list item, a table row, a code block, a definition.

    `start`/`end` are character offsets into the passage's text; lines and pages are those of the unit
    in the source file. `lead` is text that frames the unit without being quoted: the table header
    for a row, the sentence introducing a command or a list ("To start it, run:").

    A code block quoted in several units (a long script) numbers them: `part` of `parts` (1-based; both
    0 for a block that is one unit), and `first` says how many passages before this one the block's
    first unit is (its parts are in consecutive passages), so a composer can put the block back together
    or say where it continues.
    """

    kind: str
    start: int
    end: int
    line_start: int | None = None
    line_end: int | None = None
    page_start: int | None = None
    page_end: int | None = None
    lead: str = ""
    part: int = 0
    parts: int = 0
    first: int = 0

    def to_record(self) -> list:
        record = [self.kind, self.start, self.end, self.line_start, self.line_end, self.page_start,
                  self.page_end, self.lead]  # fmt: skip
        return record + [self.part, self.parts, self.first] if self.parts else record

    @classmethod
    def from_record(cls, record: list) -> Unit:
        return cls(*record)


@dataclass(frozen=True)
class Passage:
    """A citable chunk of a document. `text` is exact text of the cleaned source lines."""

    id: str  # "<source>#<n>", stable while the file is unchanged
    source: str
    ordinal: int
    text: str
    line_start: int | None
    line_end: int | None
    page: int | None = None
    start: int | None = None  # character offsets of the passage's region in the decoded source file
    end: int | None = None
    page_end: int | None = None  # a passage whose last sentence runs onto the next page
    headings: tuple[str, ...] = ()  # heading path, outermost first ("Configuration", "scrape_config")
    units: tuple[Unit, ...] = ()  # the quotable pieces of `text`, in order
    code_spans: tuple[str, ...] = ()  # inline code in `text` (from its blocks), for adapters to show as code
    anchor: str | None = None  # the `#fragment` of the passage's section on its published page

    @property
    def heading_path(self) -> str:
        """The heading path as shown to readers: "Configuration › scrape_config"."""
        return " › ".join(self.headings)

    def unit_text(self, unit: Unit) -> str:
        return self.text[unit.start : unit.end]

    def to_record(self) -> dict:
        return {
            "id": self.id,
            "source": self.source,
            "ordinal": self.ordinal,
            "text": self.text,
            "line_start": self.line_start,
            "line_end": self.line_end,
            "page": self.page,
            "start": self.start,
            "end": self.end,
            "page_end": self.page_end,
            "headings": list(self.headings),
            "units": [unit.to_record() for unit in self.units],
            "code_spans": list(self.code_spans),
            "anchor": self.anchor,
        }

    @classmethod
    def from_record(cls, record: dict) -> Passage:
        record = dict(record)
        record["headings"] = tuple(record.get("headings") or ())
        record["units"] = tuple(Unit.from_record(u) for u in record.get("units") or ())
        record["code_spans"] = tuple(record.get("code_spans") or ())
        return cls(**record)


@dataclass(frozen=True)
class Hit:
    """A passage found for a query, with the scores that put it there."""

    passage: Passage
    score: float
    dense_score: float = 0.0
    lexical_score: float = 0.0
    also_in: tuple[str, ...] = field(default=())
