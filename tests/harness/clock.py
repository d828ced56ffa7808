"""A clock a test sets by hand: stores and conversations take `clock=` (a callable giving seconds)."""

from __future__ import annotations


class Clock:
    """Seconds since the epoch, as `time.time` gives them, that move only when a test moves `now`."""

    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now
