"""The chat-neutral Q&A service: questions and source look-ups in, core models out.

Adapters call this through the command table; it never imports a chat SDK. Everything it knows of
retrieval comes through `retrieval.Engine`, which also switches to a rebuilt index at the next request.

Every request takes a `scope`: the source names the asking channel may see (`Settings.source_scope`,
worked out per call by the command table), None for everything. Answers, look-ups, listings,
suggestions and the empty-question hint all stay inside it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Protocol

from bot import messages
from bot.core.citation_links import citation_links
from bot.core.models import (
    Answer,
    Citation,
    DocumentView,
    Location,
    Notice,
    PassageView,
    SourceList,
    SourceLookup,
)
from bot.settings import CHANNEL_DM, Settings
from retrieval import Answered, CitedPlace, Document, Embedder, Engine, Hit, Links, Passage, Query, Turn

log = logging.getLogger(__name__)
Scope = frozenset[str] | None  # the source names a request may see (Settings.source_scope); None: all
EXAMPLE_TITLE_CHARS = 80  # the empty-question hint names a document title up to this long
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Terminal escape sequences (ECMA-48), removed whole so no "[31m" is left behind: CSI (ESC [ or the
# one-byte 0x9b, parameters, intermediates, final), OSC/DCS/APC/PM/SOS strings up to their terminator
# (BEL or ESC \\), and two-character escapes.
_ESCAPES = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f]).*?(?:\x07|\x1b\\|\x9c|$)"
    r"|\x1b[!-/]*[0-~]?"
)


class Conversation(Protocol):
    """The conversation a question is asked in (a chat thread): its earlier turns, and where the turn of
    each answer goes. The command table gives one bound to the thread's key in its conversation store."""

    def turns(self) -> Sequence[Turn]:
        """The earlier turns, oldest first."""
        ...

    def add(self, turn: Turn) -> None:
        """Keep `turn` (as the engine made it) as the latest."""
        ...


