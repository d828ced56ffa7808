"""Keyword search: citebot's top-k over bm25s' scores ranks exactly as bm25s' own retrieve does."""

from __future__ import annotations

import numpy as np

from retrieval.lexical import LexicalIndex, top_k
from tests.conftest import SEEDS


def test_top_k_is_best_first_ties_in_row_order_and_never_zero():
    scores = np.array([0.0, 2.0, 0.5, 2.0, 0.0, 3.0, 0.5], dtype=np.float32)
    rows, values = top_k(scores, 4)
    assert rows.tolist() == [5, 1, 3, 2]  # 2.0 twice: rows 1 then 3; 0.5 cut at k: the first row kept
    assert values.tolist() == [3.0, 2.0, 2.0, 0.5]
    rows, _ = top_k(scores, 50)  # fewer positive scores than k: only those, zeros never returned
    assert rows.tolist() == [5, 1, 3, 2, 6]
    assert top_k(np.zeros(5, dtype=np.float32), 3)[0].size == 0


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
