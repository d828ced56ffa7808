"""Huge text files: logs become records, a huge document's vectors are bounded, progress is logged off-terminal.

No timings here (benchmarks/large_files.py measures them); these assert the structure that makes a
20 MB file affordable, with a hashed bag-of-words embedder instead of the model.
"""

from __future__ import annotations

import logging
import random
from pathlib import Path

import numpy as np
import pytest

from benchmarks.large_files import write_log
from retrieval.config import ChunkingParams
from retrieval.ingest import build as indexer
from retrieval.ingest import dense_budget
from retrieval.ingest.chunking import chunk_document
from retrieval.ingest.cleaning import clean_blocks
from retrieval.ingest.formats import PARSERS
from retrieval.ingest.progress import LogProgress, progress
from retrieval.libraries.files.library import FilesLibrary
from retrieval.models import Document
from retrieval.parts import indexed_text
from tests.harness.libraries import build_index
from tests.retrieval.test_parts import WordsEmbedder


class CountingEmbedder(WordsEmbedder):
    """WordsEmbedder that reports progress per call, as the ONNX embedder does, and records call sizes."""

    def __init__(self) -> None:
        self.calls: list[int] = []

    def embed_documents_progress(self, texts, update) -> np.ndarray:
        self.calls.append(len(texts))
        vectors = self._embed(texts)
        update(len(texts))
        return vectors


@pytest.fixture(scope="module")
def big_log(tmp_path_factory) -> Path:
    """A generated application log of 50,000+ lines (timestamps, levels, request ids, stack traces)."""
    folder = tmp_path_factory.mktemp("biglog")
    path = write_log(folder / "app.log", 5_200_000)
    assert path.read_text("utf-8").count("\n") >= 50_000
    return path


def _passages(path: Path):
    parsed = PARSERS[".log"](path.read_bytes(), path.name)
    blocks = clean_blocks(parsed.blocks, "app")
    return parsed, chunk_document(path.name, blocks, ChunkingParams())


@pytest.mark.slow
def test_a_50k_line_log_yields_records_not_lines(big_log):
    lines = big_log.read_text("utf-8").split("\n")
    parsed, passages = _passages(big_log)
    stamped = sum(1 for line in lines if line[:4].isdigit())
    assert len(parsed.blocks) < stamped  # events group records
    traces = [b for b in parsed.blocks if "Traceback (most recent call last):" in b.text]
    assert traces and all(
        b.text.split("\n", 1)[0][:4].isdigit() for b in traces
    )  # a trace stays with its line
    units = sum(len(p.units) for p in passages)
    assert units <= len(parsed.blocks) * 1.25  # about one quotable unit per event (long ones: a few)
    assert units < 0.6 * len(lines)


@pytest.mark.slow
def test_a_huge_documents_vectors_are_bounded(big_log):
    _, passages = _passages(big_log)
    assert dense_budget.is_huge(passages)
    document = Document("app.log", "app")
    plan = dense_budget.dense_plan(document, passages)
    assert len(plan.texts) <= dense_budget.HUGE_VECTORS
    assert len(plan.rows) == len(passages) and plan.rows == sorted(plan.rows)
    assert set(plan.rows) == set(range(len(plan.texts)))
    share = plan.rows.count(0)
    first_words = " ".join(passages[1].text.split()[:3])
    assert share > 1 and first_words in plan.texts[0]  # a run's text reads from each of its passages
    assert all(len(text) <= dense_budget.DIGEST_CHARS + 100 for text in plan.texts)


def test_a_normal_document_is_embedded_as_before():
    blocks = PARSERS[".md"](
        b"# Setup\n\nInstall it. Then run it.\n\nAnother paragraph here.\n", "a.md"
    ).blocks
    passages = chunk_document("a.md", blocks, ChunkingParams())
    document = Document("a.md", "Setup")
    plan = dense_budget.dense_plan(document, passages)
    assert plan.texts == [indexed_text(document, p) for p in passages]
    assert plan.rows == list(range(len(passages)))


def test_building_a_huge_log_embeds_few_texts_and_no_sentences(tmp_path, monkeypatch):
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    write_log(corpus / "app.log", 400_000)
    (corpus / "notes.md").write_text("# Notes\n\nThe pool size is 20. Restart the mailer after a change.\n")
    monkeypatch.setattr(dense_budget, "HUGE_PASSAGES", 200)
    monkeypatch.setattr(dense_budget, "HUGE_VECTORS", 50)
    embedder = CountingEmbedder()
    report = build_index(corpus, index, embedder, show_progress=False)
    library = FilesLibrary.open(index)
    log_passages = library.passages_of("app.log")
    assert len(log_passages) > 200 and report.passages == len(library)
    # passage texts: at most 50 for the log, one for the note; sentences: the note's two only
    assert embedder.calls[0] <= 51
    assert embedder.calls[1:] == [2]
    assert library.sentence_vectors(["The pool size is 20."])[0] is not None


def test_embedding_is_streamed_in_bounded_calls(monkeypatch):
    monkeypatch.setattr(indexer, "_STREAM_TEXTS", 100)
    rng = random.Random(3)
    texts = [" ".join(rng.choice(["pool", "mail", "disk", "queue"]) for _ in range(rng.randrange(1, 30)))
             for _ in range(450)]  # fmt: skip
    embedder = CountingEmbedder()
    vectors = indexer._embed_with_progress(embedder, texts, show_progress=False)
    assert embedder.calls == [100, 100, 100, 100, 50]
    np.testing.assert_allclose(vectors, WordsEmbedder()._embed(texts), atol=1e-6)  # each row its own text's


def test_off_a_terminal_progress_is_a_log_line_every_interval(caplog):
    now = [0.0]
    bar = LogProgress(40_000, "Embedding passages", "texts", interval=10, clock=lambda: now[0])
    with caplog.at_level(logging.INFO, logger="retrieval.ingest.progress"):
        for _ in range(40):
            now[0] += 1
            bar.update(250)
        bar.close()
    lines = [r.getMessage() for r in caplog.records]
    assert lines[0] == "Embedding passages: 2,500/40,000 texts (6%), 2m30s left"
    assert len(lines) == 4  # at 10, 20, 30 and 40 s; the close adds nothing new
    assert lines[-1] == "Embedding passages: 10,000/40,000 texts (25%), 2m00s left"


def test_progress_kinds():
    assert isinstance(progress(10, "Reading documents", "files", is_terminal=lambda: False), LogProgress)
    assert not isinstance(progress(10, "Reading", "files", enabled=False), LogProgress)
    bar = progress(10, "Reading documents", "files", is_terminal=lambda: True)
    assert bar.__class__.__name__ == "tqdm"
    bar.close()
