"""Which reply answered which question, in the local SQLite state file, so an edited question gets its
answer updated in place (Slack chat.update, Discord edit) and a deleted one gets a note, across restarts.

Chat-neutral: a question's `key` and its reply's `where` (e.g. {"channel": …, "ts": …}) are the adapter's.
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

from bot.core.sqlite_file import connect, prepare

KEEP_S = 7 * 24 * 3600  # an edit a week later is a new question's business; older rows are pruned
_PRUNE_EVERY = 200
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
    def remember(self, key: str, reply: dict[str, str], question: str) -> None: ...

    def find(self, key: str) -> AnsweredMessage | None: ...

    def forget(self, key: str) -> None: ...


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
