"""Building and refreshing an index: manifest, incremental refresh, skipped files, atomic publish, damage."""

from __future__ import annotations

import json
import logging
import shutil
from datetime import datetime
from pathlib import Path

import pytest

from bot import messages
from retrieval.config import ChunkingParams
from retrieval.errors import CorpusError, IndexIncompatibleError, IndexMissingError
from retrieval.ingest.build import embedding_text
from retrieval.ingest.loader import file_sha256
from retrieval.libraries.files import layout
from retrieval.libraries.files.keyword_index import LexicalIndex
from retrieval.libraries.files.library import MANIFEST_FILE
from retrieval.libraries.files.vector_index import FaissVectorIndex
from retrieval.manifest import FORMAT_VERSION
from retrieval.search.searcher import Searcher
from tests.harness.libraries import SEEDS, all_passages, build_index, open_searcher

SEED_NAMES = [next(SEEDS.glob(f"{prefix}_*.txt")).name for prefix in ("001", "002", "003")]
HINT = messages.rebuild_hint("docs", "idx")
FAST = {"show_progress": False, "sentence_vectors": False}  # the sentence cache is not what these tests check


@pytest.fixture(scope="module")
def base(tmp_path_factory, embedder) -> tuple[Path, Path]:
    """A corpus of three seed files and its index, built once. Tests copy it before changing anything."""
    root = tmp_path_factory.mktemp("indexer-base")
    corpus, index = root / "corpus", root / "index"
    corpus.mkdir()
    for name in SEED_NAMES:
        shutil.copy(SEEDS / name, corpus / name)
    build_index(corpus, index, embedder, **FAST)
    return corpus, index


@pytest.fixture
def built(base, tmp_path) -> tuple[Path, Path]:
    """A private copy of the base corpus and index."""
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(base[0], corpus)
    shutil.copytree(base[1], index)
    return corpus, index


def open_index(index: Path, embedder) -> Searcher:
    return open_searcher(index, embedder, rebuild_hint=HINT)


def live_generation(index: Path) -> Path:
    return layout.current_generation(index, "")


def manifest_of(index: Path) -> dict:
    return json.loads((live_generation(index) / MANIFEST_FILE).read_text("utf-8"))


def edit(path: Path, extra: str = "Contoso acquired the zeppelin fleet in 2031.") -> None:
    path.write_text(path.read_text("utf-8") + f"\n{extra}\n", "utf-8")


# -- a fresh build ---------------------------------------------------------------------------------
def test_manifest_records_how_the_index_was_built(base, embedder):
    corpus, index = base
    manifest = manifest_of(index)
    assert manifest["model"] == embedder.name
    assert manifest["dimension"] == 384
    assert (manifest["max_words"], manifest["overlap_sentences"]) == (120, 1)
    assert manifest["index_type"] == "flat"
    assert manifest["format_version"] == FORMAT_VERSION
    assert datetime.fromisoformat(manifest["built_at"]).tzinfo is not None
    assert set(manifest["versions"]) >= {
        "python",
        "citebot",
        "sentence-transformers",
        "faiss-cpu",
        "bm25s",
        "torch",
    }
    assert sorted(manifest["files"]) == SEED_NAMES
    for name, entry in manifest["files"].items():
        assert entry["sha256"] == file_sha256(corpus / name)
        assert entry["passages"] > 0
    assert manifest["passage_count"] == sum(entry["passages"] for entry in manifest["files"].values())


def test_built_index_opens_and_holds_every_file(base, embedder):
    retriever = open_index(base[1], embedder)
    assert [d.source for d in retriever.library.documents()] == SEED_NAMES
    assert len(retriever.library) == manifest_of(base[1])["passage_count"]
    hits = retriever.search("Who is the chief scientist of OpenAI?", k=3)
    assert hits and hits[0].passage.source.startswith("001_")


def test_index_layout_is_a_pointer_to_one_generation(base):
    index = base[1]
    assert (index / layout.POINTER).read_text().strip() == live_generation(index).name
    assert live_generation(index).name.startswith("gen-")
    assert not list(index.glob(".staging-*"))


