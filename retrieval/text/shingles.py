"""Collapsing near-duplicate text, so a press-release sentence quoted by three articles shows once."""

from __future__ import annotations

import re
from functools import lru_cache

_WORD = re.compile(r"\w+")
_SHINGLE = 3


@lru_cache(maxsize=16384)
def shingles(text: str) -> frozenset[tuple[str, ...]]:
    """Word 3-grams of a text, lower-cased. Cached: search and the composer ask again for the same
    passages' and units' shingles at every question."""
    words = _WORD.findall(text.lower())
    if len(words) < _SHINGLE:
        return frozenset({tuple(words)} if words else ())
    return frozenset(tuple(words[i : i + _SHINGLE]) for i in range(len(words) - _SHINGLE + 1))


def containment(a: set, b: set) -> float:
    """Share of the smaller shingle set found in the other: 1.0 when one text contains the other."""
    if not a or not b or a.isdisjoint(b):  # most pairs share nothing: no intersection set is built
        return 0.0
    return len(a & b) / min(len(a), len(b))


def is_near_duplicate(a: set, b: set, threshold: float = 0.8) -> bool:
    return containment(a, b) >= threshold


def says_nothing_more(new: set, kept: set, threshold: float = 0.8) -> bool:
    """Does the text of shingles `new` say nothing that the text of `kept` does not: at least
    `threshold` of its own shingles are in `kept`? Unlike `containment`, one way only: a sibling that
    adds words ("pip install httpx[http2]" after "pip install httpx") says more and is no twin, while
    the shorter after the longer says nothing more."""
    if not new or not kept or new.isdisjoint(kept):
        return False
    return len(new & kept) / len(new) >= threshold
