"""Sentence embeddings computed at index time, keyed by the sentence's text.

Answer composition compares the question with every sentence of the top passages; embedding them
per question cost ~0.5 s on a laptop CPU, looking them up costs microseconds. Keys are text hashes,
so a refresh re-embeds only sentences it has not seen before.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np

VECTORS_FILE = "sentence_vectors.npy"
KEYS_FILE = "sentence_keys.json"


def text_key(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=10).hexdigest()


class SentenceVectors:
    def __init__(self, rows: dict[str, int], vectors: np.ndarray) -> None:
        self._rows = rows
        self._vectors = vectors

    def __len__(self) -> int:
        return len(self._rows)

    def get(self, text: str) -> np.ndarray | None:
        row = self._rows.get(text_key(text))
        return None if row is None else self._vectors[row]

    @classmethod
    def build(
        cls,
        texts: list[str],
        embed: Callable[[list[str]], np.ndarray],
        previous: SentenceVectors | None = None,
    ) -> SentenceVectors:
        keys = list(dict.fromkeys(text_key(t) for t in texts))
        unique = {text_key(t): t for t in texts}
        fresh = [k for k in keys if previous is None or k not in previous._rows]
        fresh_vectors = embed([unique[k] for k in fresh]) if fresh else None
        fresh_rows = {k: i for i, k in enumerate(fresh)}
        blocks = []
        for key in keys:
            if key in fresh_rows:
                blocks.append(fresh_vectors[fresh_rows[key]])
            else:
                blocks.append(previous._vectors[previous._rows[key]])
        vectors = np.vstack(blocks).astype(np.float32) if blocks else np.zeros((0, 1), dtype=np.float32)
        return cls({k: i for i, k in enumerate(keys)}, vectors)

    def save(self, directory: Path) -> None:
        np.save(directory / VECTORS_FILE, self._vectors, allow_pickle=False)
        ordered = sorted(self._rows, key=self._rows.get)
        (directory / KEYS_FILE).write_text(json.dumps(ordered), "utf-8")

    @classmethod
    def load(cls, directory: Path) -> SentenceVectors | None:
        """None for an index built before sentence vectors existed (answers then embed on the fly)."""
        if not (directory / KEYS_FILE).exists():
            return None
        keys = json.loads((directory / KEYS_FILE).read_text("utf-8"))
        vectors = np.load(directory / VECTORS_FILE, allow_pickle=False)
        if len(keys) != len(vectors):
            raise ValueError("sentence vectors and keys differ in length")
        return cls({k: i for i, k in enumerate(keys)}, vectors)
