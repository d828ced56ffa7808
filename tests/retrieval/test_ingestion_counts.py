"""No list item, table row or code line of a documentation page is lost on the way to the index.

Issue 6: the old chrome filter dropped bullet lists, short commands and one-line fences as "menus".
Here the source is counted independently of citebot's parsers (markdown-it-py tokens for Markdown,
the lxml tree for HTML) and compared with the blocks left after `clean_blocks`, file by file over
`tests/data/docs_dev/corpus` (Traefik's MkDocs Markdown, H2O's HTML manual).
"""

from __future__ import annotations

import re
from pathlib import Path

import lxml.html
import pytest
from markdown_it import MarkdownIt
from mdit_py_plugins.admon import admon_plugin
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

from retrieval.ingest.cleaning import clean_blocks
from retrieval.ingest.loader import load_document
from tests.harness.libraries import DATA

CORPUS = DATA / "docs_dev" / "corpus"
MARKDOWN_FILES = sorted(CORPUS.rglob("*.md"))
HTML_FILES = sorted(CORPUS.rglob("*.html"))

_MARKDOWN = (
    MarkdownIt("commonmark").enable("table").use(front_matter_plugin).use(admon_plugin).use(deflist_plugin)
)
_TAB = re.compile(r'^(\s*)===\+?\s+"[^"]*"\s*$')

# Known losses (see the xfail reasons); every other file must keep everything.
MARKDOWN_LOSSES: dict[str, str] = {}  # none known; add a file with its reason only for a real, explained loss
HTML_LOSSES: dict[str, str] = {}


def _params(paths: list[Path], losses: dict[str, str]):
    return [
        pytest.param(
            path,
            id=path.relative_to(CORPUS).as_posix(),
            marks=[pytest.mark.xfail(reason=losses[path.name], strict=True)] if path.name in losses else [],
        )
        for path in paths
    ]


def _nonblank_lines(text: str) -> list[str]:
    return [line.strip() for line in text.split("\n") if line.strip()]


def _cleaned(path: Path):
    loaded = load_document(path, CORPUS)
    return clean_blocks(loaded.blocks, loaded.document.title)


# -- Markdown --------------------------------------------------------------------------------------
def _dedent_tabs(text: str) -> str:
    """MkDocs content tabs (`=== "YAML"` + 4-space indented body) read as their body, as MkDocs shows them.

    Without it plain CommonMark would see each tab body as an indented code block.
    """
    out: list[str] = []
    indent: int | None = None
    for line in text.split("\n"):
        marker = _TAB.match(line)
        if marker:
            indent = len(marker.group(1))
            out.append("")
            continue
        if indent is not None:
            lead = len(line) - len(line.lstrip(" "))
            if line.strip() and lead <= indent:
                indent = None
            elif line.startswith(" " * (indent + 4)):
                line = line[:indent] + line[indent + 4 :]
        out.append(line)
    return "\n".join(out)


def markdown_source_counts(text: str) -> tuple[int, int, int]:
    """(list items, table body rows, non-blank code lines) as markdown-it-py's own tokens have them."""
    tokens = _MARKDOWN.parse(_dedent_tabs(text))
    items = sum(token.type == "list_item_open" for token in tokens)
    rows = 0
    in_body = False
    for token in tokens:
        if token.type in ("tbody_open", "tbody_close"):
            in_body = token.type == "tbody_open"
        elif token.type == "tr_open" and in_body:
            rows += 1
    code = sum(len(_nonblank_lines(t.content)) for t in tokens if t.type in ("fence", "code_block"))
    return items, rows, code


def block_counts(blocks) -> tuple[int, int, int]:
    items = sum(b.kind == "list_item" for b in blocks)
    rows = sum(b.kind == "table_row" for b in blocks)
    code = sum(len(_nonblank_lines(b.text)) for b in blocks if b.kind == "code")
    return items, rows, code


def test_the_docs_dev_corpus_is_there():
    assert len(MARKDOWN_FILES) >= 30 and len(HTML_FILES) >= 30


@pytest.mark.parametrize("path", _params(MARKDOWN_FILES, MARKDOWN_LOSSES))
def test_markdown_keeps_every_list_item_table_row_and_code_line(path):
    source = markdown_source_counts(path.read_text("utf-8"))
    indexed = block_counts(_cleaned(path))
    assert indexed == source, f"{path.name}: items/rows/code lines: source {source} vs indexed {indexed}"


