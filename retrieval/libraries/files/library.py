"""The files backend: a Library and a LibraryWriter over a folder of generations (FAISS + bm25s + JSON).

The only module that knows an index generation's file names. `index/CURRENT` names the live generation
(`retrieval/libraries/files/layout.py` swaps it atomically); a generation holds:

    manifest.json          how it was built (retrieval/manifest.py)
    passages.jsonl         one passage a line, in row order (document order, documents by source)
    documents.json         document metadata
    passage_vectors.npy    one vector a passage, row for row (reused by the next build)
    dense.faiss            the FAISS index over those vectors (nearest-vector search)
    lexical/               the bm25s index over each passage's `indexed_text` (keyword search)
    sentence_vectors.npy   vectors of every quotable sentence, with sentence_keys.json (text hashes)
    vocabulary.json        stemmed term -> passages holding it (idf weights, spelling repair)
    encoder/               the ONNX encoder the vectors were made with (serving runs it)
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import threading
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

import numpy as np

from retrieval.errors import IndexIncompatibleError, RetrievalError
from retrieval.libraries.files import layout
from retrieval.libraries.files.keyword_index import LexicalIndex
from retrieval.libraries.files.vector_index import FaissVectorIndex, RowSubset
from retrieval.libraries.sentence_vectors import SentenceVectors, text_key
from retrieval.manifest import Manifest
from retrieval.models import Document, Passage
from retrieval.parts import DocumentEntry, DocumentFrequencies, Ranking, Vector, indexed_text
from retrieval.scope import Scope, source_name

log = logging.getLogger(__name__)

MANIFEST_FILE = "manifest.json"
PASSAGES_FILE = "passages.jsonl"
DOCUMENTS_FILE = "documents.json"
PASSAGE_VECTORS_FILE = "passage_vectors.npy"
DENSE_INDEX_FILE = "dense.faiss"
LEXICAL_DIR = "lexical"
SENTENCE_VECTORS_FILE = "sentence_vectors.npy"
SENTENCE_KEYS_FILE = "sentence_keys.json"
VOCABULARY_FILE = "vocabulary.json"
ENCODER_DIR = "encoder"
_SCOPES_KEPT = 64  # row subsets kept per library, one per distinct channel scope


def live_generation(index_dir: str | Path) -> str | None:
    """The live generation's id, cheaply (one small file read), for noticing a rebuild; None when none."""
    return layout.generation_id(Path(index_dir))


def read_manifest(generation: Path, where: str, rebuild_hint: str) -> Manifest:
    """The manifest of a generation folder; IndexIncompatibleError when missing, unreadable or another format."""
    try:
        text = (generation / MANIFEST_FILE).read_text("utf-8")
    except OSError as error:
        raise IndexIncompatibleError(
            f"Index manifest at {where} is unreadable ({error.__class__.__name__}). {rebuild_hint}"
        ) from None
    return Manifest.from_json(text, where, rebuild_hint)


def live_manifest(index_dir: str | Path, rebuild_hint: str) -> tuple[str, Manifest]:
    """(generation id, manifest) of the live generation, without loading anything else."""
    generation = layout.current_generation(Path(index_dir), rebuild_hint)
    return generation.name, read_manifest(generation, str(index_dir), rebuild_hint)


