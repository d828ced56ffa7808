"""The postgres backend's database handling, on a real PostgreSQL: migrations, version checks, faults."""

from __future__ import annotations

import psycopg
import pytest

from bot.state import database, migrations
from bot.state.database import DatabaseError


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


@pytest.mark.slow
def test_a_server_that_comes_up_during_the_wait_is_connected_to(caplog):
    import threading

    from bot import devdb

    port, password = devdb.free_port(), "late-server-pw"
    started: list[devdb.DevDatabase] = []
    later = threading.Timer(1.0, lambda: started.append(devdb.start(port=port, password=password)))
    later.start()
    try:
        url = f"postgresql://{devdb.USER}:{password}@127.0.0.1:{port}/postgres"
        connection = database.first_connection(url, wait_s=60)
        connection.close()
    finally:
        later.join()
        for server in started:
            server.stop()
    assert "not reachable" in caplog.text and "retrying with back-off" in caplog.text
    assert password not in caplog.text


@pytest.mark.slow
def test_database_lost_mid_question_apologises_then_reconnects(seeds_service):
    """The server stops between two questions, then comes back: an apology with a reference, then answers."""
    from bot import devdb
    from bot.core.commands import CommandTable
    from bot.core.models import Answer, Notice, Origin
    from bot.state.feedback import PostgresFeedbackStore

    server = devdb.start()
    server.owned_folder = False  # stopped and started again over the same data
    url = server.url
    with _connect(url) as connection:
        migrations.migrate(connection, url)
    pool = database.open_pool(url, wait_s=5)
    table = CommandTable(seeds_service, PostgresFeedbackStore(pool))
    origin = Origin("slack", "C1", "U1")
    try:
        assert isinstance(table.run("ask", "How much did Microsoft invest?", origin), Answer)
        server.stop()
        lost = table.run("ask", "How much did Microsoft invest?", origin)
        assert isinstance(lost, Notice) and lost.reference
        assert "lost my connection to the database" in lost.text and lost.reference in lost.text
        server = devdb.start(server.folder, server.port)
        server.owned_folder = True
        answer = table.run("ask", "How much did Microsoft invest?", origin)
        assert isinstance(answer, Answer) and answer.answer_id
    finally:
        pool.close()
        server.stop()


def test_cli_db_migrate(postgres, monkeypatch, capsys):
    from bot.cli import main

    with _connect(postgres.url_for("postgres")) as admin:
        admin.execute("DROP DATABASE IF EXISTS cli_migrate")
        admin.execute("CREATE DATABASE cli_migrate")
    monkeypatch.setenv("CITEBOT_DATABASE_URL", postgres.url_for("cli_migrate"))
    assert main(["db", "migrate"]) == 0
    first = capsys.readouterr().out
    assert f"migrated to schema version {migrations.LATEST}" in first and postgres.password not in first
    assert main(["db", "migrate"]) == 0
    assert "up to date" in capsys.readouterr().out
    monkeypatch.setenv("CITEBOT_DATABASE_URL", postgres.url_for("cli_migrate", password="wrong-pw-77"))
    assert main(["db", "migrate"]) == 1
    error = capsys.readouterr().err
    assert "refused the password" in error and "wrong-pw-77" not in error
    monkeypatch.delenv("CITEBOT_DATABASE_URL")
    assert main(["db", "migrate"]) == 0  # backend: files and no database.url: nothing to migrate
    assert "needs no migration" in capsys.readouterr().out
