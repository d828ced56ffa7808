"""The one front door to retrieval: an Engine assembled from swappable parts, live on the newest index.

    adapter -> command table -> QAService -> Engine -> parts (Embedder, Library, Composer; LibraryWriter)

The engine notices a newly published index generation at the next request and switches to it
atomically; requests already running finish on the generation they started with. Every composed
answer passes the verifier before it leaves.

Every request takes a `scope` (retrieval/scope.py): the source names it may see (a channel's), or None
for everything. Searches rank only the scope's passages; look-ups, listings, suggestions and completions
leave the rest out, so nothing outside the scope is cited, listed, suggested or named.
"""

from __future__ import annotations

import difflib
import logging
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from retrieval.answering.compose import Composition
from retrieval.answering.followup import Turn, remember, remember_parts
from retrieval.answering.pasted import question_parts
from retrieval.answering.question import QuestionTerms, stems_of
from retrieval.answering.reading import Lexicon, Reading, lexicon, read
from retrieval.answering.verifier import verified
from retrieval.config import DEFAULTS, EngineConfig
from retrieval.embedders.runtimes import ServingEmbedders, indexing_embedder
from retrieval.errors import IndexIncompatibleError
from retrieval.manifest import Manifest
from retrieval.models import Document, Hit, Passage
from retrieval.parts import Composer, Embedder, Library, Query
from retrieval.registry import COMPOSERS, choose, library_backend
from retrieval.scope import Scope, in_scope
from retrieval.search.searcher import Searcher
from retrieval.text import languages

if TYPE_CHECKING:
    from retrieval.ingest.build import BuildReport

log = logging.getLogger(__name__)

SEE_ALSO_MIN_DENSE = 0.45  # a passage sharing no word with the question must at least mean much the same


@dataclass(frozen=True)
class Answered:
    """An answer as the engine gives it: the verified composition, what was searched, what to remember."""

    composition: Composition
    hits: tuple[Hit, ...]
    turn: Turn  # what the conversation keeps of this question, whole: stored as is for the next follow-up
    see_also: tuple[Hit, ...] = ()  # after an abstention: the closest passages that share something with it
    documents: Mapping[str, Document] = field(default_factory=dict)  # of every hit above, by source
    context: str | None = None  # the earlier question a follow-up was read with
    timings_ms: dict[str, float] = field(default_factory=dict)
    # A question too long for the encoder's window even as its question sentence and distinctive lines
    # (retrieval/answering/pasted.py): only its first `words_read` of `words` words were searched. None otherwise.
    words_read: int | None = None
    words: int = 0


@dataclass(frozen=True)
class _Open:
    """One generation, opened: its library and the parts that serve it."""

    library: Library
    embedder: Embedder
    searcher: Searcher
    composer: Composer

    @property
    def words(self) -> Lexicon:
        return lexicon(self.library)


