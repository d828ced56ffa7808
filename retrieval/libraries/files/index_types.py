"""The vector index types (the `index_type` setting) and when `auto` turns approximate; no FAISS imported.

Apart from retrieval/libraries/files/vector_index.py so that choosing a type loads no FAISS; the exact
limit's default is the config's (retrieval/config.py DEFAULT_EXACT_LIMIT).
"""

from __future__ import annotations

from retrieval.config import DEFAULT_EXACT_LIMIT

INDEX_TYPES = ("auto", "flat", "hnsw", "hnsw-sq8", "ivf-sq8")
APPROXIMATE = "ivf-sq8"


def resolve_index_type(index_type: str, count: int, exact_limit: int = DEFAULT_EXACT_LIMIT) -> str:
    """The concrete index type for `count` vectors: `auto` is `flat` up to `exact_limit`, else APPROXIMATE."""
    if index_type not in INDEX_TYPES:
        raise ValueError(f"unknown index type {index_type!r}; choose one of {', '.join(INDEX_TYPES)}")
    if index_type == "auto":
        return "flat" if count <= exact_limit else APPROXIMATE
    return index_type
