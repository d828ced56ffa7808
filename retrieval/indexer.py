"""Builds or refreshes an index: re-embeds only changed files, drops deleted ones, publishes atomically."""

from __future__ import annotations

import logging
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from tqdm import tqdm

from retrieval import layout
from retrieval.chunking import ChunkingParams, chunk_document
from retrieval.cleaning import clean_blocks
from retrieval.embedder import Embedder
from retrieval.encoders import ENCODER_DIR, encoder_files, encoder_name
from retrieval.errors import CorpusError, RetrievalError
from retrieval.lexical import LexicalIndex
from retrieval.loader import SkippedFile, file_sha256, iter_corpus_files, load_document
from retrieval.manifest import PIPELINE_VERSION, FileEntry, Manifest
from retrieval.models import Document, Passage
from retrieval.sentence_vectors import SentenceVectors
from retrieval.sentences import passage_units
from retrieval.store import JsonPassageStore
from retrieval.vector_index import DEFAULT_EXACT_LIMIT, FaissVectorIndex, resolve_index_type

log = logging.getLogger(__name__)

EMBEDDINGS_FILE = "embeddings.npy"
VECTORS_FILE = "vectors.faiss"
LEXICAL_DIR = "lexical"
# Texts handed to the embedder per call: the progress bar moves per call; the embedder batches inside it.
_EMBED_CHUNK = 512


@dataclass
class BuildReport:
    index_dir: Path
    files: int = 0
    reused_files: int = 0
    embedded_files: int = 0
    embedded_passages: int = 0
    passages: int = 0
    removed: list[str] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)
    seconds: float = 0.0


@dataclass
class _Previous:
    manifest: Manifest
    store: JsonPassageStore
    embeddings: np.ndarray
    sentences: SentenceVectors | None = None
    row_of_source: dict[str, list[int]] = field(default_factory=dict)


def embedding_text(document: Document, passage: Passage) -> str:
    """What gets embedded and keyword-indexed: the title and the heading path give a passage its context."""
    if passage.headings:
        return f"{document.title}\n{passage.heading_path}\n{passage.text}"
    return f"{document.title}\n{passage.text}"


def build_index(
    corpus_dir: Path,
    index_dir: Path,
    embedder: Embedder,
    params: ChunkingParams = ChunkingParams(),
    index_type: str = "auto",
    show_progress: bool = True,
    sentence_vectors: bool = True,
    exact_limit: int = DEFAULT_EXACT_LIMIT,
) -> BuildReport:
    started = time.perf_counter()
    corpus_dir, index_dir = Path(corpus_dir), Path(index_dir)
    report = BuildReport(index_dir)
    previous = _load_previous(index_dir, embedder.name, params, encoder_name(embedder))
    documents: list[Document] = []
    passages_by_source: dict[str, list[Passage]] = {}
    reused_vectors: dict[str, np.ndarray] = {}
    paths = list(iter_corpus_files(corpus_dir))
    for path in tqdm(paths, desc="Reading documents", unit="file", disable=not show_progress, leave=False):
        source = path.relative_to(corpus_dir).as_posix()
        try:
            digest = file_sha256(path)
            if previous and _unchanged(previous, source, digest):
                _reuse(previous, source, documents, passages_by_source, reused_vectors)
                report.reused_files += 1
                continue
            loaded = load_document(path, corpus_dir)
        except (ValueError, OSError) as error:
            reason = str(error) if isinstance(error, ValueError) else error.__class__.__name__
            log.warning("skipping %s: %s", source, reason)
            report.skipped.append(SkippedFile(source, reason))
            if previous and previous.store.document(source):
                _reuse(previous, source, documents, passages_by_source, reused_vectors)  # keep what we had
            continue
        scraped = path.suffix.lower() == ".txt"  # plain text may be a scraped web page
        blocks = clean_blocks(loaded.blocks, loaded.document.title, scraped=scraped)
        passages = chunk_document(source, blocks, params, scraped=scraped)
        if not passages:
            report.skipped.append(SkippedFile(source, "no text left after cleaning"))
            continue
        documents.append(loaded.document)
        passages_by_source[source] = passages
        report.embedded_files += 1
    if not documents:
        raise CorpusError(
            f"No readable documents in {corpus_dir} (supported: .txt, .md, .html, .pdf, .rst, .docx)."
        )
    if previous:
        report.removed = sorted(set(previous.manifest.files) - {d.source for d in documents})
    documents.sort(key=lambda d: d.source)
    ordered = [p for d in documents for p in passages_by_source[d.source]]
    vectors = _assemble_vectors(
        embedder, documents, passages_by_source, reused_vectors, show_progress, report
    )
    sentences = None
    if sentence_vectors:  # answers then look sentences up instead of embedding them per question
        sentences = SentenceVectors.build(
            [unit for passage in ordered for unit in passage_units(passage)],
            lambda texts: _embed_with_progress(embedder, texts, show_progress, "Embedding sentences"),
            previous.sentences if previous else None,
        )
    manifest = Manifest(
        model=embedder.name,
        dimension=int(vectors.shape[1]),
        max_words=params.max_words,
        overlap_sentences=params.overlap_sentences,
        index_type=resolve_index_type(index_type, len(vectors), exact_limit),
        corpus=str(corpus_dir.resolve()),
        encoder=encoder_name(embedder),
        files={d.source: FileEntry(d.sha256, len(passages_by_source[d.source]), d.title) for d in documents},
        passage_count=len(ordered),
    )
    store = JsonPassageStore(ordered, documents)
    _write(index_dir, manifest, store, vectors, sentences, documents, ordered, encoder_files(embedder))
    report.files = len(documents)
    report.passages = len(ordered)
    report.seconds = time.perf_counter() - started
    return report


