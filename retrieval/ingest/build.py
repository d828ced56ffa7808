"""Builds or refreshes an index: re-embeds only changed files, drops deleted ones, publishes atomically."""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from itertools import groupby
from pathlib import Path

import numpy as np

from retrieval.config import DEFAULT_EXACT_LIMIT, ChunkingParams
from retrieval.embedders.runtimes import encoder_name
from retrieval.errors import CorpusError
from retrieval.ingest.chunking import chunk_document
from retrieval.ingest.cleaning import clean_blocks
from retrieval.ingest.dense_budget import dense_plan, is_huge
from retrieval.ingest.formats import PARSERS
from retrieval.ingest.formats.errors import NoReaderError
from retrieval.ingest.loader import (
    Root,
    RootFile,
    SkippedFile,
    UnreadFilesError,
    file_sha256,
    load_document,
    root_files,
)
from retrieval.ingest.progress import progress
from retrieval.libraries.files.index_types import resolve_index_type
from retrieval.manifest import PIPELINE_VERSION, FileEntry, Manifest, SourceRecord
from retrieval.models import Document, Passage
from retrieval.parts import DocumentEntry, DocumentFrequencies, Embedder, LibraryWriter, indexed_text
from retrieval.text.languages import ENGLISH, keyword_language
from retrieval.text.sentences import passage_units
from retrieval.text.tokens import document_language, document_terms, stem, tokenize

log = logging.getLogger(__name__)

# Texts handed to the embedder per call: the progress bar moves per call; the embedder batches inside it.
_EMBED_CHUNK = 512
# Texts handed at most to an embedder that reports progress (and sorts by token count itself) per call:
# it tokenizes a whole call at once, and 200,000 tokenizer encodings held together took gigabytes.
_STREAM_TEXTS = 16384
embedding_text = indexed_text  # the old name, for benchmarks and tests


@dataclass
class BuildReport:
    index_dir: Path | str
    generation: str = ""
    files: int = 0
    reused_files: int = 0
    embedded_files: int = 0
    embedded_passages: int = 0
    passages: int = 0
    removed: list[str] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)  # a reader failed: binary, damaged, empty
    unread: list[SkippedFile] = field(default_factory=list)  # no reader: "no reader for .xyz"
    seconds: float = 0.0
    runtimes: list[str] = field(default_factory=list)  # what embedded this build's texts, e.g. ["OpenVINO"]
    # False when nothing changed and the build was asked not to publish an identical generation (refresh).
    published: bool = True
    # Named sources that could not be read this time (source name -> one line); their documents of the
    # live generation were kept. Filled by retrieval.sources.
    source_errors: dict[str, str] = field(default_factory=dict)
    # What each named source gave this build (the manifest's records, document counts filled in).
    sources: dict[str, SourceRecord] = field(default_factory=dict)


Corpus = Path | Sequence[Root]  # one folder (the `corpus:` shorthand), or the roots of named sources


def build(
    corpus_dir: Corpus,
    writer: LibraryWriter,
    embedder: Embedder,
    params: ChunkingParams = ChunkingParams(),
    index_type: str = "auto",
    show_progress: bool = True,
    sentence_vectors: bool = True,
    exact_limit: int = DEFAULT_EXACT_LIMIT,
    strict: bool = False,
    records: Mapping[str, SourceRecord] | None = None,
    publish_unchanged: bool = True,
) -> BuildReport:
    """Read the corpus, re-embed only files that changed since the live generation, and publish a new
    generation through `writer`: all or nothing (the writer discards what it staged on any error).

    `corpus_dir` is one folder (keys: paths inside it) or the roots of named sources (keys
    "<name>/<path>"; `records` by name go into the manifest, with their document counts filled in).
    Files no reader takes are listed in `report.unread`, files a reader failed on in `report.skipped`;
    with `strict`, either raises UnreadFilesError before anything is embedded or published. With
    `publish_unchanged` False, a build that would publish the live generation's documents unchanged
    publishes nothing (`report.published` False)."""
    roots = [Root(Path(corpus_dir))] if isinstance(corpus_dir, str | Path) else list(corpus_dir)
    try:
        return _build(
            roots, writer, embedder, params, index_type, show_progress, sentence_vectors, exact_limit,
            strict, records or {}, publish_unchanged,
        )  # fmt: skip
    except BaseException:
        writer.discard()
        raise


