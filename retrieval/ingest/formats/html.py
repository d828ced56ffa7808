"""HTML into blocks with lxml: the page's main content container, its chrome removed, read as blocks.

Why not trafilatura's text output (used before): it flattens definition lists, `<pre>` blocks and
table header cells into lines, and picks a page's site name as its title. lxml gives the real tree,
so headings, paragraphs, list items, table rows with their header, code and dt/dd pairs survive as
blocks. Which element holds the article and what chrome goes inside it is html_main.py's job (the
container first, then chrome inside it only, never an element holding most of its words).

Kinds read specially: content tabs (a label leads its panel), Asciidoctor admonitions and one-row
layout tables (their blocks, not a table row), command-line option lists (one definition per option),
icons (html_icons.py). A block's lines are those of its text, counted from each tag's line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import lxml.html
from lxml import etree

from retrieval.ingest.formats import confluence, html_doxygen
from retrieval.ingest.formats.base import LineMap, Parsed, block, decode, numbered
from retrieval.ingest.formats.errors import not_read
from retrieval.ingest.formats.html_icons import drop_nameless_icons, mark_icons, name_icons
from retrieval.ingest.formats.html_main import drop_chrome, drop_never_content, find_main, remove
from retrieval.models import Block

_SELF_LINK_MARK = re.compile(r"\s*[¶#§🔗]$")  # a heading's permalink symbol, not its text
_TITLE_SEPARATORS = re.compile(r"\s+[-|–—·»:]\s+")
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_CONTAINERS = {
    "div", "section", "article", "main", "body", "header", "figure", "details", "center", "span-block",
    "blockquote", "li", "dd", "td", "th", "fieldset", "summary", "figcaption", "address", "hgroup",
}  # fmt: skip
_BLOCK_TAGS = _CONTAINERS | set(_HEADINGS) | {"p", "ul", "ol", "table", "pre", "dl", "hr", "dt", "tr"}
_TERM_HEADING_LEVEL = 7
# Elements of the HTML Living Standard that appear inline in Markdown; other <names> are literal text.
_HTML_ELEMENTS = set(
    """a abbr b bdi bdo br cite code data del dfn em font i img ins kbd mark q s samp small span strong sub
    sup time u var wbr details summary div p section table tr td th thead tbody ul ol li dl dt dd pre
    blockquote h1 h2 h3 h4 h5 h6 hr figure figcaption picture source video audio iframe center tt big
    strike label input button select option textarea form nav header footer aside main article""".split()
)  # a dt whose dd holds several blocks heads them, below every real heading

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


def parse(raw: bytes, source: str) -> Parsed:
    """Blocks of an HTML page (or fragment); title from the page (og:title, the main h1, <title>).

    A Confluence export's page is read from its body with its own title and link (confluence.py);
    raises NoReaderError for a Confluence space export's overview (`index.html`).
    """
    text, note = decode(raw)
    parsed = Parsed([])
    if note:
        parsed.notes.append(note)
    if not text.strip():
        return parsed
    if is_template(text):
        raise not_read(source, TEMPLATE)
    # lxml refuses a str that declares its encoding (XHTML's `<?xml ... encoding=...?>`); the text is
    # already decoded, so the declaration is blanked (same length: lines and offsets stay true).
    text = _XML_DECLARATION.sub(lambda m: " " * len(m.group()), text, count=1)
    try:
        root = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError):
        return parsed
    parsed.title = _title(root)
    parsed.url = _meta(root, "og:url") or _first(root.xpath("//link[@rel='canonical']/@href"))
    parsed.date = _meta(root, "article:published_time") or _meta(root, "date")
    exported = confluence.read_page(root, source)  # NoReaderError for a space's index.html
    if html_doxygen.is_doxygen(root):
        html_doxygen.prepare(root)
    mark_icons(root)
    _mark_heading_anchors(root)
    drop_never_content(root)
    _space_breaks(root)
    if exported is not None:  # a Confluence page: its body, title and link as the export gives them
        confluence.prepare_body(exported.body)
        main, article = exported.body, True
        parsed.title = exported.title or parsed.title
        parsed.url, parsed.date = exported.url or parsed.url, exported.date or parsed.date
    else:
        main = find_main(root)
        article = main is not root and main is not root.find("body")
    page_name = source.replace("\\", "/").rsplit("/", 1)[-1]
    drop_chrome(main, article=article, page_name=page_name)
    name_icons(main)
    if article and exported is None:
        parsed.title = _article_title(parsed.title, main)
    _unmark_literal_markdown(main)
    walker = _Walker(LineMap(text))
    walker.walk(main)
    parsed.blocks = walker.blocks
    return parsed


def _opening_paragraph(dd):
    """The <p> a long definition opens with (no text before it), when it is prose of at most
    OPENING_WORDS words: Sphinx's API entries open their <dd> with what the object is or does ("Raised
    if a signature timestamp is older than max_age."), and a glossary's long entries with the term's
    definition. Under the term as a heading alone, the sentence never named what it describes, and an
    answer quoting it did not say which exception is raised."""
    if (dd.text or "").strip():
        return None
    first = next((child for child in dd if isinstance(child.tag, str)), None)
    if first is None or first.tag != "p" or first.xpath(".//pre"):
        return None
    text = _text(first)
    # A lead-in ("Read settings from a file:") announces the code or list after it and stays its lead.
    return first if 0 < len(text.split()) <= OPENING_WORDS and not text.endswith(":") else None


OPENING_WORDS = 60  # a definition's opening paragraph; a longer one is an essay, left under its heading


def _drop_keeping_tail(element) -> None:
    """Remove `element`, keeping the text after it (lxml keeps a removed element's tail with it)."""
    parent, tail = element.getparent(), element.tail
    previous = element.getprevious()
    parent.remove(element)
    if tail and tail.strip():
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail


def is_template(html: str) -> bool:
    """Is this HTML a page template (Jinja, Django, Liquid, Go/Hugo: a Sphinx theme's sidebar, an MkDocs
    override's partial, a Hugo layout) rather than a page? Template tags (`{{ ... }}`, `{% ... %}`)
    stand in its markup and text outside code, at least TEMPLATE_TAGS of them; a built page shows such
    tags only inside <pre>/<code> (a page about templates). Indexed, a template's passages read
    `{{ _('Quickstart') }} {{ _('Advanced Usage') }}` and its title `{{ _('Useful Links') }}`."""
    outside = _CODE_ELEMENTS.sub(" ", html)
    return len(_TEMPLATE_TAG.findall(outside)) >= TEMPLATE_TAGS


TEMPLATE_TAGS = 2  # one stray "{{x}}" in prose is a typo or an example; two are markup
_CODE_ELEMENTS = re.compile(
    r"<(pre|code|kbd|samp|textarea|script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL
)
_TEMPLATE_TAG = re.compile(r"\{\{[^{}\n]{1,200}\}\}|\{%-?\s*\w[^%\n]{0,200}%\}")


TEMPLATE = "a page template: {{ }} or {% %} tags outside code"  # why a template is not read


def fragment_blocks(html: str, first_line: int | None = None) -> list[Block]:
    """Blocks of an HTML fragment embedded in another format (Markdown's HTML blocks).

    Lines are shifted so that line 1 of the fragment is `first_line` of the host file; no offsets.
    """
    try:
        root = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return []
    _mark_heading_anchors(root)
    drop_never_content(root)
    drop_chrome(root, guard=False)
    _space_breaks(root)
    walker = _Walker(None, line_shift=(first_line or 1) - 1 if first_line else None)
    walker.walk(root.find("body") if root.find("body") is not None else root)
    return walker.blocks


_ANCHOR = "data-citebot-anchor"  # set on headings before the chrome (permalinks among it) is dropped
_SECTIONS = {"section", "div", "article"}


def _mark_heading_anchors(root) -> None:
    """Note on each heading the `#fragment` that opens it, while its permalink is still there.

    In order: the heading's own `id` (MkDocs, Docusaurus, Hugo, Antora); the id of the section it
    opens (Sphinx's `<section id>` / `<div class="section" id>`); a link inside it to `#x` (a
    permalink: `headerlink`, `hash-link`, `anchor-heading`); an `id`/`name` inside it (`<a name>`).
    """
    for heading in root.iter(*_HEADINGS):
        anchor = heading.get("id") or _opened_section_id(heading)
        if not anchor:
            links = [a.get("href", "")[1:] for a in heading.iter("a") if a.get("href", "").startswith("#")]
            named = [e.get("id") or e.get("name") for e in heading.iter("a", "span") if e is not heading]
            anchor = next((value for value in [*links, *named] if value), None)
        if anchor:
            heading.set(_ANCHOR, anchor.strip())


def _opened_section_id(heading) -> str | None:
    """The id of the section element whose first child element is `heading`, else None."""
    parent = heading.getparent()
    if parent is None or not isinstance(parent.tag, str) or parent.tag.lower() not in _SECTIONS:
        return None
    first = next((child for child in parent if isinstance(child.tag, str)), None)
    return parent.get("id") if first is heading else None


def inline_html_text(html: str) -> str:
    """Text of a piece of inline HTML: a lone HTML tag (`<a id=x>`, `</span>`, `<br>`) has none.

    Angle-bracket text that is no HTML element (`<config-dir>`, `<!channel>`) is the author's text and
    is kept as written.
    """
    tag = re.fullmatch(r"\s*</?([A-Za-z][\w-]*)[^>]*>\s*", html)
    if tag:
        return "" if tag.group(1).lower() in _HTML_ELEMENTS else html
    if html.lstrip().startswith("<!") and not html.lstrip().startswith("<!--"):
        return html
    try:
        return lxml.html.fragment_fromstring(html, create_parent="span").text_content()
    except (etree.ParserError, ValueError):
        return ""


def _meta(root, name: str) -> str | None:
    found = root.xpath(f"//meta[@property='{name}' or @name='{name}']/@content")
    return " ".join(found[0].split()) if found and found[0].strip() else None


def _first(values: list) -> str | None:
    return str(values[0]).strip() if values else None


def _title(root) -> str | None:
    """The page's own title: og:title, else the first segment of <title> ("Base Directives - Site")."""
    og = _meta(root, "og:title")
    if og:
        return og
    heading = root.find(".//h1")
    said = " ".join(heading.text_content().split()) if heading is not None else None
    title = root.find(".//title")
    if title is not None and title.text_content().strip():
        text = " ".join(title.text_content().split())
        first = _TITLE_SEPARATORS.split(text)[0].strip()
        # A page heading that holds a separator itself ("backdoor – Python interactive interpreter within a
        # running process — Eventlet 0.33.3 documentation"): the heading whole (blind trial 62: Eventlet's
        # modules were titled "backdoor", "wsgi")
        whole = _SELF_LINK_MARK.sub("", said or "")
        if len(whole) > len(first) and text.startswith(whole):
            return whole
        return first or text
    return said


def _article_title(title: str | None, article) -> str | None:
    """The article's <h1> when the page's title is that heading dressed with the site's name
    ("Setting up the footer" for "Material for MkDocs - Setting up the footer")."""
    heading = article.find(".//h1")
    text = " ".join(heading.text_content().split()) if heading is not None else ""
    if not title or not text:
        return title or text or None
    return text if text.lower() in title.lower() else title


# Markdown emphasis left as written: a theme printing a page's front-matter description without
# rendering it ("It can be **bold** or _italic_"). Only a marked run bounded by non-word characters
# counts, so `**kwargs`, `__init__` and snake_case_names are left alone.
_LITERAL_EMPHASIS = re.compile(
    r"(?<![\w*])\*\*(?=\S)([^*\n]*?\S)\*\*(?![\w*])|(?<![\w_])_(?=[^\s_])([^_\n]*?[^\s_])_(?![\w_])"
)
_CODE_TAGS = ("code", "pre", "kbd", "samp", "tt", "var")


def _unmark_literal_markdown(container) -> None:
    """Literal Markdown emphasis markers in an article's prose go (`**bold**` reads "bold"); code keeps them."""
    for element in container.iter():
        if not isinstance(element.tag, str) or element.tag.lower() in _CODE_TAGS:
            continue
        in_code = any(isinstance(a.tag, str) and a.tag.lower() in _CODE_TAGS for a in element.iterancestors())
        if in_code:
            continue
        if element.text and ("*" in element.text or "_" in element.text):
            element.text = _LITERAL_EMPHASIS.sub(_emphasised, element.text)
        parent = element.getparent()
        parent_is_code = (
            parent is not None and isinstance(parent.tag, str) and parent.tag.lower() in _CODE_TAGS
        )
        if element.tail and ("*" in element.tail or "_" in element.tail) and not parent_is_code:
            element.tail = _LITERAL_EMPHASIS.sub(_emphasised, element.tail)


def _emphasised(found: re.Match) -> str:
    return found.group(1) or found.group(2)


def _space_breaks(root) -> None:
    """Each <br> becomes a space in the text around it (once, before any text is read)."""
    for br in root.iter("br"):
        br.tail = " " + (br.tail or "")


def _text(element) -> str:
    """Inline text of an element, whitespace folded (<br> already a space: see _space_breaks)."""
    return " ".join(element.text_content().split())


def _text_without(element, inner: list) -> str:
    """Inline text of an element leaving out the given descendants (nested tables)."""
    if not inner:
        return _text(element)
    from copy import deepcopy

    clone = deepcopy(element)
    for table in clone.xpath(".//table"):
        remove(table)
    return _text(clone)


def _cells(row) -> list:
    return [c for c in row if isinstance(c.tag, str) and c.tag.lower() in ("td", "th")]


def _is_admonition_table(table) -> bool:
    """Asciidoctor's admonition: `<div class="admonitionblock note"><table><tr><td class="icon">`…"""
    parent = table.getparent()
    classes = f" {parent.get('class', '')} " if parent is not None else ""
    rows = table.xpath("./tr|./tbody/tr")
    return (
        " admonitionblock " in classes
        and len(rows) == 1
        and bool(rows[0].xpath("./td[contains(concat(' ', @class, ' '), ' content ')]"))
    )


_CELL_BLOCKS = set("p div pre ul ol dl table blockquote h1 h2 h3 h4 h5 h6".split())


def _is_layout_table(table) -> bool:
    """A table laying out blocks, not data: one row, no header cells, and a cell holding a code block
    or two blocks or more (a data table's cell holds one paragraph at most: Sphinx writes `<td><p>`)."""
    rows = table.xpath("./tr|./thead/tr|./tbody/tr|./tfoot/tr")
    if len(rows) != 1 or any(c.tag.lower() == "th" for c in _cells(rows[0])):
        return False
    for cell in _cells(rows[0]):
        blocks = [c for c in cell if isinstance(c.tag, str) and c.tag.lower() in _CELL_BLOCKS]
        if len(blocks) >= 2 or cell.xpath(".//pre"):
            return True
    return False


_TAB_SETS = ("tabbed-set", "sd-tab-set")
# Legacy Material and sphinx-design put each label before its panel; Material 8+ groups the labels.
_TAB_LABELS = "./label | ./*[contains(concat(' ', @class, ' '), ' tabbed-labels ')]/label"
_TAB_PANELS = (
    "./*[contains(concat(' ', @class, ' '), ' tabbed-content ')][not(*[contains(concat(' ', @class, ' '), ' tabbed-block ')])]"
    " | ./*[contains(concat(' ', @class, ' '), ' tabbed-content ')]/*[contains(concat(' ', @class, ' '), ' tabbed-block ')]"
    " | ./*[contains(concat(' ', @class, ' '), ' sd-tab-content ')]"
)


def _is_tab_set(element) -> bool:
    return bool(set(element.get("class", "").split()) & set(_TAB_SETS))


def _tab_set_of(element):
    """The nearest tab set holding an element."""
    return next((a for a in element.iterancestors() if isinstance(a.tag, str) and _is_tab_set(a)), None)


_OPTION_LISTS = {"option-list", "option", "cmdoption"}
_OPTION_MAX_WORDS = 60  # chunking quotes a longer definition sentence by sentence
_SENTENCE_ENDS = (".", "!", "?", ":", ";")


def _is_option_list(dl) -> bool:
    """docutils' `<dl class="option-list">` or Sphinx's `<dl class="std option">` / `cmdoption`."""
    return bool(_OPTION_LISTS & set(dl.get("class", "").split()))


def _is_block(element) -> bool:
    return isinstance(element.tag, str) and (
        element.tag.lower() in _BLOCK_TAGS or any(
            isinstance(d.tag, str) and d.tag.lower() in _BLOCK_TAGS for d in element.iterdescendants()
        )
    )  # fmt: skip


@dataclass
class _Walker:
    lines: LineMap | None
    line_shift: int | None = 0
    blocks: list[Block] = field(default_factory=list)
    group: int = 0

    def walk(self, element, kind: str = "paragraph", depth: int = 0) -> None:
        """Emit the blocks under a container; loose inline text between blocks becomes `kind` blocks."""
        buffer: list[str] = [element.text or ""]
        span = _Span()
        span.add(element.text, element.sourceline)
        for child in element:
            if not isinstance(child.tag, str):  # comment or processing instruction
                buffer.append(child.tail or "")
                span.add(child.tail, _end_line(child))
                continue
            if _is_block(child):
                self._flush(buffer, kind, span)
                self._element(child, kind, depth)
                buffer, span = [child.tail or ""], _Span()
                span.add(child.tail, _end_line(child))
            else:
                buffer.append(_text(child) if child.tag.lower() != "br" else " ")
                buffer.append(child.tail or "")
                span.extend(_text_lines(child))
                span.add(child.tail, _end_line(child))
        self._flush(buffer, kind, span)

    def _element(self, element, kind: str, depth: int) -> None:
        tag = element.tag.lower()
        if tag in _HEADINGS:
            self._add("heading", _text(element), element, level=_HEADINGS[tag], anchor=element.get(_ANCHOR))
        elif tag == "p":
            if any(_is_block(child) for child in element):
                self.walk(element, kind, depth)
            else:
                self._add(kind, _text(element), element)
        elif tag in ("ul", "ol"):
            self._list(element, depth)
        elif tag == "table":
            self._table(element)
        elif tag == "pre":
            self._add("code", _code_text(element), element)
        elif tag == "dl":
            self._definitions(element, depth)
        elif tag == "blockquote":
            self.walk(element, "quote", depth)
        elif tag == "hr":
            return
        elif _is_tab_set(element) and self._tabs(element, kind, depth):
            return
        elif tag == "details" and self._details(element, kind, depth):
            return
        else:
            self.walk(element, kind, depth)

    def _tabs(self, element, kind: str, depth: int) -> bool:
        """Content tabs (MkDocs Material's `.tabbed-set`, sphinx-design's `.sd-tab-set`): each tab's
        label as a heading-like lead over its panel, so that the commands of sibling tabs ("pip", "pip
        with version pin") are told apart. False (nothing added) when labels and panels do not pair."""
        labels = [x for x in element.xpath(_TAB_LABELS) if _tab_set_of(x) is element]
        panels = [x for x in element.xpath(_TAB_PANELS) if _tab_set_of(x) is element]
        if not labels or len(labels) != len(panels):
            return False
        for label, panel in zip(labels, panels, strict=True):
            self._add("heading", _text(label), label, level=_TERM_HEADING_LEVEL)
            self.walk(panel, kind, depth)
        return True

    def _details(self, element, kind: str, depth: int) -> bool:
        """A collapsible block's `<summary>` ("Bash", "With go install") as a heading-like lead over the
        blocks it shows, as in Markdown: each install method's commands say which method they are of.
        Its scope ends with the block (`scope_end`). False (nothing added) without a summary of text."""
        summary = next((c for c in element if isinstance(c.tag, str) and c.tag.lower() == "summary"), None)
        if summary is None or not _text(summary).strip():
            return False
        self._add(
            "heading", _text(summary), summary, level=_TERM_HEADING_LEVEL, scope_end=self._end_of(element)
        )
        remove(summary)
        self.walk(element, kind, depth)
        return True

    def _list(self, element, depth: int) -> None:
        self.group += 1
        group = self.group
        items = [c for c in element if isinstance(c.tag, str) and c.tag.lower() == "li"]
        for item, number in zip(items, _item_numbers(element, len(items)), strict=True):
            nested = [c for c in item if isinstance(c.tag, str) and _is_block(c)]
            if not nested:
                self._add("list_item", number + _text(item), item, level=depth, group=group)
                continue
            lead = [item.text or ""]
            span = _Span()
            span.add(item.text, item.sourceline)
            for child in item:
                if child in nested:
                    break
                lead.extend([_text(child) if isinstance(child.tag, str) else "", child.tail or ""])
                if isinstance(child.tag, str):
                    span.extend(_text_lines(child))
                span.add(child.tail, _end_line(child))
            text = " ".join("".join(lead).split())
            self._add(
                "list_item",
                number + text if text else "",
                item,
                level=depth,
                group=group,
                lines=(span.first, span.last),
            )
            first = len(self.blocks)
            for child in nested:
                if child.tag.lower() in ("ul", "ol"):
                    self._list(child, depth + 1)
                else:
                    self._element(child, "list_item", depth)
            if number and not text and first < len(self.blocks):  # <li><p>...: the item's first block
                self.blocks[first] = numbered(self.blocks[first], number)

    def _table(self, element) -> None:
        if _is_admonition_table(element):
            self._admonition(element)
            return
        if _is_layout_table(element):  # one row of cells holding blocks: the blocks, not a row
            for cell in _cells(element.xpath("./tr|./tbody/tr")[0]):
                self.walk(cell)
            return
        self.group += 1
        group = self.group
        rows = element.xpath("./tr|./thead/tr|./tbody/tr|./tfoot/tr")
        nested_tables = []
        for position, row in enumerate(rows):
            cells = [c for c in row if isinstance(c.tag, str) and c.tag.lower() in ("td", "th")]
            texts = []
            for cell in cells:
                inner = cell.xpath(".//table")
                nested_tables.extend(t for t in inner if t.xpath("ancestor::table[1]")[0] is element)
                texts.append(_text_without(cell, inner))
            if not any(texts):
                continue
            header = row.getparent().tag.lower() == "thead" or (
                position == 0 and all(c.tag.lower() == "th" for c in cells)
            )
            self._add("table_header" if header else "table_row", " | ".join(texts), row, group=group)
        for nested in nested_tables:  # a table inside a cell is a table of its own, not glued cell text
            self._table(nested)

    def _admonition(self, element) -> None:
        """An Asciidoctor admonition (`<td class="icon">` label, `<td class="content">` with its
        `.title`): "Important: Before Start" as a lead over the content's blocks."""
        row = element.xpath("./tr|./tbody/tr")[0]
        icon = row.xpath("./td[contains(concat(' ', @class, ' '), ' icon ')]")
        content = row.xpath("./td[contains(concat(' ', @class, ' '), ' content ')]")[0]
        titles = content.xpath("./div[contains(concat(' ', @class, ' '), ' title ')]")
        label = _text(icon[0]) if icon else ""
        title = _text(titles[0]) if titles else ""
        lead = f"{label}: {title}" if label and title and label != title else (title or label)
        if lead:
            where = icon[0] if icon and label else titles[0]
            lines = _Span()
            for part in [*icon[:1], *titles[:1]]:
                lines.extend(_text_lines(part))
            self._add("heading", lead, where, level=_TERM_HEADING_LEVEL, lines=(lines.first, lines.last))
        for found in titles[:1]:
            remove(found)
        self.walk(content)

    def _definitions(self, element, depth: int) -> None:
        term, term_element = "", None
        for child in element:
            if not isinstance(child.tag, str):
                continue
            tag = child.tag.lower()
            if tag == "dt":
                term, term_element = _text(child).rstrip(":").strip(), child
            elif tag == "dd" and _is_option_list(element) and self._option(term, term_element, child):
                continue
            elif tag == "dd":
                self._definition(term, term_element, child, depth)
            elif _is_block(child):
                self._element(child, "paragraph", depth)

    def _option(self, term: str, dt, dd) -> bool:
        """A command-line option described in prose alone (docutils' option lists, Sphinx's `.. option::`)
        as one definition, its paragraphs joined ("--width: define output image width. Default: 400"),
        so the option's name is in the unit a citation quotes; False (nothing added) when the
        description holds code, lists or tables, or is too long to quote as one unit."""
        paragraphs = [p for p in dd.iter("p") if not any(_is_block(c) for c in p)]
        prose = sum(len(_text(p).split()) for p in paragraphs)
        outside = "".join(_text(dd).split()) != "".join("".join(_text(p).split()) for p in paragraphs)
        if not term or not paragraphs or outside or prose > _OPTION_MAX_WORDS:
            return False
        if dd.xpath(".//pre|.//ul|.//ol|.//table|.//dl"):
            return False
        text = ""
        for paragraph in paragraphs:
            words = _text(paragraph)
            text = f"{text}{'' if not text or text.endswith(_SENTENCE_ENDS) else '.'} {words}".strip()
        first, last = _text_lines(dd)
        lines = (_text_lines(dt)[0] if dt is not None else first, last)
        self._add("definition", f"{term}: {text}", dd, lines=lines)
        return True

    def _definition(self, term: str, dt, dd, depth: int) -> None:
        """A short dd is one definition ("Default: 1024"); a long one gets the term as a heading."""
        text = _text(dd)
        inner = [c for c in dd if isinstance(c.tag, str) and _is_block(c)]
        pres = dd.xpath(".//pre")
        simple = (
            len(text.split()) <= 40
            and len(inner) <= 1
            and all("\n" not in p.text_content().strip() for p in pres)
        )
        term_lines = _text_lines(dt) if dt is not None else (None, None)
        if simple and term:
            first, last = _text_lines(dd)
            lines = (term_lines[0] or first, last or term_lines[1])
            self._add("definition", f"{term}: {text}", dd, lines=lines)
            return
        if term:
            # A list inside another's description (autodoc's "Parameters" field list under a function's
            # signature) leads below the outer term, up to its description's end; at the same level its
            # "Parameters" had replaced the signature in every heading path after it (blind trial 58).
            nested = len(dt.xpath("ancestor::dd")) if dt is not None else 0
            end = self._end_of(dd) if nested else None
            level = _TERM_HEADING_LEVEL + min(nested, 2)
            self._add("heading", term, dd, level=level, lines=term_lines, scope_end=end)
            opening = _opening_paragraph(dd)
            # The term with what it is: "exception x.SignatureExpired(...): Raised if ...".
            if opening is not None:
                first, last = _text_lines(opening)
                self._add(
                    "definition", f"{term}: {_text(opening)}", opening, lines=(term_lines[0] or first, last)
                )
                _drop_keeping_tail(opening)
        self.walk(dd, "paragraph", depth)

    def _flush(self, buffer: list[str], kind: str, span: _Span) -> None:
        text = " ".join("".join(buffer).split())
        buffer.clear()
        if text:
            self._emit(kind, text, span.first, span.last)

    def _add(self, kind: str, text: str, element, lines: tuple | None = None, **extra) -> None:
        """A block of `element`; its lines are those of the element's text unless `lines` are given
        (a list item's lead before its nested blocks, a definition's term and description)."""
        if kind != "code" and "code_spans" not in extra:
            extra["code_spans"] = _code_spans(element)
        first, last = lines if lines is not None and lines[0] is not None else _text_lines(element)
        if first is None:  # no text of its own (a lead made of attributes): where the element starts
            first = last = element.sourceline
        self._emit(kind, text, first, last, **extra)

    def _end_of(self, element) -> int | None:
        """The source line where `element`'s text ends, as blocks' lines are given (None without lines):
        the end of the container a lead heads (`Block.scope_end`)."""
        last = _text_lines(element)[1]
        return None if last is None or self.line_shift is None else last + self.line_shift

    def _emit(self, kind: str, text: str, first: int | None, last: int | None, **extra) -> None:
        text = drop_nameless_icons(text)
        if self.line_shift is None:
            first = last = None
        elif first is not None:
            first, last = first + self.line_shift, (last or first) + self.line_shift
        made = block(kind, text, self.lines, first, last, **extra)
        if made is not None:
            self.blocks.append(made)


@dataclass
class _Span:
    """First and last source line of a run of text, widened piece by piece."""

    first: int | None = None
    last: int | None = None

    def add(self, text: str | None, line: int | None) -> None:
        """Widen by `text`, which starts on source line `line` (its blank lines are not text)."""
        if not text or not text.strip() or line is None:
            return
        lead = len(text) - len(text.lstrip())
        self.extend((line + text.count("\n", 0, lead), line + text.rstrip().count("\n")))

    def extend(self, lines: tuple[int | None, int | None]) -> None:
        first, last = lines
        if first is not None:
            self.first = first if self.first is None else min(self.first, first)
        if last is not None:
            self.last = last if self.last is None else max(self.last, last)


def _item_numbers(element, count: int) -> list[str]:
    """The number the page shows before each of a list's `count` items ("3. "), from `start` and each
    item's `value` as browsers count them; "" for each item of an unordered or reversed list (blind
    trials 53-55: an order of preference read without its numbers)."""
    if (
        element.tag.lower() != "ol"
        or element.get("reversed") is not None
        or element.get("type") not in (None, "1")
    ):
        return [""] * count
    numbers, current = [], _integer(element.get("start"), 1)
    for item in element:
        if isinstance(item.tag, str) and item.tag.lower() == "li":
            current = _integer(item.get("value"), current)
            numbers.append(f"{current}. ")
            current += 1
    return numbers


def _integer(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _text_lines(element) -> tuple[int | None, int | None]:
    """Source lines of the first and last non-blank character of an element's text (not its tail).

    lxml gives each element the line of its start tag; the text inside starts later when the tag is
    followed by a newline (`<p>\n  words`), and a child's tail starts where the child ends, not where
    it starts. Counting the newlines of the text from each tag keeps a block's lines on its words.
    """
    span = _Span()
    _walk_lines(element, span)
    return span.first, span.last


def _walk_lines(element, span: _Span) -> int | None:
    """Widen `span` by the element's text; the line where the element's content ends."""
    line = element.sourceline
    if not isinstance(element.tag, str):  # a comment: no text a reader sees, but its lines count
        return None if line is None else line + (element.text or "").count("\n")
    span.add(element.text, line)
    if line is not None and element.text:
        line += element.text.count("\n")
    for child in element:
        start = child.sourceline
        if start is not None and (line is None or start > line):
            line = start
        end = _walk_lines(child, span) if isinstance(child.tag, str) else _comment_end(child)
        if end is not None and (line is None or end > line):
            line = end
        span.add(child.tail, line)
        if line is not None and child.tail:
            line += child.tail.count("\n")
    return line


def _comment_end(node) -> int | None:
    line = node.sourceline
    return None if line is None else line + (node.text or "").count("\n")


def _end_line(element) -> int | None:
    """The source line where an element's content ends (where its tail text starts)."""
    if not isinstance(element.tag, str):
        return _comment_end(element)
    return _walk_lines(element, _Span())


def _code_spans(element) -> tuple[str, ...]:
    """Inline code in an element (<code>, <kbd>, <samp>, <tt> outside <pre>), as its text reads."""
    return tuple(
        " ".join(found.text_content().split())
        for found in element.iter("code", "kbd", "samp", "tt")
        if not any(isinstance(a.tag, str) and a.tag.lower() == "pre" for a in found.iterancestors())
    )


# The line numbers a highlighter writes into a code block: Pygments' `<span class="linenos">` (Sphinx,
# MkDocs) and its older `lineno`, Chroma's (Hugo) `ln` inline and `lnt` in its table's first cell.
_LINE_NUMBER = re.compile(r"(?:^|\s)(?:linenos|lineno|ln|lnt)(?:\s|$)")


def _code_text(pre) -> str:
    """A code block's text as it is copied: the line numbers shown in its gutter left out (read as text,
    ManimGL's quickstart began "1from manimlib import *", blind trial 47), every line break kept."""
    return "".join(_text_without_line_numbers(pre))


def _text_without_line_numbers(element) -> list[str]:
    """An element's text and its children's, in order, less a line number's own (its tail stays)."""
    parts = [] if _LINE_NUMBER.search(element.get("class", "")) else [element.text or ""]
    for child in element:
        if isinstance(child.tag, str):
            parts.extend(_text_without_line_numbers(child))
        parts.append(child.tail or "")
    return parts
