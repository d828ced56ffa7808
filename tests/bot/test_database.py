"""The postgres backend's database handling, on a real PostgreSQL: migrations, version checks, faults."""

from __future__ import annotations

import psycopg
import pytest

from bot import database, migrations
from bot.database import DatabaseError


def _connect(url: str) -> psycopg.Connection:
    return psycopg.connect(url, autocommit=True)


def test_migrated_database_passes_the_check(database_url):
    with _connect(database_url) as connection:
        assert migrations.check(connection, database_url) == migrations.LATEST
        extension = connection.execute(
            "SELECT extversion FROM pg_extension WHERE extname = 'vector'"
        ).fetchone()
    assert extension is not None


def test_migrate_is_idempotent(database_url):
    with _connect(database_url) as connection:
        applied, version = migrations.migrate(connection, database_url)
        rows = connection.execute("SELECT version FROM schema_migrations ORDER BY version").fetchall()
    assert applied == [] and version == migrations.LATEST
    assert [r[0] for r in rows] == [m.version for m in migrations.MIGRATIONS]


def test_empty_database_is_migrated_from_scratch(postgres):
    url = postgres.url_for("postgres")
    with _connect(url) as admin:
        admin.execute("DROP DATABASE IF EXISTS fresh_one")
        admin.execute("CREATE DATABASE fresh_one")
    fresh = postgres.url_for("fresh_one")
    with _connect(fresh) as connection:
        with pytest.raises(DatabaseError, match="citebot db migrate"):
            migrations.check(connection, fresh)
        applied, version = migrations.migrate(connection, fresh)
    assert len(applied) == len(migrations.MIGRATIONS) and version == migrations.LATEST


def test_schema_newer_than_the_code_is_refused(database_url):
    with _connect(database_url) as connection:
        connection.execute(
            "INSERT INTO schema_migrations (version, name) VALUES (%s, 'from the future')",
            (migrations.LATEST + 1,),
        )
        with pytest.raises(DatabaseError, match="newer than this citebot") as refused:
            migrations.check(connection, database_url)
        with pytest.raises(DatabaseError, match="Upgrade citebot"):
            migrations.migrate(connection, database_url)
    assert "password" not in str(refused.value).lower()


def test_wrong_password_is_named_and_never_printed(postgres):
    url = postgres.url_for("citebot", password="not-the-password-42")
    with pytest.raises(DatabaseError) as refused:
        database.first_connection(url, wait_s=5)
    message = str(refused.value)
    assert "refused the password for user 'citebot'" in message
    assert "not-the-password-42" not in message and postgres.password not in message


def test_missing_database_says_how_to_create_it(postgres):
    url = postgres.url_for("no_such_db")
    with pytest.raises(DatabaseError, match="CREATE DATABASE no_such_db"):
        database.first_connection(url, wait_s=5)


def test_unreachable_server_is_retried_with_back_off_then_reported():
    from bot.devdb import free_port

    url = f"postgresql://citebot:secret-pw@127.0.0.1:{free_port()}/citebot"
    delays: list[float] = []
    now = [0.0]

    def sleep(seconds: float) -> None:
        delays.append(seconds)
        now[0] += seconds

    with pytest.raises(DatabaseError) as down:
        database.first_connection(url, wait_s=10, sleep=sleep, clock=lambda: now[0])
    assert delays == [0.5, 1.0, 2.0, 4.0]
    message = str(down.value)
    assert "Cannot reach PostgreSQL at 127.0.0.1:" in message and "secret-pw" not in message


def test_missing_pgvector_says_how_to_install_it(postgres):
    """A role that may not create the extension, on a database without it: what a managed server does."""
    with _connect(postgres.url_for("postgres")) as admin:
        admin.execute("DROP DATABASE IF EXISTS no_vector")
        admin.execute("DROP ROLE IF EXISTS plain_role")
        admin.execute("CREATE ROLE plain_role LOGIN PASSWORD 'plain-pw'")
        admin.execute("CREATE DATABASE no_vector OWNER plain_role")
    url = postgres.url_for("no_vector", user="plain_role", password="plain-pw")
    with _connect(url) as connection, pytest.raises(DatabaseError) as refused:
        migrations.migrate(connection, url)
    message = str(refused.value)
    assert "lacks the pgvector extension" in message and "CREATE EXTENSION vector" in message
    assert "plain-pw" not in message


def test_missing_url_is_one_clear_message():
    with pytest.raises(DatabaseError, match="CITEBOT_DATABASE_URL is not set"):
        database.first_connection("", wait_s=1)