class FilesLibrary:
    """One generation, all in memory; rows of the vector and keyword indexes line up with `_passages`."""

    def __init__(
        self,
        folder: Path,
        manifest: Manifest,
        passages: list[Passage],
        documents: list[Document],
        dense: FaissVectorIndex,
        lexical: LexicalIndex,
        sentences: SentenceVectors | None,
        frequencies: DocumentFrequencies,
    ) -> None:
        self.folder = folder
        self._manifest = manifest
        self._passages = passages
        self._by_id = {p.id: p for p in passages}
        self._documents = {d.source: d for d in documents}
        self._by_source: dict[str, list[Passage]] = {}
        for passage in passages:
            self._by_source.setdefault(passage.source, []).append(passage)
        self._dense = dense
        self._lexical = lexical
        self._sentences = sentences
        self._frequencies = frequencies
        # Each row's source (the key up to its first "/") as an index into _source_names, made at the first
        # scoped search (an unscoped library never pays for it): a scope's rows are then one vectorised
        # comparison away, and kept per scope.
        self._source_names: list[str] = []
        self._row_source: np.ndarray | None = None
        self._subsets: dict[frozenset[str], RowSubset | None] = {}
        self._subsets_lock = threading.Lock()

    @classmethod
    def open(cls, index_dir: str | Path, rebuild_hint: str = "") -> FilesLibrary:
        """The live generation of `index_dir`; IndexMissingError or IndexIncompatibleError (with the hint)."""
        generation = layout.current_generation(Path(index_dir), rebuild_hint)
        manifest = read_manifest(generation, str(index_dir), rebuild_hint)
        manifest.check_servable(str(index_dir), None, rebuild_hint)
        try:
            library = cls(
                generation,
                manifest,
                _load_passages(generation),
                _load_documents(generation),
                FaissVectorIndex.load(generation / DENSE_INDEX_FILE),
                LexicalIndex.load(generation / LEXICAL_DIR),
                _load_sentences(generation),
                _load_frequencies(generation),
            )
        except (OSError, ValueError, KeyError, RuntimeError, TypeError) as error:
            raise IndexIncompatibleError(
                f"Index at {index_dir} is damaged ({error.__class__.__name__}). {rebuild_hint}"
            ) from None
        if library._dense.dimension != manifest.dimension or library._dense.size != len(library):
            raise IndexIncompatibleError(f"Index at {index_dir} is inconsistent. {rebuild_hint}")
        return library

    @property
    def generation(self) -> str:
        return self.folder.name

    @property
    def manifest(self) -> Manifest:
        return self._manifest

    @property
    def encoder_folder(self) -> Path:
        """Where this generation keeps its ONNX encoder (may not exist: built with torch)."""
        return self.folder / ENCODER_DIR

    def __len__(self) -> int:
        return len(self._passages)

    def passage(self, passage_id: str) -> Passage | None:
        return self._by_id.get(passage_id)

    def passages_of(self, source: str) -> list[Passage]:
        return list(self._by_source.get(source, []))

    def document(self, source: str) -> Document | None:
        return self._documents.get(source)

    def documents(self) -> list[Document]:
        return sorted(self._documents.values(), key=lambda d: d.source)

    def nearest(self, vector: Vector, k: int, scope: Scope = None) -> Ranking:
        scores, rows = self._dense.search(vector.reshape(1, -1), k, self._subset(scope))
        return [
            (self._passages[int(r)].id, float(s)) for r, s in zip(rows[0], scores[0], strict=True) if r >= 0
        ]

    def keyword(self, query: str, k: int, scope: Scope = None) -> Ranking:
        subset = self._subset(scope)
        rows, scores = self._lexical.search(query, k, None if subset is None else subset.allowed)
        return [(self._passages[int(r)].id, float(s)) for r, s in zip(rows, scores, strict=True)]

    def _allowed(self, scope: frozenset[str]) -> np.ndarray:
        """(rows,) bool: the rows of the sources `scope` names."""
        with self._subsets_lock:
            if self._row_source is None:
                names = sorted({source_name(p.source) for p in self._passages})
                number = {name: i for i, name in enumerate(names)}
                rows = (number[source_name(p.source)] for p in self._passages)
                self._source_names = names
                self._row_source = np.fromiter(rows, np.int32, len(self._passages))
        codes = [i for i, name in enumerate(self._source_names) if name in scope]
        return np.isin(self._row_source, codes)

    def _subset(self, scope: Scope) -> RowSubset | None:
        """The rows a scope may see, made once per scope; None when it sees every row (nothing to filter)."""
        if scope is None:
            return None
        with self._subsets_lock:
            if scope in self._subsets:
                return self._subsets[scope]
        allowed = self._allowed(scope)
        subset = None if allowed.all() else RowSubset(allowed)
        with self._subsets_lock:
            if len(self._subsets) >= _SCOPES_KEPT:
                self._subsets.pop(next(iter(self._subsets)))
            self._subsets[scope] = subset
        return subset

    def sentence_vectors(self, texts: Sequence[str]) -> list[Vector | None]:
        return [self._sentences.get(t) if self._sentences else None for t in texts]

    def document_frequencies(self) -> DocumentFrequencies:
        return self._frequencies


