"""Extractive answers: the sentence or two from the top passages that best answer the question.

No LLM: every word of an answer is quoted from a cited passage. A sentence's score combines its
embedding similarity to the question, the idf-weighted share of the question's terms it (and its
neighbours) contains, agreement with other documents, and whether it holds the kind of thing asked
for (a date for "when", ...).
When the best evidence is weak we abstain and list the closest passages instead of guessing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np

from retrieval.dedupe import is_near_duplicate, shingles
from retrieval.models import Hit
from retrieval.question import QuestionTerms, stems_of
from retrieval.sentences import passage_sentences


@dataclass(frozen=True)
class ComposerParams:
    passages_considered: int = 8
    max_sentences: int = 2
    max_chars: int = 420  # answer text, markers excluded
    # Calibrated on the 77 questions in tests/data/*.yaml (3 corpora' worth of answerable, unanswerable and
    # noise questions): a plateau of thresholds 0.30-0.32 and coverage 0.25-0.35 scores the same.
    min_evidence: float = 0.31
    min_coverage: float = 0.3  # share of the question's weighted terms the best passage must contain
    second_sentence_ratio: float = 0.9  # a second sentence must score this close to the best
    dense_weight: float = 0.4
    coverage_weight: float = 0.35
    agreement_weight: float = 0.06  # for a sentence two other documents repeat


@dataclass(frozen=True)
class Candidate:
    text: str
    hit: Hit
    hit_rank: int
    context: str = ""  # the sentence with its neighbours in the passage
    dense: float = 0.0
    sentence_coverage: float = 0.0
    passage_coverage: float = 0.0
    kind_match: bool = False
    corroboration: int = 0  # other documents saying much the same
    score: float = 0.0
    also_in: tuple[str, ...] = ()


@dataclass(frozen=True)
class CitedPassage:
    number: int
    hit: Hit
    quote: str
    also_in: tuple[str, ...] = ()


@dataclass(frozen=True)
class Composition:
    text: str  # with [n] markers
    abstained: bool
    cited: tuple[CitedPassage, ...] = ()
    closest: tuple[Hit, ...] = ()
    evidence: float = 0.0
    candidates: tuple[Candidate, ...] = field(default=(), compare=False)


def compose(
    hits: list[Hit],
    terms: QuestionTerms,
    question_vector: np.ndarray,
    embed: Callable[[list[str]], np.ndarray],
    titles: dict[str, str],
    params: ComposerParams = ComposerParams(),
) -> Composition:
    top = hits[: params.passages_considered]
    candidates = _candidates(top)
    if not candidates or terms.total_weight <= 0:
        return Composition("", True, closest=tuple(top[:3]))
    vectors = embed([c.text for c in candidates])
    dense = [float(x) for x in vectors @ question_vector]
    candidates = [
        replace(c, corroboration=n)
        for c, n in zip(candidates, _corroboration(candidates, vectors), strict=True)
    ]
    scored = sorted(
        (_score(c, d, terms, titles, params) for c, d in zip(candidates, dense, strict=True)),
        key=lambda c: c.score,
        reverse=True,
    )
    best = scored[0]
    if best.score < params.min_evidence or best.passage_coverage < params.min_coverage:
        return Composition("", True, closest=tuple(top[:3]), evidence=best.score, candidates=tuple(scored))
    chosen = _choose(scored, params)
    text, cited = _render(chosen, params.max_chars)
    return Composition(text, False, cited, evidence=best.score, candidates=tuple(scored))


def _candidates(hits: list[Hit]) -> list[Candidate]:
    """Sentences of the top passages; a sentence seen in several passages is kept once, sources merged."""
    found: list[tuple[Candidate, set]] = []
    for rank, hit in enumerate(hits):
        sentences = passage_sentences(hit.passage.text)
        for position, text in enumerate(sentences):
            if len(text.split()) < 3:
                continue
            context = " ".join(sentences[max(0, position - 1) : position + 2])
            grams = shingles(text)
            twin = next((i for i, (_, g) in enumerate(found) if is_near_duplicate(g, grams, 0.9)), None)
            if twin is not None:
                kept, g = found[twin]
                if hit.passage.source != kept.hit.passage.source and hit.passage.source not in kept.also_in:
                    found[twin] = (replace(kept, also_in=(*kept.also_in, hit.passage.source)), g)
                continue
            found.append((Candidate(text, hit, rank, context, also_in=hit.also_in), grams))
    return [c for c, _ in found]


def _corroboration(candidates: list[Candidate], vectors: np.ndarray) -> list[int]:
    """How many other documents carry a sentence saying much the same: agreement between sources is evidence."""
    agreement = vectors @ vectors.T
    counts = []
    for index, candidate in enumerate(candidates):
        sources = {
            other.hit.passage.source
            for j, other in enumerate(candidates)
            if agreement[index, j] >= _AGREEMENT and other.hit.passage.source != candidate.hit.passage.source
        }
        counts.append(len(sources | set(candidate.also_in)))
    return counts


_AGREEMENT = 0.75


def _score(candidate: Candidate, dense: float, terms: QuestionTerms, titles, params) -> Candidate:
    # Neighbours count a little: "Its mission is ..." answers a question that names the company before it.
    sentence_cov = 0.75 * terms.coverage(stems_of(candidate.text)) + 0.25 * terms.coverage(
        stems_of(candidate.context)
    )
    passage_text = f"{titles.get(candidate.hit.passage.source, '')}\n{candidate.hit.passage.text}"
    passage_cov = terms.coverage(stems_of(passage_text))
    kind_match = terms.kind_matches(candidate.text, exclude=set(terms.weights)) if terms.kind else False
    agreement = min(candidate.corroboration, 2) / 2
    score = (
        params.dense_weight * dense
        + params.coverage_weight * sentence_cov
        + params.agreement_weight * agreement
    )
    if terms.kind and not kind_match:
        # A "when" question answered without any date is no answer; "who" and "where" are fuzzier.
        score *= _KIND_MISMATCH.get(terms.kind, 1.0)
    score -= _RANK_PENALTY * candidate.hit_rank
    return replace(
        candidate,
        dense=dense,
        sentence_coverage=sentence_cov,
        passage_coverage=passage_cov,
        kind_match=kind_match,
        score=score,
    )


_KIND_MISMATCH = {"time": 0.65, "amount": 0.65, "person": 0.85, "place": 0.85}
_RANK_PENALTY = 0.01


def _choose(scored: list[Candidate], params: ComposerParams) -> list[Candidate]:
    chosen = [scored[0]]
    length = len(scored[0].text)
    for candidate in scored[1:]:
        if len(chosen) >= params.max_sentences:
            break
        if candidate.score < params.second_sentence_ratio * scored[0].score:
            break
        if length + len(candidate.text) > params.max_chars:
            continue
        if candidate.sentence_coverage <= 0 and not candidate.kind_match:
            continue
        if any(is_near_duplicate(shingles(candidate.text), shingles(c.text), 0.5) for c in chosen):
            continue  # the same quote as reported by another article adds nothing
        chosen.append(candidate)
        length += len(candidate.text)
    # Keep document order when both come from the same passage, so the answer reads naturally.
    return sorted(chosen, key=lambda c: (c.hit_rank, c.hit.passage.text.find(c.text)))


def _render(chosen: list[Candidate], max_chars: int) -> tuple[str, tuple[CitedPassage, ...]]:
    """Answer text with a [n] marker after each run of sentences from the same passage."""
    numbers: dict[str, int] = {}
    quotes: dict[str, list[str]] = {}
    parts: list[str] = []
    for index, candidate in enumerate(chosen):
        passage_id = candidate.hit.passage.id
        numbers.setdefault(passage_id, len(numbers) + 1)
        quotes.setdefault(passage_id, []).append(candidate.text)
        following = chosen[index + 1].hit.passage.id if index + 1 < len(chosen) else None
        marker = f" [{numbers[passage_id]}]" if following != passage_id else ""
        parts.append(_shorten(candidate.text, max_chars) + marker)
    first = {c.hit.passage.id: c for c in reversed(chosen)}
    cited = tuple(
        CitedPassage(number, first[pid].hit, " ".join(quotes[pid]), first[pid].also_in)
        for pid, number in numbers.items()
    )
    return " ".join(parts), cited


def _shorten(text: str, max_chars: int) -> str:
    if len(text) <= max_chars:
        return text
    cut = text[:max_chars].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + " …"