class QAService:
    def __init__(
        self, settings: Settings, embedder: Embedder | None = None, engine: Engine | None = None
    ) -> None:
        """`embedder` (tests, benchmarks) replaces the encoder each index generation would be served by."""
        self.settings = settings
        self.engine = engine or Engine(settings.engine_config(), embedder)
        self._links: tuple[str | None, Links] | None = None  # (generation, its citation links)

    def generation(self) -> str | None:
        """The live index generation (what `citebot index` last published), None when there is no index."""
        return self.engine.generation

    def corpus(self) -> str:
        """The folder the live index was built from (its manifest), else the configured `corpus`."""
        try:
            return self.engine.manifest()[1].corpus or self.settings.corpus
        except Exception:  # noqa: BLE001 - no index yet: the configured folder is what will be indexed
            return self.settings.corpus

    def loaded_generation(self) -> str:
        """Load the live index generation if needed; its id (raises when there is no usable index)."""
        return self.engine.loaded_generation()

    def citation_links(self) -> Links:
        """How citations of the live generation link (bot/core/citation_links.py); read once per generation,
        the commits from its manifest."""
        generation = self.engine.generation
        if self._links is None or self._links[0] != generation:
            try:
                manifest = self.engine.manifest()[1]
            except Exception:  # noqa: BLE001 - no manifest to read: links without the commits it records
                manifest = None
            self._links = (generation, citation_links(self.settings, manifest))
        return self._links[1]

    def warm_up(self) -> None:
        """Load the index and the model now, so the first question is fast (in every channel's scope)."""
        settings = self.settings
        if not settings.sources:
            self.engine.warm_up()
            return
        channels = [None, *settings.channels]  # the console and every channel named, with their fallbacks
        scopes = {settings.source_scope(c, direct=c == CHANNEL_DM) for c in channels}
        self.engine.warm_up([scope for scope in scopes if scope is not None])

    # -- requests ----------------------------------------------------------------------------------
    def ask(
        self, question: str, conversation: Conversation | None = None, scope: Scope = None
    ) -> Answer | Notice:
        """Answer a question; in a `conversation` a follow-up is read after its earlier turns, and the turn
        the engine made of this one is added to it. Only passages of `scope`'s sources are searched and cited.

        The engine reads the message with its line breaks (a pasted traceback or log is searched by its
        question and error lines); a message asking several things gets one answer per part, each part
        read after the ones before it ("what port is https on, and how do I change it?").
        """
        message = clean_message(question)
        question = clean_text(question)
        problem = self._check_question(question, scope)
        if problem:
            return problem
        history = tuple(conversation.turns()) if conversation is not None else ()
        parts = self.engine.question_parts(message)
        if len(parts) > 1:
            answer, turn = self._answer_parts(question, parts, history, scope)
        else:
            answered = self.engine.answer(Query(message, history), **scoped(scope))
            answer, turn = self.answer_of(question, answered), answered.turn
        if conversation is not None:
            conversation.add(turn)
        return answer

    def _answer_parts(
        self, question: str, parts: Sequence[str], history: Sequence[Turn], scope: Scope = None
    ) -> tuple[Answer, Turn]:
        """One answer per question of a message, joined: each answered part under its question, each
        unanswered one named ("I found nothing on: ..."); an abstention when no part is answered. With
        the one turn the conversation keeps of the whole message."""
        turns: list[Turn] = []
        answers: list[Answer] = []
        for part in parts:
            answered = self.engine.answer(Query(part, (*history, *turns)), **scoped(scope))
            answers.append(self.answer_of(part, answered))
            turns.append(answered.turn)
        return joined_answer(question, answers), self.engine.joined_turn(question, turns)

    def answer_of(self, question: str, answered: Answered) -> Answer:
        """The chat-neutral `Answer` for what the engine composed (its citations numbered as in the text)."""
        composition, documents = answered.composition, answered.documents
        note = messages.words_read(answered.words_read, answered.words) if answered.words_read else None
        state = {"context": answered.context, "confidence": composition.confidence,
                 "abstained_by": composition.abstained_by, "note": note}  # fmt: skip
        if composition.abstained:
            links = self.citation_links()
            see_also = tuple(
                _citation(i, hit, documents, links=links) for i, hit in enumerate(answered.see_also, 1)
            )
            text = _with_note(messages.ABSTAIN, note)
            return Answer(question, text, True, (), see_also, answered.timings_ms, **state)
        links = self.citation_links()
        citations = tuple(
            _citation(c.number, c.hit, documents, quote=c.quote, also_in=c.also_in, quoted=c, links=links)
            for c in composition.cited
        )
        return Answer(
            question,
            _with_note(composition.text, note),
            False,
            citations,
            (),
            answered.timings_ms,
            code=composition.code,
            inline_code=composition.inline_code,
            **state,
        )

    def source(self, key: str, scope: Scope = None) -> SourceLookup | SourceList | Notice:
        """A passage or document by id; words that are no id are searched for (the best passages). A key
        outside `scope` reads as unknown, exactly as one that does not exist."""
        key = clean_text(key)
        if not key:
            return Notice(messages.EMPTY_SOURCE_ID)
        engine = self.engine
        passage = engine.passage(key, **scoped(scope))
        if passage:
            return SourceLookup(
                key,
                passage=_passage_view(
                    passage, engine.document(passage.source, **scoped(scope)), links=self.citation_links()
                ),
            )
        document = engine.document(key, **scoped(scope))
        if document:
            passages = engine.passages_of(key, **scoped(scope))
            view = DocumentView(document.source, document.title, document.url, len(passages), document.date)
            links = self.citation_links()
            views = tuple(_passage_view(p, document, links=links) for p in passages)
            return SourceLookup(key, document=view, document_passages=views)
        close = engine.suggest(key, search=False, **scoped(scope))
        if not close and _looks_like_words(key):  # "/source chief scientist": search, as the hint invites
            listing = self.sources(key, scope=scope)
            if isinstance(listing, SourceList) and listing.hits:
                return listing
        return Notice(messages.unknown_source(key, close or self.suggest_sources(key, scope=scope)))

    def suggest_sources(self, key: str, limit: int = 3, scope: Scope = None) -> list[str]:
        """Close ids or file names (of `scope`'s sources); failing that, the passages that best match the words."""
        return self.engine.suggest(key, limit, **scoped(scope))

    def sources(self, query: str | None = None, k: int = 5, scope: Scope = None) -> SourceList | Notice:
        """The documents, or (with `query`) the passages best matching it; of `scope`'s sources only."""
        query = clean_text(query or "")
        engine = self.engine
        if not query:
            documents = tuple(
                DocumentView(d.source, d.title, d.url, len(engine.passages_of(d.source)), d.date)
                for d in engine.documents(**scoped(scope))
            )
            return SourceList(None, documents=documents)
        problem = self._check_question(query, scope)
        if problem:
            return problem
        hits = engine.search(query, k=max(1, min(k, 50)), **scoped(scope))
        links = self.citation_links()
        views = tuple(
            _passage_view(
                h.passage, engine.document(h.passage.source, **scoped(scope)), h.score, h.also_in, links
            )
            for h in hits
        )
        return SourceList(query, hits=views)

    def example_title(self, scope: Scope = None) -> str | None:
        """A real document title to suggest asking about (the first of the index, of `scope`'s sources, with
        a short, readable title), or None when there is none (titles made of file names don't count) or the
        index cannot be read."""
        try:
            documents = self.engine.documents(**scoped(scope))
        except Exception:  # noqa: BLE001 - a hint is never worth an error
            return None
        titles = [_one_line(d.title) for d in documents if _readable(d.title or "")]
        short = [t for t in titles if len(t) <= EXAMPLE_TITLE_CHARS]
        return (short or [t[: EXAMPLE_TITLE_CHARS - 1] + "…" for t in titles] or [None])[0]

    def complete_source_ids(self, prefix: str, limit: int = 25, scope: Scope = None) -> list[tuple[str, str]]:
        """(id, label) pairs (of `scope`'s sources) whose id or title contains the typed text; documents first."""
        return self.engine.complete(prefix, limit, **scoped(scope))

    def _check_question(self, question: str, scope: Scope = None) -> Notice | None:
        if not question:
            return Notice(messages.empty_question(self.example_title(scope)))
        limit = self.settings.answer.max_question_chars
        if len(question) > limit:
            return Notice(messages.question_too_long(len(question), limit))
        return None


