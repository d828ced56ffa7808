"""The PostgreSQL schema as numbered migrations, applied by `citebot db migrate`, never at start-up.

`schema_migrations` records what was applied. The bot and the indexer only check the version at start:
behind the code, they say to run `citebot db migrate`; ahead of it (a newer citebot migrated), they
refuse to start. Migrations run under an advisory lock, each in its own transaction, so two
`citebot db migrate` at once apply each migration once.

The index tables are read and written by retrieval/libraries/postgres/library.py; the state tables (feedback,
conversation turns, event claims, held replies) by bot/core/pg_state.py.
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg

from bot import messages
from bot.database import DatabaseError, describe, where

_LOCK = 0x63697465  # "cite": pg_advisory_lock key for migrations


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


_INDEX = """
CREATE EXTENSION IF NOT EXISTS vector;

-- One row per `citebot index` run. Readers answer from the generation in live_generation; a build
-- writes a new one beside it and publishes it by updating that row, in one transaction.
CREATE TABLE generations (
    id bigserial PRIMARY KEY,
    name text NOT NULL UNIQUE,
    state text NOT NULL DEFAULT 'building' CHECK (state IN ('building', 'published')),
    manifest jsonb NOT NULL DEFAULT '{}',
    passage_count integer NOT NULL DEFAULT 0,
    average_length double precision NOT NULL DEFAULT 0,  -- BM25: mean terms a passage
    created_at timestamptz NOT NULL DEFAULT now(),
    published_at timestamptz
);

CREATE TABLE live_generation (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    generation_id bigint NOT NULL REFERENCES generations (id)
);

-- A file's passages and vectors, content-addressed: a file unchanged since the last build (same text, same
-- passages, same vectors) is one row shared by every generation that holds it, written once.
CREATE TABLE document_versions (
    id bigserial PRIMARY KEY,
    content_key text NOT NULL UNIQUE,  -- hash of the document, its passages and their vectors
    source text NOT NULL,
    sha256 text NOT NULL,
    title text NOT NULL,
    url text,
    date text,
    passage_count integer NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE generation_documents (
    generation_id bigint NOT NULL REFERENCES generations (id) ON DELETE CASCADE,
    source text NOT NULL,
    document_version_id bigint NOT NULL REFERENCES document_versions (id),
    PRIMARY KEY (generation_id, source)
);
CREATE INDEX generation_documents_version ON generation_documents (document_version_id);

CREATE TABLE passages (
    id bigserial PRIMARY KEY,
    document_version_id bigint NOT NULL REFERENCES document_versions (id) ON DELETE CASCADE,
    ordinal integer NOT NULL,
    passage_id text NOT NULL,  -- "<source>#<n>"
    record jsonb NOT NULL,  -- the passage: text, lines, headings, quotable units
    embedding vector(384) NOT NULL,  -- normalised: inner product is cosine
    terms tsvector NOT NULL,  -- keyword terms (folded, stemmed, no stop words), a position per occurrence
    length integer NOT NULL,  -- BM25 length: keyword terms in the passage
    UNIQUE (document_version_id, ordinal)
);
CREATE INDEX passages_embedding ON passages USING hnsw (embedding vector_ip_ops);
CREATE INDEX passages_terms ON passages USING gin (terms);
CREATE INDEX passages_passage_id ON passages (passage_id);

-- The keyword postings BM25 is scored from: a row per (term, passage) with the term's count, so a query
-- reads the postings of its own terms only (expanding every matching passage's tsvector instead cost
-- ~0.5 s a query at 13k passages). Go with their document version.
CREATE TABLE passage_terms (
    term text NOT NULL,
    passage_id bigint NOT NULL,  -- passages.id
    document_version_id bigint NOT NULL REFERENCES document_versions (id) ON DELETE CASCADE,
    tf smallint NOT NULL,  -- occurrences of the term in the passage
    length integer NOT NULL,  -- the passage's BM25 length (copied: scoring needs no join)
    PRIMARY KEY (term, passage_id)
);
CREATE INDEX passage_terms_version ON passage_terms (document_version_id);

-- Vectors of the quotable units (sentences, list items, rows) answers are composed from, by text; shared
-- between generations like document versions (a vector made by another model is another row).
CREATE TABLE sentence_vectors (
    id bigserial PRIMARY KEY,
    text_key text NOT NULL,  -- hash of the text
    vector_key text NOT NULL,  -- hash of the vector
    embedding vector(384) NOT NULL,
    UNIQUE (text_key, vector_key)
);

CREATE TABLE generation_sentences (
    generation_id bigint NOT NULL REFERENCES generations (id) ON DELETE CASCADE,
    sentence_id bigint NOT NULL REFERENCES sentence_vectors (id),
    PRIMARY KEY (generation_id, sentence_id)
);
CREATE INDEX generation_sentences_sentence ON generation_sentences (sentence_id);

-- Document frequencies per generation: the vocabulary as the indexer counted it, and the keyword terms
-- counted in the database when the generation is published.
CREATE TABLE vocabulary (
    generation_id bigint NOT NULL REFERENCES generations (id) ON DELETE CASCADE,
    term text NOT NULL,
    passages integer NOT NULL DEFAULT 0,  -- passages whose title, headings or text hold the stem
    keyword_passages integer NOT NULL DEFAULT 0,  -- passages whose keyword terms hold it (BM25 idf)
    PRIMARY KEY (generation_id, term)
);
"""

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

MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "pgvector and the index tables", _INDEX),
    Migration(2, "feedback, conversation turns and event claims", _STATE),
    Migration(
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
        raise DatabaseError(messages.schema_newer(where(url), version, LATEST))
    if version < LATEST:
        raise DatabaseError(messages.schema_not_migrated(where(url), version, LATEST))
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
            raise DatabaseError(messages.schema_newer(where(url), version, LATEST))
        for migration in MIGRATIONS:
            if migration.version <= version:
                continue
            _apply(connection, migration, url)
            applied.append(f"{migration.version} {migration.name}")
        return applied, schema_version(connection)
    finally:
        connection.execute("SELECT pg_advisory_unlock(%s)", (_LOCK,))


def _apply(connection: psycopg.Connection, migration: Migration, url: str) -> None:
    try:
        with connection.transaction():
            connection.execute(migration.sql)
            connection.execute(
                "INSERT INTO schema_migrations (version, name) VALUES (%s, %s)",
                (migration.version, migration.name),
            )
    except psycopg.Error as error:
        raise DatabaseError(describe(error, url)) from None