def _unchanged(previous: _Previous, source: str, digest: str) -> bool:
    entry = previous.manifest.files.get(source)
    return entry is not None and entry.sha256 == digest


def _reuse(previous, source, documents, passages_by_source, reused_vectors) -> None:
    document = previous.store.document(source)
    passages = previous.store.passages_of(source)
    rows = previous.row_of_source[source]
    documents.append(document)
    passages_by_source[source] = passages
    reused_vectors[source] = previous.embeddings[rows[0] : rows[-1] + 1]


def _assemble_vectors(embedder, documents, passages_by_source, reused_vectors, show_progress, report):
    fresh = [
        (d, p) for d in documents if d.source not in reused_vectors for p in passages_by_source[d.source]
    ]
    texts = [embedding_text(d, p) for d, p in fresh]
    fresh_vectors = _embed_with_progress(embedder, texts, show_progress)
    report.embedded_passages = len(texts)
    by_source: dict[str, list[np.ndarray]] = {}
    for (document, _), vector in zip(fresh, fresh_vectors, strict=True):
        by_source.setdefault(document.source, []).append(vector)
    blocks = []
    for document in documents:
        if document.source in reused_vectors:
            blocks.append(reused_vectors[document.source])
        else:
            blocks.append(np.vstack(by_source[document.source]))
    return np.ascontiguousarray(np.vstack(blocks), dtype=np.float32)


def _embed_with_progress(
    embedder: Embedder, texts: list[str], show_progress: bool, description: str = "Embedding passages"
) -> np.ndarray:
    """(len(texts), dimension) vectors in the order of `texts`.

    An embedder that can report progress gets all texts at once (the ONNX one sorts them by token count);
    others get them longest first, 512 at a time, so that each of their batches holds texts of about the
    same length and little padding is computed. The bar shows texts/s and the time left.
    """
    if not texts:
        return np.zeros((0, embedder.dimension), dtype=np.float32)
    with tqdm(total=len(texts), desc=description, unit="text", disable=not show_progress) as bar:
        if hasattr(embedder, "embed_documents_progress"):  # sorts all texts by token count itself
            return embedder.embed_documents_progress(texts, bar.update)
        order = np.argsort([-len(t) for t in texts], kind="stable")
        vectors: np.ndarray | None = None
        for start in range(0, len(texts), _EMBED_CHUNK):
            rows = order[start : start + _EMBED_CHUNK]
            chunk = embedder.embed_documents([texts[i] for i in rows])
            if vectors is None:
                vectors = np.empty((len(texts), chunk.shape[1]), dtype=np.float32)
            vectors[rows] = chunk
            bar.update(len(rows))
    return vectors


def _write(index_dir, manifest, store, vectors, sentences, documents, ordered, encoder=()) -> None:
    staging = layout.new_staging_dir(index_dir)
    try:
        _store_encoder(encoder, staging / ENCODER_DIR)
        titles = {d.source: d for d in documents}
        store.save(staging)
        np.save(staging / EMBEDDINGS_FILE, vectors, allow_pickle=False)
        if sentences is not None:
            sentences.save(staging)
        FaissVectorIndex.build(vectors, manifest.index_type).save(staging / VECTORS_FILE)
        LexicalIndex.build([embedding_text(titles[p.source], p) for p in ordered]).save(staging / LEXICAL_DIR)
        manifest.save(staging)
        layout.publish(index_dir, staging)
    except BaseException:
        layout.discard(staging)
        raise


def _store_encoder(files: list[Path], folder: Path) -> None:
    """Keep the encoder's files with the index (hard links to the export cache where possible)."""
    if not files:
        return
    folder.mkdir()
    for file in files:
        try:
            os.link(file, folder / file.name)
        except OSError:  # another file system, or no hard links: copy
            shutil.copy2(file, folder / file.name)


def _vector_family(encoder: str) -> str:
    """Encoders whose vectors are interchangeable: fp32 ONNX and torch agree to cosine 0.9999; int8 does not."""
    return "int8" if encoder.endswith("int8") else "fp32"


def _load_previous(index_dir: Path, model: str, params: ChunkingParams, encoder: str) -> _Previous | None:
    """The live index, when its vectors can be reused (same model, vector family and chunking); else None."""
    if layout.generation_id(index_dir) is None:
        return None
    try:
        generation = layout.current_generation(index_dir, "")
        manifest = Manifest.load(generation, "")
        if (manifest.model, manifest.max_words, manifest.overlap_sentences, manifest.pipeline_version) != (
            model,
            params.max_words,
            params.overlap_sentences,
            PIPELINE_VERSION,
        ) or _vector_family(manifest.encoder) != _vector_family(encoder):
            log.info(
                "model, encoder, chunking or citebot's text pipeline changed since the last build: "
                "re-embedding all"
            )
            return None
        store = JsonPassageStore.load(generation)
        embeddings = np.load(generation / EMBEDDINGS_FILE, allow_pickle=False)
        if len(embeddings) != len(store):
            return None
    except (RetrievalError, OSError, ValueError) as error:
        log.warning("previous index unusable (%s): rebuilding from scratch", error)
        return None
    try:
        sentences = SentenceVectors.load(generation)
    except (OSError, ValueError):
        sentences = None
    previous = _Previous(manifest, store, embeddings, sentences)
    previous.row_of_source = {}
    for row, passage in enumerate(store.all_passages()):
        previous.row_of_source.setdefault(passage.source, []).append(row)
    return previous