def _build(
    roots, writer, embedder, params, index_type, show_progress, sentence_vectors, exact_limit, strict,
    records, publish_unchanged,
):  # fmt: skip
    started = time.perf_counter()
    report = BuildReport("")
    live = _reusable_manifest(writer, embedder.name, params, encoder_name(embedder))
    documents: list[Document] = []
    passages_by_source: dict[str, list[Passage]] = {}
    reused_vectors: dict[str, np.ndarray] = {}
    files: list[RootFile] = []
    for root in roots:
        readable, unread = root_files(root)
        files += readable
        report.unread += unread
        if root.carry and live:  # not read this time: keep what the live generation has of it
            for source in sorted(key for key in live.files if key.startswith(root.prefix)):
                if _reuse(writer, source, documents, passages_by_source, reused_vectors):
                    report.reused_files += 1
    bar = progress(len(files), "Reading documents", "files", show_progress, leave=False)
    for file in _counting(files, bar, passages_by_source):
        source, path = file.key, file.path
        try:
            digest = file_sha256(path)
            entry = live.files.get(source) if live else None
            if (
                entry is not None
                and entry.sha256 == digest
                and _reuse(writer, source, documents, passages_by_source, reused_vectors)
            ):
                report.reused_files += 1
                continue
            loaded = load_document(path, file.folder or path.parent, source=source, url=file.url)
        except NoReaderError as error:  # a reader for the suffix, not for this content: not read, no warning
            report.unread.append(SkippedFile(source, str(error)))
            continue
        except Exception as error:  # noqa: BLE001 - any reader's fault skips its file, never the build
            # ValueError and OSError are how readers refuse a file (binary, damaged, not the format its
            # suffix says); anything else is a parser library tripping on odd input (pypdf, docutils, a
            # reader's own StopIteration): the file is skipped with its reason, the rest still builds.
            if isinstance(error, ValueError):
                reason = str(error)
            elif isinstance(error, OSError):
                reason = error.__class__.__name__
            else:
                reason = f"the reader failed ({error.__class__.__name__}: {error})"
                log.debug("reader failure on %s", source, exc_info=True)
            log.warning("skipping %s: %s", source, reason)
            report.skipped.append(SkippedFile(source, reason))
            if live:
                _reuse(writer, source, documents, passages_by_source, reused_vectors)  # keep what we had
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
    bar.close()
    loaded = blocks = None  # the last file's blocks (a huge file: ~100 MB) are not needed past chunking
    report.unread.sort(key=lambda f: f.source)
    if strict and (report.unread or report.skipped):
        raise UnreadFilesError(report.unread, report.skipped)
    if not documents:
        raise CorpusError(
            f"No readable documents in {_corpus_name(roots)} "
            f"(citebot reads {', '.join(sorted(PARSERS))}){_not_used(report.skipped + report.unread)}."
        )
    report.sources = _counted(records, documents)
    if live:
        report.removed = sorted(set(live.files) - {d.source for d in documents})
        if not publish_unchanged and not report.embedded_files and not report.removed:
            writer.discard()  # the live generation already holds exactly these documents
            report.published = False
            report.files = len(documents)
            report.passages = sum(len(p) for p in passages_by_source.values())
            report.seconds = time.perf_counter() - started
            return report
    documents.sort(key=lambda d: d.source)
    ordered = [p for d in documents for p in passages_by_source[d.source]]
    vectors = _assemble_vectors(
        embedder, documents, passages_by_source, reused_vectors, show_progress, report
    )
    row = 0
    for document in documents:
        count = len(passages_by_source[document.source])
        writer.add(
            DocumentEntry(document, tuple(passages_by_source[document.source]), vectors[row : row + count])
        )
        row += count
    if sentence_vectors:  # answers then look sentences up instead of embedding them per question
        quotable = [  # a huge document's sentences are embedded when an answer considers them (dense_budget)
            p
            for d in documents
            if not is_huge(passages_by_source[d.source])
            for p in passages_by_source[d.source]
        ]
        _add_sentence_vectors(writer, embedder, quotable, show_progress, live is not None, report.runtimes)
    writer.set_vocabulary(document_frequencies(documents, ordered))
    manifest = Manifest(
        model=embedder.name,
        dimension=int(vectors.shape[1]),
        max_words=params.max_words,
        overlap_sentences=params.overlap_sentences,
        index_type=resolve_index_type(index_type, len(vectors), exact_limit),
        corpus=_corpus_name(roots, resolved=True),
        encoder=encoder_name(embedder),
        files={d.source: FileEntry(d.sha256, len(passages_by_source[d.source]), d.title) for d in documents},
        passage_count=len(ordered),
        sources=report.sources,
    )
    report.generation = writer.publish(manifest)
    report.files = len(documents)
    report.passages = len(ordered)
    report.seconds = time.perf_counter() - started
    return report


