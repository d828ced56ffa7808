"""The postgres library and writer on a real PostgreSQL: what is written is read back, searches rank like
the files backend's, generations publish atomically, unchanged files are shared, old generations go."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from bot.state.database import open_pool
from retrieval.errors import IndexMissingError
from retrieval.libraries.files.keyword_index import LexicalIndex
from retrieval.libraries.postgres.library import (
    LibraryUnavailable,
    PostgresLibrary,
    PostgresLibraryWriter,
    configure_connection,
    live_generation,
)
from retrieval.manifest import FileEntry, Manifest
from retrieval.models import Document, Passage
from retrieval.parts import DocumentEntry, DocumentFrequencies, indexed_text
from retrieval.text.tokens import stem, tokenize

TEXTS = {
    "alpha.md": [
        "Microsoft invests one billion dollars in OpenAI.",
        "The partnership builds supercomputing on Azure, and Azure runs the training.",
    ],
    "beta.md": ["The idle timeout defaults to 180 seconds.", "Set idleTimeout in the entryPoints section."],
    "gamma.txt": ["Prometheus scrapes targets every 15 seconds.", "Alerting rules live in rule files."],
}


def _vector(seed: int) -> np.ndarray:
    vector = np.random.default_rng(seed).standard_normal(384).astype(np.float32)
    return vector / np.linalg.norm(vector)


def entry(source: str, texts: list[str], sha: str = "v1", seed: int = 0) -> DocumentEntry:
    document = Document(source, f"Title of {source}", f"https://example.com/{source}", None, sha)
    passages = tuple(
        Passage(f"{source}#{i}", source, i, text, i + 1, i + 1, headings=("Section",))
        for i, text in enumerate(texts)
    )
    vectors = np.vstack([_vector(hash((source, sha, i, seed)) % 2**32) for i in range(len(texts))])
    return DocumentEntry(document, passages, vectors)


def manifest(entries: list[DocumentEntry]) -> Manifest:
    return Manifest(
        model="all-MiniLM-L6-v2",
        dimension=384,
        max_words=120,
        overlap_sentences=1,
        index_type="hnsw",
        corpus="/corpus",
        encoder="onnx",
        files={
            e.document.source: FileEntry(e.document.sha256, len(e.passages), e.document.title)
            for e in entries
        },
        passage_count=sum(len(e.passages) for e in entries),
    )


def frequencies(entries: list[DocumentEntry]) -> DocumentFrequencies:
    counts: Counter[str] = Counter()
    for e in entries:
        for passage in e.passages:
            counts.update(set(stem(tokenize(indexed_text(e.document, passage)))))
    return DocumentFrequencies(dict(counts), sum(len(e.passages) for e in entries))


def build(pool, entries: list[DocumentEntry], sentences: dict[str, np.ndarray] | None = None) -> str:
    writer = PostgresLibraryWriter(pool)
    for e in sorted(entries, key=lambda e: e.document.source):
        writer.add(e)
    if sentences:
        writer.add_sentence_vectors(list(sentences), np.vstack(list(sentences.values())))
    writer.set_vocabulary(frequencies(entries))
    return writer.publish(manifest(entries))


@pytest.fixture
def pool(database_url):
    pool = open_pool(database_url, wait_s=10, configure=configure_connection)
    yield pool
    pool.close()


@pytest.fixture
def entries() -> list[DocumentEntry]:
    return [entry(source, texts) for source, texts in TEXTS.items()]


def test_no_generation_yet(pool):
    assert live_generation(pool) is None
    with pytest.raises(IndexMissingError, match="No index in the database at 127.0.0.1"):
        PostgresLibrary(pool)


def test_what_is_written_is_read_back(pool, entries):
    name = build(pool, entries)
    library = PostgresLibrary(pool)
    assert library.generation == name == live_generation(pool)
    assert len(library) == 6
    assert [d.source for d in library.documents()] == sorted(TEXTS)
    assert library.document("beta.md") == entries[1].document
    assert library.passages_of("beta.md") == list(entries[1].passages)
    assert library.passage("gamma.txt#1") == entries[2].passages[1]
    assert library.passage("nope#1") is None and library.document("nope") is None
    assert library.manifest.files["alpha.md"].passages == 2 and library.manifest.built_at
    assert library.document_frequencies() == frequencies(entries)


def test_nearest_is_the_exact_cosine_ranking(pool, entries):
    build(pool, entries)
    library = PostgresLibrary(pool)
    all_vectors = np.vstack([e.vectors for e in entries])
    ids = [p.id for e in entries for p in e.passages]
    query = _vector(99)
    expected = sorted(zip(ids, all_vectors @ query, strict=True), key=lambda pair: -pair[1])[:4]
    found = library.nearest(query, 4)
    assert [i for i, _ in found] == [i for i, _ in expected]
    assert np.allclose([s for _, s in found], [s for _, s in expected], atol=1e-5)


@pytest.mark.parametrize(
    "query",
    [
        "azure",
        "idle timeout",
        "how often does Prometheus scrape targets",
        "the",
        "seconds",
        "billion Azure Azure",
    ],
)
def test_keyword_ranks_as_bm25s_does(pool, entries, query):
    build(pool, entries)
    library = PostgresLibrary(pool)
    texts = [indexed_text(e.document, p) for e in entries for p in e.passages]
    ids = [p.id for e in entries for p in e.passages]
    rows, scores = LexicalIndex.build(texts).search(query, 10)
    expected = [(ids[r], float(s)) for r, s in zip(rows, scores, strict=True)]
    found = library.keyword(query, 10)
    assert sorted(i for i, _ in found) == sorted(i for i, _ in expected)
    assert dict(found) == pytest.approx(dict(expected), rel=1e-4)
    assert [i for i, _ in found][:1] == [i for i, _ in expected][:1]


def test_sentence_vectors_by_text(pool, entries):
    stored = {"Azure runs the training.": _vector(1), "Set idleTimeout.": _vector(2)}
    build(pool, entries, stored)
    library = PostgresLibrary(pool)
    found = library.sentence_vectors(["Set idleTimeout.", "never stored", "Azure runs the training."])
    assert found[1] is None
    assert np.array_equal(found[0], stored["Set idleTimeout."])
    assert np.array_equal(found[2], stored["Azure runs the training."])


def _count(pool, table: str) -> int:
    with pool.connection() as connection:
        return connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_unchanged_files_are_shared_and_readers_keep_their_generation(pool, entries):
    first = build(pool, entries, {"one": _vector(1)})
    old = PostgresLibrary(pool)
    writer = PostgresLibraryWriter(pool)
    assert _same_entry(writer.previous("beta.md"), entries[1])
    changed = entry("beta.md", ["The idle timeout is now 60 seconds."], sha="v2")
    second_entries = [entries[0], changed, entries[2]]
    for e in second_entries:
        writer.add(e)
    writer.add_sentence_vectors(["one", "two"], np.vstack([_vector(1), _vector(2)]))
    writer.set_vocabulary(frequencies(second_entries))
    assert live_generation(pool) == first  # staged, not yet live
    second = writer.publish(manifest(second_entries))
    assert second != first and live_generation(pool) == second
    assert _count(pool, "document_versions") == 4  # alpha and gamma shared, beta twice
    assert _count(pool, "passages") == 7 and _count(pool, "sentence_vectors") == 2
    assert old.passage("beta.md#1").text == TEXTS["beta.md"][1]  # the old generation still answers
    assert old.keyword("idleTimeout", 3)[0][0] == "beta.md#1"
    new = PostgresLibrary(pool)
    assert new.passage("beta.md#1") is None and "60 seconds" in new.passage("beta.md#0").text
    third = build(pool, [entries[0], changed])  # gamma removed: the first generation and old beta go
    assert live_generation(pool) == third
    assert _count(pool, "generations") == 2
    assert _count(pool, "document_versions") == 3  # alpha, beta v2 (second generation), gamma (second)
    build(pool, [entries[0], changed])
    assert _count(pool, "document_versions") == 2 and _count(pool, "sentence_vectors") == 0


def _same_entry(found: DocumentEntry, expected: DocumentEntry) -> bool:
    return (
        found.document == expected.document
        and found.passages == expected.passages
        and np.array_equal(found.vectors, expected.vectors)
    )


def test_previous_returns_what_the_live_generation_holds(pool, entries):
    build(pool, entries, {"one": _vector(1)})
    writer = PostgresLibraryWriter(pool)
    try:
        assert _same_entry(writer.previous("gamma.txt"), entries[2])
        assert writer.previous("missing.md") is None
        assert writer.live_manifest().files["gamma.txt"].sha256 == "v1"
        found = writer.previous_sentence_vectors(["one", "zero"])
        assert np.array_equal(found[0], _vector(1)) and found[1] is None
    finally:
        writer.discard()


def test_discard_leaves_the_live_generation(pool, entries):
    first = build(pool, entries)
    writer = PostgresLibraryWriter(pool)
    writer.add(entry("new.md", ["Brand new text."]))
    writer.discard()
    assert live_generation(pool) == first
    assert _count(pool, "generations") == 1 and _count(pool, "document_versions") == 3


def test_one_build_at_a_time(pool, entries):
    writer = PostgresLibraryWriter(pool)
    try:
        with pytest.raises(LibraryUnavailable, match="another `citebot index`"):
            PostgresLibraryWriter(pool)
    finally:
        writer.discard()
    PostgresLibraryWriter(pool).discard()  # the lock was released