def joined_answer(question: str, answers: Sequence[Answer]) -> Answer:
    """The answers to the parts of one message as one Answer: its citations numbered on through the
    parts (each part's `[n]` markers renumbered to match), every part kept in `parts`."""
    answered = [a for a in answers if not a.abstained]
    if not answered:  # nothing found for any part: the usual abstention, with the first part's passages
        first = answers[0]
        return replace(first, question=question, parts=tuple(answers), confidence=max_confidence(answers))
    sections: list[str] = []
    citations: list[Citation] = []
    parts: list[Answer] = []
    for answer in answers:
        if answer.abstained:
            sections.append(messages.part_not_found(answer.question))
            parts.append(answer)
            continue
        renumbered = _renumbered(answer, len(citations))
        citations += renumbered.citations
        parts.append(renumbered)
        sections.append(f"{messages.part_heading(answer.question)}\n{renumbered.text}")
    return Answer(
        question, "\n\n".join(sections), False, tuple(citations),
        timings_ms={k: sum(a.timings_ms.get(k, 0.0) for a in answers) for k in answers[0].timings_ms},
        code=tuple(c for a in answered for c in a.code),
        inline_code=tuple(dict.fromkeys(c for a in answered for c in a.inline_code)),
        confidence=min((a.confidence for a in answered if a.confidence is not None), default=None),
        parts=tuple(parts),
    )  # fmt: skip


def max_confidence(answers: Sequence[Answer]) -> float | None:
    return max((a.confidence for a in answers if a.confidence is not None), default=None)


_MARKER = re.compile(r"\[(\d+)\]")


