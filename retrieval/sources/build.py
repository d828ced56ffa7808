"""One generation from every named source: read each (or keep what the live generation has of it),
index them together, and record each source's outcome in the state folder."""

from __future__ import annotations

import logging
import time
from collections.abc import Collection, Sequence
from pathlib import Path

from retrieval.config import EngineConfig
from retrieval.embedders.runtimes import indexing_embedder
from retrieval.errors import CorpusError
from retrieval.ingest.build import BuildReport
from retrieval.ingest.loader import Root, UnreadFilesError
from retrieval.manifest import SourceRecord
from retrieval.parts import Embedder
from retrieval.registry import library_backend
from retrieval.sources import state
from retrieval.sources.base import SourceError, SourceSpec, utc_now
from retrieval.sources.read import carried, read_source

log = logging.getLogger(__name__)


def build_sources(
    config: EngineConfig,
    sources: Sequence[SourceSpec],
    state_dir: Path,
    *,
    read: Collection[str] | None = None,
    embedder: Embedder | None = None,
    show_progress: bool = True,
    strict: bool = False,
    publish_unchanged: bool = True,
) -> BuildReport:
    """Build or refresh the library `config` names from `sources`, keys "<name>/<path>".

    `read`: the names of the sources to read now (None: all); the others keep the documents the live
    generation has of them, as does a source that fails (its one-line error in `report.source_errors`;
    a git source whose fetch fails is indexed from its previous checkout). Each source read is recorded
    in the state file (`retrieval.sources.state`) once the build is done. `publish_unchanged` False
    publishes nothing when no file changed (`report.published` False). Raises what indexing raises
    (CorpusError when no source gave a readable document, UnreadFilesError with `strict`).
    """
    from retrieval.ingest import build as indexer

    started = time.perf_counter()  # the report's time: the model's first export and the sources' reads too
    embedder = embedder or indexing_embedder(
        config.encoder, config.model, config.device, config.index_runtime
    )
    writer = library_backend(config).writer(config.index, embedder)
    if read is not None and indexer.reusable_manifest(writer, embedder, config.chunking) is None:
        # Sources not read now could only keep documents the live generation can lend: it has none.
        log.info("no live index made with these settings to keep documents from: reading every source")
        read = None
    live = _live_records(config)
    roots: list[Root] = []
    records: dict[str, SourceRecord] = {}
    errors: dict[str, str] = {}
    fresh: dict[str, SourceRecord] = {}
    for source in sources:
        if read is not None and source.name not in read:
            roots.append(carried(source.name))
            _keep(records, live, source.name)
            continue
        try:
            got = read_source(source, state_dir)
        except Exception as error:  # one source's failure, whatever it is, is that source's alone
            if not isinstance(error, SourceError):
                log.debug("reading source %s failed", source.name, exc_info=True)
                error = SourceError(source.name, str(error) or error.__class__.__name__)
            errors[source.name] = str(error)
            roots.append(carried(source.name))
            _keep(records, live, source.name)
            continue
        roots.append(got.root)
        records[source.name] = fresh[source.name] = got.record
        if got.error:
            errors[source.name] = got.error
    try:
        report = indexer.build(
            roots, writer, embedder, config.chunking, config.index_type, show_progress,
            config.sentence_vectors, config.exact_limit, strict, records, publish_unchanged,
        )  # fmt: skip
    except Exception as error:
        # Each source read now keeps its own error if it had one, else the build's.
        failed_build = {name: f"indexing failed: {error}" for name in fresh if name not in errors}
        _record_outcomes(state_dir, {}, {**errors, **failed_build})
        if errors and isinstance(error, CorpusError) and not isinstance(error, UnreadFilesError):
            # Nothing readable because sources failed: say why, rather than only "no readable documents".
            failed = "; ".join(errors.values())
            if len(errors) == len(sources):
                raise CorpusError(f"No source could be read: {failed}") from None
            raise CorpusError(f"{error} The sources that failed: {failed}") from None
        raise
    report.index_dir = config.index
    report.source_errors = errors
    report.seconds = time.perf_counter() - started
    _record_outcomes(state_dir, fresh, errors)
    return report


def _live_records(config: EngineConfig) -> dict[str, SourceRecord]:
    """The live generation's source records ({} when there is none, or it is unreadable)."""
    backend = library_backend(config)
    try:
        return backend.live_manifest(config.index, config.rebuild_hint)[1].sources
    except Exception:  # no index yet, or one this citebot cannot read: nothing to keep
        return {}


def _keep(records: dict[str, SourceRecord], live: dict[str, SourceRecord], name: str) -> None:
    """A source not read this time keeps the record of what the live generation has of it."""
    if name in live:
        records[name] = live[name]


def _record_outcomes(state_dir: Path, fresh: dict[str, SourceRecord], errors: dict[str, str]) -> None:
    now = utc_now()
    for name, error in errors.items():
        state.record_error(state_dir, name, now, error)
    for name, record in fresh.items():
        if name not in errors:
            state.record_success(state_dir, name, record.read_at, record.revision, record.pages)
