"""Keyword search: citebot's top-k over bm25s' scores ranks exactly as bm25s' own retrieve does."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retrieval.libraries.files.keyword_index import LexicalIndex, top_k
from tests.harness.libraries import SEEDS


def test_top_k_is_best_first_ties_in_row_order_and_never_zero():
    scores = np.array([0.0, 2.0, 0.5, 2.0, 0.0, 3.0, 0.5], dtype=np.float32)
    rows, values = top_k(scores, 4)
    assert rows.tolist() == [5, 1, 3, 2]  # 2.0 twice: rows 1 then 3; 0.5 cut at k: the first row kept
    assert values.tolist() == [3.0, 2.0, 2.0, 0.5]
    rows, _ = top_k(scores, 50)  # fewer positive scores than k: only those, zeros never returned
    assert rows.tolist() == [5, 1, 3, 2, 6]
    assert top_k(np.zeros(5, dtype=np.float32), 3)[0].size == 0


def _reference_top_k(scores: np.ndarray, k: int) -> list[int]:
    """Every positive row sorted by score, best first, ties by row id: the first k."""
    return sorted(np.flatnonzero(scores > 0).tolist(), key=lambda row: (-scores[row], row))[:k]


@settings(max_examples=300, deadline=None)
@given(
    values=st.lists(st.sampled_from([0.0, 0.0, 0.0, 0.5, 1.0, 1.0, 2.0, 2.5, 3.0]), min_size=1, max_size=60),
    k=st.integers(1, 12),
    data=st.data(),
)
def test_top_k_with_likely_rows_is_exact_whatever_rows_are_hinted(values, k, data):
    """Any hint (high scorers, low scorers, zeros, fewer than k rows) gives the exact top k, ties by row."""
    scores = np.array(values, dtype=np.float32)
    likely = data.draw(st.sets(st.integers(0, len(values) - 1)))
    hint = np.array(sorted(likely), dtype=np.int64)
    expected = _reference_top_k(scores, k)
    for given_rows in (hint, None):
        rows, got = top_k(scores, k, given_rows)
        assert rows.tolist() == expected
        assert got.tolist() == scores[expected].tolist()


def test_search_ranks_as_bm25s_retrieve_does():
    lines = [line for path in sorted(SEEDS.glob("*.txt")) for line in path.read_text("utf-8").splitlines()]
    texts = [line for line in lines if len(line.split()) > 4]
    index = LexicalIndex.build(texts)
    retriever = index._retriever
    for query in ["How much did Microsoft invest in OpenAI?", "Sam Altman chief executive", "Azure cloud"]:
        rows, scores = index.search(query, 10)
        words = [w for w in LexicalIndex.query_words(query) if w in retriever.vocab_dict]
        expected_rows, expected_scores = retriever.retrieve([words], k=10, show_progress=False, n_threads=0)
        keep = expected_scores[0] > 0
        assert np.allclose(scores, expected_scores[0][keep])
        assert len(rows) == keep.sum() and rows[0] == expected_rows[0][0]


@pytest.mark.slow  # 3,000 passages scored two ways
def test_search_over_many_passages_matches_bm25s_scores_exactly():
    """On 3,000 passages sharing common words (so the rarest words' postings steer the top k), every
    query's scores equal bm25s' own retrieve and ties are ordered by passage."""
    lines = [line for path in sorted(SEEDS.glob("*.txt")) for line in path.read_text("utf-8").splitlines()]
    sentences = [line for line in lines if len(line.split()) > 4]
    rng = np.random.default_rng(0)
    texts = [" ".join(rng.choice(sentences, size=3)) for _ in range(3000)]
    index = LexicalIndex.build(texts)
    retriever = index._retriever
    for query in sentences[:40]:
        rows, scores = index.search(query, 20)
        words = [w for w in LexicalIndex.query_words(query) if w in retriever.vocab_dict]
        all_scores = retriever.get_scores(words)
        assert rows.tolist() == _reference_top_k(all_scores, 20)
        _, expected_scores = retriever.retrieve([words], k=20, show_progress=False, n_threads=0)
        assert np.allclose(scores, expected_scores[0][expected_scores[0] > 0])