def _renumbered(answer: Answer, offset: int) -> Answer:
    """`answer` with its citations and `[n]` markers numbered from `offset` + 1."""
    if not offset:
        return answer
    text = _MARKER.sub(lambda m: f"[{int(m.group(1)) + offset}]", answer.text)
    citations = tuple(replace(c, number=c.number + offset) for c in answer.citations)
    return replace(answer, text=text, citations=citations)


def _with_note(text: str, note: str | None) -> str:
    """The answer's text with its note (only part of a long question was read) as a last paragraph."""
    return f"{text}\n\n{note}" if note else text


def clean_message(text: str) -> str:
    """`clean_text` keeping the line breaks: what the engine reads (a traceback's lines are its structure)."""
    text = _ESCAPES.sub("", text.replace("\r\n", "\n").replace("\t", " "))
    return _CONTROL.sub("", text).strip()


def clean_text(text: str) -> str:
    """Escape sequences and control characters out (newlines and tabs become spaces), whitespace trimmed."""
    text = _ESCAPES.sub("", text.replace("\n", " ").replace("\t", " "))
    return _CONTROL.sub("", text).strip()


def _one_line(text: str) -> str:
    return " ".join(text.split())


_WORD = re.compile(r"(?<![\w])[^\W\d_]{3,}(?![\w])")


def _readable(title: str) -> bool:
    """A title made of words ("Deploying with Helm"), not a file name fallback ("000 a62311b28d")."""
    letters = sum(c.isalpha() for c in title)
    return bool(_WORD.search(title)) and letters * 2 >= len(title.replace(" ", ""))


def _looks_like_words(key: str) -> bool:
    """Words to search for, not an id or a file name: no '#', and several words. A single word that is
    no id ("/source nope") is an unknown id, with suggestions."""
    return "#" not in key and len(key.split()) > 1


def _location(passage: Passage) -> Location:
    return Location(
        passage.source, passage.line_start, passage.line_end, passage.page, passage.start, passage.end,
        section=passage.heading_path or None,
    )  # fmt: skip


def _citation(
    number, hit: Hit, documents, quote: str = "", also_in=(), quoted=None, links: Links | None = None
) -> Citation:
    """A numbered citation; `quoted` (a CitedPassage) narrows the location to the lines actually quoted;
    `links` give it the link that opens that place."""
    passage = hit.passage
    document: Document | None = documents.get(passage.source)
    location = _location(passage)
    if quoted is not None and quoted.line_start is not None:
        location = replace(location, line_start=quoted.line_start, line_end=quoted.line_end)
    if quoted is not None and quoted.page is not None:
        location = replace(location, page=quoted.page)
    url = document.url if document else None
    return Citation(
        number=number,
        passage_id=passage.id,
        source=passage.source,
        title=document.title if document else passage.source,
        url=url,
        passage=passage.text,
        score=hit.score,
        location=location,
        quote=quote,
        also_in=tuple(also_in) or hit.also_in,
        link=_link(links, location, passage.anchor, url),
    )


def _link(links: Links | None, location: Location, anchor: str | None, url: str | None) -> str | None:
    """The link that opens a citation's place (its lines, section or page), None without one."""
    if links is None:
        return None
    place = CitedPlace(location.source, location.line_start, location.line_end, location.page, anchor, url)
    return links.link(place)


def _passage_view(
    passage: Passage,
    document: Document | None,
    score: float | None = None,
    also_in=(),
    links: Links | None = None,
) -> PassageView:
    url = document.url if document else None
    location = _location(passage)
    return PassageView(
        passage.id,
        passage.source,
        document.title if document else passage.source,
        url,
        passage.text,
        location,
        score,
        tuple(also_in),
        _link(links, location, passage.anchor, url),
    )


def scoped(scope: Scope) -> dict[str, frozenset[str]]:
    """The `scope=` keyword for a call that takes one: none at all for None, so an unscoped request makes
    the very call it always made (and a stand-in that takes no scope still serves it)."""
    return {} if scope is None else {"scope": scope}
