"""A bounded, thread-safe memory of recently seen keys, so a retried Slack event is answered once."""

from __future__ import annotations

import threading
from collections import OrderedDict


class RecentKeys:
    """Least-recently-seen keys fall out past `capacity`: memory stays flat however long the bot runs."""

    def __init__(self, capacity: int = 10_000) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        self._keys: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()

    def first_time(self, key: str) -> bool:
        """True the first time a key is seen (and remembers it); False while it is remembered."""
        with self._lock:
            if key in self._keys:
                self._keys.move_to_end(key)
                return False
            self._keys[key] = None
            if len(self._keys) > self.capacity:
                self._keys.popitem(last=False)
            return True

    def __len__(self) -> int:
        return len(self._keys)
