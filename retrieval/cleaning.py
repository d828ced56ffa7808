"""Drops page chrome (menus, forms, captchas, share bars, copyright, repeats) so it is never cited.

Works line by line and keeps each surviving line's number in the source file.
"""

from __future__ import annotations

import re
import unicodedata

from retrieval.models import SourceLine

_FORM_PROMPT = re.compile(
    r"^(please (enter|fill|type|provide)\b|leave a (comment|reply)|your email address will not be published"
    r"|required fields are marked|post comment|save my name|notify me of)",
    re.IGNORECASE,
)
_CAPTCHA = re.compile(r"^\s*\d*\s*[−\-+×x*/÷]\s*\d*\s*=\s*\d*\s*$")
_COPYRIGHT = re.compile(r"(©|\(c\)\s*\d{4}|copyright\s+(©\s*)?\d{4}|all rights reserved)", re.IGNORECASE)
_CHROME_PHRASE = re.compile(
    r"^(share (this|on|via)\b|share:?$|follow us\b|related (posts|articles|stories|content)|read more:?$"
    r"|subscribe( now| to)?\b|sign (up|in)\b|log ?in:?$|privacy policy|terms of (use|service)"
    r"|cookie (policy|settings|preferences)|skip to (main )?content|back to top|print this|advertisement:?$)"
    r"(?-i:(?![a-z]))",  # "Related PostsFollow us" (glued by a scraper) still counts
    re.IGNORECASE,
)
_SOCIAL_WORDS = {
    "twitter", "facebook", "youtube", "github", "linkedin", "instagram", "soundcloud", "reddit", "pinterest",
    "email", "share", "tumblr", "whatsapp", "telegram", "rss", "mastodon", "tiktok", "x", "print", "copy", "link",
}  # fmt: skip
_MENU_RUN = 3  # this many short link-like lines in a row is a menu, not content
_SHORT_LINE_WORDS = 4


def normalize(text: str) -> str:
    """Compare form of a line: NFKC, whitespace folded, lower case."""
    return " ".join(unicodedata.normalize("NFKC", text).split()).lower()


def clean_lines(lines: tuple[SourceLine, ...] | list[SourceLine]) -> list[SourceLine]:
    """Keep the lines worth citing, in order, unchanged apart from outer whitespace."""
    stripped = [_strip(line) for line in lines]
    non_empty = [line for line in stripped if line.text]
    menu_lines = _menu_runs(non_empty)
    kept: list[SourceLine] = []
    seen: set[str] = set()
    for index, line in enumerate(non_empty):
        key = normalize(line.text)
        if index in menu_lines or key in seen or is_chrome(line.text):
            continue
        seen.add(key)
        kept.append(line)
    return kept


def _strip(line: SourceLine) -> SourceLine:
    text = line.text.strip()
    offset = None if line.offset is None else line.offset + (len(line.text) - len(line.text.lstrip()))
    return SourceLine(text, line.number, line.page, offset)


def is_chrome(text: str) -> bool:
    """True for a single line that is page furniture whatever surrounds it."""
    if _FORM_PROMPT.match(text) or _CAPTCHA.match(text):
        return True
    if len(text) < 200 and _COPYRIGHT.search(text):
        return True
    if len(text) < 80 and _CHROME_PHRASE.match(text):
        return True
    words = re.findall(r"[a-z]+", text.lower())
    return len(words) >= 2 and all(word in _SOCIAL_WORDS for word in words)


def _is_link_like(text: str) -> bool:
    """A short line with no sentence punctuation, like a menu entry."""
    return len(text.split()) <= _SHORT_LINE_WORDS and not re.search(r"[.!?,;:\"“”]$", text)


def _menu_runs(lines: list[SourceLine]) -> set[int]:
    """Indexes of lines inside runs of link-like lines (navigation menus, footers, tag lists)."""
    flagged: set[int] = set()
    run: list[int] = []
    for index, line in enumerate([*lines, SourceLine("end of document.", None)]):
        if _is_link_like(line.text):
            run.append(index)
            continue
        if len(run) >= _MENU_RUN:
            flagged.update(run)
        run = []
    return flagged
