"""Which Discord messages citebot has claimed and which of its messages answered them, kept across restarts.

Claims make a message delivered twice (a gateway resume, a restart, two replicas) answered once; the
question -> answer map lets an edited question get its answer edited in place and a deleted question's
answer removed; an answer still on its way when the process stops (Discord down, a restart) is kept
and delivered at the next start (bounded, with an expiry).

A facade over the chat-neutral stores of bot/state, the same classes for both backends and both platforms:
claims in event_claims (EventClaims), the answer map in answered_messages (AnsweredMessages, keys
"discord:<question id>") and answers on their way in held_replies (Outbox, platform "discord"). Backend
files: the SQLite stores in one file beside the feedback file (`discord.sqlite3`), used by one process.
Backend postgres: the database's, shared by every replica, so a restart or another replica edits, takes
down and delivers them. Without a file or stores (tests), memory. A file written before (its own
discord_* tables) is carried over into the stores' tables at the first start.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.state.answered import AnsweredMessage, AnsweredMessages, SqliteAnsweredMessages
from bot.state.claims import CLAIM_SECONDS, EventClaims, SqliteEventClaims
from bot.state.outbox import HeldReply, Outbox, SqliteOutbox
from bot.state.sqlite_file import connect

log = logging.getLogger(__name__)

REMEMBERED_ANSWERS = 10_000  # the in-memory map's bound (neither a file nor stores)
PENDING_LIMIT = 500  # answers kept for delivery after a restart; beyond that the oldest are dropped
PENDING_EXPIRY_S = 3600.0  # an answer not delivered within this long is dropped (and logged)
ANSWERS_KEEP_S = CLAIM_SECONDS  # backend files: an answer is remembered (for edits) as long as a claim
# Backend postgres: a held answer belongs to the process sending it this long (Delivery's retries while
# Discord is down, RetryPolicy.give_up_after_s, and a margin); after that any replica may deliver it.
IN_FLIGHT_S = 660.0
PLATFORM = "discord"  # held_replies.platform and the answered_messages key prefix


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
    """Claims, the question -> answer map and answers on their way, in the bot/state stores (or memory);
    every method is blocking (call it with asyncio.to_thread)."""

    def __init__(
        self,
        path: Path | None,
        shared_claims: EventClaims | None = None,
        answers: AnsweredMessages | None = None,
        outbox: Outbox | None = None,
        in_flight_s: float | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """`path`: a SQLite state file whose stores keep whatever the arguments below do not (None: those
        are kept in memory, and answers on their way not at all); `shared_claims`, `answers`, `outbox`:
        stores to use instead, the database's when replicas share one; `in_flight_s`: how long a held
        answer is left to the process holding it: IN_FLIGHT_S with a shared `outbox`, 0 for the file's
        (one process uses a file: what it holds at start was left by the process before).

        Raises sqlite3.Error (or OSError) when `path` cannot be opened as a state file."""
        self.shared = outbox is not None  # replicas share the held answers: sweep for them (Responder)
        if in_flight_s is None:
            in_flight_s = IN_FLIGHT_S if self.shared else 0.0
        if path is not None:
            shared_claims = shared_claims or SqliteEventClaims(path, clock=clock)
            answers = answers or SqliteAnsweredMessages(path, ANSWERS_KEEP_S, clock)
            outbox = outbox or SqliteOutbox(path, PENDING_LIMIT, PENDING_EXPIRY_S, clock)
            _carry_over(Path(path).expanduser())
        self.claims = shared_claims
        self.answers = answers
        self.outbox = outbox
        self.in_flight_s = in_flight_s
        self._clock = clock
        # question id -> held_replies id, for the answers this process holds (outbox only)
        self._held_ids: dict[int, int] = {}
        self._lock = threading.Lock()
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._answers: OrderedDict[int, Answered] = OrderedDict()

    def first_time(self, key: str) -> bool:
        """True for the first delivery of `key` (and claims it), False for every later one, restarts included."""
        if self.claims is not None:
            return self.claims.first_time(key)
        with self._lock:
            if key in self._seen:
                return False
            self._seen[key] = None
            while len(self._seen) > REMEMBERED_ANSWERS:
                self._seen.popitem(last=False)
            return True

    def record(self, question_id: int, answered: Answered) -> None:
        """Remember (or replace) which messages answered `question_id`."""
        if self.answers is not None:
            self.answers.remember(_answer_key(question_id), _as_reply(answered), answered.question_digest)
            return
        with self._lock:
            self._answers[question_id] = answered
            self._answers.move_to_end(question_id)
            while len(self._answers) > REMEMBERED_ANSWERS:
                self._answers.popitem(last=False)

    def answered(self, question_id: int) -> Answered | None:
        """The bot's answer to `question_id`, if it answered it (and still remembers)."""
        if self.answers is not None:
            found = self.answers.find(_answer_key(question_id))
            return _from_reply(found) if found is not None else None
        with self._lock:
            return self._answers.get(question_id)

    def forget(self, question_id: int) -> None:
        """The question is gone (deleted): drop its answer record."""
        if self.answers is not None:
            self.answers.forget(_answer_key(question_id))
            return
        with self._lock:
            self._answers.pop(question_id, None)

    # -- answers on their way (they survive a restart) ----------------------------------------------
    def hold(self, question_id: int, channel_id: int, user_id: int, messages: list[dict[str, Any]]) -> None:
        """Keep an answer until `delivered` is called for it (a no-op without a file or an outbox)."""
        if self.outbox is not None:
            self._hold_in_outbox(self.outbox, question_id, channel_id, user_id, messages)

    def delivered(self, question_id: int) -> None:
        """The answer reached the asker (or was given up on and logged): stop keeping it."""
        if self.outbox is None:
            return
        with self._lock:
            held_id = self._held_ids.pop(question_id, None)
        if held_id is not None:
            self.outbox.delivered(held_id)

    def pending(self) -> tuple[list[Pending], list[Pending]]:
        """(answers still to deliver, answers expired meanwhile): both are forgotten by this call.

        Only answers no process is sending (held over `in_flight_s` ago); replicas calling this at once
        each get different ones (the outbox leases them)."""
        if self.outbox is None:
            return [], []
        return self._pending_in_outbox(self.outbox)

    def _hold_in_outbox(
        self, outbox: Outbox, question_id: int, channel_id: int, user_id: int, messages: list[dict[str, Any]]
    ) -> None:
        self.delivered(question_id)  # a replaced answer: one held row per question
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


