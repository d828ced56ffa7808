"""Reads a corpus folder into documents with traceable lines (.txt, .md, .html, .pdf)."""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from retrieval.errors import CorpusError
from retrieval.models import Document, LoadedDocument, SourceLine

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".pdf")
_URL_LINE = re.compile(r"^https?://\S+$")
_YEAR_LINE = re.compile(r"^(19|20)\d{2}$")
_KEY_VALUE_LINE = re.compile(r"^[\w ]{1,30}\s*[=:]\s*\S{1,40}$")
_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)
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
    """Load one file. Raises ValueError with a short reason when the file can't be read as text."""
    source = path.relative_to(corpus_dir).as_posix()
    raw = path.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return _load_pdf(path, source, digest)
    text = _decode_text(raw)
    if suffix in (".md", ".markdown"):
        return _load_markdown(text, source, digest)
    if suffix in (".html", ".htm"):
        return _load_html(text, source, digest)
    return _load_text(text, source, digest)


def _decode_text(raw: bytes) -> str:
    if b"\x00" in raw[:8192]:
        raise ValueError("looks binary (contains NUL bytes)")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValueError(f"not valid UTF-8 (byte {error.start})") from None


def _numbered_lines(text: str, first_number: int = 1, first_offset: int = 0) -> list[SourceLine]:
    """Lines with their 1-based numbers and character offsets in the file's text."""
    lines: list[SourceLine] = []
    offset = first_offset
    for index, raw in enumerate(text.splitlines(keepends=True)):
        lines.append(SourceLine(raw.splitlines()[0], first_number + index, None, offset))
        offset += len(raw)
    return lines


def _fallback_title(lines: list[SourceLine], source: str) -> str:
    """First non-empty line when it is short enough to be a title, else the file name.

    A breadcrumb first line ("Home Articles Some Title") loses to a later line it ends with.
    """
    non_empty = [line.text.strip() for line in lines if line.text.strip()][:6]
    if non_empty and len(non_empty[0]) <= _MAX_TITLE_CHARS:
        first = non_empty[0]
        for later in non_empty[1:]:
            if len(later) > 10 and first != later and first.endswith(later):
                return later
        return first
    return Path(source).stem.replace("_", " ").replace("-", " ")


def _load_text(text: str, source: str, digest: str) -> LoadedDocument:
    lines = _numbered_lines(text)
    title, url, body = _split_text_header(lines)
    document = Document(source, title or _fallback_title(lines, source), url, None, digest)
    return LoadedDocument(document, tuple(body))


def _split_text_header(lines: list[SourceLine]) -> tuple[str | None, str | None, list[SourceLine]]:
    """Detect a metadata header: a few short lines (id, title, year) ending in a bare URL line.

    Returns (title, url, body lines). Without such a header the body is every line.
    """
    head = [(i, line.text.strip()) for i, line in enumerate(lines[:8]) if line.text.strip()][:5]
    for position, (index, value) in enumerate(head):
        if _URL_LINE.match(value) and position >= 1:
            candidates = [
                v for _, v in head[:position] if not _YEAR_LINE.match(v) and not _KEY_VALUE_LINE.match(v)
            ]
            if candidates and all(len(v) <= 300 for _, v in head[:position]):
                title = max(candidates, key=len)
                title = re.sub(r"\s+-\s+\w+$", "", title) if len(title) > 40 else title
                return title, value, lines[index + 1 :]
    return None, None, lines


def _load_markdown(text: str, source: str, digest: str) -> LoadedDocument:
    meta: dict = {}
    body_text, first_line = text, 1
    match = _FRONT_MATTER.match(text)
    if match:
        try:
            loaded = yaml.safe_load(match.group(1))
            meta = loaded if isinstance(loaded, dict) else {}
        except yaml.YAMLError:
            log.warning("%s: front matter is not valid YAML; ignoring it", source)
        body_text = text[match.end() :]
        first_line = text[: match.end()].count("\n") + 1
    lines = _numbered_lines(body_text, first_line, match.end() if match else 0)
    title = meta.get("title")
    if not title:
        heading = next((ln.text for ln in lines if ln.text.startswith("# ")), None)
        title = heading[2:].strip() if heading else _fallback_title(lines, source)
    lines = [_markdown_line(ln) for ln in lines]
    date = meta.get("date")
    document = Document(source, str(title), _str_or_none(meta.get("url")), _str_or_none(date), digest)
    return LoadedDocument(document, tuple(lines))


def _markdown_line(line: SourceLine) -> SourceLine:
    """Markup stripped; the offset kept only where the text is still verbatim (a prefix marker dropped)."""
    text = _strip_markdown(line.text)
    position = line.text.find(text) if text else -1
    offset = line.offset + position if position >= 0 and line.offset is not None else None
    return SourceLine(text, line.number, None, offset)


_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_MARKUP = re.compile(r"^\s{0,3}(#{1,6}\s+|>\s?|[-*+]\s+(?=\S))")


def _strip_markdown(line: str) -> str:
    """Drop heading/quote/bullet markers and link targets so passages read as prose."""
    line = _MD_LINK.sub(r"\1", line)
    return _MD_MARKUP.sub("", line).replace("**", "").replace("__", "")


def _str_or_none(value: object) -> str | None:
    return None if value in (None, "") else str(value)


def _load_html(text: str, source: str, digest: str) -> LoadedDocument:
    # trafilatura does the main-text extraction (boilerplate removal) far better than a hand-rolled parser.
    import trafilatura

    extracted = trafilatura.bare_extraction(
        text, include_comments=False, include_tables=True, with_metadata=True
    )
    body = ""
    title = url = date = None
    if extracted is not None:
        body = extracted.text or ""
        title, url, date = extracted.title, extracted.url, extracted.date
    raw_lines = text.splitlines()
    # Main text lives in <body>: searching from there keeps a heading off the <title> line in <head>.
    body_start = next((i for i, raw in enumerate(raw_lines) if "<body" in raw.lower()), 0)
    lines = [SourceLine(value, _find_line(raw_lines, value, body_start)) for value in body.splitlines()]
    title = title or _fallback_title(lines, source)
    return LoadedDocument(Document(source, title, url, date, digest), tuple(lines))


def _find_line(raw_lines: list[str], value: str, start: int = 0) -> int | None:
    """Best-effort line of the HTML source where an extracted paragraph starts (searching from `start`)."""
    probe = value.strip()[:40]
    if len(probe) < 8:
        return None
    for number, raw in enumerate(raw_lines[start:], start=start + 1):
        if probe in raw:
            return number
    return None


def _load_pdf(path: Path, source: str, digest: str) -> LoadedDocument:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(path)
        lines: list[SourceLine] = []
        for page_number, page in enumerate(reader.pages, start=1):
            page_text = page.extract_text() or ""
            lines.extend(SourceLine(value, None, page_number) for value in page_text.splitlines())
        meta_title = (reader.metadata.title if reader.metadata else None) or None
    except (PdfReadError, ValueError, KeyError, OSError) as error:
        raise ValueError(f"unreadable PDF ({error.__class__.__name__})") from None
    if not any(line.text.strip() for line in lines):
        raise ValueError("PDF has no extractable text (scanned images need OCR first)")
    title = meta_title or _fallback_title(lines, source)
    return LoadedDocument(Document(source, str(title), None, None, digest), tuple(lines))
