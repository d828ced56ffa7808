"""The PostgreSQL schema as numbered migrations, applied by `citebot db migrate`, never at start-up.

`schema_migrations` records what was applied. The bot and the indexer only check the version at start:
behind the code, they say to run `citebot db migrate`; ahead of it (a newer citebot migrated), they
refuse to start. Migrations run under an advisory lock, each in its own transaction, so two
`citebot db migrate` at once apply each migration once.

The index tables are defined, read and written by the library (retrieval/libraries/postgres/schema.py and
library.py); the state tables (feedback, conversation turns, event claims, held replies, answered messages)
are defined here and read and written by the PostgreSQL stores beside their SQLite twins in bot/state/
(feedback.py, conversations.py, claims.py, outbox.py, answered.py).
"""

from __future__ import annotations

import psycopg

from bot import messages
from bot.state.database import DatabaseError, describe
from retrieval import INDEX_MIGRATIONS, SchemaMigration, database_address

_LOCK = 0x63697465  # "cite": pg_advisory_lock key for migrations


_STATE = """
CREATE TABLE answers (
    id text PRIMARY KEY,
    created_at timestamptz NOT NULL DEFAULT now(),
    platform text NOT NULL,
    channel text NOT NULL,
    question text NOT NULL,
    answer text NOT NULL,
    abstained boolean NOT NULL,
    passage_ids jsonb NOT NULL
);

CREATE TABLE votes (
    answer_id text NOT NULL REFERENCES answers (id),
    "user" text NOT NULL,
    vote text NOT NULL CHECK (vote IN ('up', 'down')),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (answer_id, "user")
);

CREATE TABLE conversation_turns (
    id bigserial PRIMARY KEY,
    conversation text NOT NULL,
    created_at double precision NOT NULL,  -- seconds since the epoch
    turn jsonb NOT NULL
);
CREATE INDEX conversation_turns_by_key ON conversation_turns (conversation, id);

-- A Slack or Discord event claimed by the first replica that saw it (INSERT ... ON CONFLICT DO NOTHING).
CREATE TABLE event_claims (
    key text PRIMARY KEY,
    claimed_at timestamptz NOT NULL DEFAULT now(),
    claimed_by text NOT NULL
);
CREATE INDEX event_claims_age ON event_claims (claimed_at);
"""

_HELD_REPLIES = """
-- Replies a chat platform could not take while it was down, sent when it is back (bot/core/outbox.py).
-- A replica takes due rows by moving not_before ahead (a lease), so two replicas never send one twice.
CREATE TABLE held_replies (
    id bigserial PRIMARY KEY,
    platform text NOT NULL,
    kind text NOT NULL,
    payload jsonb NOT NULL,
    reference text NOT NULL,
    asker text NOT NULL,
    channel text NOT NULL,
    held_at double precision NOT NULL,  -- seconds since the epoch
    expires_at double precision NOT NULL,
    not_before double precision NOT NULL,
    attempts integer NOT NULL DEFAULT 0
);
CREATE INDEX held_replies_due ON held_replies (platform, not_before);

-- Which reply answered which question, so an edited question's answer is updated in place.
CREATE TABLE answered_messages (
    key text PRIMARY KEY,
    reply jsonb NOT NULL,
    question text NOT NULL,
    answered_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX answered_messages_age ON answered_messages (answered_at);
"""

# The index's migrations (version 1) are the library's own (retrieval/libraries/postgres/schema.py);
# the bot's state tables follow, read and written by the PostgreSQL stores in bot/state/.
MIGRATIONS: tuple[SchemaMigration, ...] = (
    *INDEX_MIGRATIONS,
    SchemaMigration(2, "feedback, conversation turns and event claims", _STATE),
    SchemaMigration(
        3,
        "replies held while a chat platform is down, and which reply answered which question",
        _HELD_REPLIES,
    ),
)
LATEST = MIGRATIONS[-1].version

_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY,
    name text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
)
"""


def schema_version(connection: psycopg.Connection) -> int:
    """The highest migration applied; 0 for a database citebot never migrated."""
    if connection.execute("SELECT to_regclass('schema_migrations')").fetchone()[0] is None:
        return 0
    return int(connection.execute("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").fetchone()[0])


def check(connection: psycopg.Connection, url: str) -> int:
    """The schema version when it is the code's; DatabaseError saying what to do otherwise."""
    version = schema_version(connection)
    if version > LATEST:
        raise DatabaseError(messages.schema_newer(database_address(url), version, LATEST))
    if version < LATEST:
        raise DatabaseError(messages.schema_not_migrated(database_address(url), version, LATEST))
    return version


def migrate(connection: psycopg.Connection, url: str) -> tuple[list[str], int]:
    """Apply what is missing; (names applied, version now). Refuses a schema newer than the code."""
    applied: list[str] = []
    connection.autocommit = True
    connection.execute("SELECT pg_advisory_lock(%s)", (_LOCK,))
    try:
        connection.execute(_TABLE)
        version = schema_version(connection)
        if version > LATEST:
            raise DatabaseError(messages.schema_newer(database_address(url), version, LATEST))
        for migration in MIGRATIONS:
            if migration.version <= version:
                continue
            _apply(connection, migration, url)
            applied.append(f"{migration.version} {migration.name}")
        return applied, schema_version(connection)
    finally:
        connection.execute("SELECT pg_advisory_unlock(%s)", (_LOCK,))


def _apply(connection: psycopg.Connection, migration: SchemaMigration, url: str) -> None:
    try:
        with connection.transaction():
            connection.execute(migration.sql)
            connection.execute(
                "INSERT INTO schema_migrations (version, name) VALUES (%s, %s)",
                (migration.version, migration.name),
            )
    except psycopg.Error as error:
        raise DatabaseError(describe(error, url)) from None
