"""Replies that could not be delivered while a chat platform was down, kept (bounded, with an expiry) until
the platform is back; see bot/core/redelivery.py for the loop that sends them.

Chat-neutral: a held reply's `payload` is whatever JSON its adapter needs to send it again. SqliteOutbox
keeps them in a local state file (backend files), PostgresOutbox in the database every replica shares
(backend postgres; table `held_replies`, migration 3 in bot/state/migrations.py).
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from bot.state.jsonb import jsonb
from bot.state.sqlite_file import connect, prepare

log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS held_replies (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    platform TEXT NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    reference TEXT NOT NULL,
    asker TEXT NOT NULL,
    channel TEXT NOT NULL,
    held_at REAL NOT NULL,
    expires_at REAL NOT NULL,
    not_before REAL NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS held_replies_due ON held_replies (platform, not_before);
"""
_COLUMNS = "id, platform, kind, payload, reference, asker, channel, held_at, expires_at, not_before, attempts"
LEASE_S = 60.0  # PostgreSQL: a replica that took a held reply and died: another may send it after this


@dataclass(frozen=True)
class HeldReply:
    """One reply waiting for its platform. Times are seconds since the epoch."""

    id: int
    platform: str
    kind: str  # the adapter's name for how to send it ("post", "respond", ...)
    payload: dict[str, Any]
    reference: str  # the id in the log lines about it
    asker: str  # the user who asked (to tell them when it expires)
    channel: str
    held_at: float
    expires_at: float
    not_before: float  # a Retry-After is honoured by not sending before this
    attempts: int


class Outbox(Protocol):
    """What an adapter and the redelivery loop need of a store of held replies."""

    def hold(
        self,
        platform: str,
        kind: str,
        payload: dict[str, Any],
        reference: str,
        asker: str,
        channel: str,
        not_before: float = 0.0,
    ) -> HeldReply: ...

    def due(self, platform: str, limit: int = 50) -> list[HeldReply]: ...

    def take_expired(self, platform: str) -> list[HeldReply]: ...

    def delivered(self, reply_id: int) -> None: ...

    def postpone(self, reply_id: int, until: float) -> None: ...

    def count(self, platform: str) -> int: ...

    @property
    def closed(self) -> bool:
        """True once the store was closed (the process is shutting down): the redelivery loop ends."""
        ...


