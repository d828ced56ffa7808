"""The engine's configuration: one frozen value, the one home of every retrieval default.

`bot/settings.py` takes its defaults from here and fills an EngineConfig from the YAML; a test checks
`config/default.yaml` against it (same keys, same defaults).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from retrieval.answering.compose import ComposerParams
from retrieval.embedders.runtimes import DEFAULT_ENCODER, DEFAULT_RUNTIME
from retrieval.embedders.torch_embedder import DEFAULT_MODEL
from retrieval.ingest.chunking import ChunkingParams
from retrieval.libraries.files.index_types import DEFAULT_EXACT_LIMIT
from retrieval.libraries.postgres.pool import PoolParams
from retrieval.search.searcher import SearchParams


@dataclass(frozen=True)
class EngineConfig:
    """Which parts an Engine is made of (by registry name) and how they are tuned."""

    index: str = ".index"  # where the library lives (files backend: the index folder)
    corpus: str = "seeds"  # the documents' folder (named in the rebuild hint)
    backend: str = "files"  # registry.LIBRARIES
    encoder: str = DEFAULT_ENCODER  # registry.EMBEDDERS
    index_runtime: str = (
        DEFAULT_RUNTIME  # embedders/runtimes.py RUNTIMES: what embeds an fp32 onnx build's documents
    )
    composer: str = "extractive"  # registry.COMPOSERS
    model: str = DEFAULT_MODEL
    device: str | None = None
    top_k: int = 8  # passages retrieved per question
    search: SearchParams = field(default_factory=SearchParams)
    answer: ComposerParams = field(default_factory=ComposerParams)
    chunking: ChunkingParams = field(default_factory=ChunkingParams)
    index_type: str = "auto"
    exact_limit: int = DEFAULT_EXACT_LIMIT
    sentence_vectors: bool = True  # embed every sentence at index time
    # backend postgres: the library's connection pool per process (max_size from database.pool_size,
    # the setting the bot's state pool follows too); 8 connections, a request waits 5 s for one
    pool: PoolParams = field(default_factory=PoolParams)
    rebuild_hint: str = ""  # appended to an error about a missing or incompatible index


DEFAULTS = EngineConfig()