class FilesLibraryWriter:
    """Stages a generation in memory, writes it beside the live one and swaps the pointer on `publish`."""

    def __init__(self, index_dir: str | Path, encoder_files: Sequence[Path] = ()) -> None:
        self._index_dir = Path(index_dir)
        self._encoder_files = list(encoder_files)
        self._live: _Live | None | bool = False  # False: not read yet; None: nothing usable
        self._documents: list[Document] = []
        self._passages: list[Passage] = []
        self._vectors: list[np.ndarray] = []
        self._sentences: SentenceVectors | None = None
        self._frequencies = DocumentFrequencies()

    def live_manifest(self) -> Manifest | None:
        if layout.generation_id(self._index_dir) is None:
            return None
        try:
            return live_manifest(self._index_dir, "")[1]
        except (RetrievalError, OSError) as error:
            log.warning("previous index unusable (%s): rebuilding from scratch", error)
            return None

    def previous(self, source: str) -> DocumentEntry | None:
        live = self._read_live()
        if live is None or source not in live.rows_of_source:
            return None
        rows = live.rows_of_source[source]
        passages = tuple(live.passages[rows[0] : rows[-1] + 1])
        return DocumentEntry(live.documents[source], passages, live.vectors[rows[0] : rows[-1] + 1])

    def previous_sentence_vectors(self, texts: Sequence[str]) -> list[Vector | None]:
        live = self._read_live()
        if live is None or live.sentences is None:
            return [None] * len(texts)
        return [live.sentences.get(t) for t in texts]

    def add(self, entry: DocumentEntry) -> None:
        self._documents.append(entry.document)
        self._passages.extend(entry.passages)
        self._vectors.append(np.asarray(entry.vectors, dtype=np.float32))

    def add_sentence_vectors(self, texts: Sequence[str], vectors: np.ndarray) -> None:
        self._sentences = SentenceVectors({text_key(t): i for i, t in enumerate(texts)}, vectors)

    def set_vocabulary(self, frequencies: DocumentFrequencies) -> None:
        self._frequencies = frequencies

    def publish(self, manifest: Manifest) -> str:
        staging = layout.new_staging_dir(self._index_dir)
        try:
            self._write(staging, manifest)
            return layout.publish(self._index_dir, staging).name
        except BaseException:
            layout.discard(staging)
            raise

    def discard(self) -> None:
        self._documents, self._passages, self._vectors, self._sentences = [], [], [], None

    def _write(self, staging: Path, manifest: Manifest) -> None:
        _store_encoder(self._encoder_files, staging / ENCODER_DIR)
        _save_passages(staging, self._passages, self._documents)
        vectors = np.ascontiguousarray(np.vstack(self._vectors), dtype=np.float32)
        np.save(staging / PASSAGE_VECTORS_FILE, vectors, allow_pickle=False)
        if self._sentences is not None:
            _save_sentences(staging, self._sentences)
        FaissVectorIndex.build(vectors, manifest.index_type).save(staging / DENSE_INDEX_FILE)
        documents = {d.source: d for d in self._documents}
        texts = [indexed_text(documents[p.source], p) for p in self._passages]
        LexicalIndex.build(texts, [p.source for p in self._passages]).save(staging / LEXICAL_DIR)
        frequencies = {"passages": self._frequencies.passages, "counts": dict(self._frequencies.counts)}
        (staging / VOCABULARY_FILE).write_text(json.dumps(frequencies, ensure_ascii=False), "utf-8")
        (staging / MANIFEST_FILE).write_text(manifest.to_json(), "utf-8")

    def _read_live(self) -> _Live | None:
        if self._live is False:
            self._live = _Live.read(self._index_dir)
        return self._live  # type: ignore[return-value]


class _Live:
    """What a build reuses from the live generation: passages, documents, vectors, sentence vectors."""

    def __init__(self, passages, documents, vectors, sentences) -> None:
        self.passages: list[Passage] = passages
        self.documents: dict[str, Document] = {d.source: d for d in documents}
        self.vectors: np.ndarray = vectors
        self.sentences: SentenceVectors | None = sentences
        self.rows_of_source: dict[str, list[int]] = {}
        for row, passage in enumerate(passages):
            self.rows_of_source.setdefault(passage.source, []).append(row)

    @classmethod
    def read(cls, index_dir: Path) -> _Live | None:
        try:
            generation = layout.current_generation(index_dir, "")
            passages, documents = _load_passages(generation), _load_documents(generation)
            vectors = np.load(generation / PASSAGE_VECTORS_FILE, allow_pickle=False)
        except (RetrievalError, OSError, ValueError, TypeError, KeyError) as error:
            log.warning("previous index unusable (%s): rebuilding from scratch", error)
            return None
        if len(vectors) != len(passages):
            return None
        try:
            sentences = _load_sentences(generation)
        except (OSError, ValueError):
            sentences = None
        return cls(passages, documents, vectors, sentences)


def _load_passages(generation: Path) -> list[Passage]:
    with open(generation / PASSAGES_FILE, encoding="utf-8") as lines:
        return [Passage.from_record(json.loads(line)) for line in lines if line.strip()]


def _load_documents(generation: Path) -> list[Document]:
    return [Document(**d) for d in json.loads((generation / DOCUMENTS_FILE).read_text("utf-8"))]


def _save_passages(staging: Path, passages: list[Passage], documents: list[Document]) -> None:
    with open(staging / PASSAGES_FILE, "w", encoding="utf-8") as out:
        for passage in passages:
            out.write(json.dumps(passage.to_record(), ensure_ascii=False) + "\n")
    records = [asdict(d) for d in sorted(documents, key=lambda d: d.source)]
    (staging / DOCUMENTS_FILE).write_text(json.dumps(records, ensure_ascii=False, indent=1), "utf-8")


def _load_sentences(generation: Path) -> SentenceVectors | None:
    """None for an index built without sentence vectors (answers then embed sentences on the fly)."""
    if not (generation / SENTENCE_KEYS_FILE).exists():
        return None
    keys = json.loads((generation / SENTENCE_KEYS_FILE).read_text("utf-8"))
    vectors = np.load(generation / SENTENCE_VECTORS_FILE, allow_pickle=False)
    if len(keys) != len(vectors):
        raise ValueError("sentence vectors and keys differ in length")
    return SentenceVectors({k: i for i, k in enumerate(keys)}, vectors)


def _save_sentences(staging: Path, sentences: SentenceVectors) -> None:
    np.save(staging / SENTENCE_VECTORS_FILE, sentences.vectors, allow_pickle=False)
    (staging / SENTENCE_KEYS_FILE).write_text(json.dumps(sentences.keys()), "utf-8")


def _load_frequencies(generation: Path) -> DocumentFrequencies:
    raw = json.loads((generation / VOCABULARY_FILE).read_text("utf-8"))
    return DocumentFrequencies(raw["counts"], int(raw["passages"]))


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
