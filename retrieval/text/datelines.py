"""Datelines: a short line that is a date ("July 22, 2019", "July 22, 2019|Microsoft News Center",
"2019-07-22 · 4 min read").

At the head of a news story, a blog post or a press release the dateline dates what the title above it
announces, so chunking (retrieval/ingest/chunking.py) gives it that title as its lead, and the composer
(retrieval/answering/compose.py) quotes it only when a date is asked for: it says nothing else. A dated
section heading ("## [2.4.0] - 2024-03-12" in a changelog) dates its section the same way: chunking
repeats it as the first line of the section's text, where it can be quoted, on the same terms.

A hand-written pattern rather than a date parser: it must tell a line that *is* a date from prose that
mentions one, which parsers (dateutil's fuzzy mode) do not.
"""

from __future__ import annotations

import re

_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
# A full date: month, day and year in either order, or ISO 8601 ("2024-03-12").
_DATE = rf"(?:{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|\d{{1,2}}\s+{_MONTH},?\s+\d{{4}}|\d{{4}}-\d\d-\d\d)\b"
_DATELINE = re.compile(rf"^{_DATE}", re.IGNORECASE)
_DATED = re.compile(rf"(?<![\w-]){_DATE}", re.IGNORECASE)
DATELINE_WORDS = 8  # a date and its outlet or reading time; a longer line is a sentence about a date
DATED_HEADING_WORDS = 10  # "v2.4.0 (March 12, 2024)", "Release 3.1 — 2024-03-12": a longer heading is a title


def is_dated_heading(text: str) -> bool:
    """Is `text` (a section heading) a dated one: at most DATED_HEADING_WORDS words holding a full date
    anywhere ("[2.4.0] - 2024-03-12", "Version 3.1 (March 12, 2024)")? A changelog's release headings,
    a news archive's or a meeting log's days: the date of everything in the section below it."""
    return len(text.split()) <= DATED_HEADING_WORDS and bool(_DATED.search(text))


def is_dateline(text: str) -> bool:
    """Is `text` a dateline: at most DATELINE_WORDS words, starting with a full date (month, day and year)?"""
    return len(text.split()) <= DATELINE_WORDS and bool(_DATELINE.search(text.strip()))
