"""Sentence embeddings computed at index time, keyed by the sentence's text.

Answer composition compares the question with every sentence of the top passages; embedding them
per question cost ~0.5 s on a laptop CPU, looking them up costs microseconds. Keys are text hashes,
so a refresh re-embeds only sentences it has not seen before.
"""

from __future__ import annotations

import hashlib

import numpy as np


def text_key(text: str) -> str:
    """A short stable hash of a sentence's text."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=10).hexdigest()


class SentenceVectors:
    """Vectors by sentence text: `rows` maps a text key to its row of `vectors`."""

    def __init__(self, rows: dict[str, int], vectors: np.ndarray) -> None:
        self._rows = rows
        self.vectors = vectors

    def __len__(self) -> int:
        return len(self._rows)

    def get(self, text: str) -> np.ndarray | None:
        """The vector stored for `text`, None when there is none."""
        row = self._rows.get(text_key(text))
        return None if row is None else self.vectors[row]

    def keys(self) -> list[str]:
        """The text keys in row order."""
        return sorted(self._rows, key=self._rows.get)
