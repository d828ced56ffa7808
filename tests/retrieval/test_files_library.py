"""The files backend: a Library over one generation folder, and the writer that reuses and publishes."""

from __future__ import annotations

import numpy as np
import pytest

from retrieval.ingest.build import document_frequencies
from retrieval.libraries.files.keyword_index import LexicalIndex
from retrieval.libraries.files.library import (
    VOCABULARY_FILE,
    FilesLibrary,
    FilesLibraryWriter,
    live_generation,
)
from retrieval.text.sentences import passage_units
from tests.harness.libraries import all_passages


@pytest.fixture(scope="module")
def library(seeds_index) -> FilesLibrary:
    return FilesLibrary.open(seeds_index)


def test_nearest_gives_passage_ids_with_cosine_scores(library, embedder):
    vector = embedder.embed_queries(["Who is OpenAI's chief scientist?"])[0]
    ranking = library.nearest(vector, 5)
    assert len(ranking) == 5 and all(library.passage(pid) for pid, _ in ranking)
    scores = [score for _, score in ranking]
    assert scores == sorted(scores, reverse=True) and all(-1 <= s <= 1 for s in scores)
    assert "Sutskever" in " ".join(library.passage(pid).text for pid, _ in ranking[:3])


def test_keyword_finds_only_passages_with_the_words(library):
    ranking = library.keyword("Sutskever", 10)
    assert ranking and all("Sutskever" in library.passage(pid).text for pid, _ in ranking)
    assert library.keyword("zyzzyva quokka", 10) == []


def test_documents_and_passages_line_up(library):
    documents = library.documents()
    assert [d.source for d in documents] == sorted(d.source for d in documents)
    assert len(library) == sum(len(library.passages_of(d.source)) for d in documents)
    assert library.document("no-such.txt") is None and library.passages_of("no-such.txt") == []


def test_sentence_vectors_are_stored_for_every_unit(library):
    passage = all_passages(library)[0]
    texts = passage_units(passage)
    assert all(v is not None for v in library.sentence_vectors(texts))
    assert library.sentence_vectors(["a sentence no document has"]) == [None]


def test_vocabulary_is_persisted_at_build(library):
    assert (library.folder / VOCABULARY_FILE).exists()
    stored = library.document_frequencies()
    recomputed = document_frequencies(library.documents(), all_passages(library))
    assert dict(stored.counts) == dict(recomputed.counts) and stored.passages == recomputed.passages


def test_the_writer_reads_what_the_live_generation_holds(seeds_index, library):
    writer = FilesLibraryWriter(seeds_index)
    assert writer.live_manifest() == library.manifest
    source = library.documents()[0].source
    entry = writer.previous(source)
    assert entry.document == library.document(source)
    assert list(entry.passages) == library.passages_of(source)
    assert entry.vectors.shape == (len(entry.passages), library.manifest.dimension)
    assert writer.previous("no-such.txt") is None


def test_discarding_leaves_the_live_generation(seeds_index):
    before = live_generation(seeds_index)
    writer = FilesLibraryWriter(seeds_index)
    writer.discard()
    assert live_generation(seeds_index) == before


def test_lexical_index_round_trips(tmp_path):
    index = LexicalIndex.build(["The idleTimeout is 180s.", "Lentil soup on Tuesdays."])
    index.save(tmp_path / "lexical")
    rows, scores = LexicalIndex.load(tmp_path / "lexical").search("idle timeout", 5)
    assert list(rows) == [0] and scores[0] > 0
    assert LexicalIndex.load(tmp_path / "lexical").search("nothing here", 5)[0].size == 0
    assert np.all(LexicalIndex.load(tmp_path / "lexical").search("soup", 5)[0] == [1])
