"""Retrieval: documents -> passages -> vectors + keyword index -> hits -> cited answers.

The public surface, and the only names `bot/` may import (tests/test_import_rules.py): the Engine, its
config and build function, and the values that cross the seam. Imported lazily, so `citebot status` and
other light commands don't load FAISS or the model.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "Engine": "retrieval.engine",
    "Answered": "retrieval.engine",
    "build": "retrieval.engine",
    "EngineConfig": "retrieval.config",
    "Query": "retrieval.parts",
    "Embedder": "retrieval.parts",
    "Turn": "retrieval.answering.followup",
    "Hit": "retrieval.models",
    "Passage": "retrieval.models",
    "Document": "retrieval.models",
    "Manifest": "retrieval.manifest",
    "BuildReport": "retrieval.ingest.build",
    "SkippedFile": "retrieval.ingest.loader",
    "UnreadFilesError": "retrieval.ingest.loader",
    "Composition": "retrieval.answering.compose",
    "CitedPassage": "retrieval.answering.compose",
    "ComposerParams": "retrieval.config",
    "ChunkingParams": "retrieval.config",
    "SearchParams": "retrieval.config",
    "PoolParams": "retrieval.config",
    "database_address": "retrieval.libraries.postgres.address",
    "INDEX_MIGRATIONS": "retrieval.libraries.postgres.schema",
    "SchemaMigration": "retrieval.libraries.postgres.schema",
    "RetrievalError": "retrieval.errors",
    "CorpusError": "retrieval.errors",
    "IndexMissingError": "retrieval.errors",
    "IndexIncompatibleError": "retrieval.errors",
    "fold": "retrieval.text.normalize",
    "SourceRecord": "retrieval.manifest",
    "SourceError": "retrieval.sources.base",
    "build_sources": "retrieval.sources.build",
    "Refresher": "retrieval.sources.refresher",
    "source_states": "retrieval.sources.state",
    "sources_status": "retrieval.sources.status",
    "Links": "retrieval.answering.links",
    "LinkRule": "retrieval.answering.links",
    "CitedPlace": "retrieval.answering.links",
    "default_link_template": "retrieval.answering.links",
    "check_link_template": "retrieval.answering.links",
    "UnknownLinkField": "retrieval.answering.links",
}
__all__ = [
    "INDEX_MIGRATIONS",
    "Answered",
    "BuildReport",
    "ChunkingParams",
    "CitedPassage",
    "CitedPlace",
    "ComposerParams",
    "Composition",
    "CorpusError",
    "Document",
    "Engine",
    "Embedder",
    "EngineConfig",
    "Hit",
    "IndexIncompatibleError",
    "IndexMissingError",
    "LinkRule",
    "Links",
    "Manifest",
    "Passage",
    "PoolParams",
    "Query",
    "RetrievalError",
    "SchemaMigration",
    "SearchParams",
    "SkippedFile",
    "SourceError",
    "SourceRecord",
    "Refresher",
    "Turn",
    "UnknownLinkField",
    "UnreadFilesError",
    "build",
    "build_sources",
    "check_link_template",
    "database_address",
    "default_link_template",
    "fold",
    "source_states",
    "sources_status",
]

if TYPE_CHECKING:
    from retrieval.answering.compose import CitedPassage, Composition
    from retrieval.answering.followup import Turn
    from retrieval.answering.links import (
        CitedPlace,
        LinkRule,
        Links,
        UnknownLinkField,
        check_link_template,
        default_link_template,
    )
    from retrieval.config import ChunkingParams, ComposerParams, EngineConfig, PoolParams, SearchParams
    from retrieval.engine import Answered, Engine, build
    from retrieval.errors import CorpusError, IndexIncompatibleError, IndexMissingError, RetrievalError
    from retrieval.ingest.build import BuildReport
    from retrieval.ingest.loader import SkippedFile, UnreadFilesError
    from retrieval.libraries.postgres.address import database_address
    from retrieval.libraries.postgres.schema import INDEX_MIGRATIONS, SchemaMigration
    from retrieval.manifest import Manifest, SourceRecord
    from retrieval.models import Document, Hit, Passage
    from retrieval.parts import Embedder, Query
    from retrieval.sources.base import SourceError
    from retrieval.sources.build import build_sources
    from retrieval.sources.refresher import Refresher
    from retrieval.sources.state import source_states
    from retrieval.sources.status import sources_status
    from retrieval.text.normalize import fold


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'retrieval' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value
