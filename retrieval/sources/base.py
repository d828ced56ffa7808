"""What a source is to retrieval (SourceSpec), what reading one gives (SourceRead), and its error."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from retrieval.errors import RetrievalError
from retrieval.ingest.loader import Root
from retrieval.manifest import SourceRecord


class SourceSpec(Protocol):
    """One entry of `sources:` (bot.settings.SourceSettings has this shape)."""

    name: str
    path: str | None
    git: str | None
    branch: str | None
    sitemap: str | None
    url: str | None
    include: tuple[str, ...]
    exclude: tuple[str, ...]
    refresh_minutes: float | None

    @property
    def kind(self) -> str:
        """ "path", "git", "sitemap" or "url"."""
        ...


class SourceError(RetrievalError):
    """A source could not be read; the message is one line that names the source."""

    def __init__(self, name: str, problem: str) -> None:
        self.name = name
        self.problem = problem
        super().__init__(f"source {name}: {problem}")


@dataclass(frozen=True)
class SourceRead:
    """A source as read this time: the root to index, its record, and (when a refresh failed but an
    earlier copy is indexed instead, e.g. the previous git checkout) the one-line error."""

    root: Root
    record: SourceRecord
    error: str | None = None


_CREDENTIALS = re.compile(r"(?<=//)[^/@\s]+@")


def location_of(source: SourceSpec) -> str:
    """Where the source is, as configured, with any user:password@ of a URL hidden (it is shown and logged)."""
    return hide_credentials(getattr(source, source.kind))


def hide_credentials(text: str) -> str:
    """`text` with the user:password@ of any URL in it replaced by ***@."""
    return _CREDENTIALS.sub("***@", text)


def utc_now() -> str:
    """Now, ISO-8601 UTC to the second (what SourceRecord.read_at and the state file hold)."""
    return datetime.now(UTC).isoformat(timespec="seconds")
