"""The chat-neutral Q&A service: questions and source look-ups in, core models out.

Adapters call this through the command table; it never imports a chat SDK. It notices a rebuilt
index (a new generation behind index/CURRENT) at the next request and switches to it atomically;
requests already running finish on the index they started with.
"""

from __future__ import annotations

import difflib
import logging
import re
import threading
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from bot import messages
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
from bot.settings import Settings
from retrieval import layout
from retrieval.answer import ComposerParams
from retrieval.embedder import Embedder
from retrieval.encoders import ServingEmbedders
from retrieval.followup import Turn, contextualise, remember
from retrieval.models import Hit, Passage
from retrieval.qa import QuestionAnswerer
from retrieval.question import analyse, stems_of
from retrieval.searcher import Retriever, SearchParams

log = logging.getLogger(__name__)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Terminal escape sequences (ECMA-48), removed whole so no "[31m" is left behind: CSI (ESC [ or the
# one-byte 0x9b, parameters, intermediates, final), OSC/DCS/APC/PM/SOS strings up to their terminator
# (BEL or ESC \\), and two-character escapes.
_ESCAPES = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f]).*?(?:\x07|\x1b\\|\x9c|$)"
    r"|\x1b[!-/]*[0-~]?"
)


class QAService:
    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self.index_dir = Path(settings.index)
        # An injected embedder wins; otherwise each index generation is served by its own encoder.
        self._embedder = embedder
        self._embedders = ServingEmbedders(settings.encoder, settings.model, settings.device)
        self._answerer: QuestionAnswerer | None = None
        self._lock = threading.Lock()

    # -- index lifecycle ---------------------------------------------------------------------------
    def answerer(self) -> QuestionAnswerer:
        """The answerer for the live index generation, reloading when `citebot index` published a new one."""
        live = layout.generation_id(self.index_dir)
        current = self._answerer
        if current is not None and current.retriever.generation == live:
            return current
        with self._lock:
            if self._answerer is None or self._answerer.retriever.generation != live:
                self._answerer = self._open()
                if current is not None:
                    log.info("switched to index generation %s", self._answerer.retriever.generation)
            return self._answerer

    def _open(self) -> QuestionAnswerer:
        r, a = self.settings.retrieval, self.settings.answer
        params = SearchParams(
            candidates=r.candidates, fusion=r.fusion, rrf_k=r.rrf_k, dense_weight=r.dense_weight
        )
        hint = messages.rebuild_hint(self.settings.corpus, self.settings.index)
        retriever = Retriever.open(
            self.index_dir,
            self._embedder,
            params,
            rebuild_hint=hint,
            embedder_for=self._embedders.for_generation,
        )
        composer = ComposerParams(
            passages_considered=a.passages_considered,
            max_sentences=a.max_sentences,
            max_chars=a.max_chars,
            min_evidence=a.min_evidence,
            min_coverage=a.min_coverage,
        )
        return QuestionAnswerer(retriever, composer, top_k=r.top_k)

    def generation(self) -> str | None:
        """The live index generation (what `citebot index` last published), None when there is no index."""
        return layout.generation_id(self.index_dir)

    @property
    def embedder(self) -> Embedder:
        """The query embedder of the live index generation."""
        return self.answerer().retriever.embedder

    def warm_up(self) -> None:
        """Load the index and the model now, so the first question is fast."""
        answerer = self.answerer()
        answerer.retriever.check_model_dimension()
        _ = answerer.vocabulary

    # -- requests ----------------------------------------------------------------------------------
    def ask(self, question: str, history: Sequence[Turn] = ()) -> Answer | Notice:
        """Answer a question; with `history` (earlier turns of its conversation) a follow-up is read in context."""
        question = clean_text(question)
        problem = self._check_question(question)
        if problem:
            return problem
        answerer = self.answerer()
        follow_up = contextualise(question, history, answerer.term_shares)
        result = answerer.answer(question, follow_up if follow_up.is_follow_up else None)
        composition = result.composition
        titles, urls = answerer.titles, answerer.urls
        citations = tuple(
            _citation(c.number, c.hit, titles, urls, quote=c.quote, also_in=c.also_in, quoted=c)
            for c in composition.cited
        )
        context = follow_up.context.question if follow_up.context else None
        turn = remember(follow_up)
        state = {"context": context, "topic": turn.topic, "anchor": turn.anchor}
        if composition.abstained:
            closest = _plausibly_related(composition.closest, question, answerer)
            see_also = tuple(_citation(i, hit, titles, urls) for i, hit in enumerate(closest, 1))
            return Answer(question, messages.ABSTAIN, True, (), see_also, result.timings_ms, **state)
        return Answer(
            question,
            composition.text,
            False,
            citations,
            (),
            result.timings_ms,
            code=composition.code,
            **state,
        )

    def source(self, key: str) -> SourceLookup | SourceList | Notice:
        """A passage or document by id; words that are no id are searched for (the best passages)."""
        key = clean_text(key)
        if not key:
            return Notice(messages.EMPTY_SOURCE_ID)
        answerer = self.answerer()  # one generation for the whole request, even if a rebuild lands meanwhile
        store = answerer.retriever.store
        titles, urls = answerer.titles, answerer.urls
        passage = store.passage(key)
        if passage:
            return SourceLookup(key, passage=_passage_view(passage, titles, urls))
        document = store.document(key)
        if document:
            passages = store.passages_of(key)
            view = DocumentView(document.source, document.title, document.url, len(passages), document.date)
            return SourceLookup(
                key, document=view, document_passages=tuple(_passage_view(p, titles, urls) for p in passages)
            )
        close = self._close_ids(key, answerer)
        if not close and _looks_like_words(key):  # "/source chief scientist": search, as the hint invites
            listing = self.sources(key)
            if isinstance(listing, SourceList) and listing.hits:
                return listing
        return Notice(messages.unknown_source(key, close or self.suggest_sources(key, answerer=answerer)))

    @staticmethod
    def _close_ids(key: str, answerer: QuestionAnswerer, limit: int = 3) -> list[str]:
        store = answerer.retriever.store
        names = [d.source for d in store.documents()]
        ids = [p.id for d in names for p in store.passages_of(d)]
        return difflib.get_close_matches(key, names + ids, n=limit, cutoff=0.6)

    def suggest_sources(
        self, key: str, limit: int = 3, answerer: QuestionAnswerer | None = None
    ) -> list[str]:
        """Close ids or file names; failing that, the passages that best match the words."""
        answerer = answerer or self.answerer()
        store = answerer.retriever.store
        names = [d.source for d in store.documents()]
        ids = [p.id for d in names for p in store.passages_of(d)]
        close = difflib.get_close_matches(key, names + ids, n=limit, cutoff=0.6)
        if close:
            return close
        if len(key) > 3:
            hits = answerer.retriever.search(key, k=limit)
            return [hit.passage.id for hit in hits]
        return []

    def sources(self, query: str | None = None, k: int = 5) -> SourceList | Notice:
        query = clean_text(query or "")
        answerer = self.answerer()
        store = answerer.retriever.store
        titles, urls = answerer.titles, answerer.urls
        if not query:
            documents = tuple(
                DocumentView(d.source, d.title, d.url, len(store.passages_of(d.source)), d.date)
                for d in store.documents()
            )
            return SourceList(None, documents=documents)
        problem = self._check_question(query)
        if problem:
            return problem
        hits = answerer.retriever.search(query, k=max(1, min(k, 50)))
        views = tuple(_passage_view(h.passage, titles, urls, h.score, h.also_in) for h in hits)
        return SourceList(query, hits=views)

    def complete_source_ids(self, prefix: str, limit: int = 25) -> list[tuple[str, str]]:
        """(id, label) pairs whose id or title contains the typed text; documents first."""
        answerer = self.answerer()
        store = answerer.retriever.store
        needle = prefix.strip().lower()
        found: list[tuple[str, str]] = []
        for document in store.documents():
            if not needle or needle in document.source.lower() or needle in document.title.lower():
                found.append((document.source, f"{document.title} ({document.source})"))
        if needle:
            for document in store.documents():
                for passage in store.passages_of(document.source):
                    if needle in passage.id.lower():
                        found.append((passage.id, f"{passage.id}: {passage.text[:60]}"))
        return found[:limit]

    def _check_question(self, question: str) -> Notice | None:
        if not question:
            return Notice(messages.EMPTY_QUESTION)
        limit = self.settings.answer.max_question_chars
        if len(question) > limit:
            return Notice(messages.question_too_long(len(question), limit))
        return None


