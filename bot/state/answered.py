"""Which reply answered which question, so an edited question gets its answer updated in place (Slack
chat.update, Discord edit) and a deleted one gets a note, across restarts.

Chat-neutral: a question's `key` and its reply's `where` (e.g. {"channel": …, "ts": …}) are the adapter's.
SqliteAnsweredMessages keeps them in a local state file (backend files), PostgresAnsweredMessages in the
database every replica shares (backend postgres; table `answered_messages`, migration 3 in
bot/state/migrations.py).
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from bot.state.jsonb import jsonb
from bot.state.sqlite_file import connect, prepare

KEEP_S = 7 * 24 * 3600  # an edit a week later is a new question's business; older rows are pruned
_PRUNE_EVERY = 200  # writes between two prunings (SQLite)
_PG_PRUNE_EVERY = 1000  # writes between two prunings (PostgreSQL)
_SCHEMA = """
CREATE TABLE IF NOT EXISTS answered_messages (
    key TEXT PRIMARY KEY,
    reply TEXT NOT NULL,
    question TEXT NOT NULL,
    answered_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS answered_messages_age ON answered_messages (answered_at);
"""


@dataclass(frozen=True)
class AnsweredMessage:
    """A question the bot answered: where the reply is, and the question's text when it was answered."""

    key: str
    reply: dict[str, str]
    question: str


class AnsweredMessages(Protocol):
    """Where an adapter records its replies, and finds them again when their question is edited."""

    def remember(self, key: str, reply: dict[str, str], question: str) -> None:
        """Record (or replace) the reply that answers the question `key`."""
        ...

    def find(self, key: str) -> AnsweredMessage | None:
        """The record for `key`; None when never answered (or pruned)."""
        ...

    def forget(self, key: str) -> None:
        """The question is gone (deleted): drop its record."""
        ...


class SqliteAnsweredMessages:
    """AnsweredMessages in SQLite; a connection per call, safe from any thread."""

    def __init__(self, path: Path, keep_s: float = KEEP_S, clock: Callable[[], float] = time.time) -> None:
        self.path = prepare(path, _SCHEMA)
        self.keep_s = keep_s
        self._clock = clock
        self._lock = threading.Lock()
        self._writes = 0

    def _connect(self) -> sqlite3.Connection:
        return connect(self.path)

    def remember(self, key: str, reply: dict[str, str], question: str) -> None:
        """Record (or replace) the reply that answers the question `key`."""
        now = self._clock()
        with self._lock, self._connect() as db:
            db.execute(
                "INSERT INTO answered_messages VALUES (?, ?, ?, ?) ON CONFLICT (key) DO UPDATE"
                " SET reply = excluded.reply, question = excluded.question, answered_at = excluded.answered_at",
                (key, json.dumps(reply), question, now),
            )
            self._writes += 1
            if self._writes % _PRUNE_EVERY == 1:
                db.execute("DELETE FROM answered_messages WHERE answered_at < ?", (now - self.keep_s,))

    def find(self, key: str) -> AnsweredMessage | None:
        with self._connect() as db:
            row = db.execute("SELECT reply, question FROM answered_messages WHERE key = ?", (key,)).fetchone()
        return AnsweredMessage(key, json.loads(row[0]), row[1]) if row else None

    def forget(self, key: str) -> None:
        """The question is gone (deleted): drop its record."""
        with self._lock, self._connect() as db:
            db.execute("DELETE FROM answered_messages WHERE key = ?", (key,))


class PostgresAnsweredMessages:
    """AnsweredMessages in PostgreSQL, shared by replicas; `pool` a psycopg_pool.ConnectionPool."""

    def __init__(self, pool, keep_s: float = KEEP_S) -> None:
        self._pool = pool
        self.keep_s = keep_s
        self._writes = 0
        self._lock = threading.Lock()

    def remember(self, key: str, reply: dict[str, str], question: str) -> None:
        with self._pool.connection() as connection:
            connection.execute(
                "INSERT INTO answered_messages (key, reply, question) VALUES (%s, %s, %s) ON CONFLICT (key)"
                " DO UPDATE SET reply = excluded.reply, question = excluded.question, answered_at = now()",
                (key, jsonb(reply), question),
            )
            with self._lock:
                self._writes += 1
                due = self._writes % _PG_PRUNE_EVERY == 1
            if due:
                connection.execute(
                    "DELETE FROM answered_messages WHERE answered_at < now() - make_interval(secs => %s)",
                    (self.keep_s,),
                )

    def find(self, key: str) -> AnsweredMessage | None:
        with self._pool.connection() as connection:
            row = connection.execute(
                "SELECT reply, question FROM answered_messages WHERE key = %s", (key,)
            ).fetchone()
        return AnsweredMessage(key, dict(row[0]), row[1]) if row else None

    def forget(self, key: str) -> None:
        with self._pool.connection() as connection:
            connection.execute("DELETE FROM answered_messages WHERE key = %s", (key,))
