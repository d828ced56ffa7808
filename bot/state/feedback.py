"""Answers given and the 👍/👎 votes on them, so writers learn what docs are missing.

`FeedbackStore` is what the command table and `citebot feedback`/`gaps`/`status` need; SqliteFeedbackStore
keeps it in the local state file (backend files), PostgresFeedbackStore in the database every replica shares
(backend postgres; its tables `answers` and `votes` are migration 2 in bot/state/migrations.py).
"""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from bot.state.jsonb import jsonb
from bot.state.sqlite_file import connect, prepare

VOTES = ("up", "down")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    id TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    platform TEXT NOT NULL,
    channel TEXT NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    abstained INTEGER NOT NULL,
    passage_ids TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS votes (
    answer_id TEXT NOT NULL REFERENCES answers(id),
    user TEXT NOT NULL,
    vote TEXT NOT NULL CHECK (vote IN ('up', 'down')),
    created_at TEXT NOT NULL,
    PRIMARY KEY (answer_id, user)
);
"""


@dataclass(frozen=True)
class FeedbackRecord:
    """A vote with the answer it was about."""

    created_at: str
    platform: str
    channel: str
    user: str
    vote: str
    question: str
    answer: str
    abstained: bool
    passage_ids: tuple[str, ...]


@dataclass(frozen=True)
class Gap:
    """A question people got no good answer to: how often it was asked (abstained on or voted down)."""

    question: str
    times: int
    abstentions: int
    down_votes: int


class FeedbackStore(Protocol):
    """Where answers and votes are recorded, and what is read back from them."""

    def record_answer(
        self,
        platform: str,
        channel: str,
        question: str,
        answer: str,
        abstained: bool,
        passage_ids: tuple[str, ...],
    ) -> str:
        """Record an answer given; its id (12 hex characters), which a vote names."""
        ...

    def record_vote(self, answer_id: str, user: str, vote: str) -> bool:
        """Store (or change) a user's vote ("up" or "down"); False when the answer id is unknown.

        Raises ValueError for any other vote."""
        ...

    def feedback(self) -> list[FeedbackRecord]:
        """Every vote with the answer it was about, oldest first."""
        ...

    def counts(self) -> dict[str, int]:
        """Answers recorded, how many abstained, and the votes (see `usage_counts`)."""
        ...

    def gaps(self, limit: int = 20) -> list[Gap]:
        """Questions abstained on or voted down, most frequent first (case and spacing folded)."""
        ...


class SqliteFeedbackStore:
    """FeedbackStore in the local SQLite state file. A connection per call: cheap, and safe from any thread (Slack and Discord handlers run in threads)."""

    def __init__(self, path: Path) -> None:
        self.path = prepare(path, _SCHEMA)
        self._lock = threading.Lock()

    def _connect(self) -> sqlite3.Connection:
        return connect(self.path)

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
        with self._lock, self._connect() as db:
            db.execute(
                "INSERT INTO answers VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    answer_id,
                    _now(),
                    platform,
                    channel,
                    question,
                    answer,
                    int(abstained),
                    json.dumps(list(passage_ids)),
                ),
            )
        return answer_id

    def record_vote(self, answer_id: str, user: str, vote: str) -> bool:
        """Store (or change) a user's vote; False when the answer id is unknown."""
        if vote not in VOTES:
            raise ValueError(f"vote must be one of {VOTES}, not {vote!r}")
        with self._lock, self._connect() as db:
            if db.execute("SELECT 1 FROM answers WHERE id = ?", (answer_id,)).fetchone() is None:
                return False
            db.execute(
                "INSERT INTO votes VALUES (?, ?, ?, ?) ON CONFLICT (answer_id, user) DO UPDATE"
                " SET vote = excluded.vote, created_at = excluded.created_at",
                (answer_id, user, vote, _now()),
            )
        return True

    def feedback(self) -> list[FeedbackRecord]:
        with self._connect() as db:
            rows = db.execute(
                "SELECT v.created_at, a.platform, a.channel, v.user, v.vote, a.question, a.answer, a.abstained,"
                " a.passage_ids FROM votes v JOIN answers a ON a.id = v.answer_id ORDER BY v.created_at, a.id"
            ).fetchall()
        return [FeedbackRecord(*r[:7], bool(r[7]), tuple(json.loads(r[8]))) for r in rows]

    def counts(self) -> dict[str, int]:
        """Answers recorded, how many abstained, and the votes (for `citebot status`)."""
        with self._connect() as db:
            answers, abstained = db.execute(
                "SELECT COUNT(*), COALESCE(SUM(abstained), 0) FROM answers"
            ).fetchone()
            votes = dict(db.execute("SELECT vote, COUNT(*) FROM votes GROUP BY vote").fetchall())
        return usage_counts(answers, abstained, votes)

    def gaps(self, limit: int = 20) -> list[Gap]:
        """Questions abstained on or voted down, most frequent first (case and spacing folded)."""
        with self._connect() as db:
            # SQLite's lower() folds ASCII only and trim() leaves inner runs of spaces: fold in Python.
            db.create_function("fold", 1, _fold, deterministic=True)
            rows = db.execute(
                """
                SELECT MIN(question), SUM(abstained) + SUM(down), SUM(abstained), SUM(down) FROM (
                    SELECT fold(a.question) AS key, a.question AS question, a.abstained AS abstained,
                           (SELECT COUNT(*) FROM votes v WHERE v.answer_id = a.id AND v.vote = 'down') AS down
                    FROM answers a
                ) WHERE abstained = 1 OR down > 0
                GROUP BY key ORDER BY 2 DESC, 1 LIMIT ?
                """,
                (limit,),
            ).fetchall()
        return [Gap(r[0], int(r[1]), int(r[2]), int(r[3])) for r in rows]


class PostgresFeedbackStore:
    """FeedbackStore in PostgreSQL, shared by replicas; `pool` is a psycopg_pool.ConnectionPool."""

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
                (answer_id, platform, channel, question, answer, abstained, jsonb(list(passage_ids))),
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


def usage_counts(answers: int, abstained: int, votes: dict[str, int]) -> dict[str, int]:
    """What `counts()` reports, whichever store: answers recorded, abstentions, up and down votes."""
    return {
        "answers": int(answers),
        "abstained": int(abstained),
        "votes_up": int(votes.get("up", 0)),
        "votes_down": int(votes.get("down", 0)),
    }


def _fold(question: str) -> str:
    return " ".join(question.split()).casefold()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