def clean_text(text: str) -> str:
    """Escape sequences and control characters out (newlines and tabs become spaces), whitespace trimmed."""
    text = _ESCAPES.sub("", text.replace("\n", " ").replace("\t", " "))
    return _CONTROL.sub("", text).strip()


SEE_ALSO_MIN_DENSE = 0.45  # a passage sharing no word with the question must at least mean much the same


def _plausibly_related(hits, question: str, answerer: QuestionAnswerer) -> list[Hit]:
    """The closest passages worth offering after an abstention: ones sharing a content word with the
    question, or close in meaning. An off-topic question ("the weather in Paris?") gets none."""
    terms = analyse(question, answerer.vocabulary)
    # Words as typed only: a spelling repair ("weather" -> "whether") is no evidence of a shared topic.
    known = {t for t in terms.weights if t in answerer.vocabulary and t not in terms.repairs}
    related = []
    for hit in hits:
        words = stems_of(f"{answerer.titles.get(hit.passage.source, '')}\n{hit.passage.text}")
        if known & words or hit.dense_score >= SEE_ALSO_MIN_DENSE:
            related.append(hit)
    return related


def _looks_like_words(key: str) -> bool:
    """Not an id or a file name: no '#', and several words or no file extension."""
    return "#" not in key and (len(key.split()) > 1 or "." not in key)


def _location(passage: Passage) -> Location:
    return Location(
        passage.source, passage.line_start, passage.line_end, passage.page, passage.start, passage.end
    )


def _citation(number, hit: Hit, titles, urls, quote: str = "", also_in=(), quoted=None) -> Citation:
    """A numbered citation; `quoted` (a CitedPassage) narrows the location to the lines actually quoted."""
    passage = hit.passage
    location = _location(passage)
    if quoted is not None and quoted.line_start is not None:
        location = replace(location, line_start=quoted.line_start, line_end=quoted.line_end)
    if quoted is not None and quoted.page is not None:
        location = replace(location, page=quoted.page)
    return Citation(
        number=number,
        passage_id=passage.id,
        source=passage.source,
        title=titles.get(passage.source, passage.source),
        url=urls.get(passage.source),
        passage=passage.text,
        score=hit.score,
        location=location,
        quote=quote,
        also_in=tuple(also_in) or hit.also_in,
    )


def _passage_view(passage: Passage, titles, urls, score: float | None = None, also_in=()) -> PassageView:
    return PassageView(
        passage.id,
        passage.source,
        titles.get(passage.source, passage.source),
        urls.get(passage.source),
        passage.text,
        _location(passage),
        score,
        tuple(also_in),
    )
