"""Reads corpus folders into documents made of blocks, one reader per suffix (formats.PARSERS).

A folder is a `Root`: the `corpus:` shorthand is one root whose files are keyed by their path; each named
source of `sources:` is a root whose files are keyed "<name>/<path inside the source>"."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from retrieval.errors import CorpusError
from retrieval.ingest.anchors import resolve_anchors, slug_style
from retrieval.ingest.formats import PARSERS, notion
from retrieval.ingest.formats.base import (
    TITLE_MAX_CHARS,
    breadcrumb_end,
    ends_like_prose,
    heading_title,
    name_title,
)
from retrieval.ingest.generated import generated_reason
from retrieval.models import Block, Document, LoadedDocument

log = logging.getLogger(__name__)


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


@dataclass(frozen=True)
class Root:
    """One folder of documents and how its files are keyed in the index.

    `name` "" (the `corpus:` shorthand): a file's key is its POSIX path inside `folder`; else
    "<name>/<path>". `accepts(path)` (include/exclude globs) says whether a file is read at all; a file it
    refuses is neither read nor reported. `pages` (a website) lists the only files read, path -> the URL
    each was fetched from (their `Document.url`). `carry`: nothing is read; the live generation's documents
    under "<name>/" are kept as they are (a source not due for refresh, or one that could not be read)."""

    folder: Path
    name: str = ""
    accepts: Callable[[str], bool] | None = None
    pages: Mapping[str, str] | None = None
    carry: bool = False

    def key(self, relative: str) -> str:
        """The index key of the file at POSIX path `relative` inside the folder."""
        return f"{self.name}/{relative}" if self.name else relative

    @property
    def prefix(self) -> str:
        """What every key of this root starts with ("" for the shorthand)."""
        return f"{self.name}/" if self.name else ""


@dataclass(frozen=True)
class RootFile:
    """A file to read: its index key, where it is, the URL it was fetched from (websites), and the
    folder of its root (where a generator's config, e.g. mkdocs.yml, may name its anchor style)."""

    key: str
    path: Path
    url: str | None = None
    folder: Path | None = None


def no_reader_reason(path: Path) -> str:
    """Why a file with no reader is not indexed: "no reader for .xyz" (by suffix, lower case)."""
    suffix = path.suffix.lower()
    return f"no reader for {suffix}" if suffix else "no reader for files without an extension"


def corpus_files(corpus_dir: Path) -> tuple[list[Path], list[SkippedFile]]:
    """The files under corpus_dir that a reader takes (by suffix, see formats.PARSERS) and those none
    takes, each in a stable order. Hidden files and folders (.git, .DS_Store) are neither: ignored.
    A Notion database's view (`Name <id>.csv`) beside its `Name <id>_all.csv` is listed as not read:
    its rows are all in the `_all` file (formats.notion.view_reason); so are the files a Sphinx HTML
    build writes beside its pages (`_sources/` copies, `_static/`, the index and search pages:
    ingest/generated.py).

    Raises CorpusError when corpus_dir is missing or not a folder.
    """
    readable, unread = root_files(Root(corpus_dir))
    return [file.path for file in readable], unread


def root_files(root: Root) -> tuple[list[RootFile], list[SkippedFile]]:
    """A root's files that a reader takes and (keyed likewise) those none takes, each sorted by path.
    Hidden files and folders are ignored, and so are the files `root.accepts` refuses; a website root
    yields only its `pages` that are on disk. A `carry` root yields nothing.

    Raises CorpusError when the folder is missing or not a folder.
    """
    if root.carry:
        return [], []
    folder = root.folder
    if not folder.exists():
        raise CorpusError(f"Corpus folder {folder} does not exist.")
    if not folder.is_dir():
        raise CorpusError(f"Corpus path {folder} is not a folder.")
    readable: list[RootFile] = []
    unread: list[SkippedFile] = []
    builds: dict[Path, bool] = {}
    for relative, path in _candidates(root):
        if root.accepts is not None and not root.accepts(relative):
            continue
        # A Notion database's view beside its _all.csv; a Sphinx build's source copies, index pages.
        declined = notion.view_reason(path) or generated_reason(path, folder, builds)
        if root.name and not _inside(path, root.folder):
            # A repository or a fetched site must not bring this machine's files into answers.
            log.warning("%s: not read: %s", root.key(relative), OUTSIDE_LINK)
            unread.append(SkippedFile(root.key(relative), OUTSIDE_LINK))
        elif declined:
            unread.append(SkippedFile(root.key(relative), declined))
        elif path.suffix.lower() in PARSERS:
            url = root.pages.get(relative) if root.pages is not None else None
            readable.append(RootFile(root.key(relative), path, url, folder))
        else:
            unread.append(SkippedFile(root.key(relative), no_reader_reason(path)))
    return readable, unread


def _candidates(root: Root) -> Iterator[tuple[str, Path]]:
    """(POSIX path inside the folder, path) of the root's visible files, sorted."""
    if root.pages is not None:
        for relative in sorted(root.pages):
            path = root.folder / relative
            if path.is_file() and not path.is_symlink():
                yield relative, path
        return
    for path in sorted(root.folder.rglob("*")):
        relative = path.relative_to(root.folder)
        if any(part.startswith(".") for part in relative.parts) or not path.is_file():
            continue
        yield relative.as_posix(), path


OUTSIDE_LINK = "a link to a file outside the source"


def _inside(path: Path, folder: Path) -> bool:
    """Whether `path`, links followed, lies in `folder` (links followed too)."""
    return path.resolve().is_relative_to(folder.resolve())


def iter_corpus_files(corpus_dir: Path) -> Iterator[Path]:
    """Yield the files a reader takes under corpus_dir, recursively, in a stable order; hidden files skipped."""
    yield from corpus_files(corpus_dir)[0]


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_document(
    path: Path,
    corpus_dir: Path,
    style: str | None = None,
    *,
    source: str | None = None,
    url: str | None = None,
) -> LoadedDocument:
    """Parse one file into its document metadata and blocks. `source` (default: the path relative to
    corpus_dir) is its key; `url` (a fetched web page's) wins over a URL the file itself names.

    Every heading gets its anchor (anchors.resolve_anchors) in slug `style`; None: the style the
    file's folder shows (anchors.slug_style, e.g. an mkdocs.yml above it).

    Raises ValueError with a short reason when the file can't be read (binary, unreadable PDF, ...), and
    its subclass NoReaderError when the reader for its suffix finds content it does not read (a YAML file
    that is no OpenAPI document).
    A file decoded from a legacy encoding or UTF-16 is logged as a warning, not skipped.
    """
    source = source if source is not None else path.relative_to(corpus_dir).as_posix()
    raw = path.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    parsed = PARSERS[path.suffix.lower()](raw, source)
    for note in parsed.notes:
        log.warning("%s: %s", source, note)
    title = parsed.title or _fallback_title(parsed.blocks, source)
    document = Document(source, title, url or parsed.url, parsed.date, digest)
    blocks = resolve_anchors(parsed.blocks, style or slug_style(path, corpus_dir))
    return LoadedDocument(document, tuple(blocks))


def _fallback_title(blocks: list[Block], source: str) -> str:
    """The page's title where its format gave none: the heading naming it (`heading_title`); else its
    first block when short and no sentence; else its file's name (`name_title`). A page's first sentence
    or its first of several sections would head every passage cited from it.

    A breadcrumb first line ("Home Articles Some Title") loses to a later line it ends with.
    """
    heading = heading_title(blocks)
    if heading:
        return heading
    texts = [b.text for b in blocks[:6] if b.kind != "code"]
    if texts and len(texts[0]) <= TITLE_MAX_CHARS and not ends_like_prose(texts[0]):
        return breadcrumb_end(texts[0], texts[1:]) or texts[0]
    return name_title(source)
