"""Collapsing near-duplicate text, so a press-release sentence quoted by three articles shows once."""

from __future__ import annotations

import re

_WORD = re.compile(r"\w+")
_SHINGLE = 3


def shingles(text: str) -> set[tuple[str, ...]]:
    words = _WORD.findall(text.lower())
    if len(words) < _SHINGLE:
        return {tuple(words)} if words else set()
    return {tuple(words[i : i + _SHINGLE]) for i in range(len(words) - _SHINGLE + 1)}


def containment(a: set, b: set) -> float:
    """Share of the smaller shingle set found in the other: 1.0 when one text contains the other."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def is_near_duplicate(a: set, b: set, threshold: float = 0.8) -> bool:
    return containment(a, b) >= threshold
