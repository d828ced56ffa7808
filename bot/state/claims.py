"""Event claims, so a delivery Slack or Discord repeats (a retry, a restart, two replicas) is answered once.

`EventClaims` is what an adapter needs (`first_time(key)`, as RecentKeys in memory has too);
SqliteEventClaims keeps them in the local state file across restarts (backend files), PostgresEventClaims
in the database every replica shares (backend postgres; table `event_claims`, migration 2 in
bot/state/migrations.py).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from bot.state.sqlite_file import connect, prepare

log = logging.getLogger(__name__)

CLAIM_DAYS = 2  # platforms retry within minutes; a claim is kept two days, then pruned
CLAIM_SECONDS = CLAIM_DAYS * 24 * 3600
_PRUNE_EVERY = 500  # claims between two prunings (SQLite)
_PG_PRUNE_EVERY = 1000  # claims between two prunings (PostgreSQL)
_SCHEMA = """
CREATE TABLE IF NOT EXISTS event_claims (
    key TEXT PRIMARY KEY,
    claimed_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS event_claims_age ON event_claims (claimed_at);
"""


class EventClaims(Protocol):
    """Who answers a delivered event: the first to claim its key."""

    def first_time(self, key: str) -> bool:
        """True the first time `key` is claimed (and records it); False while the claim is kept.

        Never raises: when the claim cannot be recorded the event is answered (True)."""
        ...


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


class PostgresEventClaims:
    """EventClaims across replicas: the first to insert the key's row answers, the others skip it.
    `pool`: a psycopg_pool.ConnectionPool.

    When the database cannot be reached the event is answered (a possible duplicate beats silence) and a
    warning is logged.
    """

    def __init__(self, pool, replica: str | None = None) -> None:
        self._pool = pool
        self.replica = replica or uuid.uuid4().hex[:8]
        self._claims = 0
        self._lock = threading.Lock()

    def first_time(self, key: str) -> bool:
        try:
            with self._pool.connection() as connection:
                row = connection.execute(
                    "INSERT INTO event_claims (key, claimed_by) VALUES (%s, %s)"
                    " ON CONFLICT (key) DO NOTHING RETURNING 1",
                    (key, self.replica),
                ).fetchone()
                self._maybe_prune(connection)
        except Exception as error:  # noqa: BLE001 - any database failure: answer rather than drop
            log.warning(
                "could not claim event %s in the database (%s); answering it", key, error.__class__.__name__
            )
            return True
        return row is not None

    def _maybe_prune(self, connection) -> None:
        with self._lock:
            self._claims += 1
            due = self._claims % _PG_PRUNE_EVERY == 1
        if due:
            connection.execute(
                "DELETE FROM event_claims WHERE claimed_at < now() - make_interval(days => %s)", (CLAIM_DAYS,)
            )
