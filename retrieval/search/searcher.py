"""Hybrid search over a Library: dense (nearest vectors) + lexical (keyword), fused, near-duplicates collapsed."""

from __future__ import annotations

import logging
import re
from functools import lru_cache

import numpy as np

from retrieval.config import SearchParams
from retrieval.errors import RetrievalError
from retrieval.models import Hit
from retrieval.parts import Embedder, Library
from retrieval.scope import Scope
from retrieval.search.fusion import reciprocal_rank_fusion, score_blend
from retrieval.text.shingles import shingles

log = logging.getLogger(__name__)

SEARCH_MODES = ("hybrid", "dense", "lexical")
_DUPLICATE_OVERLAP = 0.6


class Searcher:
    """Searches one Library, embedding queries with `embedder`; safe to share between threads."""

    def __init__(self, library: Library, embedder: Embedder, params: SearchParams = SearchParams()) -> None:
        self.library = library
        self.embedder = embedder
        self.params = params

    def search(
        self,
        query: str,
        k: int = 8,
        mode: str = "hybrid",
        query_vector: np.ndarray | None = None,
        lexical_query: str | None = None,
        scope: Scope = None,
    ) -> list[Hit]:
        """The best `k` passages for `query`, best first; `lexical_query` replaces the words searched.
        `scope`: only passages of these sources are ranked (filtered before ranking, in both retrievers,
        so the k come from them); None searches everything."""
        if mode not in SEARCH_MODES:
            raise RetrievalError(f"Unknown search mode {mode!r}; choose one of {', '.join(SEARCH_MODES)}.")
        if query_vector is None and mode != "lexical":
            query_vector = self.embedder.embed_queries([query])[0]
        scoped = {} if scope is None else {"scope": scope}  # None: the library's call of old, unchanged
        candidates = self.params.candidates
        dense = dict(self.library.nearest(query_vector, candidates, **scoped)) if mode != "lexical" else {}
        lexical = (
            dict(self.library.keyword(lexical_query or query, candidates, **scoped))
            if mode != "dense"
            else {}
        )
        fused = self._fuse(dense, lexical, mode)
        ranked = sorted(fused, key=fused.get, reverse=True)
        if dense and lexical:
            ranked = _with_leaders(ranked, (_best(lexical),), k)
        hits = self._collapse(ranked, fused, dense, lexical, k)
        return sorted(hits, key=lambda hit: hit.score, reverse=True)  # a leader moved up keeps its score

    def _fuse(self, dense: dict[str, float], lexical: dict[str, float], mode: str) -> dict[str, float]:
        if mode == "dense":
            return dense
        if mode == "lexical":
            return lexical
        if self.params.fusion == "blend":
            return score_blend(dense, lexical, self.params.dense_weight)
        rankings = [sorted(d, key=d.get, reverse=True) for d in (dense, lexical) if d]
        return reciprocal_rank_fusion(rankings, self.params.rrf_k)

    def _collapse(self, ranked, fused, dense, lexical, k) -> list[Hit]:
        """Best-first hits; a passage nearly identical to a better one is folded into it (its source kept)."""
        kept: list[tuple[Hit, set]] = []
        for passage_id in ranked:
            passage = self.library.passage(passage_id)
            grams = shingles(passage.text)
            numbers = _numbers(passage.text)
            twin = next(
                (
                    i
                    for i, (h, g) in enumerate(kept)
                    if _overlap(g, grams) >= _DUPLICATE_OVERLAP
                    and (h.passage.source == passage.source or _numbers(h.passage.text) == numbers)
                ),
                None,
            )
            if twin is not None:
                hit, g = kept[twin]
                if passage.source != hit.passage.source and passage.source not in hit.also_in:
                    kept[twin] = (_with_also(hit, passage.source), g)
                continue
            hit = Hit(passage, fused[passage_id], dense.get(passage_id, 0.0), lexical.get(passage_id, 0.0))
            kept.append((hit, grams))
            if len(kept) >= k:
                break
        return [hit for hit, _ in kept]


def _best(scores: dict[str, float]) -> str:
    return max(scores, key=scores.get)


def _with_leaders(ranked: list[str], leaders: tuple[str, ...], k: int) -> list[str]:
    """`ranked` with each retriever's best passage (`leaders`) within its first `k`, after the first
    FUSED_FIRST places: fusion by rank buries a passage that only one retriever finds, however far ahead
    ("Does packaging still depend on pyparsing?": the one changelog passage naming pyparsing led the
    keyword ranking by 3.5 to 2.5, yet was 23rd fused, as the embedding of a long changelog passage is
    far from the question). A leader beyond the first k takes one of the last of its places; the rest
    keep their order."""
    late = [leader for leader in dict.fromkeys(leaders) if ranked.index(leader) >= k]
    keep = k - len(late)
    if not late or keep < FUSED_FIRST:
        return ranked
    rest = [passage_id for passage_id in ranked if passage_id not in late]
    return [*rest[:keep], *late, *rest[keep:]]


# The first places stay fusion's: a leader takes a place after them, so `k=1` (`citebot sources -k 1`,
# the approximate-index test) is the fused best, and the bot's 8 hits keep their first two.
FUSED_FIRST = 2


_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


@lru_cache(maxsize=16384)
def _numbers(text: str) -> frozenset[str]:
    """The numbers a passage states ("2", "49", "3.0"): two documents alike but for them (Widget 2 at $49,
    Widget 3 at $59; the 2.3 and 2.4 install guides) say different things and are both kept. (Within one
    document, overlapping passages are folded whatever their numbers: they are the same text.)"""
    return frozenset(_NUMBER.findall(text))


def _overlap(a: set, b: set) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / max(len(a), len(b))


def _with_also(hit: Hit, source: str) -> Hit:
    return Hit(hit.passage, hit.score, hit.dense_score, hit.lexical_score, (*hit.also_in, source))
