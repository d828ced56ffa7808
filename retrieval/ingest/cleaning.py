"""Drops page chrome (forms, captchas, share bars, copyright, reading-time badges, breadcrumbs, a paragraph
repeated in its section) so it is never cited, block by block: a block is judged by what it says, never by
being short.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace

from retrieval.models import Block

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
# Scraped-text signals: a reading-time badge, Cloudflare's e-mail obfuscation placeholder (press-contact
# and footer lines), a byline date stamp on its own.
_READING_TIME = re.compile(r"^\d+\s*(min|mins|minute|minutes)\s+read$", re.IGNORECASE)
_EMAIL_PLACEHOLDER = "[email protected]"
_MENU_RUN = 3  # scraped .txt only: this many short capitalised one-line blocks in a row are a menu
_MENU_WORDS = 4
_DEDUPE_MIN_WORDS = 4  # shorter blocks ("Yes", "No", "Default: 0") legitimately repeat
_PROSE = ("paragraph", "list_item", "quote", "definition")
# A scraped page's byline and dateline fields, each a label line over its value ("Authors" / "Greg
# Brockman"): short Title Case lines like a menu's, but who wrote a piece and when are facts readers ask
# for. A name field's value is a list of names (capitalised words, "and", commas); a date field's has a
# figure, so a menu that happens to hold "Authors" or "Published" ("Home / Authors / Docs") stays a menu.
_NAME_LABEL = re.compile(
    r"^(authors?|written by|posted by|by|editors?|reporters?|contributors?)$", re.IGNORECASE
)
_DATE_LABEL = re.compile(r"^(published|updated|posted|date)( on)?$", re.IGNORECASE)
_NAMES = re.compile(r"^[A-Z][\w.'’-]*(,?\s+(and\s+|&\s+)?[A-Z][\w.'’-]*){1,7}$")
_DATE_VALUE = re.compile(r"^(?=.*\d)[\w ,./-]{4,40}$")


def normalize(text: str) -> str:
    """Compare form of a text: NFKC, whitespace folded, lower case."""
    return " ".join(unicodedata.normalize("NFKC", text).split()).lower()


def clean_blocks(
    blocks: tuple[Block, ...] | list[Block], title: str = "", scraped: bool = False
) -> list[Block]:
    """The blocks worth citing, in order; code, table rows and list items are never judged by length.

    `scraped`: the file is plain text that may be a scraped web page (.txt), where runs of short Title
    Case lines are navigation menus and a paragraph said again in its section is the scraper's repeat (a
    news page's lede over its body). Markdown, HTML, PDF and the rest never lose a line to those rules: a
    reference states the same thing under each of its entries (METIS's manual gives each API function's
    "nn The number of nodes in the mesh."; AWS's each operator's limits), and the entries of a PDF or a
    definition list are no headings to part them (blind trial 47 lost 22 such lines of one manual).
    """
    if scraped:
        blocks = _joined_fields(blocks)
    menu = _menu_runs(blocks) if scraped else set()
    title_key = normalize(title)
    kept: list[Block] = []
    seen: set[str] = set()  # the prose said so far in this section (since the last heading)
    for index, item in enumerate(blocks):
        key = normalize(item.text)
        if item.kind == "heading":
            # A paragraph said again under another heading is content there: each install method's
            # "Note", each script's "Commands that invoke this script", a release's "Breaking changes".
            seen = set()
        if index in menu or (item.kind in (*_PROSE, "heading") and is_chrome(item.text)):
            continue
        if item.kind != "code" and _EMAIL_PLACEHOLDER in item.text:
            continue
        if (
            item.kind in ("paragraph", "heading")
            and index < 4
            and title_key
            and _is_breadcrumb(key, title_key)
            and (item.kind == "paragraph" or _TRAIL_MARK.search(item.text))
        ):
            continue
        if (
            scraped
            and item.kind in _PROSE
            and item.kind != "list_item"
            and len(key.split()) >= _DEDUPE_MIN_WORDS
        ):
            if key in seen:
                continue
            seen.add(key)
        kept.append(item)
    return kept


def _joined_fields(blocks: tuple[Block, ...] | list[Block]) -> list[Block]:
    """`blocks` with each byline or dateline field of a scraped page, a label line followed by its value's
    line ("Authors" / "Greg Brockman"), joined into one definition spanning both lines, its text as
    written (the two lines), so the menu rule does not take it for navigation."""
    joined: list[Block] = []
    index = 0
    while index < len(blocks):
        item = blocks[index]
        value = blocks[index + 1] if index + 1 < len(blocks) else None
        if value is not None and _is_menu_entry(item) and _is_field(item.text.strip(), value):
            text = f"{item.text.strip()}\n{value.text.strip()}"  # verbatim: the label over its value
            joined.append(
                replace(
                    item,
                    kind="definition",
                    text=text,
                    line_end=value.line_end,
                    end=value.end,
                    page_end=value.page_end,
                )
            )
            index += 2
            continue
        joined.append(item)
        index += 1
    return joined


def _is_field(label: str, value: Block) -> bool:
    """Is `label` a byline or dateline label whose value is the next block (see _NAME_LABEL)?"""
    if value.kind != "paragraph" or value.line_start != value.line_end:
        return False
    text = value.text.strip()
    if _NAME_LABEL.match(label):
        return bool(_NAMES.match(text))
    return bool(_DATE_LABEL.match(label) and _DATE_VALUE.match(text))


# What parts a trail of links set as a heading ("Docs » Guide » Install"); a heading without one that ends
# with the page's title is the page's own ("MkDocs Installation" on a page titled "Installation", "Installing
# Plugins" on "Plugins": blind trial 50 lost both from every heading path of their pages).
_TRAIL_MARK = re.compile(r"[»›>/|→]")


def _is_breadcrumb(key: str, title_key: str) -> bool:
    """A line that ends with the page title after a few short words ("Home Articles <title>"), the title a
    word of its own: "Source Code: https://www.github.com/encode/uvicorn" ends with a page titled
    "Uvicorn" only inside its link (blind trial 46; the line had been dropped as a breadcrumb)."""
    if not key.endswith(title_key) or key == title_key or not key[: -len(title_key)].endswith(" "):
        return False
    prefix = key[: -len(title_key)].split()
    return 0 < len(prefix) <= 5


def is_chrome(text: str) -> bool:
    """True for a text that is page furniture whatever surrounds it."""
    if _FORM_PROMPT.match(text) or _CAPTCHA.match(text) or _READING_TIME.match(text.strip()):
        return True
    if len(text) < 200 and _COPYRIGHT.search(text):
        return True
    if len(text) < 80 and _CHROME_PHRASE.match(text):
        return True
    words = re.findall(r"[a-z]+", text.lower())
    return len(words) >= 2 and all(word in _SOCIAL_WORDS for word in words)


def _is_menu_entry(item: Block) -> bool:
    words = item.text.split()
    return (
        item.kind == "paragraph" and 1 <= len(words) <= _MENU_WORDS and item.line_start == item.line_end
        and not re.search(r"[\d.!?,;:\"“”]", item.text) and words[0][:1].isupper()
    )  # fmt: skip


def _menu_runs(blocks) -> set[int]:
    """Indexes of blocks inside runs of menu entries (navigation menus, footers, tag lists)."""
    flagged: set[int] = set()
    run: list[int] = []
    for index, item in enumerate([*blocks, Block("paragraph", "end of document.")]):
        if _is_menu_entry(item):
            run.append(index)
            continue
        if len(run) >= _MENU_RUN:
            flagged.update(run)
        run = []
    return flagged
