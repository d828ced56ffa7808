"""Event claims in the local SQLite state file (backend: files), so a delivery Slack or Discord retries
after a restart is still answered once. Same `first_time(key)` as RecentKeys and pg_state.EventClaims."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

from bot.core.sqlite_file import connect, prepare

log = logging.getLogger(__name__)

CLAIM_SECONDS = 2 * 24 * 3600  # platforms retry within minutes; a claim is kept two days, then pruned
_PRUNE_EVERY = 500  # claims between two prunings
_SCHEMA = """
CREATE TABLE IF NOT EXISTS event_claims (
    key TEXT PRIMARY KEY,
    claimed_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS event_claims_age ON event_claims (claimed_at);
"""


class SqliteEventClaims:
    """`first_time(key)`: True for the first claim of a key in this state file, across restarts.

    A connection per call (safe from any thread). When the file cannot be written the event is answered
    (a possible duplicate beats silence) and a warning is logged.
    """

    def __init__(
        self, path: Path, keep_s: float = CLAIM_SECONDS, clock: Callable[[], float] = time.time
    ) -> None:
        self.path = prepare(path, _SCHEMA)
        self.keep_s = keep_s
        self._clock = clock
        self._lock = threading.Lock()
        self._claims = 0

    def _connect(self) -> sqlite3.Connection:
        return connect(self.path)

    def first_time(self, key: str) -> bool:
        """True the first time `key` is claimed (and records it); False while the claim is kept."""
        now = self._clock()
        try:
            with self._lock, self._connect() as db:
                claimed = db.execute(
                    "INSERT OR IGNORE INTO event_claims (key, claimed_at) VALUES (?, ?)", (key, now)
                ).rowcount
                self._claims += 1
                if self._claims % _PRUNE_EVERY == 1:
                    db.execute("DELETE FROM event_claims WHERE claimed_at < ?", (now - self.keep_s,))
        except sqlite3.Error as error:
            log.warning("could not claim event %s in %s (%s); answering it", key, self.path, error)
            return True
        return claimed == 1

    def __len__(self) -> int:
        with self._connect() as db:
            return int(db.execute("SELECT COUNT(*) FROM event_claims").fetchone()[0])
