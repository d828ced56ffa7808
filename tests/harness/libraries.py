"""The test data's paths, and helpers that build, open and configure libraries over them (either backend).

The fixtures that use them (the real model, the seeds index, PostgreSQL) are in tests/conftest.py.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
SEEDS = ROOT / "seeds"
DATA = ROOT / "tests" / "data"


def make_settings(index_dir: Path, tmp_path: Path | None = None, **overrides):
    """Default settings pointed at an index (and a scratch feedback file); overrides by section."""
    from bot.settings import Settings

    data = {"corpus": str(SEEDS), "index": str(index_dir)}
    if tmp_path is not None:
        data["feedback"] = {"path": str(tmp_path / "feedback.sqlite3")}
    data.update(overrides)
    return Settings.model_validate(data)


def open_searcher(index_dir: Path, embedder, params=None, rebuild_hint: str = ""):
    """Search over an index's live generation, opened and checked the way the Engine does it."""
    from retrieval.config import SearchParams
    from retrieval.libraries.files.library import FilesLibrary
    from retrieval.search.searcher import Searcher

    library = FilesLibrary.open(index_dir, rebuild_hint)
    library.manifest.check_servable(str(index_dir), embedder.name, rebuild_hint)
    return Searcher(library, embedder, params or SearchParams())


def build_index(
    corpus,
    index_dir: Path,
    embedder,
    params=None,
    index_type: str = "auto",
    show_progress=True,
    sentence_vectors: bool = True,
    exact_limit: int | None = None,
    strict: bool = False,
    **options,
):
    """A files-backend index of `corpus` (a folder or source roots) in `index_dir`, built by
    `retrieval.ingest.build.build` through the files library's writer: the `retrieval.build(config)`
    path without a config, for tests that hand in their own embedder or chunking. Returns the BuildReport."""
    from retrieval.config import DEFAULT_EXACT_LIMIT, ChunkingParams
    from retrieval.ingest.build import build
    from retrieval.registry import LIBRARIES

    writer = LIBRARIES["files"].writer(str(index_dir), embedder)
    report = build(
        corpus, writer, embedder, params or ChunkingParams(), index_type, show_progress, sentence_vectors,
        DEFAULT_EXACT_LIMIT if exact_limit is None else exact_limit, strict, **options,
    )  # fmt: skip
    report.index_dir = Path(index_dir)
    return report


def all_passages(library) -> list:
    """Every passage of a library, in document order."""
    return [p for d in library.documents() for p in library.passages_of(d.source)]


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
    from retrieval.config import SearchParams
    from retrieval.registry import LIBRARIES
    from retrieval.search.searcher import Searcher

    library = LIBRARIES[backend].open(location, "")
    library.manifest.check_servable(location, embedder.name, "")
    return Searcher(library, embedder, params or SearchParams())


def backend_settings(backend: str, location: str, tmp_path: Path | None = None, **overrides):
    """Settings for a library of either backend (postgres: its URL as database.url)."""
    if backend == "postgres":
        overrides = {"backend": "postgres", "database": {"url": location}, **overrides}
        return make_settings(Path(tmp_path or ".") / "unused-index", tmp_path, **overrides)
    return make_settings(Path(location), tmp_path, **overrides)
