"""The bot's state in PostgreSQL (backend: postgres), shared by every replica: feedback, conversation turns,
and event claims, so a Slack retry or a Discord message seen by two replicas is answered once.

Same methods as the SQLite stores (bot/core/feedback.py, bot/core/conversations.py) and as RecentKeys
(bot/adapters/slack/dedupe.py); the tables are created by bot/migrations.py.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict

from psycopg.types.json import Jsonb

from bot.core.answered import KEEP_S, AnsweredMessage
from bot.core.conversations import _turn
from bot.core.feedback import VOTES, FeedbackRecord, Gap, _fold, usage_counts
from bot.core.outbox import HeldReply
from retrieval import Turn

log = logging.getLogger(__name__)

CLAIM_DAYS = 2  # Slack retries within minutes; a claim is kept this long, then pruned
_PRUNE_EVERY = 1000  # claims between two prunings


class PostgresFeedbackStore:
    def __init__(self, pool) -> None:
        self._pool = pool

    def record_answer(
        self,
        platform: str,
        channel: str,
        question: str,
        answer: str,
        abstained: bool,
        passage_ids: tuple[str, ...],
    ) -> str:
        answer_id = uuid.uuid4().hex[:12]
        with self._pool.connection() as connection:
            connection.execute(
                "INSERT INTO answers (id, platform, channel, question, answer, abstained, passage_ids)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s)",
                (answer_id, platform, channel, question, answer, abstained, Jsonb(list(passage_ids))),
            )
        return answer_id

    def record_vote(self, answer_id: str, user: str, vote: str) -> bool:
        """Store (or change) a user's vote; False when the answer id is unknown."""
        if vote not in VOTES:
            raise ValueError(f"vote must be one of {VOTES}, not {vote!r}")
        with self._pool.connection() as connection:
            row = connection.execute(
                'INSERT INTO votes (answer_id, "user", vote) SELECT id, %s, %s FROM answers WHERE id = %s'
                ' ON CONFLICT (answer_id, "user") DO UPDATE SET vote = excluded.vote, created_at = now()'
                " RETURNING 1",
                (user, vote, answer_id),
            ).fetchone()
        return row is not None

    def feedback(self) -> list[FeedbackRecord]:
        with self._pool.connection() as connection:
            rows = connection.execute(
                "SELECT to_char(v.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"+00:00\"'),"
                ' a.platform, a.channel, v."user", v.vote, a.question, a.answer, a.abstained, a.passage_ids'
                " FROM votes v JOIN answers a ON a.id = v.answer_id ORDER BY v.created_at, a.id"
            ).fetchall()
        return [FeedbackRecord(*r[:7], bool(r[7]), tuple(r[8])) for r in rows]

    def counts(self) -> dict[str, int]:
        with self._pool.connection() as connection:
            answers, abstained = connection.execute(
                "SELECT count(*), count(*) FILTER (WHERE abstained) FROM answers"
            ).fetchone()
            votes = dict(connection.execute("SELECT vote, count(*) FROM votes GROUP BY vote").fetchall())
        return usage_counts(answers, abstained, votes)

    def gaps(self, limit: int = 20) -> list[Gap]:
        """Questions abstained on or voted down, most frequent first (case and spacing folded, as in SQLite)."""
        with self._pool.connection() as connection:
            rows = connection.execute(
                "SELECT a.question, a.abstained, (SELECT count(*) FROM votes v WHERE v.answer_id = a.id"
                " AND v.vote = 'down') FROM answers a"
            ).fetchall()
        grouped: dict[str, list] = {}
        for question, abstained, down in rows:
            if not abstained and not down:
                continue
            entry = grouped.setdefault(_fold(question), [question, 0, 0])
            entry[0] = min(entry[0], question)
            entry[1] += int(abstained)
            entry[2] += int(down)
        gaps = [Gap(q, a + d, a, d) for q, a, d in grouped.values()]
        return sorted(gaps, key=lambda g: (-g.times, g.question))[:limit]


class PostgresConversationStore:
    """The latest `max_turns` turns of each conversation, forgotten `expiry_s` seconds after they were asked."""

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
                (key, now, Jsonb(asdict(turn))),
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


class EventClaims:
    """`first_time(key)` across replicas: the first to insert the key's row answers, the others skip it.

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
            due = self._claims % _PRUNE_EVERY == 1
        if due:
            connection.execute(
                "DELETE FROM event_claims WHERE claimed_at < now() - make_interval(days => %s)", (CLAIM_DAYS,)
            )


_HELD_COLUMNS = (
    "id, platform, kind, payload, reference, asker, channel, held_at, expires_at, not_before, attempts"
)
LEASE_S = 60.0  # a replica that took a held reply and died: another may send it after this


class PostgresOutbox:
    """bot.core.outbox.Outbox in PostgreSQL, shared by replicas: `due` leases the rows it returns (their
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
                    Jsonb(payload),
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
                f" ORDER BY id DESC OFFSET %s) RETURNING {_HELD_COLUMNS}",
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
                f" FOR UPDATE SKIP LOCKED) RETURNING {_HELD_COLUMNS}",
                (now + LEASE_S, platform, now, now, limit),
            ).fetchall()
        return sorted((_held_row(row) for row in rows), key=lambda held: held.id)

    def take_expired(self, platform: str) -> list[HeldReply]:
        with self._pool.connection() as connection:
            rows = connection.execute(
                f"DELETE FROM held_replies WHERE platform = %s AND expires_at <= %s RETURNING {_HELD_COLUMNS}",
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


class PostgresAnsweredMessages:
    """bot.core.answered.AnsweredMessages in PostgreSQL, shared by replicas."""

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
                (key, Jsonb(reply), question),
            )
            with self._lock:
                self._writes += 1
                due = self._writes % _PRUNE_EVERY == 1
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
