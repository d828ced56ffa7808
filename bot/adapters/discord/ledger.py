"""Which Discord messages citebot has claimed and which of its messages answered them, kept across restarts.

Claims make a message delivered twice (a gateway resume, a restart, two replicas) answered once; the
question -> answer map lets an edited question get its answer edited in place and a deleted question's
answer removed; an answer still on its way when the process stops (Discord down, a restart) is kept
and delivered at the next start (bounded, with an expiry).

Backend files: one SQLite file beside the feedback file (`discord.sqlite3`). Backend postgres: the
answer map stays in memory (bounded) and answers on their way are not kept. Claims shared by the
command table (its `claims`: bot/core/pg_state.EventClaims for postgres) are used whatever the backend.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from bot.core.sqlite_file import connect, prepare

CLAIM_DAYS = 2  # as bot/core/pg_state.py: a delivery repeated later than this is answered again
REMEMBERED_ANSWERS = 10_000  # the in-memory map's bound (backend postgres)
PENDING_LIMIT = 500  # answers kept for delivery after a restart; beyond that the oldest are dropped
PENDING_EXPIRY_S = 3600.0  # an answer not delivered within this long is dropped (and logged)
_PRUNE_EVERY = 1000  # claims between two prunings
_SCHEMA = """
CREATE TABLE IF NOT EXISTS discord_claims (key TEXT PRIMARY KEY, claimed_at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS discord_claims_age ON discord_claims (claimed_at);
CREATE TABLE IF NOT EXISTS discord_pending (
    question_id INTEGER PRIMARY KEY,
    channel_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    messages TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS discord_answers (
    question_id INTEGER PRIMARY KEY,
    channel_id INTEGER NOT NULL,
    answer_ids TEXT NOT NULL,
    question_digest TEXT NOT NULL,
    answered_at REAL NOT NULL
);
"""


class Claims(Protocol):
    """bot/core/pg_state.EventClaims and the SQLite ledger alike."""

    def first_time(self, key: str) -> bool: ...


@dataclass(frozen=True)
class Answered:
    """The bot's reply to one question: where, which messages (first is the reply), and a digest of the
    question it read (to tell an edit of the words from an unfurl; the text itself is not kept)."""

    channel_id: int
    answer_ids: tuple[int, ...]
    question_digest: str

    @staticmethod
    def digest(question: str) -> str:
        return hashlib.sha256(question.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True)
class Pending:
    """An answer that was being delivered when the process stopped: to be delivered at the next start."""

    question_id: int
    channel_id: int
    user_id: int
    messages: tuple[dict[str, Any], ...]  # Outgoing values as JSON (content, embeds, vote_answer_id)
    age_s: float


class Ledger:
    """Claims and the question -> answer map; every method is blocking (call it with asyncio.to_thread)."""

    def __init__(self, path: Path | None, shared_claims: Claims | None = None) -> None:
        """`path`: the SQLite file (None: memory only); `shared_claims`: the database's, when replicas share one."""
        self.path = prepare(path, _SCHEMA) if path is not None else None
        self.shared_claims = shared_claims
        self._lock = threading.Lock()
        self._writes = 0
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._answers: OrderedDict[int, Answered] = OrderedDict()

    def _connect(self) -> sqlite3.Connection:
        return connect(self.path or ":memory:")

    def first_time(self, key: str) -> bool:
        """True for the first delivery of `key` (and claims it), False for every later one, restarts included."""
        if self.shared_claims is not None:
            return self.shared_claims.first_time(key)
        if self.path is None:
            with self._lock:
                if key in self._seen:
                    return False
                self._seen[key] = None
                while len(self._seen) > REMEMBERED_ANSWERS:
                    self._seen.popitem(last=False)
                return True
        with self._connect() as db:
            inserted = db.execute(
                "INSERT OR IGNORE INTO discord_claims (key, claimed_at) VALUES (?, ?)", (key, time.time())
            ).rowcount
            self._maybe_prune(db)
        return inserted == 1

    def _maybe_prune(self, db: sqlite3.Connection) -> None:
        """Every _PRUNE_EVERY writes: forget claims and answers older than CLAIM_DAYS."""
        with self._lock:
            self._writes += 1
            due = self._writes % _PRUNE_EVERY == 1
        if due:
            cutoff = time.time() - CLAIM_DAYS * 86400
            db.execute("DELETE FROM discord_claims WHERE claimed_at < ?", (cutoff,))
            db.execute("DELETE FROM discord_answers WHERE answered_at < ?", (cutoff,))

    def record(self, question_id: int, answered: Answered) -> None:
        """Remember (or replace) which messages answered `question_id`."""
        if self.path is None:
            with self._lock:
                self._answers[question_id] = answered
                self._answers.move_to_end(question_id)
                while len(self._answers) > REMEMBERED_ANSWERS:
                    self._answers.popitem(last=False)
            return
        with self._connect() as db:
            db.execute(
                "INSERT OR REPLACE INTO discord_answers (question_id, channel_id, answer_ids, question_digest,"
                " answered_at) VALUES (?, ?, ?, ?, ?)",
                (
                    question_id,
                    answered.channel_id,
                    json.dumps(list(answered.answer_ids)),
                    answered.question_digest,
                    time.time(),
                ),
            )
            self._maybe_prune(db)

    def answered(self, question_id: int) -> Answered | None:
        """The bot's answer to `question_id`, if it answered it (and still remembers)."""
        if self.path is None:
            with self._lock:
                return self._answers.get(question_id)
        with self._connect() as db:
            row = db.execute(
                "SELECT channel_id, answer_ids, question_digest FROM discord_answers WHERE question_id = ?",
                (question_id,),
            ).fetchone()
        if row is None:
            return None
        return Answered(int(row[0]), tuple(int(i) for i in json.loads(row[1])), row[2])

    def forget(self, question_id: int) -> None:
        """The question is gone (deleted): drop its answer record."""
        if self.path is None:
            with self._lock:
                self._answers.pop(question_id, None)
            return
        with self._connect() as db:
            db.execute("DELETE FROM discord_answers WHERE question_id = ?", (question_id,))

    # -- answers on their way (backend files: they survive a restart) -------------------------------
    def hold(self, question_id: int, channel_id: int, user_id: int, messages: list[dict[str, Any]]) -> None:
        """Keep an answer until `delivered` is called for it (a no-op without a file)."""
        if self.path is None:
            return
        with self._connect() as db:
            db.execute(
                "INSERT OR REPLACE INTO discord_pending (question_id, channel_id, user_id, messages, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (question_id, channel_id, user_id, json.dumps(messages), time.time()),
            )
            db.execute(
                "DELETE FROM discord_pending WHERE question_id NOT IN"
                " (SELECT question_id FROM discord_pending ORDER BY created_at DESC LIMIT ?)",
                (PENDING_LIMIT,),
            )

    def delivered(self, question_id: int) -> None:
        """The answer reached the asker (or was given up on and logged): stop keeping it."""
        if self.path is None:
            return
        with self._connect() as db:
            db.execute("DELETE FROM discord_pending WHERE question_id = ?", (question_id,))

    def pending(self) -> tuple[list[Pending], list[Pending]]:
        """(answers still to deliver, answers expired meanwhile): both are forgotten by this call."""
        if self.path is None:
            return [], []
        now = time.time()
        with self._connect() as db:
            rows = db.execute(
                "SELECT question_id, channel_id, user_id, messages, created_at FROM discord_pending"
                " ORDER BY created_at"
            ).fetchall()
            db.execute("DELETE FROM discord_pending")
        held = [Pending(int(q), int(c), int(u), tuple(json.loads(m)), now - t) for q, c, u, m, t in rows]
        return [p for p in held if p.age_s <= PENDING_EXPIRY_S], [
            p for p in held if p.age_s > PENDING_EXPIRY_S
        ]
