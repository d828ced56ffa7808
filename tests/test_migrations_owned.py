"""One owner per table: the index's schema lives with the PostgreSQL library, the bot's state with the bot,
and moving it changed nothing a database sees (same versions, names and SQL as applied before)."""

from __future__ import annotations

import hashlib
import re

from bot.state import migrations
from retrieval.libraries.postgres import schema
from tests.harness.libraries import ROOT

# What databases migrated before the move recorded and ran: an applied migration never changes.
APPLIED = {
    1: ("pgvector and the index tables", "5db3b667dbf4512d7f25a43886a989a6841e63bb858c3c28ca85583a2d955478"),
    2: (
        "feedback, conversation turns and event claims",
        "b8e3a21c7b6f9af80f5fc12d960d6cdefceb68db5975fb7acf675ad2a5feb934",
    ),
    3: (
        "replies held while a chat platform is down, and which reply answered which question",
        "d1e0b34e19b7b9065ecc33af8735a3432b1734fb9984ef662b6baa8436d744fd",
    ),
}
INDEX_TABLES = {
    "generations",
    "live_generation",
    "document_versions",
    "generation_documents",
    "passages",
    "passage_terms",
    "sentence_vectors",
    "generation_sentences",
    "vocabulary",
}


def tables(sql: str) -> set[str]:
    return set(re.findall(r"CREATE TABLE (?:IF NOT EXISTS )?(\w+)", sql))


def test_applied_migrations_are_unchanged():
    for migration in migrations.MIGRATIONS:
        if migration.version in APPLIED:
            digest = hashlib.sha256(migration.sql.encode()).hexdigest()
            assert (migration.name, digest) == APPLIED[migration.version], migration.version


def test_versions_are_one_increasing_sequence():
    versions = [migration.version for migration in migrations.MIGRATIONS]
    assert versions == list(range(1, len(versions) + 1))
    assert migrations.LATEST == versions[-1]


def test_the_library_defines_the_index_tables_and_the_bot_only_its_state():
    index = set().union(*(tables(migration.sql) for migration in schema.INDEX_MIGRATIONS))
    assert index == INDEX_TABLES
    assert set(schema.INDEX_MIGRATIONS) <= set(migrations.MIGRATIONS)
    bot_source = (ROOT / "bot" / "state" / "migrations.py").read_text("utf-8")
    assert tables(bot_source) & INDEX_TABLES == set()
    assert tables(bot_source) == {
        "schema_migrations",  # the bookkeeping of the one sequence: `citebot db migrate` owns it
        "answers",
        "votes",
        "conversation_turns",
        "event_claims",
        "held_replies",
        "answered_messages",
    }


def test_a_migrated_database_has_the_index_tables(database_url):
    import psycopg

    with psycopg.connect(database_url) as connection:
        rows = connection.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()
        recorded = connection.execute(
            "SELECT version, name FROM schema_migrations ORDER BY version"
        ).fetchall()
    assert INDEX_TABLES <= {row[0] for row in rows}
    assert recorded == [(version, name) for version, (name, _) in sorted(APPLIED.items())]
