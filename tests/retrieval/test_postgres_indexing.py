"""`citebot index` into PostgreSQL with the real indexer and model: incremental refresh, shared rows for
unchanged files, atomic publish (a crashed build leaves the live generation as it was), pruning."""

from __future__ import annotations

import shutil

import pytest

from retrieval.config import ChunkingParams, EngineConfig
from retrieval.engine import build
from retrieval.libraries.postgres import library as postgres
from retrieval.libraries.postgres.library import (
    PostgresLibrary,
    PostgresLibraryWriter,
    live_generation,
    pool_for,
)
from tests.harness.libraries import SEEDS

SEED_NAMES = [next(SEEDS.glob(f"{prefix}_*.txt")).name for prefix in ("001", "002", "003")]


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name in SEED_NAMES:
        shutil.copy(SEEDS / name, folder / name)
    return folder


def index(corpus, url, embedder, **options):
    config = EngineConfig(index=url, corpus=str(corpus), backend="postgres", **options)
    return build(config, show_progress=False, embedder=embedder)


def count(url: str, sql: str) -> int:
    with pool_for(url).connection() as connection:
        return connection.execute(sql).fetchone()[0]


def test_refresh_writes_only_the_changed_file(corpus, database_url, embedder):
    first = index(corpus, database_url, embedder)
    assert (first.embedded_files, first.reused_files) == (3, 0)
    versions, passages = count(database_url, "SELECT count(*) FROM document_versions"), first.passages
    assert count(database_url, "SELECT count(*) FROM passages") == passages

    edited = corpus / SEED_NAMES[1]
    edited.write_text(edited.read_text("utf-8") + "\nContoso acquired the zeppelin fleet in 2031.\n", "utf-8")
    (corpus / SEED_NAMES[2]).unlink()
    second = index(corpus, database_url, embedder)
    assert (second.embedded_files, second.reused_files, second.removed) == (1, 1, [SEED_NAMES[2]])
    # The unchanged file's version is shared: one new version (the edit), none rewritten.
    assert count(database_url, "SELECT count(*) FROM document_versions") == versions + 1
    library = PostgresLibrary(pool_for(database_url))
    assert [d.source for d in library.documents()] == SEED_NAMES[:2]
    assert any("zeppelin" in p.text for p in library.passages_of(SEED_NAMES[1]))
    assert library.manifest.files.keys() == set(SEED_NAMES[:2])
    assert len(library) == second.passages


def test_a_crashed_build_leaves_the_live_generation(corpus, database_url, embedder, monkeypatch):
    index(corpus, database_url, embedder, sentence_vectors=False)
    live = live_generation(pool_for(database_url))
    generations = count(database_url, "SELECT count(*) FROM generations")
    (corpus / "memo.txt").write_text("Contoso acquired the zeppelin fleet in 2031.\n")

    def interrupted(self, manifest):
        raise KeyboardInterrupt

    monkeypatch.setattr(PostgresLibraryWriter, "publish", interrupted)
    with pytest.raises(KeyboardInterrupt):
        index(corpus, database_url, embedder, sentence_vectors=False)
    monkeypatch.undo()
    assert live_generation(pool_for(database_url)) == live
    assert count(database_url, "SELECT count(*) FROM generations") == generations  # nothing half-written left
    assert count(database_url, "SELECT count(*) FROM document_versions WHERE source = 'memo.txt'") == 0
    index(corpus, database_url, embedder, sentence_vectors=False)  # the lock was released: the next one runs
    assert PostgresLibrary(pool_for(database_url)).document("memo.txt") is not None


def test_old_generations_are_pruned_to_two(corpus, database_url, embedder):
    for n in range(3):
        (corpus / "memo.txt").write_text(f"Revision number {n} of the zeppelin memo.\n")
        index(corpus, database_url, embedder, sentence_vectors=False)
    assert count(database_url, "SELECT count(*) FROM generations") == 2
    # Versions: the three seeds (shared throughout) and the memo's last two revisions.
    assert count(database_url, "SELECT count(*) FROM document_versions") == 5


def test_changed_chunking_re_embeds_everything(corpus, database_url, embedder):
    index(corpus, database_url, embedder, sentence_vectors=False)
    report = index(
        corpus, database_url, embedder, sentence_vectors=False, chunking=ChunkingParams(max_words=60)
    )
    assert (report.embedded_files, report.reused_files) == (3, 0)
    assert PostgresLibrary(pool_for(database_url)).manifest.max_words == 60


def test_sentence_vectors_are_reused_not_rewritten(corpus, database_url, embedder):
    index(corpus, database_url, embedder)
    stored = count(database_url, "SELECT count(*) FROM sentence_vectors")
    assert stored > 0
    largest = count(database_url, "SELECT max(id) FROM sentence_vectors")
    index(corpus, database_url, embedder)  # nothing changed
    assert count(database_url, "SELECT count(*) FROM sentence_vectors") == stored
    assert count(database_url, "SELECT max(id) FROM sentence_vectors") == largest  # no row written again
    library = PostgresLibrary(pool_for(database_url))
    passage = library.passages_of(SEED_NAMES[0])[0]
    text = passage.unit_text(passage.units[0])
    assert library.sentence_vectors([text])[0] is not None


def test_a_model_of_another_size_is_refused(database_url):
    import numpy as np

    from retrieval.models import Document, Passage
    from retrieval.parts import DocumentEntry

    writer = PostgresLibraryWriter(pool_for(database_url))
    entry = DocumentEntry(
        Document("a.md", "A"), (Passage("a.md#0", "a.md", 0, "text", 1, 1),), np.zeros((1, 768), np.float32)
    )
    with pytest.raises(postgres.LibraryUnavailable, match="384-dimension"):
        writer.add(entry)
    writer.discard()
