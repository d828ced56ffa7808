"""Conversation state per thread (a Slack thread, a Discord reply chain or thread, a console session).

Kept beside the feedback so a restarted bot still understands a follow-up; each conversation keeps its
latest turns only, and turns older than the expiry are forgotten. A key is platform + channel + thread, so
no state is ever shared across channels or between users' DMs. `ConversationStore` is what the command
table needs; SqliteConversationStore keeps it in the local state file (or in memory, for `ask --threads`),
PostgresConversationStore in the database (table `conversation_turns`, migration 2 in bot/state/migrations.py).
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Protocol

from bot.core.models import Origin
from bot.state.jsonb import jsonb
from bot.state.sqlite_file import connect, prepare
from retrieval import Turn

MEMORY = ":memory:"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS conversation_turns (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation TEXT NOT NULL,
    created_at REAL NOT NULL,
    turn TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS conversation_turns_by_key ON conversation_turns (conversation, id);
"""


DM_TIMELINE = "dm"  # the thread adapters give a DM's main timeline (Slack, Discord): one endless conversation
# A DM timeline has no thread to say where a conversation ends, and people come back to the bot's DM hours later
# with a new question; a follow-up comes while the answer is still on screen. So there only the last 10 minutes
# are context (long enough to read a cited answer and type the next question); threads keep the store's expiry.
DM_CONTEXT_WINDOW_S = 10 * 60


def context_window_s(origin: Origin) -> float | None:
    """How far back (seconds) an origin's earlier turns are context; None: as far as the store keeps them."""
    return DM_CONTEXT_WINDOW_S if origin.thread == DM_TIMELINE else None


def conversation_key(origin: Origin) -> str | None:
    """platform/channel/thread, or None when the request is not part of a conversation."""
    if not origin.thread:
        return None
    return json.dumps([origin.platform, origin.channel, origin.thread])


class ConversationStore(Protocol):
    """The latest turns of each conversation, by key (`conversation_key`)."""

    max_turns: int
    expiry_s: float

    def turns(self, key: str, max_age_s: float | None = None) -> list[Turn]:
        """The conversation's live turns, oldest first (empty when new or expired); with `max_age_s`, only
        those asked within that many seconds."""
        ...

    def add(self, key: str, turn: Turn) -> None:
        """Append a turn; drop this conversation's oldest beyond `max_turns` and every expired turn."""
        ...

    def count(self) -> int:
        """Turns held, over all conversations (for `citebot status`)."""
        ...


class SqliteConversationStore:
    """ConversationStore in SQLite (a file, or MEMORY): the latest `max_turns` turns of each conversation,
    forgotten `expiry_s` seconds after they were asked."""

    def __init__(
        self,
        path: Path | str,
        max_turns: int = 6,
        expiry_s: float = 3600,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.max_turns = max_turns
        self.expiry_s = expiry_s
        self._clock = clock
        self._lock = threading.Lock()
        self._memory: sqlite3.Connection | None = None
        if str(path) == MEMORY:
            self._memory = sqlite3.connect(MEMORY, check_same_thread=False)
            self.path = None
        else:
            self.path = prepare(path, _SCHEMA)
        if self._memory is not None:
            with self._lock, self._memory as db:
                db.executescript(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        if self._memory is not None:
            return self._memory
        return connect(self.path)

    def turns(self, key: str, max_age_s: float | None = None) -> list[Turn]:
        """The conversation's live turns, oldest first (empty when new or expired); with `max_age_s`, only
        those asked within that many seconds."""
        since = self._clock() - (self.expiry_s if max_age_s is None else min(self.expiry_s, max_age_s))
        with self._lock, self._connect() as db:
            rows = db.execute(
                "SELECT turn FROM conversation_turns WHERE conversation = ? AND created_at >= ?"
                " ORDER BY id DESC LIMIT ?",
                (key, since, self.max_turns),
            ).fetchall()
        return [_turn(row[0]) for row in reversed(rows)]

    def add(self, key: str, turn: Turn) -> None:
        """Append a turn; drop this conversation's oldest beyond the bound and every expired turn."""
        now = self._clock()
        with self._lock, self._connect() as db:
            db.execute(
                "INSERT INTO conversation_turns (conversation, created_at, turn) VALUES (?, ?, ?)",
                (key, now, json.dumps(asdict(turn))),
            )
            db.execute(
                "DELETE FROM conversation_turns WHERE conversation = ? AND id NOT IN"
                " (SELECT id FROM conversation_turns WHERE conversation = ? ORDER BY id DESC LIMIT ?)",
                (key, key, self.max_turns),
            )
            db.execute("DELETE FROM conversation_turns WHERE created_at < ?", (now - self.expiry_s,))

    def count(self) -> int:
        """Turns held, over all conversations (for `citebot status`)."""
        with self._lock, self._connect() as db:
            return int(db.execute("SELECT COUNT(*) FROM conversation_turns").fetchone()[0])


class PostgresConversationStore:
    """ConversationStore in PostgreSQL, shared by replicas: the latest `max_turns` turns of each
    conversation, forgotten `expiry_s` seconds after they were asked; `pool` a psycopg_pool.ConnectionPool."""

    def __init__(
        self, pool, max_turns: int = 6, expiry_s: float = 3600, clock: Callable[[], float] = time.time
    ) -> None:
        self._pool = pool
        self.max_turns = max_turns
        self.expiry_s = expiry_s
        self._clock = clock

    def turns(self, key: str, max_age_s: float | None = None) -> list[Turn]:
        since = self._clock() - (self.expiry_s if max_age_s is None else min(self.expiry_s, max_age_s))
        with self._pool.connection() as connection:
            rows = connection.execute(
                "SELECT turn FROM conversation_turns WHERE conversation = %s AND created_at >= %s"
                " ORDER BY id DESC LIMIT %s",
                (key, since, self.max_turns),
            ).fetchall()
        return [_turn(json.dumps(row[0])) for row in reversed(rows)]

    def add(self, key: str, turn: Turn) -> None:
        now = self._clock()
        with self._pool.connection() as connection, connection.transaction():
            connection.execute(
                "INSERT INTO conversation_turns (conversation, created_at, turn) VALUES (%s, %s, %s)",
                (key, now, jsonb(asdict(turn))),
            )
            connection.execute(
                "DELETE FROM conversation_turns WHERE conversation = %s AND id NOT IN"
                " (SELECT id FROM conversation_turns WHERE conversation = %s ORDER BY id DESC LIMIT %s)",
                (key, key, self.max_turns),
            )
            connection.execute("DELETE FROM conversation_turns WHERE created_at < %s", (now - self.expiry_s,))

    def count(self) -> int:
        with self._pool.connection() as connection:
            return int(connection.execute("SELECT count(*) FROM conversation_turns").fetchone()[0])


def _turn(raw: str) -> Turn:
    data = json.loads(raw)
    return Turn(
        question=str(data.get("question", "")),
        answer=str(data.get("answer", "")),
        abstained=bool(data.get("abstained", False)),
        sources=tuple(data.get("sources", ())),
        topic=tuple(data.get("topic", ())),
        anchor=tuple(data.get("anchor", ())),
    )
