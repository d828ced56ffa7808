"""Combining the dense and lexical rankings into one."""

from __future__ import annotations


def reciprocal_rank_fusion(rankings: list[list[str]], k: int = 60) -> dict[str, float]:
    """Cormack et al. 2009: score = sum of 1 / (k + rank) over the rankings a passage appears in."""
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, key in enumerate(ranking, start=1):
            scores[key] = scores.get(key, 0.0) + 1.0 / (k + rank)
    return scores


def score_blend(
    dense: dict[str, float], lexical: dict[str, float], dense_weight: float = 0.5
) -> dict[str, float]:
    """Weighted sum of min-max normalised scores; a passage missing from one list gets 0 there."""
    dense_norm, lexical_norm = _min_max(dense), _min_max(lexical)
    rows = dict.fromkeys([*dense, *lexical])  # a stable order: ties keep the dense ranking's order
    return {
        row: dense_weight * dense_norm.get(row, 0.0) + (1 - dense_weight) * lexical_norm.get(row, 0.0)
        for row in rows
    }


def _min_max(scores: dict[str, float]) -> dict[str, float]:
    if not scores:
        return {}
    low, high = min(scores.values()), max(scores.values())
    span = high - low
    return {row: (value - low) / span if span > 0 else 1.0 for row, value in scores.items()}