# Before the ledger used bot/state's stores, a file kept its own tables; what they hold moves over once.
_OLD_TABLES = ("discord_claims", "discord_answers", "discord_pending")


def _carry_over(path: Path) -> None:
    """Move what a state file written before bot/state's stores holds (claims, the answer map, answers on
    their way) into those stores' tables, then drop the old tables; a newer file is left as it is."""
    with connect(path) as db:
        present = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not present & set(_OLD_TABLES):
            return
        if "discord_claims" in present:
            db.execute(
                "INSERT OR IGNORE INTO event_claims (key, claimed_at) SELECT key, claimed_at FROM discord_claims"
            )
        if "discord_answers" in present:
            answers = db.execute(
                "SELECT question_id, channel_id, answer_ids, question_digest, answered_at FROM discord_answers"
            ).fetchall()
            for question_id, channel_id, answer_ids, digest, answered_at in answers:
                answered = Answered(int(channel_id), tuple(int(i) for i in json.loads(answer_ids)), digest)
                db.execute(
                    "INSERT OR IGNORE INTO answered_messages (key, reply, question, answered_at)"
                    " VALUES (?, ?, ?, ?)",
                    (_answer_key(question_id), json.dumps(_as_reply(answered)), digest, answered_at),
                )
        if "discord_pending" in present:
            held = db.execute(
                "SELECT question_id, channel_id, user_id, messages, created_at FROM discord_pending"
                " ORDER BY created_at"
            ).fetchall()
            for question_id, channel_id, user_id, messages, held_at in held:
                payload = json.dumps({"question_id": str(question_id), "messages": json.loads(messages)})
                db.execute(
                    "INSERT INTO held_replies (platform, kind, payload, reference, asker, channel, held_at,"
                    " expires_at, not_before) VALUES (?, 'reply', ?, ?, ?, ?, ?, ?, ?)",
                    (
                        PLATFORM,
                        payload,
                        str(question_id),
                        str(user_id),
                        str(channel_id),
                        held_at,
                        held_at + PENDING_EXPIRY_S,
                        held_at,
                    ),
                )
        for table in _OLD_TABLES:
            db.execute(f"DROP TABLE IF EXISTS {table}")
    log.info("moved the Discord state in %s into the state stores' tables", path)


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
