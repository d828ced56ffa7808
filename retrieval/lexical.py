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


def top_k(scores: np.ndarray, k: int, likely: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(row ids, scores) of the `k` highest positive scores, best first, ties in row order.

    scores: (passages,) BM25 scores; `likely`: optional row ids expected to score high (the postings of
    the query's rarest words). Exact whatever `likely` holds: the k-th best score among any rows is a lower
    bound of the k-th best overall, so only rows scoring at least that are ranked (one comparison pass
    instead of a partition of every passage holding a query word: at 1M passages a common-word query
    leaves ~75% of them positive).

    Written here rather than using bm25s' top-k because that one partitions the whole score array, and
    numpy's introselect degrades on the long runs of equal zeros a keyword query leaves: 17 ms a query at
    100,000 passages for a query of common words.
    """
    floor = 0.0
    if likely is not None and len(likely) >= k:
        floor = float(np.partition(scores[likely], len(likely) - k)[len(likely) - k])
    rows = np.flatnonzero(scores >= floor) if floor > 0 else np.flatnonzero(scores > 0)
    if len(rows) > k:
        values = scores[rows]
        kth = np.partition(values, len(values) - k)[len(values) - k]
        above = rows[values > kth]
        tied = rows[values == kth][: k - len(above)]  # rows ascend: the lowest ids hold the ties
        rows = np.concatenate([above, tied])
    rows = rows[np.lexsort((rows, -scores[rows]))]
    return rows.astype(np.int64), scores[rows].astype(np.float32)


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

    @staticmethod
    def query_words(query: str) -> list[str]:
        """The query's stemmed words, stop words dropped, as the index's passages were tokenised."""
        tokens = bm25s.tokenize(
            [matching_text(query)],
            token_pattern=_TOKEN_PATTERN,
            stopwords="en",
            stemmer=_STEMMER,
            show_progress=False,
            return_ids=False,
        )
        return list(tokens[0])

    def search(self, query: str, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(row ids, scores) best first, at most `k`, positive scores only; empty when no query word is
        in the vocabulary."""
        vocabulary = self._retriever.vocab_dict
        words = [word for word in self.query_words(query) if word in vocabulary]
        if not words:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        return top_k(self._retriever.get_scores(words), k, self._likely_rows(words, k))

    def _likely_rows(self, words: list[str], k: int) -> np.ndarray:
        """Distinct passages holding the query's rarest words (fewest postings first), at least `k` of
        them when the query's words reach that many: the passages most likely to score high."""
        retriever = self._retriever
        indptr, indices = retriever.scores["indptr"], retriever.scores["indices"]
        ids = sorted({retriever.vocab_dict[w] for w in words}, key=lambda i: indptr[i + 1] - indptr[i])
        postings, held = [], 0
        for token in ids:
            postings.append(indices[indptr[token] : indptr[token + 1]])
            held += len(postings[-1])
            if held >= 2 * k:
                break
        return np.unique(np.concatenate(postings))
