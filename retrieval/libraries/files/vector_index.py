"""Nearest-neighbour search over passage vectors with FAISS, behind a small interface.

Index types (the `retrieval.index_type` setting):
- `flat`: exact inner product, 4 bytes x dimension a vector; a query scans every vector.
- `hnsw`: HNSW graph over the full vectors (M=32, efSearch 128).
- `hnsw-sq8`: HNSW graph over 8-bit scalar-quantized vectors (a quarter of the memory of `hnsw`).
- `ivf-sq8`: inverted lists (k-means cells, ~sqrt(n) x 4 of them) over 8-bit vectors, `nprobe` cells searched.
- `auto` (default): `flat` up to `exact_limit` vectors, `APPROXIMATE` above (measured in
  benchmarks/scale.py: the one that reaches recall@10 >= 0.95 within the memory and latency targets at 1M).

A search can be restricted to a subset of rows (a channel's sources, `RowSubset`): FAISS skips the
other rows *while* searching (an `IDSelectorBitmap` in the search parameters, which the flat, HNSW and
IVF indexes all take), so the k nearest come from the subset, not a top-k filtered afterwards. An
approximate index can still find fewer than k in a small subset (HNSW's graph or IVF's probed cells
hold few members): then the subset is scanned exactly.
"""

from __future__ import annotations

import math
import threading
from pathlib import Path

import faiss
import numpy as np

from retrieval.libraries.files.index_types import (  # noqa: F401  (INDEX_TYPES, APPROXIMATE: named here too)
    APPROXIMATE,
    DEFAULT_EXACT_LIMIT,
    INDEX_TYPES,
    resolve_index_type,
)

HNSW_M = 32
HNSW_EF_SEARCH = 128
HNSW_EF_CONSTRUCTION = 40  # faiss' default
IVF_NPROBE = 32
_TRAIN_PER_CELL = 64  # k-means training points per IVF cell (faiss warns below 39)
_MAX_EF_SEARCH = 2048  # HNSW candidates kept in a subset search (efSearch grows as the subset shrinks)
_EXACT_CHUNK = 8192  # rows scored at a time when a subset is scanned exactly


