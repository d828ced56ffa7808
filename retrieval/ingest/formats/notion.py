"""Notion exports (Markdown & CSV): recognising an exported file, its title, its link, and its quirks.

Notion's "Export > Markdown & CSV" names every page `Page Title <32 hex>.md` and every database
`Table Name <32 hex>.csv` (newer exports add `Table Name <32 hex>_all.csv`, all rows of every view),
in folders named the same way; the hex is the page's or database's id. A page opens with
`# Page Title`, then its properties one per line ("Owner: Jane Doe"), then its blocks; callouts are
written `<aside>` ... `</aside>` around Markdown; links to other pages of the export are their
URL-encoded relative paths (`[Runbook](Runbook%20623b...ec3a.md)`), and an image without a caption
shows its path or "Untitled" as its alt text.

A file is taken for a Notion export's only by that name (a title, a space, 32 lower-case hex
digits): for such a file the title is the page's `# heading` (a database's name for a CSV), never
the id; the link is `https://www.notion.so/<Title-words>-<id>`, the address Notion itself gives a
page or database (it answers by the id; the words are for the reader); the properties become
definitions; callouts are read as the Markdown they hold; an export path shown as text reads as the
page's name (an image's is dropped). A database's view file beside its `_all.csv` is not read
(the loader lists it with the reason): its rows are all in the `_all` file. Any other Markdown or
CSV file is left exactly as its reader made it.

Hand-written: the rules are a file-name pattern and three text rewrites; the Notion libraries
(notion-client, notion2md) read Notion's API, not its exports.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

from retrieval.ingest.formats.base import LineMap, Parsed, block, decode
from retrieval.models import Block

NOTION_SITE = "https://www.notion.so"
_EXPORT_NAME = re.compile(r"^(?P<title>.*\S)\s+(?P<id>[0-9a-f]{32})(?P<all>_all)?$")
_ID_SUFFIX = re.compile(r"\s+[0-9a-f]{32}(?:_all)?$")
_CALLOUT_TAG = re.compile(rb"(?im)^[ \t]*</?aside>[ \t]*\r?$")
_PROPERTY = re.compile(r"^\s*([^\s:#>*|`-][^:\n]{0,39}):\s+(\S.*?)\s*$")  # "Last edited time: May 3"
_EXPORT_PATH = re.compile(r"\S*%20[0-9a-f]{32}\S*")  # a relative path inside the export, URL-encoded
_IMAGE_ONLY = re.compile(r"^\s*(!\[[^\]]*\]\([^)]*\)\s*)+$")
_IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".bmp", ".tif", ".tiff", ".heic"}
_NOTION_DEFAULT_ALT = "untitled"
# Notion's own date properties, most telling first; their values read "March 12, 2024 9:41 AM".
_DATE_PROPERTIES = ("last edited time", "last edited", "updated", "created time", "created")
_NOTION_DATE = re.compile(r"[A-Z][a-z]+ \d{1,2}, \d{4}")


@dataclass(frozen=True)
class ExportName:
    """What a Notion export's file name says: the page's title (as Notion shortened it for the file
    name) and its id (32 hex digits)."""

    title: str
    page_id: str

    @property
    def url(self) -> str:
        """`https://www.notion.so/Page-Title-<id>`; the id alone when the title has no ASCII words."""
        words = re.sub(r"[^0-9A-Za-z]+", "-", self.title).strip("-")
        return f"{NOTION_SITE}/{words}-{self.page_id}" if words else f"{NOTION_SITE}/{self.page_id}"


def export_name(source: str) -> ExportName | None:
    """The title and id in a Notion export's file name ("Runbook 623b...ec3a.md",
    "Services 9c96...5dd8_all.csv"), or None for any other file name."""
    found = _EXPORT_NAME.match(PurePosixPath(source.replace("\\", "/")).stem)
    return ExportName(found.group("title"), found.group("id")) if found else None


def without_ids(path: str) -> str:
    """A path of the export as its reader would name it: "Runbook 623b...ec3a/Steps 9c96...5dd8.md"
    reads "Runbook / Steps"; ids and the extension go."""
    parts = [_ID_SUFFIX.sub("", part) for part in PurePosixPath(path).with_suffix("").parts]
    return " / ".join(part for part in parts if part)


def view_reason(path: Path) -> str | None:
    """Why a Notion database's view export is not read: newer exports write each database twice,
    `Name <id>.csv` (the rows its view shows) and `Name <id>_all.csv` (all its rows); the view's rows
    are all in the `_all` file, so reading both would index every row twice. None for any other file
    (a database exported without its `_all` file is read)."""
    name = export_name(path.name)
    if name is None or path.suffix.lower() != ".csv" or path.stem.endswith("_all"):
        return None
    everything = path.with_name(f"{path.stem}_all{path.suffix}")
    if not everything.is_file():
        return None
    return f"no reader for .csv (a Notion database view; {everything.name} beside it holds all its rows)"


def unwrap_callouts(raw: bytes) -> bytes:
    """Notion's `<aside>` / `</aside>` lines around a callout become blank lines of the same length,
    so that the Markdown between them is read as Markdown (lines and offsets stay true)."""
    return _CALLOUT_TAG.sub(lambda found: b" " * len(found.group().rstrip(b"\r")), raw)


def read_page(parsed: Parsed, name: ExportName, raw: bytes) -> Parsed:
    """A Notion page as its reader parsed it, with Notion's own title and link, its properties as
    definitions ("Owner: Jane Doe"), its date from its "Last edited time" (else "Created") property,
    and its export paths read as names.

    `raw` is the file's bytes (the properties are read line by line from its text).
    """
    lines = LineMap(decode(raw)[0])
    blocks = _with_properties(parsed.blocks, lines)
    date = parsed.date or _edited_date([b.text for b in blocks if b.kind == "definition"])
    blocks = [b for b in (_readable(b, lines) for b in blocks) if b is not None]
    return replace(
        parsed, blocks=blocks, title=parsed.title or name.title, url=parsed.url or name.url, date=date
    )


def read_database(parsed: Parsed, name: ExportName) -> Parsed:
    """A Notion database exported as CSV: titled by its name and linked to it, rows as read."""
    return replace(parsed, title=name.title, url=parsed.url or name.url)


def _with_properties(blocks: list[Block], lines: LineMap) -> list[Block]:
    """The paragraph right under the page's title whose every line is "Name: value" (the page's
    properties) as one definition per line."""
    if len(blocks) < 2 or blocks[0].kind != "heading" or blocks[1].kind != "paragraph":
        return blocks
    first, last = blocks[1].line_start, blocks[1].line_end
    if first is None or last is None:
        return blocks
    texts = [lines.line(number) for number in range(first, last + 1)]
    if not all(_PROPERTY.match(text) for text in texts):
        return blocks
    definitions = [
        block("definition", " ".join(text.split()), lines, number, number)
        for number, text in zip(range(first, last + 1), texts, strict=True)
    ]
    return [blocks[0], *(d for d in definitions if d is not None), *blocks[2:]]


def _edited_date(properties: list[str]) -> str | None:
    """The ISO date of the page's last edit (else its creation) as its properties write it
    ("Last edited time: March 12, 2024 9:41 AM"); None when no such property reads as a date."""
    values = {}
    for text in properties:
        key, _, value = text.partition(":")
        values.setdefault(key.strip().lower(), value.strip())
    for key in _DATE_PROPERTIES:
        found = _NOTION_DATE.match(values.get(key, ""))
        if found:
            for pattern in ("%B %d, %Y", "%b %d, %Y"):
                try:
                    return datetime.datetime.strptime(found.group(), pattern).date().isoformat()
                except ValueError:
                    continue
    return None


def _readable(found: Block, lines: LineMap) -> Block | None:
    """A block whose text shows export paths with those paths as page names; None for an image
    paragraph left with nothing but Notion's default alt text ("Untitled") or a path."""
    if found.kind == "code":
        return found
    text = _EXPORT_PATH.sub(_path_as_name, found.text)
    text = " ".join(text.split())
    if found.line_start is not None and found.line_end is not None:
        source = [lines.line(n) for n in range(found.line_start, found.line_end + 1)]
        if all(_IMAGE_ONLY.match(line) or not line.strip() for line in source):
            if not text or text.lower() == _NOTION_DEFAULT_ALT:
                return None
    if text == found.text:
        return found
    return replace(found, text=text) if text else None


def _path_as_name(found: re.Match) -> str:
    path = unquote(found.group())
    if PurePosixPath(path).suffix.lower() in _IMAGE_SUFFIXES:
        return ""
    return without_ids(path)
