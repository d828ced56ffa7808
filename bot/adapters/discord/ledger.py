"""Which Discord messages citebot has claimed and which of its messages answered them, kept across restarts.

Claims make a message delivered twice (a gateway resume, a restart, two replicas) answered once; the
question -> answer map lets an edited question get its answer edited in place and a deleted question's
answer removed; an answer still on its way when the process stops (Discord down, a restart) is kept
and delivered at the next start (bounded, with an expiry).

Backend files: one SQLite file beside the feedback file (`discord.sqlite3`). Backend postgres: the
chat-neutral stores every replica shares, each owning its table: claims in event_claims
(bot/state/claims.PostgresEventClaims), the answer map in answered_messages (AnsweredMessages, keys
"discord:<question id>") and answers on their way in held_replies (Outbox, platform "discord"), so a
restart or another replica edits, takes down and delivers them. Without a file or stores (tests), memory.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from bot.state.answered import AnsweredMessage, AnsweredMessages
from bot.state.outbox import HeldReply, Outbox
from bot.state.sqlite_file import connect, prepare

CLAIM_DAYS = 2  # as bot/state/claims.py: a delivery repeated later than this is answered again
REMEMBERED_ANSWERS = 10_000  # the in-memory map's bound (neither a file nor stores)
PENDING_LIMIT = 500  # answers kept for delivery after a restart; beyond that the oldest are dropped
PENDING_EXPIRY_S = 3600.0  # an answer not delivered within this long is dropped (and logged)
_PRUNE_EVERY = 1000  # claims between two prunings
# Backend postgres: a held answer belongs to the process sending it this long (Delivery's retries while
# Discord is down, RetryPolicy.give_up_after_s, and a margin); after that any replica may deliver it.
IN_FLIGHT_S = 660.0
PLATFORM = "discord"  # held_replies.platform and the answered_messages key prefix
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
    """bot/state/claims.PostgresEventClaims and the SQLite ledger alike."""

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
    """Claims, the question -> answer map and answers on their way, in SQLite or the shared stores; every
    method is blocking (call it with asyncio.to_thread)."""

    def __init__(
        self,
        path: Path | None,
        shared_claims: Claims | None = None,
        answers: AnsweredMessages | None = None,
        outbox: Outbox | None = None,
        in_flight_s: float = IN_FLIGHT_S,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """`path`: the SQLite file (None: memory only, or the stores below); `shared_claims`, `answers`,
        `outbox`: the database's, when replicas share one (they take over from `path` for their part);
        `in_flight_s`: how long a held answer is left to the process holding it (`outbox` only)."""
        self.path = prepare(path, _SCHEMA) if path is not None and answers is None else None
        self.shared_claims = shared_claims
        self.answers = answers
        self.outbox = outbox
        self.in_flight_s = in_flight_s
        self._clock = clock
        # question id -> held_replies id, for the answers this process holds (outbox only)
        self._held_ids: dict[int, int] = {}
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
        if self.answers is not None:
            self.answers.remember(_answer_key(question_id), _as_reply(answered), answered.question_digest)
            return
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
        if self.answers is not None:
            found = self.answers.find(_answer_key(question_id))
            return _from_reply(found) if found is not None else None
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
        if self.answers is not None:
            self.answers.forget(_answer_key(question_id))
            return
        if self.path is None:
            with self._lock:
                self._answers.pop(question_id, None)
            return
        with self._connect() as db:
            db.execute("DELETE FROM discord_answers WHERE question_id = ?", (question_id,))

    # -- answers on their way (backend files: they survive a restart) -------------------------------
    def hold(self, question_id: int, channel_id: int, user_id: int, messages: list[dict[str, Any]]) -> None:
        """Keep an answer until `delivered` is called for it (a no-op without a file or an outbox)."""
        if self.outbox is not None:
            self._hold_in_outbox(self.outbox, question_id, channel_id, user_id, messages)
            return
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
        if self.outbox is not None:
            with self._lock:
                held_id = self._held_ids.pop(question_id, None)
            if held_id is not None:
                self.outbox.delivered(held_id)
            return
        if self.path is None:
            return
        with self._connect() as db:
            db.execute("DELETE FROM discord_pending WHERE question_id = ?", (question_id,))

    def pending(self) -> tuple[list[Pending], list[Pending]]:
        """(answers still to deliver, answers expired meanwhile): both are forgotten by this call.

        With an outbox: only answers no process is sending (held over `in_flight_s` ago); replicas
        calling this at once each get different ones (the outbox leases them)."""
        if self.outbox is not None:
            return self._pending_in_outbox(self.outbox)
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

    def _hold_in_outbox(
        self, outbox: Outbox, question_id: int, channel_id: int, user_id: int, messages: list[dict[str, Any]]
    ) -> None:
        self.delivered(question_id)  # a replaced answer: one row per question, as in SQLite
        payload = {"question_id": str(question_id), "messages": messages}
        held = outbox.hold(
            PLATFORM,
            "reply",
            payload,
            str(question_id),
            str(user_id),
            str(channel_id),
            not_before=self._clock() + self.in_flight_s,
        )
        with self._lock:
            self._held_ids[question_id] = held.id

    def _pending_in_outbox(self, outbox: Outbox) -> tuple[list[Pending], list[Pending]]:
        expired = outbox.take_expired(PLATFORM)
        ready = outbox.due(PLATFORM, PENDING_LIMIT)  # leased to this process: no other replica gets them
        for held in ready:
            outbox.delivered(held.id)
        now = self._clock()
        return [_pending(h, now) for h in ready], [_pending(h, now) for h in expired]


def _answer_key(question_id: int) -> str:
    return f"{PLATFORM}:{question_id}"


def _as_reply(answered: Answered) -> dict[str, str]:
    """An Answered as answered_messages' reply, a dict of text: ids comma-separated."""
    return {"channel": str(answered.channel_id), "answers": ",".join(str(i) for i in answered.answer_ids)}


def _from_reply(found: AnsweredMessage) -> Answered:
    ids = tuple(int(i) for i in found.reply["answers"].split(",") if i)
    return Answered(int(found.reply["channel"]), ids, found.question)


def _pending(held: HeldReply, now: float) -> Pending:
    return Pending(
        int(held.payload["question_id"]),
        int(held.channel),
        int(held.asker),
        tuple(held.payload["messages"]),
        now - held.held_at,
    )