# -- refresh ---------------------------------------------------------------------------------------
@pytest.mark.slow
def test_refresh_re_embeds_only_the_changed_file_and_drops_deleted_ones(built, embedder):
    corpus, index = built
    edited, deleted = corpus / SEED_NAMES[1], corpus / SEED_NAMES[2]
    edit(edited)
    report = build_index(corpus, index, embedder, show_progress=False)
    assert (report.embedded_files, report.reused_files, report.files) == (1, 2, 3)
    assert report.removed == []
    assert 0 < report.embedded_passages < report.passages
    retriever = open_index(index, embedder)
    assert any("zeppelin" in p.text for p in retriever.library.passages_of(SEED_NAMES[1]))
    assert manifest_of(index)["files"][SEED_NAMES[1]]["sha256"] == file_sha256(edited)

    deleted.unlink()
    report = build_index(corpus, index, embedder, show_progress=False)
    assert report.removed == [SEED_NAMES[2]]
    assert (report.embedded_files, report.reused_files, report.files) == (0, 2, 2)
    retriever = open_index(index, embedder)
    assert retriever.library.passages_of(SEED_NAMES[2]) == []
    assert retriever.library.document(SEED_NAMES[2]) is None
    assert all(hit.passage.source != SEED_NAMES[2] for hit in retriever.search("Satya Nadella said", k=20))
    assert SEED_NAMES[2] not in manifest_of(index)["files"]


@pytest.mark.slow
def test_refreshed_vectors_stay_aligned_with_their_passages(built, embedder):
    """The middle file changes, so reused vectors sit on both sides of fresh ones: each must still match."""
    corpus, index = built
    edit(corpus / SEED_NAMES[1], "The zeppelin hangar is in Akron.")
    report = build_index(corpus, index, embedder, **FAST)
    assert report.reused_files == 2
    retriever = open_index(index, embedder)
    passages = all_passages(retriever.library)
    # Query with exactly what was embedded (title and heading path too): two seeds quote the same
    # Nadella paragraph, so the bare text alone may find its near-twin first.
    vectors = retriever.embedder.embed_queries(
        [embedding_text(retriever.library.document(p.source), p) for p in passages]
    )
    for passage, vector in zip(passages, vectors, strict=True):
        best = retriever.search(passage.text, k=1, mode="dense", query_vector=vector)[0]
        assert best.passage.id == passage.id


def test_changed_chunking_re_embeds_everything(built, embedder):
    corpus, index = built
    report = build_index(corpus, index, embedder, ChunkingParams(max_words=60), **FAST)
    assert (report.embedded_files, report.reused_files) == (3, 0)
    assert manifest_of(index)["max_words"] == 60


def test_unreadable_files_are_skipped_with_a_warning_and_the_rest_indexed(built, embedder, caplog):
    corpus, index = built
    (corpus / "photo.txt").write_bytes(b"\x89PNG\x00\x00binary")
    (corpus / "legacy.txt").write_bytes("Résumé of the café meeting.".encode("latin-1"))
    (corpus / "scan.pdf").write_bytes(b"%PDF-1.4 garbage")
    (corpus / "empty.md").write_text("---\ntitle: Nothing yet\n---\n\n")
    with caplog.at_level(logging.WARNING):
        report = build_index(corpus, index, embedder, **FAST)
    skipped = {s.source: s.reason for s in report.skipped}
    assert set(skipped) == {"photo.txt", "scan.pdf", "empty.md"}
    assert "binary" in skipped["photo.txt"]
    assert "PDF" in skipped["scan.pdf"]
    assert "no text" in skipped["empty.md"]
    for name in ("photo.txt", "legacy.txt", "scan.pdf"):  # legacy.txt: decoded, with a warning saying how
        assert any(name in record.getMessage() for record in caplog.records)
    assert any("legacy.txt" in r.getMessage() and "not UTF-8" in r.getMessage() for r in caplog.records)
    assert report.files == 4
    assert [d.source for d in open_index(index, embedder).library.documents()] == sorted(
        [*SEED_NAMES, "legacy.txt"]
    )


