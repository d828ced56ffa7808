"""BM25 keyword search (bm25s), with English stemming and stop words."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import bm25s
import numpy as np
import Stemmer

logging.getLogger("bm25s").setLevel(logging.WARNING)  # bm25s sets DEBUG on import

_STEMMER = Stemmer.Stemmer("english")
_TOKEN = re.compile(r"(?u)\b\w\w+\b")


def tokenize(text: str) -> list[str]:
    """Lower-cased word tokens, stop words kept (the caller decides): same rule everywhere we match words."""
    return _TOKEN.findall(text.lower())


def stem(words: list[str]) -> list[str]:
    return _STEMMER.stemWords(words)


class LexicalIndex:
    def __init__(self, retriever: bm25s.BM25) -> None:
        self._retriever = retriever

    @classmethod
    def build(cls, texts: list[str]) -> LexicalIndex:
        retriever = bm25s.BM25()
        tokens = bm25s.tokenize(texts, stopwords="en", stemmer=_STEMMER, show_progress=False)
        retriever.index(tokens, show_progress=False)
        return cls(retriever)

    @classmethod
    def load(cls, path: Path) -> LexicalIndex:
        return cls(bm25s.BM25.load(str(path), mmap=False))

    def save(self, path: Path) -> None:
        self._retriever.save(str(path))

    def search(self, query: str, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(row ids, scores) best first; empty when no query word is in the vocabulary."""
        tokens = bm25s.tokenize(
            [query], stopwords="en", stemmer=_STEMMER, show_progress=False, return_ids=False
        )
        vocabulary = self._retriever.vocab_dict
        words = [word for word in tokens[0] if word in vocabulary]
        if not words:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        total = self._retriever.scores["num_docs"]
        ids, scores = self._retriever.retrieve([words], k=min(k, total), show_progress=False, n_threads=1)
        keep = scores[0] > 0
        return ids[0][keep].astype(np.int64), scores[0][keep].astype(np.float32)