def ivf_cells(count: int) -> int:
    """IVF cells for `count` vectors: 4 x sqrt(n) (faiss' guideline is 4-16 x sqrt(n)), at least 1, and few
    enough that each cell gets _TRAIN_PER_CELL training points."""
    return max(1, min(int(4 * math.sqrt(count)), count // _TRAIN_PER_CELL))


class RowSubset:
    """Rows a search may return (e.g. the passages of a channel's sources), as FAISS' bitmap selector.

    Made once per scope and shared between threads (FAISS only reads it).
    """

    def __init__(self, allowed: np.ndarray) -> None:
        """`allowed`: (rows,) bool, True for each row the search may return."""
        allowed = np.asarray(allowed, dtype=bool)
        self.allowed = allowed
        self.rows = np.flatnonzero(allowed).astype(np.int64)
        self.fraction = len(self.rows) / max(1, len(allowed))
        # IDSelectorBitmap reads bit i of byte i >> 3, least significant first; it keeps a pointer only.
        self._bits = np.packbits(allowed, bitorder="little")
        self.selector = faiss.IDSelectorBitmap(len(allowed), faiss.swig_ptr(self._bits))

    def __len__(self) -> int:
        return len(self.rows)


class FaissVectorIndex:
    """Exact inner product ("flat") by default; HNSW or IVF for corpora too large to scan per query."""

    def __init__(self, index: faiss.Index) -> None:
        self._index = index
        self._lock = threading.Lock()  # making IVF's direct map (once) is not thread-safe
        _set_search_params(index)

    @classmethod
    def build(
        cls,
        vectors: np.ndarray,
        index_type: str = "flat",
        hnsw_m: int = HNSW_M,
        exact_limit: int = DEFAULT_EXACT_LIMIT,
    ) -> FaissVectorIndex:
        """An index over `vectors` ((n, dimension) float32, L2-normalised); ValueError for an unknown type."""
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        count, dimension = vectors.shape
        kind = resolve_index_type(index_type, count, exact_limit)
        metric = faiss.METRIC_INNER_PRODUCT
        if kind == "flat":
            index = faiss.IndexFlatIP(dimension)
        elif kind == "hnsw":
            index = faiss.IndexHNSWFlat(dimension, hnsw_m, metric)
        elif kind == "hnsw-sq8":
            index = faiss.IndexHNSWSQ(dimension, faiss.ScalarQuantizer.QT_8bit, hnsw_m, metric)
        else:  # ivf-sq8
            index = faiss.index_factory(dimension, f"IVF{ivf_cells(count)},SQ8", metric)
        if hasattr(index, "hnsw"):
            index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        if not index.is_trained and count:
            sample = vectors
            cells = faiss.extract_index_ivf(index).nlist if kind == "ivf-sq8" else 1
            if count > cells * _TRAIN_PER_CELL * 4:
                rows = np.random.default_rng(0).choice(count, cells * _TRAIN_PER_CELL * 4, replace=False)
                sample = vectors[np.sort(rows)]
            index.train(sample)
        if count:
            index.add(vectors)
        return cls(index)

    @classmethod
    def load(cls, path: Path) -> FaissVectorIndex:
        return cls(faiss.read_index(str(path)))

    @property
    def size(self) -> int:
        return int(self._index.ntotal)

    @property
    def dimension(self) -> int:
        return int(self._index.d)

    def search(
        self, queries: np.ndarray, k: int, subset: RowSubset | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """(scores, row ids) per query; ids are -1 where fewer than k vectors exist. With `subset`, the
        k nearest among its rows only (None: every row, as ever)."""
        queries = np.ascontiguousarray(queries, dtype=np.float32)
        if subset is None:
            k = max(1, min(k, self.size)) if self.size else 1
            return self._index.search(queries, k)
        k = max(1, min(k, len(subset)))
        if not len(subset):
            return np.full((len(queries), k), -np.inf, np.float32), np.full((len(queries), k), -1, np.int64)
        scores, rows = self._index.search(queries, k, params=self._subset_params(subset, k))
        if (rows >= 0).sum(axis=1).min() < k:  # an approximate index missed members: scan them all
            return self._exact(queries, k, subset)
        return scores, rows

    def _subset_params(self, subset: RowSubset, k: int) -> faiss.SearchParameters:
        """Search parameters restricted to `subset`; the per-index knobs (efSearch, nprobe) must be given
        again, since parameters passed to a search replace the index's own."""
        index = self._index
        if hasattr(index, "hnsw"):
            ef = min(_MAX_EF_SEARCH, max(HNSW_EF_SEARCH, k, int(HNSW_EF_SEARCH / max(subset.fraction, 1e-9))))
            return faiss.SearchParametersHNSW(sel=subset.selector, efSearch=ef)
        try:
            ivf = faiss.extract_index_ivf(index)
        except RuntimeError:
            return faiss.SearchParameters(sel=subset.selector)
        # A subset of a fraction f of the rows has about f of each cell's members: probe 1/f more cells.
        nprobe = min(ivf.nlist, max(ivf.nprobe, int(ivf.nprobe / max(subset.fraction, 1e-9))))
        return faiss.SearchParametersIVF(sel=subset.selector, nprobe=nprobe)

    def _exact(self, queries: np.ndarray, k: int, subset: RowSubset) -> tuple[np.ndarray, np.ndarray]:
        """The k best rows of `subset` by inner product with its stored (maybe quantized) vectors."""
        index = self._index
        try:
            ivf = faiss.extract_index_ivf(index)
        except RuntimeError:
            ivf = None
        if ivf is not None:
            with self._lock:
                if not ivf.direct_map.type:  # IVF looks a row up only through its direct map
                    ivf.make_direct_map()
        scores = np.full((len(queries), 0), -np.inf, np.float32)
        rows = np.zeros((len(queries), 0), np.int64)
        for start in range(0, len(subset.rows), _EXACT_CHUNK):  # memory bounded by the chunk, not the subset
            chunk = subset.rows[start : start + _EXACT_CHUNK]
            scores = np.hstack([scores, queries @ index.reconstruct_batch(chunk).T])
            rows = np.hstack([rows, np.broadcast_to(chunk, (len(queries), len(chunk)))])
            best = np.argsort(-scores, axis=1, kind="stable")[:, :k]
            scores, rows = np.take_along_axis(scores, best, axis=1), np.take_along_axis(rows, best, axis=1)
        return scores, rows

    def save(self, path: Path) -> None:
        faiss.write_index(self._index, str(path))


def _set_search_params(index: faiss.Index) -> None:
    """Search-time knobs are not all saved with an index: set them on every build and load."""
    if hasattr(index, "hnsw"):
        index.hnsw.efSearch = HNSW_EF_SEARCH
    try:
        ivf = faiss.extract_index_ivf(index)
    except RuntimeError:
        return
    ivf.nprobe = min(IVF_NPROBE, ivf.nlist)
