"""One question in, one composed answer out: search, then extract, with per-stage timings."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property

from retrieval.answer import ComposerParams, Composition, compose
from retrieval.lexical import stem, tokenize
from retrieval.models import Hit
from retrieval.question import Vocabulary, analyse
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
    def vocabulary(self) -> Vocabulary:
        frequency: Counter[str] = Counter()
        passages = self.retriever.store.all_passages()
        titles = self.titles
        for passage in passages:
            context = f"{titles.get(passage.source, '')}\n{passage.heading_path}\n{passage.text}"
            frequency.update(set(stem(tokenize(context))))
        return Vocabulary(dict(frequency), len(passages))

    @cached_property
    def titles(self) -> dict[str, str]:
        return {d.source: d.title for d in self.retriever.store.documents()}

    @cached_property
    def urls(self) -> dict[str, str | None]:
        return {d.source: d.url for d in self.retriever.store.documents()}

    def answer(self, question: str) -> AnswerResult:
        timings: dict[str, float] = {}
        started = time.perf_counter()
        question_vector = self.retriever.embed_queries([question])[0]
        timings["embed"] = _since(started)
        started = time.perf_counter()
        terms = analyse(question, self.vocabulary)
        hits = self.retriever.search(
            question, k=self.top_k, query_vector=question_vector, lexical_query=terms.search_text(question)
        )
        timings["search"] = _since(started)
        started = time.perf_counter()
        composition = compose(
            hits, terms, question_vector, self.retriever.embed_sentences, self.titles, self.params
        )
        timings["compose"] = _since(started)
        return AnswerResult(composition, tuple(hits), timings)


def _since(started: float) -> float:
    return (time.perf_counter() - started) * 1000
