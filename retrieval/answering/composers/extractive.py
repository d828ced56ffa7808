"""The extractive composer as a `Composer`: quotes the units of the top passages that best answer.

The scoring itself lives in retrieval/answering/compose.py (`compose`); this module gives it what it needs: the
question's terms (from the engine's one reading), sentence vectors (stored, else embedded now) and document titles.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from retrieval.answering.compose import Composition, compose
from retrieval.answering.reading import Reading, lexicon
from retrieval.config import ComposerParams
from retrieval.models import Hit
from retrieval.parts import Embedder, Library, Vector


class ExtractiveComposer:
    """No generation: every word of an answer is quoted from a cited passage."""

    def __init__(self, embedder: Embedder, params: ComposerParams = ComposerParams()) -> None:
        self.embedder = embedder
        self.params = params

    def compose(
        self, reading: Reading, hits: Sequence[Hit], question_vector: Vector, library: Library
    ) -> Composition:
        """The answer to the question `reading` read from `hits` (best first), or an abstention with the
        closest hits; scored by the reading's terms."""
        words = lexicon(library)

        def embed(texts: list[str]) -> np.ndarray:
            return sentence_vectors(library, self.embedder, texts)

        terms, titles = reading.terms, words.titles
        return compose(
            list(hits), terms, question_vector, embed, titles, self.params, passage_of=library.passage,
            carried=reading.carried_terms, products=words.products,
        )  # fmt: skip


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
