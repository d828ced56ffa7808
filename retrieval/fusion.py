"""Combining the dense and lexical rankings into one."""

from __future__ import annotations

FUSION_METHODS = ("rrf", "blend")


def reciprocal_rank_fusion(rankings: list[list[int]], k: int = 60) -> dict[int, float]:
    """Cormack et al. 2009: score = sum of 1 / (k + rank) over the rankings a row appears in."""
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, row in enumerate(ranking, start=1):
            scores[row] = scores.get(row, 0.0) + 1.0 / (k + rank)
    return scores


def score_blend(
    dense: dict[int, float], lexical: dict[int, float], dense_weight: float = 0.5
) -> dict[int, float]:
    """Weighted sum of min-max normalised scores; a row missing from one list gets 0 there."""
    dense_norm, lexical_norm = _min_max(dense), _min_max(lexical)
    rows = set(dense) | set(lexical)
    return {
        row: dense_weight * dense_norm.get(row, 0.0) + (1 - dense_weight) * lexical_norm.get(row, 0.0)
        for row in rows
    }


def _min_max(scores: dict[int, float]) -> dict[int, float]:
    if not scores:
        return {}
    low, high = min(scores.values()), max(scores.values())
    span = high - low
    return {row: (value - low) / span if span > 0 else 1.0 for row, value in scores.items()}
