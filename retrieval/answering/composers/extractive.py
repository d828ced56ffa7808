"""The extractive composer as a `Composer`: quotes the units of the top passages that best answer.

The scoring itself lives in retrieval/answering/compose.py (`compose`); this module gives it what it needs from a
Library: the question's terms, sentence vectors (stored, else embedded now) and document titles.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from retrieval.answering.compose import ComposerParams, Composition, compose
from retrieval.answering.reading import lexicon, read
from retrieval.models import Hit
from retrieval.parts import Embedder, Library, Query, Vector


class ExtractiveComposer:
    """No generation: every word of an answer is quoted from a cited passage."""

    def __init__(self, embedder: Embedder, params: ComposerParams = ComposerParams()) -> None:
        self.embedder = embedder
        self.params = params

    def compose(
        self, query: Query, hits: Sequence[Hit], question_vector: Vector, library: Library
    ) -> Composition:
        """The answer to `query` from `hits` (best first), or an abstention with the closest hits."""
        words = lexicon(library)
        terms = read(query, words).terms

        def embed(texts: list[str]) -> np.ndarray:
            return sentence_vectors(library, self.embedder, texts)

        return compose(
            list(hits), terms, question_vector, embed, words.titles, self.params, passage_of=library.passage
        )


def sentence_vectors(library: Library, embedder: Embedder, texts: list[str]) -> np.ndarray:
    """Vectors for sentences: from the library when it has them, embedded now otherwise."""
    found = library.sentence_vectors(texts)
    missing = [i for i, vector in enumerate(found) if vector is None]
    if missing:
        fresh = embedder.embed_documents([texts[i] for i in missing])
        for i, vector in zip(missing, fresh, strict=True):
            found[i] = vector
    if not found:
        return np.zeros((0, library.manifest.dimension), dtype=np.float32)
    return np.vstack(found).astype(np.float32)
