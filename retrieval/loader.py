"""Reads a corpus folder into documents made of blocks, one reader per suffix (formats.PARSERS)."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from retrieval.anchors import resolve_anchors, slug_style
from retrieval.errors import CorpusError
from retrieval.formats import PARSERS, notion
from retrieval.models import Block, Document, LoadedDocument

log = logging.getLogger(__name__)

_MAX_TITLE_CHARS = 150


@dataclass(frozen=True)
class SkippedFile:
    """A corpus file that is not in the index, and why (`reason` is shown to the user as is)."""

    source: str
    reason: str


class UnreadFilesError(CorpusError):
    """A strict build met files it could not read; nothing was published.

    `unread`: files no reader takes (reason "no reader for .xyz"); `skipped`: files a reader failed on
    (binary, damaged, no text left). Each is sorted by source.
    """

    def __init__(self, unread: list[SkippedFile], skipped: list[SkippedFile]) -> None:
        self.unread = tuple(unread)
        self.skipped = tuple(skipped)
        count = len(self.unread) + len(self.skipped)
        super().__init__(f"{count} corpus file(s) not read; a strict build publishes nothing.")


def no_reader_reason(path: Path) -> str:
    """Why a file with no reader is not indexed: "no reader for .xyz" (by suffix, lower case)."""
    suffix = path.suffix.lower()
    return f"no reader for {suffix}" if suffix else "no reader for files without an extension"


def corpus_files(corpus_dir: Path) -> tuple[list[Path], list[SkippedFile]]:
    """The files under corpus_dir that a reader takes (by suffix, see formats.PARSERS) and those none
    takes, each in a stable order. Hidden files and folders (.git, .DS_Store) are neither: ignored.
    A Notion database's view (`Name <id>.csv`) beside its `Name <id>_all.csv` is listed as not read:
    its rows are all in the `_all` file (formats.notion.view_reason).

    Raises CorpusError when corpus_dir is missing or not a folder.
    """
    if not corpus_dir.exists():
        raise CorpusError(f"Corpus folder {corpus_dir} does not exist.")
    if not corpus_dir.is_dir():
        raise CorpusError(f"Corpus path {corpus_dir} is not a folder.")
    readable: list[Path] = []
    unread: list[SkippedFile] = []
    for path in sorted(corpus_dir.rglob("*")):
        relative = path.relative_to(corpus_dir)
        if any(part.startswith(".") for part in relative.parts) or not path.is_file():
            continue
        declined = notion.view_reason(path)  # a Notion database's view beside its _all.csv
        if declined:
            unread.append(SkippedFile(relative.as_posix(), declined))
        elif path.suffix.lower() in PARSERS:
            readable.append(path)
        else:
            unread.append(SkippedFile(relative.as_posix(), no_reader_reason(path)))
    return readable, unread


def iter_corpus_files(corpus_dir: Path) -> Iterator[Path]:
    """Yield the files a reader takes under corpus_dir, recursively, in a stable order; hidden files skipped."""
    yield from corpus_files(corpus_dir)[0]


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_document(path: Path, corpus_dir: Path, style: str | None = None) -> LoadedDocument:
    """Parse one file into its document metadata and blocks.

    Every heading gets its anchor (anchors.resolve_anchors) in slug `style`; None: the style the
    file's folder shows (anchors.slug_style, e.g. an mkdocs.yml above it).

    Raises ValueError with a short reason when the file can't be read (binary, unreadable PDF, ...), and
    its subclass NoReaderError when the reader for its suffix finds content it does not read (a YAML file
    that is no OpenAPI document).
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
    blocks = resolve_anchors(parsed.blocks, style or slug_style(path, corpus_dir))
    return LoadedDocument(document, tuple(blocks))


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
