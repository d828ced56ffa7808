"""Chat-neutral values that cross the seam between the Q&A service and the adapters.

The core decides *which* passages are cited and their numbers; each adapter's render.py
decides how they look on its platform.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from bot.core.quotes import excerpt_lines, repeats


@dataclass(frozen=True)
class Location:
    """Where a passage lives in its source file, for people who want to open it."""

    source: str
    line_start: int | None = None
    line_end: int | None = None
    page: int | None = None
    start: int | None = None  # character offsets of the passage in the decoded file
    end: int | None = None
    section: str | None = None  # the passage's heading path ("Setup › Linux"), for formats without lines

    def describe(self) -> str:
        """How a person names the place: "deck.pptx, slide 4", "prices.csv, rows 7-9", "guide.md, line 3";
        in a file without lines or pages (.docx, .odt, .epub, .ipynb) its section's heading path,
        "churn.ipynb, Churn analysis", when the passage is under a heading."""
        suffix = PurePosixPath(self.source).suffix.lower()
        page, (line, lines) = _PAGE_WORDS.get(suffix, "page"), _LINE_WORDS.get(suffix, ("line", "lines"))
        parts = [self.source]
        if self.page is not None:
            parts.append(f"{page} {self.page}")
        if self.line_start is not None:
            if self.line_end is None or self.line_end == self.line_start:
                parts.append(f"{line} {self.line_start}")
            else:
                parts.append(f"{lines} {self.line_start}-{self.line_end}")
        if self.line_start is None and self.page is None and self.section:
            parts.append(self.section)
        return ", ".join(parts)


# What a format's "page" and "line" are to its readers: a deck's pages are slides, a sheet's lines rows.
_PAGE_WORDS = {".pptx": "slide"}
_LINE_WORDS = {suffix: ("row", "rows") for suffix in (".xlsx", ".csv", ".tsv")}


EXCERPT_LEAD_CHARS = 150  # half of the shortest quote space of an adapter (Slack's 300 characters)


@dataclass(frozen=True)
class Citation:
    """One numbered, citable passage; `passage` is the exact cited text."""

    number: int
    passage_id: str
    source: str
    title: str
    url: str | None
    passage: str
    score: float
    location: Location
    quote: str = ""  # the sentence(s) of the passage the answer used
    also_in: tuple[str, ...] = ()  # other sources carrying the same text
    link: str | None = (
        None  # opens the exact place: the cited lines, section or page (retrieval/answering/links.py)
    )

    @property
    def href(self) -> str | None:
        """What a citation's title opens: the exact place when known, else the document's URL."""
        return self.link or self.url

    @property
    def excerpt(self) -> str:
        """What every adapter shows of the passage, decided here once: the passage with its line structure
        (each block, table row and code line on its own line, indents kept; bot/core/quotes.py), from the
        quoted sentence on ("… " before it) when the quote starts more than EXCERPT_LEAD_CHARS in, so it
        stays in view. Adapters only mark it, escape it and cut it to their platform's length."""
        text = excerpt_lines(self.passage)
        first = " ".join(self.quote.split("\n")[0].split())[:40] if self.quote.strip() else ""
        start = text.find(first) if first else -1
        if start < 0 and first:  # a quote whose first line wraps differently: find it on one line
            flat = " ".join(text.split())
            start = flat.find(first)
            text = flat if start > EXCERPT_LEAD_CHARS else text
        return "… " + text[start:] if start > EXCERPT_LEAD_CHARS else text

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "id": self.passage_id,
            "source": self.source,
            "title": self.title,
            "url": self.url,
            "passage": self.passage,
            "score": round(self.score, 4),
            "location": self.location.describe(),
            "start": self.location.start,
            "end": self.location.end,
            "also_in": list(self.also_in),
            "link": self.link,
        }