class SqliteOutbox:
    """Held replies in SQLite: at most `capacity` per platform (the oldest dropped, with a log line),
    each kept `expiry_s` seconds. A connection per call, safe from any thread."""

    def __init__(
        self,
        path: Path,
        capacity: int = 500,
        expiry_s: float = 3600,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.path = prepare(path, _SCHEMA)
        self.capacity = capacity
        self.expiry_s = expiry_s
        self._clock = clock
        self._lock = threading.Lock()

    @property
    def closed(self) -> bool:
        return False  # a connection per call: nothing to close

    def _connect(self) -> sqlite3.Connection:
        return connect(self.path)

    def hold(
        self,
        platform: str,
        kind: str,
        payload: dict[str, Any],
        reference: str,
        asker: str,
        channel: str,
        not_before: float = 0.0,
    ) -> HeldReply:
        """Keep a reply to send later; beyond `capacity` the oldest held for the platform is dropped."""
        now = self._clock()
        values = (platform, kind, json.dumps(payload), reference, asker, channel, now, now + self.expiry_s)
        with self._lock, self._connect() as db:
            cursor = db.execute(
                "INSERT INTO held_replies (platform, kind, payload, reference, asker, channel, held_at,"
                " expires_at, not_before) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (*values, max(not_before, now)),
            )
            reply_id = int(cursor.lastrowid or 0)
            dropped = db.execute(
                f"SELECT {_COLUMNS} FROM held_replies WHERE platform = ? ORDER BY id DESC LIMIT -1 OFFSET ?",
                (platform, self.capacity),
            ).fetchall()
            db.executemany("DELETE FROM held_replies WHERE id = ?", [(row[0],) for row in dropped])
        for row in dropped:
            held = _held(row)
            log.warning(
                "too many replies held for %s: dropped reference %s for %s in %s",
                platform,
                held.reference,
                held.asker,
                held.channel,
            )
        return HeldReply(reply_id, *values[:2], payload, *values[3:], max(not_before, now), 0)

    def due(self, platform: str, limit: int = 50) -> list[HeldReply]:
        """Unexpired replies whose `not_before` has come, oldest first."""
        now = self._clock()
        with self._connect() as db:
            rows = db.execute(
                f"SELECT {_COLUMNS} FROM held_replies WHERE platform = ? AND not_before <= ?"
                " AND expires_at > ? ORDER BY id LIMIT ?",
                (platform, now, now, limit),
            ).fetchall()
        return [_held(row) for row in rows]

    def take_expired(self, platform: str) -> list[HeldReply]:
        """Remove and return the replies past their expiry (their askers should be told)."""
        now = self._clock()
        with self._lock, self._connect() as db:
            rows = db.execute(
                f"SELECT {_COLUMNS} FROM held_replies WHERE platform = ? AND expires_at <= ? ORDER BY id",
                (platform, now),
            ).fetchall()
            db.executemany("DELETE FROM held_replies WHERE id = ?", [(row[0],) for row in rows])
        return [_held(row) for row in rows]

    def delivered(self, reply_id: int) -> None:
        """Forget a reply that was sent (or given up on)."""
        with self._lock, self._connect() as db:
            db.execute("DELETE FROM held_replies WHERE id = ?", (reply_id,))

    def postpone(self, reply_id: int, until: float) -> None:
        """Not before `until` (a Retry-After, or the loop's back-off); counts an attempt."""
        with self._lock, self._connect() as db:
            db.execute(
                "UPDATE held_replies SET not_before = ?, attempts = attempts + 1 WHERE id = ?",
                (until, reply_id),
            )

    def count(self, platform: str) -> int:
        with self._connect() as db:
            return int(
                db.execute("SELECT COUNT(*) FROM held_replies WHERE platform = ?", (platform,)).fetchone()[0]
            )


def _held(row: tuple) -> HeldReply:
    return HeldReply(row[0], row[1], row[2], json.loads(row[3]), *row[4:])


class PostgresOutbox:
    """Outbox in PostgreSQL, shared by replicas: `due` leases the rows it returns (their
    not_before moves LEASE_S ahead, under FOR UPDATE SKIP LOCKED), so no two replicas send one reply."""

    def __init__(
        self, pool, capacity: int = 500, expiry_s: float = 3600, clock: Callable[[], float] = time.time
    ) -> None:
        self._pool = pool
        self.capacity = capacity
        self.expiry_s = expiry_s
        self._clock = clock

    @property
    def closed(self) -> bool:
        """The process's pool was closed (bot.backends.close_pools, at shutdown)."""
        return bool(self._pool.closed)

    def hold(self, platform, kind, payload, reference, asker, channel, not_before: float = 0.0) -> HeldReply:
        now = self._clock()
        not_before = max(not_before, now)
        with self._pool.connection() as connection, connection.transaction():
            (reply_id,) = connection.execute(
                "INSERT INTO held_replies (platform, kind, payload, reference, asker, channel, held_at,"
                " expires_at, not_before) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
                (
                    platform,
                    kind,
                    jsonb(payload),
                    reference,
                    asker,
                    channel,
                    now,
                    now + self.expiry_s,
                    not_before,
                ),
            ).fetchone()
            dropped = connection.execute(
                f"DELETE FROM held_replies WHERE id IN (SELECT id FROM held_replies WHERE platform = %s"
                f" ORDER BY id DESC OFFSET %s) RETURNING {_COLUMNS}",
                (platform, self.capacity),
            ).fetchall()
        for row in dropped:
            log.warning(
                "too many replies held for %s: dropped reference %s for %s in %s",
                platform,
                row[4],
                row[5],
                row[6],
            )
        return HeldReply(
            reply_id,
            platform,
            kind,
            payload,
            reference,
            asker,
            channel,
            now,
            now + self.expiry_s,
            not_before,
            0,
        )

    def due(self, platform: str, limit: int = 50) -> list[HeldReply]:
        now = self._clock()
        with self._pool.connection() as connection:
            rows = connection.execute(
                f"UPDATE held_replies SET not_before = %s WHERE id IN (SELECT id FROM held_replies"
                f" WHERE platform = %s AND not_before <= %s AND expires_at > %s ORDER BY id LIMIT %s"
                f" FOR UPDATE SKIP LOCKED) RETURNING {_COLUMNS}",
                (now + LEASE_S, platform, now, now, limit),
            ).fetchall()
        return sorted((_held_row(row) for row in rows), key=lambda held: held.id)

    def take_expired(self, platform: str) -> list[HeldReply]:
        with self._pool.connection() as connection:
            rows = connection.execute(
                f"DELETE FROM held_replies WHERE platform = %s AND expires_at <= %s RETURNING {_COLUMNS}",
                (platform, self._clock()),
            ).fetchall()
        return sorted((_held_row(row) for row in rows), key=lambda held: held.id)

    def delivered(self, reply_id: int) -> None:
        with self._pool.connection() as connection:
            connection.execute("DELETE FROM held_replies WHERE id = %s", (reply_id,))

    def postpone(self, reply_id: int, until: float) -> None:
        with self._pool.connection() as connection:
            connection.execute(
                "UPDATE held_replies SET not_before = %s, attempts = attempts + 1 WHERE id = %s",
                (until, reply_id),
            )

    def count(self, platform: str) -> int:
        with self._pool.connection() as connection:
            row = connection.execute("SELECT count(*) FROM held_replies WHERE platform = %s", (platform,))
            return int(row.fetchone()[0])


def _held_row(row: tuple) -> HeldReply:
    payload = row[3] if isinstance(row[3], dict) else json.loads(row[3])
    return HeldReply(int(row[0]), row[1], row[2], payload, *row[4:10], int(row[10]))
