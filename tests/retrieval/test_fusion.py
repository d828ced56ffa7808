"""Reciprocal-rank fusion and the normalised score blend, on inputs small enough to check by hand."""

from __future__ import annotations

import pytest

from retrieval.search.fusion import reciprocal_rank_fusion, score_blend


def test_rrf_sums_reciprocal_ranks():
    scores = reciprocal_rank_fusion([[10, 20, 30], [20, 40]], k=60)
    assert scores == pytest.approx({10: 1 / 61, 20: 1 / 62 + 1 / 61, 30: 1 / 63, 40: 1 / 62})
    assert max(scores, key=scores.get) == 20  # found by both beats first in one


def test_rrf_constant_changes_how_much_rank_matters():
    flat = reciprocal_rank_fusion([[1, 2]], k=1000)
    steep = reciprocal_rank_fusion([[1, 2]], k=1)
    assert flat[1] / flat[2] < steep[1] / steep[2]
    assert steep == pytest.approx({1: 1 / 2, 2: 1 / 3})


def test_rrf_of_nothing_is_empty():
    assert reciprocal_rank_fusion([]) == {}
    assert reciprocal_rank_fusion([[], []]) == {}


def test_blend_normalises_each_list_then_weights():
    dense = {1: 0.9, 2: 0.5, 3: 0.1}
    lexical = {2: 12.0, 4: 4.0}
    blended = score_blend(dense, lexical, dense_weight=0.25)
    assert blended == pytest.approx(
        {
            1: 0.25 * 1.0 + 0.75 * 0.0,
            2: 0.25 * 0.5 + 0.75 * 1.0,
            3: 0.25 * 0.0 + 0.75 * 0.0,
            4: 0.25 * 0.0 + 0.75 * 0.0,
        }
    )


@pytest.mark.parametrize(("weight", "winner"), [(1.0, 1), (0.0, 2)])
def test_blend_weight_picks_the_side(weight, winner):
    blended = score_blend({1: 0.8, 2: 0.2}, {1: 1.0, 2: 9.0}, dense_weight=weight)
    assert max(blended, key=blended.get) == winner


def test_blend_with_equal_scores_counts_them_all_as_best():
    assert score_blend({1: 0.4, 2: 0.4}, {}, dense_weight=0.5) == pytest.approx({1: 0.5, 2: 0.5})


def test_blend_with_one_side_empty():
    assert score_blend({}, {7: 3.0, 8: 1.0}, dense_weight=0.5) == pytest.approx({7: 0.5, 8: 0.0})
    assert score_blend({}, {}) == {}