def test_a_reader_that_fails_skips_its_file_with_the_reason_and_the_rest_is_indexed(
    built, embedder, monkeypatch
):
    """A parser library tripping on odd input (a reader raised StopIteration on a Docsy tab once) must not
    stop `citebot index`: the file is listed as skipped with what went wrong, the others are read."""
    from retrieval.ingest.formats import PARSERS

    corpus, index = built
    (corpus / "odd.md").write_text("# Odd\n\nA page its reader cannot take.\n")

    def trips(raw, source):
        raise StopIteration

    monkeypatch.setitem(PARSERS, ".md", trips)
    report = build_index(corpus, index, embedder, **FAST)
    assert [(s.source, s.reason) for s in report.skipped] == [
        ("odd.md", "the reader failed (StopIteration: )")
    ]
    assert [d.source for d in open_index(index, embedder).library.documents()] == sorted(SEED_NAMES)


def test_a_file_that_became_unreadable_keeps_its_previous_passages(built, embedder):
    corpus, index = built
    before = [p.text for p in open_index(index, embedder).library.passages_of(SEED_NAMES[0])]
    # Not UTF-8 and NUL bytes: binary. (NUL bytes in valid UTF-8 are not refused yet: see
    # test_loader.test_binary_file_that_is_valid_utf8_is_refused_with_a_reason.)
    (corpus / SEED_NAMES[0]).write_bytes(b"\x89\x00\x01 truncated by a bad copy")
    report = build_index(corpus, index, embedder, **FAST)
    assert [s.source for s in report.skipped] == [SEED_NAMES[0]]
    assert [p.text for p in open_index(index, embedder).library.passages_of(SEED_NAMES[0])] == before


def test_empty_corpus_is_refused_and_the_index_left_alone(built, embedder):
    corpus, index = built
    generation = layout.generation_id(index)
    for path in corpus.iterdir():
        path.unlink()
    (corpus / "notes.docx").write_bytes(b"unsupported")
    with pytest.raises(CorpusError, match="No readable documents"):
        build_index(corpus, index, embedder, **FAST)
    assert layout.generation_id(index) == generation
    assert len(open_index(index, embedder).library.documents()) == 3


def test_corpus_of_only_unreadable_files_is_refused(tmp_path, embedder):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "blob.txt").write_bytes(b"\x89\x00\x00\x00")  # see test_a_file_that_became_unreadable_...
    with pytest.raises(CorpusError):
        build_index(corpus, tmp_path / "index", embedder, **FAST)
    assert layout.generation_id(tmp_path / "index") is None


def test_missing_corpus_is_a_corpus_error(tmp_path, embedder):
    with pytest.raises(CorpusError):
        build_index(tmp_path / "nowhere", tmp_path / "index", embedder, **FAST)


# -- atomic publish --------------------------------------------------------------------------------
def _explode(*args, **kwargs):
    raise RuntimeError("disk on fire")


def _interrupt(*args, **kwargs):
    raise KeyboardInterrupt


@pytest.mark.parametrize(
    ("target", "name", "failure", "error"),
    [
        (LexicalIndex, "build", _explode, RuntimeError),
        (FaissVectorIndex, "save", _interrupt, KeyboardInterrupt),
    ],
    ids=["lexical-build-raises", "faiss-save-interrupted"],
)
def test_crash_mid_build_keeps_the_previous_index_live(
    built, embedder, monkeypatch, target, name, failure, error
):
    corpus, index = built
    generation = layout.generation_id(index)
    generations = sorted(p.name for p in index.iterdir())
    (corpus / "memo.txt").write_text("Contoso acquired the zeppelin fleet in 2031.\n")
    monkeypatch.setattr(target, name, failure if name == "save" else classmethod(failure))
    with pytest.raises(error):
        build_index(corpus, index, embedder, **FAST)
    monkeypatch.undo()
    assert layout.generation_id(index) == generation
    assert sorted(p.name for p in index.iterdir()) == generations  # no staging folder, no half generation
    retriever = open_index(index, embedder)
    assert not any("zeppelin" in p.text for p in all_passages(retriever.library))
    assert retriever.search("Who is the chief scientist of OpenAI?", k=2)
    # The next build succeeds and publishes the change.
    build_index(corpus, index, embedder, **FAST)
    assert layout.generation_id(index) != generation
    assert any("zeppelin" in p.text for p in all_passages(open_index(index, embedder).library))