def _not_used(files: list[SkippedFile], shown: int = 3) -> str:
    """The files a build could not use, for its one-line error: the first `shown` with why, then a count."""
    if not files:
        return ""
    ordered = sorted(files, key=lambda f: f.source)
    named = ", ".join(f"{f.source} ({f.reason})" for f in ordered[:shown])
    more = f" and {len(ordered) - shown} more" if len(ordered) > shown else ""
    return f"; not used: {named}{more}"


def _corpus_name(roots: list[Root], resolved: bool = False) -> str:
    """What the manifest's `corpus` says: the folder (shorthand), else the sources' names."""
    if len(roots) == 1 and not roots[0].name:
        return str(roots[0].folder.resolve()) if resolved else str(roots[0].folder)
    return ", ".join(root.name for root in roots)


def _counted(records: Mapping[str, SourceRecord], documents: list[Document]) -> dict[str, SourceRecord]:
    """Each source's record with the number of its documents in this generation."""
    counts = Counter(d.source.split("/", 1)[0] for d in documents)
    return {name: replace(record, documents=counts[name]) for name, record in records.items()}


def _counting(files: list[RootFile], bar, passages_by_source: dict[str, list[Passage]]):
    """`files`, moving `bar` on as each one has been read, with the passages found so far."""
    passages = 0
    for file in files:
        yield file
        passages += len(passages_by_source.get(file.key, ()))
        bar.set_postfix_str(f"{passages:,} passages")
        bar.update(1)


def document_frequencies(documents: list[Document], passages: list[Passage]) -> DocumentFrequencies:
    """How many passages hold each stemmed term of their title, heading path and text.

    Terms are English stems; a document in another language that keyword search has rules for adds its
    terms as that language makes them, compounds' parts included (text/tokens.py `document_terms`): what the
    composer reads a question in that language with (question.py `stems_of`).
    """
    by_source = {d.source: d for d in documents}
    frequency: Counter[str] = Counter()
    for source, group in groupby(passages, key=lambda p: p.source):
        group = list(group)
        title = by_source[source].title if source in by_source else ""
        contexts = [f"{title}\n{passage.heading_path}\n{passage.text}" for passage in group]
        own = _own_language_terms(by_source.get(source), group, contexts)
        for position, context in enumerate(contexts):
            frequency.update(set(stem(tokenize(context))) | set(own[position]))
    return DocumentFrequencies(dict(frequency), len(passages))


def _own_language_terms(
    document: Document | None, passages: list[Passage], contexts: list[str]
) -> list[list[str]]:
    """Each context's terms in its document's language; none for English (its stems are the terms)."""
    language = document_language([indexed_text(document, p) for p in passages]) if document else ENGLISH
    if keyword_language(language) == ENGLISH:
        return [[] for _ in contexts]
    return document_terms(contexts, language)


def _reuse(writer, source, documents, passages_by_source, reused_vectors) -> bool:
    """Take a file's document, passages and vectors from the live generation; False when it has none."""
    entry = writer.previous(source)
    if entry is None:
        return False
    documents.append(entry.document)
    passages_by_source[source] = list(entry.passages)
    reused_vectors[source] = entry.vectors
    return True


def _add_sentence_vectors(
    writer, embedder, passages, show_progress, reuse: bool, runtimes: list[str]
) -> None:
    """Vectors for every quotable unit; those the live generation has are reused, the rest embedded."""
    texts = list(dict.fromkeys(unit for passage in passages for unit in passage_units(passage)))
    known = writer.previous_sentence_vectors(texts) if reuse else [None] * len(texts)
    fresh = [text for text, vector in zip(texts, known, strict=True) if vector is None]
    fresh_vectors = iter(
        _embed_with_progress(embedder, fresh, show_progress, "Embedding sentences", runtimes) if fresh else []
    )
    rows = [vector if vector is not None else next(fresh_vectors) for vector in known]
    vectors = np.vstack(rows).astype(np.float32) if rows else np.zeros((0, 1), dtype=np.float32)
    writer.add_sentence_vectors(texts, vectors)


