"""The files library's keyword index: BM25 (bm25s) over each passage's keyword terms (retrieval/text/tokens.py)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import bm25s
import numpy as np

from retrieval.text.tokens import document_terms, query_terms

logging.getLogger("bm25s").setLevel(logging.WARNING)  # bm25s sets DEBUG on import


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
    def build(cls, texts: Sequence[str], sources: Sequence[str] | None = None) -> LexicalIndex:
        """Index `texts` (one per passage); `sources` names each text's document, whose language its
        terms follow (None: the texts are one document)."""
        retriever = bm25s.BM25()
        retriever.index(_terms_by_document(texts, sources), show_progress=False)
        return cls(retriever)

    @classmethod
    def load(cls, path: Path) -> LexicalIndex:
        return cls(bm25s.BM25.load(str(path), mmap=False))

    def save(self, path: Path) -> None:
        self._retriever.save(str(path))

    @staticmethod
    def query_words(query: str) -> list[str]:
        """The query's stemmed words, stop words dropped, as the index's passages were tokenised."""
        return query_terms(query)

    def search(self, query: str, k: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(row ids, scores) best first, at most `k`, positive scores only; empty when no query word is
        in the vocabulary. `allowed` ((rows,) bool) restricts the ranking to those rows: the k best of
        them, not the k best filtered (IDF stays that of the whole index)."""
        vocabulary = self._retriever.vocab_dict
        words = [word for word in self.query_words(query) if word in vocabulary]
        if not words:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        scores, likely = self._retriever.get_scores(words), self._likely_rows(words, k)
        if allowed is not None:
            scores = np.where(allowed, scores, 0.0)
            likely = likely[allowed[likely]]
        return top_k(scores, k, likely)

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


def _terms_by_document(texts: Sequence[str], sources: Sequence[str] | None) -> list[list[str]]:
    """Each text's keyword terms, made per document (see `document_terms`), in the order of `texts`."""
    if sources is None:
        return document_terms(texts)
    rows: dict[str, list[int]] = {}
    for row, source in enumerate(sources):
        rows.setdefault(source, []).append(row)
    terms: list[list[str]] = [[] for _ in texts]
    for document_rows in rows.values():
        for row, row_terms in zip(
            document_rows, document_terms([texts[r] for r in document_rows]), strict=True
        ):
            terms[row] = row_terms
    return terms