def test_old_generations_are_pruned_to_two(built, embedder):
    corpus, index = built
    for n in range(2):
        (corpus / "memo.txt").write_text(f"Revision number {n} of the zeppelin memo.\n")
        build_index(corpus, index, embedder, **FAST)
    generations = [p.name for p in index.glob("gen-*")]
    assert len(generations) == 2
    assert layout.generation_id(index) in generations


# -- opening a damaged or mismatched index ---------------------------------------------------------
def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _drop_last_line(path: Path) -> None:
    lines = path.read_text("utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:-1]), "utf-8")


DAMAGE = {
    "vectors-truncated": lambda g: _truncate(g / "dense.faiss"),
    "passages-truncated": lambda g: _truncate(g / "passages.jsonl"),
    "passages-line-missing": lambda g: _drop_last_line(g / "passages.jsonl"),
    "manifest-garbage": lambda g: (g / MANIFEST_FILE).write_text("{not json at all"),
    "manifest-not-a-mapping": lambda g: (g / MANIFEST_FILE).write_text("[1, 2, 3]"),
    "manifest-missing": lambda g: (g / MANIFEST_FILE).unlink(),
    "documents-missing": lambda g: (g / "documents.json").unlink(),
    "lexical-missing": lambda g: shutil.rmtree(g / "lexical"),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_damaged_index_is_refused_with_a_rebuild_hint(built, embedder, damage):
    index = built[1]
    DAMAGE[damage](live_generation(index))
    with pytest.raises(IndexIncompatibleError) as caught:
        open_index(index, embedder)
    assert "citebot index" in str(caught.value)
    assert str(index) in str(caught.value)


def test_newer_format_version_is_refused(built, embedder):
    index = built[1]
    path = live_generation(index) / MANIFEST_FILE
    manifest = json.loads(path.read_text())
    manifest["format_version"] = FORMAT_VERSION + 1
    path.write_text(json.dumps(manifest))
    with pytest.raises(IndexIncompatibleError, match="format version") as caught:
        open_index(index, embedder)
    assert "citebot index" in str(caught.value)


def test_index_built_with_another_model_is_refused(built, embedder):
    index = built[1]
    path = live_generation(index) / MANIFEST_FILE
    manifest = json.loads(path.read_text())
    manifest["model"] = "paraphrase-multilingual-mpnet-base-v2"
    path.write_text(json.dumps(manifest))
    with pytest.raises(IndexIncompatibleError) as caught:
        open_index(index, embedder)
    text = str(caught.value)
    assert "paraphrase-multilingual-mpnet-base-v2" in text and embedder.name in text
    assert HINT in text


def test_missing_index_is_reported(tmp_path, embedder):
    with pytest.raises(IndexMissingError, match="citebot index"):
        open_index(tmp_path / "no-index", embedder)


def test_pointer_to_a_deleted_generation_is_reported(built, embedder):
    index = built[1]
    shutil.rmtree(live_generation(index))
    with pytest.raises(IndexMissingError, match="citebot index"):
        open_index(index, embedder)


def test_damaged_live_index_is_rebuilt_from_scratch(built, embedder):
    corpus, index = built
    (live_generation(index) / MANIFEST_FILE).write_text("garbage")
    report = build_index(corpus, index, embedder, **FAST)
    assert (report.embedded_files, report.reused_files) == (3, 0)
    assert len(open_index(index, embedder).library.documents()) == 3