def _assemble_vectors(embedder, documents, passages_by_source, reused_vectors, show_progress, report):
    """(passages, dimension) vectors in document order: reused ones, and fresh ones as each document's
    dense plan says (one text per passage; for a huge document one per run of passages)."""
    plans = {
        d.source: dense_plan(d, passages_by_source[d.source])
        for d in documents
        if d.source not in reused_vectors
    }
    texts = [text for plan in plans.values() for text in plan.texts]
    fresh_vectors = _embed_with_progress(embedder, texts, show_progress, runtimes=report.runtimes)
    report.embedded_passages = sum(len(plan.rows) for plan in plans.values())
    blocks = []
    first = 0
    for document in documents:
        if document.source in reused_vectors:
            blocks.append(reused_vectors[document.source])
            continue
        plan = plans[document.source]
        blocks.append(fresh_vectors[first + np.asarray(plan.rows, dtype=np.int64)])
        first += len(plan.texts)
    return np.ascontiguousarray(np.vstack(blocks), dtype=np.float32)


def _embed_with_progress(
    embedder: Embedder,
    texts: list[str],
    show_progress: bool,
    description: str = "Embedding passages",
    runtimes: list[str] | None = None,
) -> np.ndarray:
    """(len(texts), dimension) vectors in the order of `texts`; appends to `runtimes` what ran an ONNX
    embedder's call ("onnxruntime" or "openvino").

    An embedder that can report progress gets all texts at once (the ONNX one sorts them by token count),
    or, above _STREAM_TEXTS texts, longest first in calls of _STREAM_TEXTS; others get them longest first,
    512 at a time, so that each of their batches holds texts of about the same length and little padding
    is computed. On a terminal the bar shows texts/s and the time left; elsewhere a log line every ~10 s
    does (retrieval/ingest/progress.py).
    """
    if not texts:
        return np.zeros((0, embedder.dimension), dtype=np.float32)
    # A bar on a terminal; elsewhere a log line every ~10 s (a log file would get thousands of \r updates)
    with progress(len(texts), description, "texts", show_progress) as bar:
        if hasattr(embedder, "embed_documents_progress"):  # sorts the texts of a call by token count itself
            vectors = _embed_streamed(embedder, texts, bar.update)
            if runtimes is not None and getattr(embedder, "runtime_used", ""):
                runtimes.append(embedder.runtime_used)
            return vectors
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


def _embed_streamed(embedder: Embedder, texts: list[str], update) -> np.ndarray:
    """`embed_documents_progress` over at most _STREAM_TEXTS texts a call (longest first, so each call
    holds texts of about one length), so that memory stays bounded however many texts there are."""
    if len(texts) <= _STREAM_TEXTS:  # one call, exactly as before streaming existed
        return embedder.embed_documents_progress(texts, update)
    order = np.argsort([-len(t) for t in texts], kind="stable")
    vectors: np.ndarray | None = None
    for start in range(0, len(texts), _STREAM_TEXTS):
        rows = order[start : start + _STREAM_TEXTS]
        chunk = embedder.embed_documents_progress([texts[i] for i in rows], update)
        if vectors is None:
            vectors = np.empty((len(texts), chunk.shape[1]), dtype=np.float32)
        vectors[rows] = chunk
    return vectors


def _vector_family(encoder: str) -> str:
    """Encoders whose vectors are interchangeable: fp32 ONNX and torch agree to cosine 0.9999; int8 does not."""
    return "int8" if encoder.endswith("int8") else "fp32"


def reusable_manifest(writer: LibraryWriter, embedder: Embedder, params: ChunkingParams) -> Manifest | None:
    """The live generation's manifest when a build with `embedder` and `params` would reuse its passages
    and vectors; None when there is no live generation or it was made differently."""
    return _reusable_manifest(writer, embedder.name, params, encoder_name(embedder))


def _reusable_manifest(
    writer: LibraryWriter, model: str, params: ChunkingParams, encoder: str
) -> Manifest | None:
    """The live generation's manifest when its passages and vectors can be reused (same model, vector family,
    chunking and text pipeline); else None."""
    manifest = writer.live_manifest()
    if manifest is None:
        return None
    if (manifest.model, manifest.max_words, manifest.overlap_sentences, manifest.pipeline_version) != (
        model,
        params.max_words,
        params.overlap_sentences,
        PIPELINE_VERSION,
    ) or _vector_family(manifest.encoder) != _vector_family(encoder):
        log.info(
            "model, encoder, chunking or citebot's text pipeline changed since the last build: re-embedding all"
        )
        return None
    return manifest
