"""Reads a corpus folder into documents made of blocks (.txt, .md, .html, .pdf, .rst, .docx)."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from retrieval.errors import CorpusError
from retrieval.formats import PARSERS
from retrieval.models import Block, Document, LoadedDocument

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = tuple(PARSERS)
_MAX_TITLE_CHARS = 150


@dataclass(frozen=True)
class SkippedFile:
    source: str
    reason: str


def iter_corpus_files(corpus_dir: Path) -> Iterator[Path]:
    """Yield supported files under corpus_dir, recursively, in a stable order; hidden files skipped."""
    if not corpus_dir.exists():
        raise CorpusError(f"Corpus folder {corpus_dir} does not exist.")
    if not corpus_dir.is_dir():
        raise CorpusError(f"Corpus path {corpus_dir} is not a folder.")
    for path in sorted(corpus_dir.rglob("*")):
        relative = path.relative_to(corpus_dir)
        if any(part.startswith(".") for part in relative.parts):
            continue
        if path.is_file() and path.suffix.lower() in SUPPORTED_SUFFIXES:
            yield path


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_document(path: Path, corpus_dir: Path) -> LoadedDocument:
    """Parse one file into its document metadata and blocks.

    Raises ValueError with a short reason when the file can't be read (binary, unreadable PDF, ...).
    A file decoded from a legacy encoding or UTF-16 is logged as a warning, not skipped.
    """
    source = path.relative_to(corpus_dir).as_posix()
    raw = path.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    parsed = PARSERS[path.suffix.lower()](raw, source)
    for note in parsed.notes:
        log.warning("%s: %s", source, note)
    title = parsed.title or _fallback_title(parsed.blocks, source)
    document = Document(source, title, parsed.url, parsed.date, digest)
    return LoadedDocument(document, tuple(parsed.blocks))


def _fallback_title(blocks: list[Block], source: str) -> str:
    """The first heading; else the first block when short enough to be a title; else the file name.

    A breadcrumb first line ("Home Articles Some Title") loses to a later line it ends with.
    """
    heading = next((b.text for b in blocks if b.kind == "heading"), None)
    if heading:
        return heading
    texts = [b.text for b in blocks[:6] if b.kind != "code"]
    if texts and len(texts[0]) <= _MAX_TITLE_CHARS:
        first = texts[0]
        for later in texts[1:]:
            if len(later) > 10 and first != later and first.endswith(later):
                return later
        return first
    return Path(source).stem.replace("_", " ").replace("-", " ")
