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


@dataclass(frozen=True)
class LoadedDocument:
    document: Document
    lines: tuple[SourceLine, ...]


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
    start: int | None = None  # character offsets in the decoded source file, where the text is verbatim
    end: int | None = None

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
        }

    @classmethod
    def from_record(cls, record: dict) -> Passage:
        return cls(**record)


@dataclass(frozen=True)
class Hit:
    """A passage found for a query, with the scores that put it there."""

    passage: Passage
    score: float
    dense_score: float = 0.0
    lexical_score: float = 0.0
    also_in: tuple[str, ...] = field(default=())
