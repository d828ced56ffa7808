"""Which module provides each part, by the name config uses: plain dicts, no plugin discovery.

A new part is one module plus one line here: `LIBRARIES["postgres"] = Backend(...)` for a PostgreSQL
store, `COMPOSERS["generative"] = ...` for another composer, `EMBEDDERS[...]` for another runtime.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from retrieval.answering.composers.extractive import ExtractiveComposer
from retrieval.config import DEFAULT_POOL, ComposerParams, EngineConfig, PoolParams
from retrieval.embedders.runtimes import EMBEDDERS, encoder_files  # noqa: F401  (a registry of this module)
from retrieval.libraries.files import library as files
from retrieval.manifest import Manifest
from retrieval.parts import Composer, Embedder, Library, LibraryWriter


@dataclass(frozen=True)
class Backend:
    """How to reach one kind of library, given its location (the `index` setting)."""

    open: Callable[[str, str], Library]  # (location, rebuild hint) -> the live generation
    writer: Callable[[str, Embedder], LibraryWriter]  # (location, the embedder that makes its vectors)
    live_generation: Callable[[str], str | None]  # (location) -> the live generation's id, cheaply
    live_manifest: Callable[
        [str, str], tuple[str, Manifest]
    ]  # (location, hint) -> (id, manifest), no loading


def _files_writer(location: str, embedder: Embedder) -> LibraryWriter:
    return files.FilesLibraryWriter(Path(location), encoder_files(embedder))


def _postgres(pool: PoolParams = DEFAULT_POOL) -> Backend:
    """The postgres backend with its connections pooled as `pool` says, imported only when chosen
    (psycopg is not loaded for the files backend)."""
    from retrieval.libraries.postgres import library as postgres

    return Backend(
        lambda url, hint: postgres.open_library(url, hint, pool),
        lambda url, embedder: postgres.open_writer(url, embedder, pool),
        lambda url: postgres.live_generation_at(url, pool),
        lambda url, hint: postgres.live_manifest_at(url, hint, pool),
    )


# EMBEDDERS (encoder setting -> factory(model, device, index_runtime)) is defined in
# retrieval/embedders/runtimes.py, beside the embedders it makes, and named here with the other parts.
LIBRARIES: dict[str, Backend] = {
    "files": Backend(files.FilesLibrary.open, _files_writer, files.live_generation, files.live_manifest),
    # The location is the database URL (database.url); the schema comes from `citebot db migrate`.
    "postgres": Backend(
        lambda url, hint: _postgres().open(url, hint),
        lambda url, embedder: _postgres().writer(url, embedder),
        lambda url: _postgres().live_generation(url),
        lambda url, hint: _postgres().live_manifest(url, hint),
    ),
}

# composer setting -> factory(query embedder, params).
COMPOSERS: dict[str, Callable[[Embedder, ComposerParams], Composer]] = {
    "extractive": ExtractiveComposer,
}


def library_backend(config: EngineConfig) -> Backend:
    """The backend `config.backend` names (ValueError for an unknown one); a postgres one opens its
    connections as `config.pool` says. What the engine and the builds use, rather than LIBRARIES itself."""
    backend = choose(LIBRARIES, config.backend, "index backend")
    return _postgres(config.pool) if config.backend == "postgres" else backend


def choose(registry: dict, name: str, what: str):
    """The registry's entry for `name`; ValueError listing the choices for an unknown one."""
    try:
        return registry[name]
    except KeyError:
        raise ValueError(f"unknown {what} {name!r}; choose one of {', '.join(registry)}") from None
