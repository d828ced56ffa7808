"""Built HTML pages cite the lines their words are on: each block's first line holds its first words.

lxml gives an element the line of its start tag; the block's text may start lines later (`<p>` then a
newline, the text after a multi-line child). A citation of "lines 199-204" for a sentence on line 193
sends the reader to the wrong place, so every block of every zoo page is checked against its source.
"""

from __future__ import annotations

import html as html_escapes
import re
from pathlib import Path

import pytest

from retrieval.ingest.formats import html

ZOO = Path(__file__).parents[1] / "data" / "docs_zoo" / "html"
PAGES = sorted(str(p.relative_to(ZOO)) for p in ZOO.rglob("*.html"))


def _source_text(line: str) -> str:
    """A source line as a reader sees it: tags out, entities decoded; an icon's name (title, aria-label)
    is its text."""
    names = " ".join(re.findall(r"""(?:title|aria-label)=["']([^"']*)["']""", line))
    return html_escapes.unescape(re.sub(r"<[^>]*>", "", line) + " " + names)


@pytest.mark.parametrize("page", PAGES)
def test_each_block_starts_on_the_line_holding_its_first_words(page):
    raw = (ZOO / page).read_bytes()
    lines = raw.decode("utf-8").split("\n")
    parsed = html.parse(raw, page)
    assert parsed.blocks
    for found in parsed.blocks:
        assert found.line_start is not None and found.line_end >= found.line_start
        first = _source_text(lines[found.line_start - 1])
        last = _source_text(lines[found.line_end - 1])
        shown = re.sub(r"^\d+\. ", "", found.text) if found.kind == "list_item" else found.text
        words = re.findall(r"\w+", shown)  # an ordered list's number is the browser's, not the source's
        if not words:  # a lone symbol ("?" of a task list)
            continue
        assert words[0] in first, (found.kind, found.text[:60], found.line_start, first[:80])
        last_token = re.findall(r"\w+|[^\w\s]+", found.text)[-1]
        assert last_token in last, (found.kind, found.text[-60:], found.line_end, last[-80:])


def test_text_after_a_multi_line_child_is_cited_on_its_own_line():
    page = b"""<html><body><main><div>
<p>One paragraph
that runs over
three lines.</p>
Loose text after it.
<p>
  Words after a newline.</p>
</div></main></body></html>"""
    blocks = html.parse(page, "page.html").blocks
    assert [(b.text, b.line_start, b.line_end) for b in blocks] == [
        ("One paragraph that runs over three lines.", 2, 4),
        ("Loose text after it.", 5, 5),
        ("Words after a newline.", 7, 7),
    ]