@pytest.mark.parametrize("path", _params(MARKDOWN_FILES, {}))
def test_markdown_parser_itself_loses_nothing(path):
    """Before cleaning: the parser's blocks hold exactly what markdown-it-py sees."""
    source = markdown_source_counts(path.read_text("utf-8"))
    parsed = block_counts(load_document(path, CORPUS).blocks)
    assert parsed == source, f"{path.name}: items/rows/code lines: source {source} vs parsed {parsed}"


# -- HTML ------------------------------------------------------------------------------------------
_BLOCK_CHILDREN = {"p", "ul", "ol", "pre", "table", "div", "dl", "blockquote", "h1", "h2", "h3", "h4"}


def _fold(text: str) -> str:
    return " ".join(text.split())


def _is_link_list(element) -> bool:
    """A TOC or menu: (almost) all of the list's text is link text."""
    total = len(_fold(element.text_content()))
    linked = sum(len(_fold(a.text_content())) for a in element.xpath(".//a"))
    return total > 0 and linked >= 0.8 * total


def _own_text(li) -> str:
    """An item's text up to its first block child (a nested list or paragraph is not the item's lead)."""
    parts = [li.text or ""]
    for child in li:
        if isinstance(child.tag, str) and child.tag.lower() in _BLOCK_CHILDREN:
            break
        parts.extend([child.text_content() if isinstance(child.tag, str) else "", child.tail or ""])
    return _fold("".join(parts))


def _cell_text(cell) -> str:
    """A cell's text without any table nested inside it (those rows are counted on their own)."""
    parts = [cell.text or ""]
    for child in cell:
        if isinstance(child.tag, str) and child.tag.lower() == "table":
            parts.append(" ")
        else:
            parts.append(child.text_content() if isinstance(child.tag, str) else "")
        parts.append(child.tail or "")
    return _fold("".join(parts))


def html_source(path: Path) -> dict[str, list[str]]:
    """List items, content table rows and <pre> lines of the page's main content (H2O: div#main)."""
    root = lxml.html.fromstring(path.read_bytes())
    for br in root.iter("br"):
        br.tail = " " + (br.tail or "")
    main = (root.xpath("//div[@id='main']") or [root.find("body")])[0]
    for lst in main.xpath(".//ul|.//ol"):
        if _is_link_list(lst):
            for li in lst.iter("li"):
                li.set("data-toc", "1")  # lxml element proxies have no stable identity to keep in a set
    items = [_own_text(li) for li in main.iter("li") if li.get("data-toc") is None and _own_text(li)]
    rows = []
    for row in main.xpath(".//tr[td]"):
        table = row.xpath("ancestor::table[1]")[0]
        if _is_link_list(table):
            continue
        cells = [_cell_text(c) for c in row if isinstance(c.tag, str) and c.tag.lower() in ("td", "th")]
        rows.append(" | ".join(cells))
    code = [line for pre in main.iter("pre") for line in _nonblank_lines(pre.text_content())]
    return {"items": items, "rows": rows, "code": code}


@pytest.mark.parametrize("path", _params(HTML_FILES, HTML_LOSSES))
def test_html_keeps_every_list_item_table_row_and_pre_line(path):
    source = html_source(path)
    blocks = _cleaned(path)
    # an ordered list's item shows its number first ("2. "), which the source's <li> does not hold
    item_texts = [re.sub(r"^\d+\. ", "", b.text) for b in blocks if b.kind == "list_item"]
    row_texts = {b.text for b in blocks if b.kind == "table_row"}
    code_lines = {line for b in blocks if b.kind == "code" for line in _nonblank_lines(b.text)}
    definitions = [b.text for b in blocks if b.kind == "definition"]  # <dd><pre>x</pre></dd>: "Default: x"
    found = {
        "items": [t for t in source["items"] if any(item.startswith(t) for item in item_texts)],
        "rows": [t for t in source["rows"] if t in row_texts],
        "code": [t for t in source["code"] if t in code_lines or any(t in d for d in definitions)],
    }
    counts = {kind: (len(source[kind]), len(found[kind])) for kind in source}
    lost = {kind: [t[:60] for t in source[kind] if t not in found[kind]][:5] for kind in source}
    assert all(have == want for want, have in counts.values()), (
        f"{path.name}: (source, indexed) {counts}; lost e.g. {lost}"
    )