class Engine:
    """Search, answer and look up passages on the live index generation; thread-safe."""

    def __init__(self, config: EngineConfig = DEFAULTS, embedder: Embedder | None = None) -> None:
        """`embedder` (tests, benchmarks) replaces the one each generation would be served by."""
        self.config = config
        self._backend = library_backend(config)
        self._make_composer = choose(COMPOSERS, config.composer, "composer")
        self._embedder = embedder
        self._embedders = ServingEmbedders(config.encoder, config.model, config.device)
        self._open: _Open | None = None
        self._lock = threading.Lock()

    # -- the live generation -------------------------------------------------------------------------
    @property
    def generation(self) -> str | None:
        """The live generation (what indexing last published), cheaply; None when there is no index."""
        return self._backend.live_generation(self.config.index)

    def _live(self) -> _Open:
        live = self.generation
        current = self._open
        if current is not None and current.library.generation == live:
            return current
        with self._lock:
            if self._open is None or self._open.library.generation != live:
                self._open = self._load()
                if current is not None:
                    log.info("switched to index generation %s", self._open.library.generation)
            return self._open

    def _load(self) -> _Open:
        config = self.config
        library = self._backend.open(config.index, config.rebuild_hint)
        embedder = self._embedder or self._embedders.for_generation(
            getattr(library, "encoder_folder", None), library.manifest.encoder
        )
        library.manifest.check_servable(config.index, embedder.name, config.rebuild_hint)
        searcher = Searcher(library, embedder, config.search)
        return _Open(library, embedder, searcher, self._make_composer(embedder, config.answer))

    def loaded_generation(self) -> str:
        """Open the live generation if needed; its id."""
        return self._live().library.generation

    def warm_up(self, scopes: Iterable[Scope] = ()) -> str:
        """Load the index, the model and the vocabulary now, so the first question is fast; the generation.
        `scopes` (the channels'): which rows each may see is worked out now too, not at its first question."""
        live = self._live()
        dimension = live.library.manifest.dimension
        if live.embedder.dimension != dimension:
            raise IndexIncompatibleError(
                f"Index vectors have {dimension} dimensions; model {live.embedder.name} makes "
                f"{live.embedder.dimension}. Rebuild the index."
            )
        _ = live.words.vocabulary
        languages.warm_up()  # the question's language is detected on every question
        for scope in scopes:
            live.library.nearest(np.zeros(dimension, np.float32), 1, scope)
        return live.library.generation

    def manifest(self) -> tuple[str, Manifest]:
        """(generation id, manifest) of the live generation, without loading it or the model."""
        return self._backend.live_manifest(self.config.index, self.config.rebuild_hint)

    # -- questions -----------------------------------------------------------------------------------
    def answer(self, query: Query, scope: Scope = None) -> Answered:
        """Answer a question (a follow-up is read with its history), verified; or abstain with see-also.
        Only passages of `scope`'s sources are searched, cited or offered.

        The question is read once (`read`): that reading is what is searched, what the composer scores
        by and what the see-also passages must share a word with. `Answered.turn` is the whole turn for
        the conversation to keep: the question (on one line), the answer, its cited sources and words.
        """
        live = self._live()
        words = live.words
        timings: dict[str, float] = {}
        reading = read(query, words)
        text = reading.search_text
        started = time.perf_counter()
        question_vector = live.embedder.embed_queries([text])[0]
        timings["embed"] = _since(started)
        started = time.perf_counter()
        lexical_query = reading.terms.search_text(text)
        hits = live.searcher.search(
            text, k=self.config.top_k, query_vector=question_vector, lexical_query=lexical_query, scope=scope
        )
        timings["search"] = _since(started)
        started = time.perf_counter()
        composition = verified(
            live.composer.compose(reading, hits, question_vector, live.library), query.text
        )
        timings["compose"] = _since(started)
        see_also = (
            tuple(_plausibly_related(composition.see_also, reading.own_terms, words))
            if composition.abstained
            else ()
        )
        shown = [c.hit for c in composition.cited] + list(see_also)
        documents = {h.passage.source: d for h in shown if (d := live.library.document(h.passage.source))}
        context = reading.follow_up.context.question if reading.follow_up.context else None
        message = reading.message
        return Answered(
            composition, tuple(hits), _turn(reading, composition), see_also, documents, context, timings,
            message.words_read, message.words,
        )  # fmt: skip

    @staticmethod
    def question_parts(text: str) -> list[str]:
        """The separate questions a message asks ("what's X and when does Y close?": two), each to be
        answered on its own; `[text]` when it asks one thing. See retrieval/answering/pasted.py."""
        return question_parts(text)

    @staticmethod
    def joined_turn(question: str, turns: Sequence[Turn]) -> Turn:
        """The one turn a conversation keeps of a message that asked several things (`question`, on one
        line), from the `Answered.turn` of each of its parts in order."""
        return remember_parts(question, turns)

    def search(self, query: str, k: int = 8, scope: Scope = None) -> list[Hit]:
        """The best `k` passages for `query` (hybrid retrieval alone, no answer), best first; only
        passages of `scope`'s sources are ranked."""
        return self._live().searcher.search(query, k=k, scope=scope)

    # -- look-ups (a key outside `scope` reads as unknown) -------------------------------------------
    def passage(self, passage_id: str, scope: Scope = None) -> Passage | None:
        """A passage by id ("doc.txt#3"), None when there is none (in `scope`)."""
        if not in_scope(passage_id, scope):
            return None
        return self._live().library.passage(passage_id)

    def document(self, source: str, scope: Scope = None) -> Document | None:
        """A document by source path, None when there is none (in `scope`)."""
        if not in_scope(source, scope):
            return None
        return self._live().library.document(source)

    def documents(self, scope: Scope = None) -> list[Document]:
        """Every document (of `scope`'s sources), sorted by source."""
        return _of_scope(self._live().library.documents(), scope)

    def passages_of(self, source: str, scope: Scope = None) -> list[Passage]:
        """A document's passages in order (none for a document outside `scope`)."""
        if not in_scope(source, scope):
            return []
        return self._live().library.passages_of(source)

    def suggest(self, key: str, limit: int = 3, search: bool = True, scope: Scope = None) -> list[str]:
        """Ids or file names (of `scope`'s sources) close to a mistyped `key`; failing that (and with
        `search`), the ids of the passages that best match its words."""
        library = self._live().library
        names = [d.source for d in _of_scope(library.documents(), scope)]
        ids = [p.id for name in names for p in library.passages_of(name)]
        close = difflib.get_close_matches(key, names + ids, n=limit, cutoff=0.6)
        if close or not search or len(key) <= 3:
            return close
        return [hit.passage.id for hit in self.search(key, k=limit, scope=scope)]

    def complete(self, prefix: str, limit: int = 25, scope: Scope = None) -> list[tuple[str, str]]:
        """(id, label) pairs (of `scope`'s sources) whose id or title contains the typed text; documents
        first."""
        library = self._live().library
        documents = _of_scope(library.documents(), scope)
        needle = prefix.strip().lower()
        found: list[tuple[str, str]] = []
        for document in documents:
            if not needle or needle in document.source.lower() or needle in document.title.lower():
                found.append((document.source, f"{document.title} ({document.source})"))
        if needle:
            for document in documents:
                for passage in library.passages_of(document.source):
                    if needle in passage.id.lower():
                        found.append((passage.id, f"{passage.id}: {passage.text[:60]}"))
        return found[:limit]


