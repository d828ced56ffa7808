"""What `citebot status` shows per named source: the live index's record of it and its last refresh outcome."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from retrieval.manifest import SourceRecord
from retrieval.sources.base import SourceSpec, location_of
from retrieval.sources.state import SourceState, source_states


def sources_status(
    sources: Sequence[SourceSpec],
    records: Mapping[str, SourceRecord],
    files: Sequence[str],
    state_dir: Path,
) -> list[dict]:
    """One dict per configured source, in config order: name, kind, location (credentials hidden),
    documents (in the live index, from its `files` keys), commit and pages (what the live index was
    built from: git commit, website page count), indexed_at (when that was read), last_success,
    last_error and last_error_at (the last refresh outcome, from the state file; errors of a bot
    process included)."""
    states = source_states(state_dir)
    described = []
    for source in sources:
        record = records.get(source.name)
        outcome = states.get(source.name, SourceState())
        prefix = f"{source.name}/"
        described.append(
            {
                "name": source.name,
                "kind": source.kind,
                "location": location_of(source),
                "documents": sum(1 for key in files if key.startswith(prefix)),
                "commit": record.revision if record else None,
                "pages": record.pages if record else None,
                "indexed_at": record.read_at if record else None,
                "last_success": outcome.last_success,
                "last_error": outcome.last_error,
                "last_error_at": outcome.last_error_at,
            }
        )
    return described
