"""Reads one named source into a folder to index: a folder as it is, a git repository as a checkout in
the state folder, a website as the pages `retrieval.sources.website.fetch_site` saved there."""

from __future__ import annotations

import logging
from pathlib import Path

from retrieval.ingest.loader import Root
from retrieval.manifest import SourceRecord
from retrieval.sources import git
from retrieval.sources.base import SourceError, SourceRead, SourceSpec, location_of, utc_now
from retrieval.sources.globs import PathFilter

log = logging.getLogger(__name__)


def checkout_folder(state_dir: Path, name: str) -> Path:
    """Where a git or website source's copy lives: <state>/sources/<name>/."""
    return Path(state_dir) / "sources" / name


def read_source(source: SourceSpec, state_dir: Path) -> SourceRead:
    """Bring the source up to date and say what to index from it.

    git: clone or fetch (a failed fetch keeps the previous checkout: returned with `error` set).
    Raises SourceError (one line naming the source) when there is nothing to index from it at all.
    """
    kind = source.kind
    if kind == "path":
        return _folder(source)
    if kind == "git":
        return _git(source, checkout_folder(state_dir, source.name))
    return _website(source, checkout_folder(state_dir, source.name))


def carried(name: str) -> Root:
    """The root of a source that is not read this time: its documents stay as the live generation has them."""
    return Root(Path("."), name, carry=True)


def _record(source: SourceSpec, revision: str | None = None, pages: int | None = None) -> SourceRecord:
    return SourceRecord(source.name, source.kind, location_of(source), revision, 0, utc_now(), pages)


def _root(source: SourceSpec, folder: Path, pages=None) -> Root:
    accepts = PathFilter(source.include, source.exclude)
    return Root(folder, source.name, accepts if accepts.filters else None, pages)


def _folder(source: SourceSpec) -> SourceRead:
    folder = Path(source.path or "").expanduser()
    if not folder.is_dir():
        problem = "does not exist" if not folder.exists() else "is not a folder"
        raise SourceError(source.name, f"folder {folder} {problem}")
    return SourceRead(_root(source, folder), _record(source))


def _git(source: SourceSpec, into: Path) -> SourceRead:
    try:
        commit = git.checkout(source.git or "", source.branch, into)
    except git.GitError as error:
        if not (into / ".git").is_dir():
            raise SourceError(source.name, str(error)) from None
        problem = f"{error}; indexing the previous checkout"
        record = _record(source, git.revision(into))
        return SourceRead(_root(source, into), record, f"source {source.name}: {problem}")
    return SourceRead(_root(source, into), _record(source, commit))


def _website(source: SourceSpec, into: Path) -> SourceRead:
    from retrieval.sources.website import fetch_site  # httpx and lxml: loaded only for website sources

    into.mkdir(parents=True, exist_ok=True)
    try:
        snapshot = fetch_site(source, into)
    except Exception as error:  # the fetcher's own failure, whatever it is: one line, the rest in the log
        log.debug("source %s: fetching failed", source.name, exc_info=True)
        problem = getattr(error, "problem", None) or str(error) or error.__class__.__name__
        raise SourceError(source.name, problem) from None  # its own SourceError already names the source
    for url, reason in snapshot.refused:
        log.info("source %s: not read: %s (%s)", source.name, url, reason)
    # The fetcher applies include/exclude to URL paths itself; only the pages it lists are read.
    root = Root(into, source.name, None, dict(snapshot.pages))
    return SourceRead(root, _record(source, pages=len(snapshot.pages)))
