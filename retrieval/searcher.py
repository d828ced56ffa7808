"""Hybrid search over a built index: dense (FAISS) + lexical (BM25), fused, near-duplicates collapsed."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from retrieval import layout
from retrieval.dedupe import shingles
from retrieval.embedder import Embedder
from retrieval.errors import IndexIncompatibleError, RetrievalError
from retrieval.fusion import reciprocal_rank_fusion, score_blend
from retrieval.indexer import LEXICAL_DIR, VECTORS_FILE
from retrieval.lexical import LexicalIndex
from retrieval.manifest import PIPELINE_VERSION, Manifest
from retrieval.models import Hit
from retrieval.sentence_vectors import SentenceVectors
from retrieval.store import JsonPassageStore, PassageStore
from retrieval.vector_index import FaissVectorIndex, VectorIndex

log = logging.getLogger(__name__)

SEARCH_MODES = ("hybrid", "dense", "lexical")
_DUPLICATE_OVERLAP = 0.6


@dataclass(frozen=True)
class SearchParams:
    candidates: int = 50  # per retriever, before fusion
    fusion: str = "rrf"
    rrf_k: int = 60
    dense_weight: float = 0.5  # for the score blend


class Retriever:
    """Read-only view of one index generation; safe to share between threads."""

    def __init__(
        self,
        store: PassageStore,
        vectors: VectorIndex,
        lexical: LexicalIndex,
        embedder: Embedder,
        manifest: Manifest,
        generation: str,
        params: SearchParams = SearchParams(),
        sentences: SentenceVectors | None = None,
    ) -> None:
        self.sentences = sentences
        self.store = store
        self.vectors = vectors
        self.lexical = lexical
        self.embedder = embedder
        self.manifest = manifest
        self.generation = generation
        self.params = params

    @classmethod
    def open(
        cls,
        index_dir: Path,
        embedder: Embedder | None,
        params: SearchParams = SearchParams(),
        rebuild_hint: str = "",
        embedder_for: Callable[[Path, str], Embedder] | None = None,
    ) -> Retriever:
        """Open the live generation of `index_dir`. Queries are embedded by `embedder`, or, when it is None,
        by `embedder_for(generation_dir, manifest.encoder)` (the index's own encoder)."""
        generation = layout.current_generation(Path(index_dir), rebuild_hint)
        manifest = Manifest.load(generation, rebuild_hint)
        if manifest.pipeline_version != PIPELINE_VERSION:
            raise IndexIncompatibleError(
                f"Index at {index_dir} was made by an older citebot that read documents differently "
                f"(text pipeline {manifest.pipeline_version}, now {PIPELINE_VERSION}). {rebuild_hint}"
            )
        if embedder is None:
            if embedder_for is None:
                raise ValueError("Retriever.open needs an embedder or embedder_for")
            embedder = embedder_for(generation, manifest.encoder)
        if manifest.model != embedder.name:
            raise IndexIncompatibleError(
                f"Index at {index_dir} was built with model {manifest.model!r}, but the configured model is "
                f"{embedder.name!r}. {rebuild_hint}"
            )
        try:
            store = JsonPassageStore.load(generation)
            vectors = FaissVectorIndex.load(generation / VECTORS_FILE)
            lexical = LexicalIndex.load(generation / LEXICAL_DIR)
            sentences = SentenceVectors.load(generation)
        except (OSError, ValueError, KeyError, RuntimeError, TypeError) as error:
            raise IndexIncompatibleError(
                f"Index at {index_dir} is damaged ({error.__class__.__name__}). {rebuild_hint}"
            ) from None
        if vectors.dimension != manifest.dimension or vectors.size != len(store):
            raise IndexIncompatibleError(f"Index at {index_dir} is inconsistent. {rebuild_hint}")
        return cls(store, vectors, lexical, embedder, manifest, generation.name, params, sentences)

    def embed_sentences(self, texts: list[str]) -> np.ndarray:
        """Vectors for sentences: from the index when it has them, embedded now otherwise."""
        found = [self.sentences.get(t) if self.sentences else None for t in texts]
        missing = [i for i, v in enumerate(found) if v is None]
        if missing:
            fresh = self.embedder.embed_documents([texts[i] for i in missing])
            for i, vector in zip(missing, fresh, strict=True):
                found[i] = vector
        if not found:
            return np.zeros((0, self.manifest.dimension), dtype=np.float32)
        return np.vstack(found).astype(np.float32)

    def check_model_dimension(self) -> None:
        """Loads the model; fails when it no longer produces vectors of the index's size."""
        if self.embedder.dimension != self.manifest.dimension:
            raise IndexIncompatibleError(
                f"Index vectors have {self.manifest.dimension} dimensions; model {self.embedder.name} makes "
                f"{self.embedder.dimension}. Rebuild the index."
            )

    def search(
        self,
        query: str,
        k: int = 8,
        mode: str = "hybrid",
        query_vector: np.ndarray | None = None,
        lexical_query: str | None = None,
    ) -> list[Hit]:
        if mode not in SEARCH_MODES:
            raise RetrievalError(f"Unknown search mode {mode!r}; choose one of {', '.join(SEARCH_MODES)}.")
        if query_vector is None and mode != "lexical":
            query_vector = self.embedder.embed_queries([query])[0]
        dense = self._dense(query_vector) if mode != "lexical" else {}
        lexical = self._lexical(lexical_query or query) if mode != "dense" else {}
        fused = self._fuse(dense, lexical, mode)
        ranked = sorted(fused, key=fused.get, reverse=True)
        return self._collapse(ranked, fused, dense, lexical, k)

    def embed_queries(self, queries: list[str]) -> np.ndarray:
        return self.embedder.embed_queries(queries)

    def _dense(self, query_vector: np.ndarray) -> dict[int, float]:
        scores, rows = self.vectors.search(query_vector.reshape(1, -1), self.params.candidates)
        return {int(r): float(s) for r, s in zip(rows[0], scores[0], strict=True) if r >= 0}

    def _lexical(self, query: str) -> dict[int, float]:
        rows, scores = self.lexical.search(query, self.params.candidates)
        return {int(r): float(s) for r, s in zip(rows, scores, strict=True)}

    def _fuse(self, dense: dict[int, float], lexical: dict[int, float], mode: str) -> dict[int, float]:
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
        for row in ranked:
            passage = self.store.passage_at(row)
            grams = shingles(passage.text)
            twin = next(
                (i for i, (_, g) in enumerate(kept) if _overlap(g, grams) >= _DUPLICATE_OVERLAP), None
            )
            if twin is not None:
                hit, g = kept[twin]
                if passage.source != hit.passage.source and passage.source not in hit.also_in:
                    kept[twin] = (_with_also(hit, passage.source), g)
                continue
            hit = Hit(passage, fused[row], dense.get(row, 0.0), lexical.get(row, 0.0))
            kept.append((hit, grams))
            if len(kept) >= k:
                break
        return [hit for hit, _ in kept]


def _overlap(a: set, b: set) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / max(len(a), len(b))


def _with_also(hit: Hit, source: str) -> Hit:
    return Hit(hit.passage, hit.score, hit.dense_score, hit.lexical_score, (*hit.also_in, source))
