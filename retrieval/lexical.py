"""BM25 keyword search (bm25s), with English stemming and stop words."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import bm25s
import numpy as np
import Stemmer

from retrieval.textnorm import fold

logging.getLogger("bm25s").setLevel(logging.WARNING)  # bm25s sets DEBUG on import

_STEMMER = Stemmer.Stemmer("english")
# Single characters count: "Form B" and "version 3" differ from "Form C" and "version 4" only there.
_TOKEN_PATTERN = r"(?u)\b\w+\b"
_TOKEN = re.compile(_TOKEN_PATTERN)


_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_WORD = re.compile(r"\w+")


def identifier_parts(text: str) -> list[str]:
    """The words inside camelCase and snake_case names ("idleTimeout" -> "idle", "Timeout").

    Documentation names settings the way code does; people ask in words ("idle timeout").
    """
    parts: list[str] = []
    for token in _WORD.findall(text):
        pieces = [piece for chunk in token.split("_") for piece in _CAMEL.split(chunk) if piece]
        if len(pieces) > 1:
            parts.extend(pieces)
    return parts


def matching_text(text: str) -> str:
    """Folded text with the words of its identifiers appended: what keyword search indexes."""
    parts = identifier_parts(text)
    return fold(f"{text} {' '.join(parts)}" if parts else text)


def word_tokens(text: str) -> list[str]:
    """Folded word tokens as written, without identifier parts (for questions)."""
    return _TOKEN.findall(fold(text))


def tokenize(text: str) -> list[str]:
    """Folded word tokens (case, accents, NFKC), identifier parts included, stop words kept."""
    return _TOKEN.findall(matching_text(text))


def stem(words: list[str]) -> list[str]:
    return _STEMMER.stemWords(words)


class LexicalIndex:
    def __init__(self, retriever: bm25s.BM25) -> None:
        self._retriever = retriever

    @classmethod
    def build(cls, texts: list[str]) -> LexicalIndex:
        retriever = bm25s.BM25()
        tokens = bm25s.tokenize(
            [matching_text(t) for t in texts],
            token_pattern=_TOKEN_PATTERN,
            stopwords="en",
            stemmer=_STEMMER,
            show_progress=False,
        )
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
            [matching_text(query)],
            token_pattern=_TOKEN_PATTERN,
            stopwords="en",
            stemmer=_STEMMER,
            show_progress=False,
            return_ids=False,
        )
        vocabulary = self._retriever.vocab_dict
        words = [word for word in tokens[0] if word in vocabulary]
        if not words:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        total = self._retriever.scores["num_docs"]
        # n_threads=0: a plain map; any other value starts a thread pool for every query (bm25s 0.2).
        ids, scores = self._retriever.retrieve([words], k=min(k, total), show_progress=False, n_threads=0)
        keep = scores[0] > 0
        return ids[0][keep].astype(np.int64), scores[0][keep].astype(np.float32)