@dataclass(frozen=True)
class Answer:
    """A short answer with `[n]` markers matching `citations`, or an abstention."""

    question: str
    text: str
    abstained: bool
    citations: tuple[Citation, ...] = ()
    see_also: tuple[Citation, ...] = ()  # closest passages when abstaining
    timings_ms: dict[str, float] = field(default_factory=dict, compare=False)
    answer_id: str | None = None  # set when recorded for feedback; 👍/👎 buttons carry it
    code: tuple[str, ...] = ()  # parts of `text` that are quoted code (commands, config): shown as code
    inline_code: tuple[str, ...] = ()  # inline code the quoted text holds (`--api.insecure`): shown as code
    context: str | None = None  # the earlier question of the conversation this follow-up was read with
    # The composer's probability that the answer is right (compare with `answer.min_confidence`), and
    # what made it abstain ("confidence", a rule id such as "identifier", or "" when it answered).
    confidence: float | None = field(default=None, compare=False)
    abstained_by: str = field(default="", compare=False)
    # A message asking several things: one Answer per question, in order (their citations numbered as
    # in this answer's text); () when it asked one thing.
    parts: tuple[Answer, ...] = ()
    note: str | None = None  # said beside the answer: only part of a very long question was read

    def excerpt_of(self, citation: Citation) -> str:
        """The excerpt to show beside this answer for `citation`: "" when it only repeats the answer's own
        words (the answer is that quote; the citation still names the source and its lines). The JSON
        output is unchanged by this: `answer` is the answer's text and each citation's `passage` the exact
        passage, whatever a chat shows."""
        excerpt = citation.excerpt
        return "" if not self.abstained and repeats(self.text, excerpt) else excerpt

    def to_json(self) -> dict[str, Any]:
        value = {
            "question": self.question,
            "answer": self.text,
            "abstained": self.abstained,
            "citations": [c.to_json() for c in self.citations],
            "see_also": [c.to_json() for c in self.see_also],
        }
        if self.confidence is not None:
            value["confidence"] = round(self.confidence, 4)
        if self.abstained_by:
            value["abstained_by"] = self.abstained_by
        if self.context:
            value["context"] = self.context
        if self.note:
            value["note"] = self.note
        if self.parts:
            value["parts"] = [
                {"question": p.question, "answer": p.text, "abstained": p.abstained,
                 "citations": [c.to_json() for c in p.citations]}
                for p in self.parts
            ]  # fmt: skip
        return value


@dataclass(frozen=True)
class PassageView:
    """A passage shown on its own (the `source` command and `sources QUERY`)."""

    passage_id: str
    source: str
    title: str
    url: str | None
    text: str
    location: Location
    score: float | None = None
    also_in: tuple[str, ...] = ()
    link: str | None = None  # opens the passage's place (its lines, section or page), as a citation's does

    @property
    def href(self) -> str | None:
        """What the passage's title opens: its exact place when known, else the document's URL."""
        return self.link or self.url


@dataclass(frozen=True)
class DocumentView:
    """One document of the corpus."""

    source: str
    title: str
    url: str | None
    passage_count: int
    date: str | None = None


@dataclass(frozen=True)
class SourceLookup:
    """Result of `source ID`: a passage, or a whole document with its passages."""

    query: str
    passage: PassageView | None = None
    document: DocumentView | None = None
    document_passages: tuple[PassageView, ...] = ()


@dataclass(frozen=True)
class SourceList:
    """Result of `sources [QUERY]`: the documents, or the best passages for a query."""

    query: str | None
    documents: tuple[DocumentView, ...] = ()
    hits: tuple[PassageView, ...] = ()


@dataclass(frozen=True)
class CommandHelp:
    name: str
    usage: str
    summary: str


@dataclass(frozen=True)
class HelpText:
    commands: tuple[CommandHelp, ...]


@dataclass(frozen=True)
class Notice:
    """A message that is safe to show in chat: bad input, not found, or an apology."""

    text: str
    is_error: bool = True
    reference: str | None = None  # appears in the log next to the traceback


@dataclass(frozen=True)
class Origin:
    """Where a request came from, for feedback records and logs, and which sources it may see."""

    platform: str = "console"
    channel: str = ""
    user: str = ""
    thread: str = ""  # the conversation within the channel (Slack thread, Discord reply chain); "" for none
    direct: bool = False  # a direct message (its sources: the `dm` entry of `channels:`)
    parent: str = ""  # a thread's channel (Discord threads have ids of their own): its sources apply


Reply = Answer | SourceLookup | SourceList | HelpText | Notice