def build(
    config: EngineConfig, show_progress: bool = True, embedder: Embedder | None = None, strict: bool = False
) -> BuildReport:
    """Build or refresh the library `config` names from `config.corpus`, and publish it atomically.

    `strict`: a file no reader takes or a reader failed on raises UnreadFilesError; nothing is published.
    """
    from retrieval.ingest import (
        build as indexer,  # the parsers and the index builders: not loaded for answering
    )

    started = time.perf_counter()  # the report's time counts the model's first export to ONNX (seconds)
    if embedder is None:
        embedder = indexing_embedder(config.encoder, config.model, config.device, config.index_runtime)
    preparing = time.perf_counter() - started  # seconds, as the report counts (_since gives milliseconds)
    writer = library_backend(config).writer(config.index, embedder)
    report = indexer.build(
        Path(config.corpus),
        writer,
        embedder,
        config.chunking,
        config.index_type,
        show_progress,
        config.sentence_vectors,
        config.exact_limit,
        strict,
    )
    report.index_dir = config.index
    report.seconds += preparing
    return report


def _plausibly_related(hits, terms: QuestionTerms, words: Lexicon) -> list[Hit]:
    """The closest passages worth offering after an abstention: ones sharing a content word with the
    question (`terms`: its own, as read), or close in meaning. An off-topic question ("the weather in
    Paris?") gets none."""
    vocabulary = words.vocabulary
    # Words as typed only: a spelling repair ("weather" -> "whether") is no evidence of a shared topic.
    known = {t for t in terms.weights if t in vocabulary and t not in terms.repairs}
    related = []
    for hit in hits:
        text = stems_of(f"{words.titles.get(hit.passage.source, '')}\n{hit.passage.text}")
        if known & text or hit.dense_score >= SEE_ALSO_MIN_DENSE:
            related.append(hit)
    return related


def _turn(reading: Reading, composition: Composition) -> Turn:
    """What the conversation keeps of an answered (or abstained) question: the question as asked, on one
    line (a later follow-up shows it as the question it was read with), the answer, the sources it
    cites (in citation order), and the words the next follow-up may carry."""
    sources = tuple(dict.fromkeys(c.hit.passage.source for c in composition.cited))
    asked = reading.query.text.replace("\n", " ")
    return remember(reading.follow_up, composition.text, composition.abstained, sources, asked=asked)


def _of_scope(documents: list[Document], scope: Scope) -> list[Document]:
    """The documents of `scope`'s sources (all of them, the same list, for None)."""
    return documents if scope is None else [d for d in documents if in_scope(d.source, scope)]


def _since(started: float) -> float:
    return (time.perf_counter() - started) * 1000
