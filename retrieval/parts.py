"""The parts an Engine is assembled from, as Protocols: Embedder, Library, LibraryWriter, Composer.

Each part is chosen by config through one registry (`retrieval/registry.py`); a new runtime or store is
one new module implementing one of these. Nothing here knows how a part stores anything: passages are
named by `Passage.id`, documents by `Document.source`, vectors are L2-normalised float32 (inner
product = cosine), and an index generation is an opaque id.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

import numpy as np

from retrieval.answering.followup import Turn
from retrieval.manifest import Manifest
from retrieval.models import Document, Hit, Passage

if TYPE_CHECKING:
    from retrieval.answering.compose import Composition
    from retrieval.answering.reading import Reading

Vector = np.ndarray  # one L2-normalised float32 vector, shape (dimension,)
Ranking = list[tuple[str, float]]  # (passage id, score), best first


@dataclass(frozen=True)
class Query:
    """A question, with the earlier turns of its conversation (oldest first) for reading a follow-up."""

    text: str
    history: tuple[Turn, ...] = ()


@dataclass(frozen=True)
class DocumentFrequencies:
    """How many passages hold each stemmed term (title, headings and text counted), and of how many."""

    counts: Mapping[str, int] = field(default_factory=dict)
    passages: int = 0


@dataclass(frozen=True)
class DocumentEntry:
    """One document as a library holds it: its metadata (with the file's sha256), its passages in order
    and one vector per passage, row for row."""

    document: Document
    passages: tuple[Passage, ...]
    vectors: np.ndarray  # (len(passages), dimension) float32


def indexed_text(document: Document, passage: Passage) -> str:
    """What is embedded and keyword-indexed for a passage: the title and the heading path give it context."""
    if passage.headings:
        return f"{document.title}\n{passage.heading_path}\n{passage.text}"
    return f"{document.title}\n{passage.text}"


class Embedder(Protocol):
    """Text -> L2-normalised vectors (today: sentence-transformers, or the model on onnxruntime)."""

    name: str  # the model's name, recorded in the manifest

    @property
    def dimension(self) -> int:
        """Length of the vectors this embedder makes (may load the model)."""
        ...

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        """(len(texts), dimension) float32 vectors for questions."""
        ...

    def embed_documents(self, texts: list[str], show_progress: bool = False) -> np.ndarray:
        """(len(texts), dimension) float32 vectors for passages and sentences."""
        ...


class Library(Protocol):
    """The read side of one published index generation: passages, documents, and the ways to find them.

    Safe to share between threads; it never changes (a new build is a new generation).
    """

    @property
    def generation(self) -> str:
        """The id of the generation this library reads."""
        ...

    @property
    def manifest(self) -> Manifest:
        """How the generation was built (model, encoder, dimension, chunking, files)."""
        ...

    def __len__(self) -> int:
        """Number of passages."""
        ...

    def passage(self, passage_id: str) -> Passage | None:
        """The passage with this id, None when there is none."""
        ...

    def passages_of(self, source: str) -> list[Passage]:
        """A document's passages in document order (empty for an unknown source)."""
        ...

    def document(self, source: str) -> Document | None:
        """A document by its source path, None when there is none."""
        ...

    def documents(self) -> list[Document]:
        """Every document, sorted by source."""
        ...

    def nearest(self, vector: Vector, k: int, scope: frozenset[str] | None = None) -> Ranking:
        """Up to k passages closest to `vector` by cosine similarity, best first. `scope`: only passages
        of these sources (retrieval/scope.py) are ranked, so the k come from them; None: every passage."""
        ...

    def keyword(self, query: str, k: int, scope: frozenset[str] | None = None) -> Ranking:
        """Up to k passages matching the words of `query` (BM25 over `indexed_text`), best first; only
        positive scores, empty when no query word is known. `scope` as for `nearest`."""
        ...

    def sentence_vectors(self, texts: Sequence[str]) -> list[Vector | None]:
        """Vectors stored at build time for these sentence texts; None for each text the library lacks."""
        ...

    def document_frequencies(self) -> DocumentFrequencies:
        """The vocabulary's document frequencies, as persisted at build time."""
        ...


class LibraryWriter(Protocol):
    """The write side, used by indexing: read what the live generation holds, stage a new generation,
    then publish it atomically (or discard it). Readers see the old generation until `publish` returns."""

    def live_manifest(self) -> Manifest | None:
        """The live generation's manifest; None when there is none or it cannot be read."""
        ...

    def previous(self, source: str) -> DocumentEntry | None:
        """What the live generation holds for `source` (so an unchanged file is not re-embedded); None when
        it holds nothing usable for it."""
        ...

    def previous_sentence_vectors(self, texts: Sequence[str]) -> list[Vector | None]:
        """The live generation's vectors for these sentence texts; None for each it lacks."""
        ...

    def add(self, entry: DocumentEntry) -> None:
        """Stage one document with its passages and their vectors (documents are added in source order)."""
        ...

    def add_sentence_vectors(self, texts: Sequence[str], vectors: np.ndarray) -> None:
        """Stage vectors for sentence texts (row i belongs to texts[i]; texts are unique)."""
        ...

    def set_vocabulary(self, frequencies: DocumentFrequencies) -> None:
        """Stage the vocabulary's document frequencies."""
        ...

    def publish(self, manifest: Manifest) -> str:
        """Make the staged generation the live one, atomically; returns its generation id."""
        ...

    def discard(self) -> None:
        """Drop whatever was staged; the live generation is untouched."""
        ...


class Composer(Protocol):
    """Hits -> an answer with numbered citations (today: extractive). Its output is checked by the verifier.

    The engine reads the question once; the composer is given that `Reading` (retrieval/answering/reading.py:
    the query, the follow-up it is, its weighted terms) and never reads the question again.
    """

    def compose(
        self, reading: Reading, hits: Sequence[Hit], question_vector: Vector, library: Library
    ) -> Composition:
        """The answer to the question `reading` read from `hits` (best first), or an abstention with the
        closest hits; `question_vector` is the embedding of `reading.search_text` (unit length)."""
        ...
