"""One question in, one composed answer out: search, then extract, with per-stage timings."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import cached_property

from retrieval.answer import ComposerParams, Composition, compose
from retrieval.followup import FollowUp
from retrieval.lexical import stem, tokenize
from retrieval.models import Hit
from retrieval.question import QuestionTerms, Vocabulary, analyse
from retrieval.searcher import Retriever


@dataclass(frozen=True)
class AnswerResult:
    composition: Composition
    hits: tuple[Hit, ...]
    timings_ms: dict[str, float] = field(default_factory=dict)


class QuestionAnswerer:
    def __init__(
        self, retriever: Retriever, params: ComposerParams = ComposerParams(), top_k: int = 8
    ) -> None:
        self.retriever = retriever
        self.params = params
        self.top_k = top_k

    @cached_property
    def _document_frequency(self) -> tuple[dict[str, int], int]:
        frequency: Counter[str] = Counter()
        passages = self.retriever.store.all_passages()
        titles = self.titles
        for passage in passages:
            context = f"{titles.get(passage.source, '')}\n{passage.heading_path}\n{passage.text}"
            frequency.update(set(stem(tokenize(context))))
        return dict(frequency), len(passages)

    @cached_property
    def vocabulary(self) -> Vocabulary:
        frequency, passages = self._document_frequency
        return Vocabulary(frequency, passages)

    @cached_property
    def term_shares(self) -> dict[str, float]:
        """Stemmed term -> share of passages holding it: how specific a word is in this corpus."""
        frequency, passages = self._document_frequency
        return {term: count / max(passages, 1) for term, count in frequency.items()}

    @cached_property
    def titles(self) -> dict[str, str]:
        return {d.source: d.title for d in self.retriever.store.documents()}

    @cached_property
    def urls(self) -> dict[str, str | None]:
        return {d.source: d.url for d in self.retriever.store.documents()}

    def answer(self, question: str, follow_up: FollowUp | None = None) -> AnswerResult:
        """Answer `question`; a follow-up searches with the words it carried from the conversation too."""
        timings: dict[str, float] = {}
        text = follow_up.search_text if follow_up is not None else question
        started = time.perf_counter()
        question_vector = self.retriever.embed_queries([text])[0]
        timings["embed"] = _since(started)
        started = time.perf_counter()
        terms = analyse(text, self.vocabulary)
        if text != question:
            terms = _carried_weighed_down(terms, analyse(question, self.vocabulary))
        hits = self.retriever.search(
            text, k=self.top_k, query_vector=question_vector, lexical_query=terms.search_text(text)
        )
        timings["search"] = _since(started)
        started = time.perf_counter()
        composition = compose(
            hits, terms, question_vector, self.retriever.embed_sentences, self.titles, self.params
        )
        timings["compose"] = _since(started)
        return AnswerResult(composition, tuple(hits), timings)


CARRIED_WEIGHT = 0.3  # a word carried from an earlier turn counts this much of one the user typed


def _carried_weighed_down(terms: QuestionTerms, own: QuestionTerms) -> QuestionTerms:
    """The question's own terms at full weight, the carried ones lighter; the kind asked for is its own."""
    weights = {t: w if t in own.weights else w * CARRIED_WEIGHT for t, w in terms.weights.items()}
    return replace(terms, weights=weights, kind=own.kind)


def _since(started: float) -> float:
    return (time.perf_counter() - started) * 1000
