"""Log files into blocks: one block per record (a timestamped line and its continuation lines), not per line.

A record starts at a line that begins with a timestamp; the lines after it that do not (a stack trace, an
indented payload, "Caused by: ...") belong to it. Consecutive records of one event are grouped into one
block: records sharing a request id (`req-1f2e`, `request_id=...`, a UUID), or, for records without one,
the same component (`[db.pool]`), while the group stays under `_GROUP_MAX_LINES` lines and within
`_GROUP_SPAN_S` seconds (compared on the timestamp's time of day). Each block is a `code` block with
language "log": its text is verbatim (newlines and indentation kept), the chunker packs whole records
into passages and quotes a record as one unit instead of embedding every line as a sentence.

Hand-written: no maintained library splits arbitrary application logs into records (logparser and Drain
learn message templates, a different job); the rule is the one log viewers use ("a line starting with a
timestamp starts an entry"). `looks_like_log` lets the plain-text reader hand log-like .txt files here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from retrieval.ingest.formats.base import LineMap, Parsed, block, decode
from retrieval.models import Block

# A line opening with a timestamp, optionally in brackets: ISO 8601 dates ("2024-03-12 10:15:32,123",
# "2024-03-12T10:15:32Z"), syslog ("Mar 12 10:15:32"), Apache/nginx ("12/Mar/2024:10:15:32"), glog
# ("I0312 10:15:32.123"), or a time of day alone ("10:15:32.123 INFO"). Group 1 is the time of day.
_TIMESTAMP = re.compile(
    r"^\[?(?:"
    r"\d{4}-\d{2}-\d{2}[T ]"
    r"|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) {1,2}\d{1,2} "
    r"|\d{1,2}/(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)/\d{4}:"
    r"|[IWEF]\d{4} "
    r")?(\d{2}):(\d{2}):(\d{2})(?!\d)"
)
_REQUEST_ID = re.compile(
    r"\b(?:req(?:uest)?[-_]?(?:id)?[=:]\s*([\w-]{4,})|(req-[0-9a-f]{4,})"
    r"|([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}))",
    re.IGNORECASE,
)
_COMPONENT = re.compile(r"\[([A-Za-z_][\w.:/-]{1,60})\]")

LOG_SHARE = (
    0.5  # a text is log-like when at least this share of its first non-blank lines start with a timestamp
)
SAMPLE_LINES = 200  # how many non-blank lines `looks_like_log` reads
_MIN_SAMPLE = 5  # fewer non-blank lines than this: not judged a log (a short note with a date is prose)
_GROUP_MAX_LINES = 12  # a group of records of one event holds at most this many lines
_GROUP_SPAN_S = 5  # ... whose timestamps lie within this many seconds of the group's first


def parse(raw: bytes, source: str) -> Parsed:
    """A log file's records as `code` blocks (language "log"), grouped by event; no title (the loader
    names the document after the file). ValueError for binary data (see base.decode)."""
    text, note = decode(raw)
    parsed = parse_text(text, LineMap(text))
    if note:
        parsed.notes.append(note)
    return parsed


def parse_text(text: str, lines: LineMap) -> Parsed:
    """`parse` for text already decoded, with its LineMap (the plain-text reader calls this)."""
    values = [value.rstrip("\r") for value in text.split("\n")]
    return Parsed(
        [made for first, last in _events(values) if (made := _record_block(values, lines, first, last))]
    )


def looks_like_log(values: Sequence[str]) -> bool:
    """True when at least LOG_SHARE of the first SAMPLE_LINES non-blank lines start with a timestamp."""
    sample = [value for value in values[: SAMPLE_LINES * 4] if value.strip()][:SAMPLE_LINES]
    if len(sample) < _MIN_SAMPLE:
        return False
    return sum(1 for value in sample if _TIMESTAMP.match(value)) >= LOG_SHARE * len(sample)


def records(values: Sequence[str]) -> list[tuple[int, int]]:
    """(first, last) 0-based line indexes of each record: a timestamped line and the lines after it
    that are not; lines before the first timestamp form a record of their own. Blank lines at a
    record's end are left out; a record of blank lines only is none."""
    found: list[tuple[int, int]] = []
    start = 0
    for index in range(1, len(values) + 1):
        if index == len(values) or _TIMESTAMP.match(values[index]):
            last = index - 1
            while last >= start and not values[last].strip():
                last -= 1
            if last >= start:
                found.append((start, last))
            start = index
    return found


def _events(values: Sequence[str]) -> list[tuple[int, int]]:
    """Records merged into events: consecutive records with one key (request id, else component)
    within _GROUP_MAX_LINES lines and _GROUP_SPAN_S seconds."""
    events: list[tuple[int, int]] = []
    key = opened = None
    for first, last in records(values):
        head = values[first]
        record_key = _key(head)
        seconds = _seconds(head)
        if (
            events and record_key is not None and record_key == key and opened is not None
            and seconds is not None and 0 <= seconds - opened <= _GROUP_SPAN_S
            and last - events[-1][0] + 1 <= _GROUP_MAX_LINES
        ):  # fmt: skip
            events[-1] = (events[-1][0], last)
            continue
        events.append((first, last))
        key, opened = record_key, seconds
    return events


def _key(head: str) -> str | None:
    """What ties a record to its neighbours: its request id, else its component; None without either."""
    match = _REQUEST_ID.search(head)
    if match:
        return "id:" + next(group for group in match.groups() if group)
    component = _COMPONENT.search(head)
    return "component:" + component.group(1) if component else None


def _seconds(head: str) -> int | None:
    """Seconds since midnight of the record's timestamp (None when the line has none)."""
    match = _TIMESTAMP.match(head)
    if not match:
        return None
    hours, minutes, seconds = (int(part) for part in match.groups())
    return hours * 3600 + minutes * 60 + seconds


def _record_block(values: Sequence[str], lines: LineMap, first: int, last: int) -> Block | None:
    """One event as a verbatim `code` block over 1-based lines first+1..last+1."""
    return block("code", "\n".join(values[first : last + 1]), lines, first + 1, last + 1, language="log")
