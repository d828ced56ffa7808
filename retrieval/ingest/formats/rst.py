"""reStructuredText into blocks with docutils (the reference parser), Sphinx's markup included.

Parsing is sandboxed: no file inclusion, no raw passthrough, and no system messages in the text.
Sphinx's directives and roles (glossary, versionadded, code-block, :meth:, :ref:, ...) are taught to
docutils by `sphinx.py`, so a Sphinx source reads as Sphinx renders it; directives and roles nobody
knows keep their text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from docutils import nodes

try:  # the numerals docutils reads enumerators with (a private module: items count in arabic if it moves)
    from docutils.utils._roman_numerals import RomanNumeral
except ImportError:  # pragma: no cover
    RomanNumeral = None

from retrieval.ingest.formats import sphinx
from retrieval.ingest.formats.base import LineMap, Parsed, block, decode, last_line, numbered
from retrieval.models import Block

_SETTINGS = {
    "report_level": 5, "halt_level": 5, "file_insertion_enabled": False, "raw_enabled": False,
    "warning_stream": False, "input_encoding": "unicode", "syntax_highlight": "none", "doctitle_xform": False,
    "auto_id_prefix": "id",  # as Sphinx sets it: a second "Usage" section is `#id1`, as on its pages
}  # fmt: skip
_UNDERLINE = re.compile(r"^\s*([=\-~^\"'`#*+:.])\1{2,}\s*$")
_SKIP = ("system_message", "comment", "substitution_definition", "target", "raw", "image", "figure_image",
         "problematic", "pending")  # fmt: skip
# `.. _label:` over a section title: `:ref:`label`` shows that title (as Sphinx resolves it).
_LABEL = re.compile(r"^\.\. _([^:`\n]+):[ \t]*\n(?:[ \t]*\n)*(?:([=\-~^\"'`#*+:.])\2{2,}\n)?([^\n]+)\n([=\-~^\"'`#*+:.])\4{2,}[ \t]*$",
                    re.MULTILINE)  # fmt: skip
# A title's inline markup, as the title shows it: ``check_config`` reads check_config, *Note* Note.
_INLINE_MARKUP = re.compile(r"(``|\*\*|\*|`)(\S(?:.*?\S)?)\1")
_TERM_HEADING_LEVEL = 7  # a description's signature over several blocks heads them, below every real heading
_SHORT_DEFINITION_WORDS = 40
# Sphinx's info fields (`:param int x:`, `:returns:`) and how they read; "type"/"vartype" merge into their name.
_FIELD_WORDS = {
    "param": "Parameter", "parameter": "Parameter", "arg": "Parameter", "argument": "Parameter",
    "key": "Parameter", "keyword": "Parameter", "kwarg": "Parameter", "kwparam": "Parameter",
    "raises": "Raises", "raise": "Raises", "except": "Raises", "exception": "Raises",
    "var": "Variable", "ivar": "Variable", "cvar": "Variable",
    "returns": "Returns", "return": "Returns", "rtype": "Return type", "returntype": "Return type",
    "yields": "Yields", "yield": "Yields", "ytype": "Yield type",
}  # fmt: skip
_TYPE_FIELDS = {"type": "Parameter", "vartype": "Variable"}


def parse(raw: bytes, source: str) -> Parsed:
    """Blocks of a reStructuredText file; title from the document, else its first heading.

    Raises ValueError when docutils cannot parse the file at all.
    """
    from docutils.core import publish_doctree
    from docutils.utils import SystemMessage

    text, note = decode(raw)
    sphinx.register()
    targets = sphinx.register_unknown(text)
    settings = dict(_SETTINGS, citebot_labels=_labels(text), citebot_targets=targets)
    try:
        tree = publish_doctree(text + _undefined_substitutions(text), settings_overrides=settings)
    except (SystemMessage, ValueError, AttributeError, IndexError) as error:
        raise ValueError(f"unparsable reStructuredText ({error.__class__.__name__})") from None
    walker = _Walker(LineMap(text))
    walker.walk(tree, 0)
    title = tree.get("title") or next((b.text for b in walker.blocks if b.kind == "heading"), None)
    parsed = Parsed(walker.blocks, title)
    if note:
        parsed.notes.append(note)
    parsed.notes.extend(walker.notes)
    if walker.generated:
        parsed.notes.append(generated_note(walker.generated))
    return parsed


_NAMED = 3  # objects a note names before "and N more"


def generated_note(objects: list[str]) -> str:
    """What the build log says of autodoc's objects: "documentation generated from the code left out (not
    in the source): requests.request, requests.Session, requests.Response and 9 more"."""
    named = ", ".join(objects[:_NAMED]) + (
        f" and {len(objects) - _NAMED} more" if len(objects) > _NAMED else ""
    )
    return f"documentation generated from the code left out (not in the source): {named}"


# A substitution reference (`|Flake8|`) and a substitution definition (`.. |Flake8| replace:: ...`).
_SUBSTITUTION = re.compile(r"(?<![\w|])\|([^\s|`*](?:[^|`*]*[^\s|`*])?)\|(?![\w|])")
_SUBSTITUTION_DEFINITION = re.compile(r"^\s*\.\.\s+\|([^|]+)\|", re.MULTILINE)


def _undefined_substitutions(text: str) -> str:
    """Definitions, to append to the file, of the substitutions it uses and does not define: a project
    defines them in conf.py's `rst_prolog` (Flake8 writes `|Flake8|` 194 times in its pages, which read
    raw, "|Flake8| supports ..."), where a capitalised name is nearly always the text it stands for.
    Appended at the end, so no line moves."""
    defined = {name.strip() for name in _SUBSTITUTION_DEFINITION.findall(text)}
    used = dict.fromkeys(found.group(1) for found in _SUBSTITUTION.finditer(text))
    missing = [name for name in used if name not in defined and _NAME_AS_TEXT.fullmatch(name)]
    return "".join(f"\n\n.. |{name}| replace:: {name}" for name in missing) + ("\n" if missing else "")


# A name that is its own text: a capitalised word or two ("Flake8", "Read the Docs"). Sphinx's own |release|,
# |version| and |today| and a placeholder such as |coverage-equals-release| stand for a value conf.py
# computes, and stay as written rather than read as the word.
_NAME_AS_TEXT = re.compile(r"[A-Z][\w.+]*(?: [\w.+]+){0,3}")


def _labels(text: str) -> dict[str, str]:
    """Section labels of the file (`.. _install:` over "Installing") for `:ref:` to show their titles."""
    return {
        found.group(1).strip().lower(): _INLINE_MARKUP.sub(r"\2", found.group(3).strip())
        for found in _LABEL.finditer(text)
    }


@dataclass
class _Walker:
    lines: LineMap
    blocks: list[Block] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    generated: list[str] = field(default_factory=list)  # objects autodoc documents from their code
    group: int = 0
    language: str | None = None  # `.. highlight::` language for literal blocks without their own

    def walk(self, node, depth: int, kind: str = "paragraph", list_depth: int = -1) -> None:
        taken = None  # a paragraph read as the description before it (`_unindented_body`)
        for position, child in enumerate(node.children):
            name = child.tagname
            if not _is_read(child) or child is taken:
                continue
            if name == "title":
                if isinstance(node, (nodes.section, nodes.document)):
                    self._add("heading", child, level=max(depth, 1), anchor=_section_anchor(node))
                else:  # an admonition's, topic's or sidebar's own title: text of the box
                    self._add(kind, child)
            elif name == "rubric":
                self._add("heading", child, level=_TERM_HEADING_LEVEL)
            elif name == "section":
                self.walk(child, depth + 1, kind, list_depth)
            elif name == "paragraph":
                self._add(kind, child)
            elif name in ("bullet_list", "enumerated_list"):
                self.group += 1
                numbers = _enumerators(child) if name == "enumerated_list" else []
                for position, item in enumerate(child.children):
                    first = len(self.blocks)
                    self.walk(item, depth, "list_item", list_depth + 1)
                    if position < len(numbers) and first < len(self.blocks):  # "2. " before its first block
                        self.blocks[first] = numbered(self.blocks[first], numbers[position])
            elif name in ("literal_block", "doctest_block"):
                classes = [c for c in child.get("classes") or [] if c != "code"]
                self._add("code", child, language=(classes or [self.language])[-1])
            elif name == "table":
                self._table(child)
            elif name == "definition_list":
                for item in child.children:
                    terms = ", ".join(t.astext() for t in item.children if t.tagname == "term")
                    body = " ".join(d.astext() for d in item.children if d.tagname == "definition")
                    self._add("definition", item, text=f"{terms}: {body}" if body.strip() else terms)
            elif name in ("field_list", "docinfo"):
                self._fields(child)
            elif name == "option_list":
                self._options(child, depth, kind, list_depth)
            elif name == "block_quote":
                self.walk(child, depth, "quote", list_depth)
            elif isinstance(child, sphinx.highlight_marker):
                self.language = child["language"]
            elif isinstance(child, sphinx.skipped_marker):
                self._note(child)
            elif isinstance(child, sphinx.description):
                taken = _unindented_body(child, node.children[:position], node.children[position + 1 :])
                self._description(child, depth, kind, list_depth, taken)
            elif isinstance(child, nodes.TextElement):  # captions, line blocks, attributions: their text
                self._add(kind, child)
            else:  # admonitions, containers, topics, list items: their children are the content
                self.walk(child, depth, kind, list_depth)

    def _note(self, marker) -> None:
        """What a `skipped_marker` says goes to the parse result's notes (autodoc's objects, one note)."""
        if marker.get("generated"):
            self.generated.append(marker["generated"])
        else:
            self.notes.append(marker["note"])

    def _fields(self, field_list) -> None:
        """Field lists as definitions; Sphinx's info fields read as Sphinx shows them."""
        types: dict[tuple[str, str], str] = {}
        named: set[tuple[str, str]] = set()
        for item in field_list.children:
            words = item.children[0].astext().split()
            if words and words[0] in _TYPE_FIELDS and len(words) == 2:
                types[(_TYPE_FIELDS[words[0]], words[1])] = " ".join(item.children[-1].astext().split())
            elif len(words) >= 2 and words[0] in _FIELD_WORDS:
                named.add((_FIELD_WORDS[words[0]], words[-1]))
        for item in field_list.children:
            words = item.children[0].astext().split()
            body = item.children[-1].astext()
            label = _field_label(words, types, named)
            if label is not None:
                self._add("definition", item, text=f"{label}: {body}" if body.strip() else label)

    def _options(self, option_list, depth: int, kind: str, list_depth: int) -> None:
        """A program's option list as docutils shows it: each item's options ("-u USER, --user=USER") with
        a short description one definition, over a longer one a term heading (as `_description` does).
        Walked as any other container, each option, argument and description had been a block of its own
        (blind trial 53: Supervisor's "-y", "BYTES", "--logfile_maxbytes", "=BYTES", then a description
        naming no option, which answered an uncovered question about rotation)."""
        for item in option_list.children:
            group = next((c for c in item.children if c.tagname == "option_group"), None)
            names = ", ".join(_option_text(option) for option in group.children) if group is not None else ""
            description = next((c for c in item.children if c.tagname == "description"), None)
            body = " ".join(description.astext().split()) if description is not None else ""
            parts = [c for c in description.children if _is_read(c)] if description is not None else []
            if (
                body
                and len(body.split()) <= _SHORT_DEFINITION_WORDS
                and len(parts) <= 1
                and all(p.tagname == "paragraph" for p in parts)
            ):
                self._add("definition", item, text=f"{names}: {body}" if names else body)
                continue
            if names:
                self._add("heading", item, text=names, level=_TERM_HEADING_LEVEL)
            if description is not None:
                self.walk(description, depth, kind, list_depth)

    def _description(self, node, depth: int, kind: str, list_depth: int, body_paragraph=None) -> None:
        """A signature over a short body is one definition; over a longer one, a term heading.
        `body_paragraph`: the paragraph after a description with no content of its own, its body."""
        signatures = "; ".join(s.astext() for s in node.children if isinstance(s, sphinx.signature))
        content = _content(node)
        for marker in list(content.traverse(sphinx.skipped_marker)) if content is not None else []:
            self._note(marker)  # noted here: a short body is one definition, never walked
            marker.parent.remove(marker)
        body = " ".join(content.astext().split()) if content is not None else ""
        if body_paragraph is not None and signatures:
            self._add("definition", node, text=f"{signatures}: {' '.join(body_paragraph.astext().split())}")
            return
        parts = [c for c in content.children if not isinstance(c, nodes.Text)] if content is not None else []
        simple = (
            len(body.split()) <= _SHORT_DEFINITION_WORDS and len(parts) <= 1
            and not any(isinstance(p, nodes.literal_block) for p in parts)
        )  # fmt: skip
        if not body:
            if signatures:
                self._add(kind, node, text=signatures)
        elif simple and signatures:
            self._add("definition", node, text=f"{signatures}: {body}")
        else:
            if signatures:
                self._add("heading", node, text=signatures, level=_TERM_HEADING_LEVEL)
            self.walk(content, depth, kind, list_depth)

    def _table(self, table) -> None:
        self.group += 1
        for row in table.traverse(lambda n: n.tagname == "row"):
            cells = " | ".join(" ".join(entry.astext().split()) for entry in row.children)
            header = row.parent.tagname == "thead"
            self._add("table_header" if header else "table_row", row, text=cells, group=self.group)

    def _add(self, kind: str, node, text: str | None = None, **extra) -> None:
        if text is None and _only_images(node):
            return  # a badge or a row of them: the page shows pictures, their `:alt:` is no text
        value = node.astext() if text is None else text
        line = _locate(self.lines, value, _line(node))
        if line and kind == "code":
            last = line + value.count("\n")
        else:  # docutils reports one line; a paragraph goes on to the line of its last word
            last = last_line(" ".join(value.split()), self.lines, line) if line else line
            raw = node.rawsource if isinstance(node, nodes.TextElement) else ""
            if line and _SHOWS_TITLE.search(raw):  # a title shown for a `:ref:` may be found further on
                last = min(last, line + raw.strip("\n").count("\n"))
        if kind != "code":
            spans = [found.astext() for found in node.traverse(nodes.literal)]
            if spans:
                extra["code_spans"] = tuple(spans)
        made = block(kind, value, self.lines if line else None, line, last, **extra)
        if made:
            self.blocks.append(made)


def _enumerators(enumerated_list) -> list[str]:
    """The numbers an enumerated list shows before its items ("1. ", "b) ", "(iii) "), as docutils
    writes them: an order of preference or a sequence of steps is read by them (blind trials 53-55)."""
    start = enumerated_list.get("start", 1)
    kind = enumerated_list.get("enumtype", "arabic")
    prefix, suffix = enumerated_list.get("prefix", ""), enumerated_list.get("suffix", ".")
    labels = []
    for number in range(start, start + len(enumerated_list.children)):
        if kind in ("loweralpha", "upperalpha") and 1 <= number <= 26:
            label = chr(ord("a") + number - 1)
            label = label.upper() if kind == "upperalpha" else label
        elif kind in ("lowerroman", "upperroman") and RomanNumeral is not None and 0 < number < 4000:
            numeral = RomanNumeral(number)
            label = numeral.to_lowercase() if kind == "lowerroman" else numeral.to_uppercase()
        else:
            label = str(number)
        labels.append(f"{prefix}{label}{suffix} ")
    return labels


def _option_text(option) -> str:
    """One option as written: its name and its argument ("--user=USER"; an argument's text starts with its
    delimiter)."""
    return "".join(part.astext() for part in option.children)


# A cross-reference shown as its target's title (restic's "... (see :ref:`pack_size`)." reads "(see Pack
# Size)"): the title's words are on the target's line, and a block's last line looked up by its last words
# had reached there (blind trial 56: a paragraph of lines 35-44 was cited as lines 35-92).
_SHOWS_TITLE = re.compile(r":(?:ref|doc|numref):`")


def _section_anchor(node) -> str | None:
    """A section's `#fragment` on the built page: a `.. _label:` over it (explicit, and stable when the
    title changes) if it has one, else docutils' id of its title (Sphinx's permalink)."""
    ids = list(node.get("ids") or ())
    return (ids[1] if len(ids) > 1 else ids[0]) if ids else None


def _field_label(
    words: list[str], types: dict[tuple[str, str], str], named: set[tuple[str, str]]
) -> str | None:
    """How a field's name reads: "Parameter x (int)", "Returns", "Raises ValueError"; None to drop it.

    `types`: the `:type x:` fields' text by (owner word, name); `named`: the (word, name) of the
    parameter and variable fields, into which their type fields merge (as Sphinx shows them).
    """
    head = words[0] if words else ""
    if head in _TYPE_FIELDS and len(words) == 2:
        return None if (_TYPE_FIELDS[head], words[1]) in named else f"Type of {words[1]}"
    if head in _FILE_METADATA:
        return None
    word = _FIELD_WORDS.get(head)
    if word is None:
        return " ".join(words)
    if len(words) == 1:
        return word
    name = words[-1]
    kind = " ".join(words[1:-1]) or types.get((word, name))
    return f"{word} {name} ({kind})" if kind else f"{word} {name}"


# Fields that set a page's metadata for Sphinx, shown nowhere on it (`:orphan:` over tox's man page had been
# a passage "orphan"; blind trial 60).
_FILE_METADATA = frozenset({"meta", "orphan", "nocomments", "nosearch", "tocdepth"})


def _only_images(node) -> bool:
    """Does a node show only images (`.. image::` with a `:target:`, `|badge|` substitutions)? docutils
    gives an image's `:alt:` as its text (tox's ten badges had been a passage "Latest version on PyPI
    PyPI - Implementation ..."; blind trial 60)."""
    if not any(True for _ in node.traverse(nodes.image)):
        return False
    return not "".join(t.astext() for t in node.traverse(nodes.Text)).strip()


def _locate(lines: LineMap, text: str, near: int | None) -> int | None:
    """The source line where a block's text starts, searched around the line docutils reports.

    docutils reports some nodes on their last line (literal blocks), titles on their underline; the
    block's first words, found within a few lines before or after, give the line a citation needs.
    """
    if near is None:
        return None
    first = text.strip().split("\n")[0].strip()[:20]
    total = len(lines.starts)
    for number in sorted(range(max(1, near - 40), min(total, near + 3) + 1), key=lambda n: abs(n - near)):
        if first and first in lines.line(number) and not _UNDERLINE.match(lines.line(number)):
            return number
    return near


def _line(node) -> int | None:
    """docutils' `line` is where a node ends for some elements; the first descendant's is closer."""
    for candidate in node.traverse(include_self=True):
        if getattr(candidate, "line", None):
            number = candidate.line
            return number
    return None


def _unindented_body(description, before: list, following: list) -> nodes.paragraph | None:
    """The paragraph that is a description's body though written unindented after it, or None.

    pytest-xdist's how-to writes `.. envvar:: PYTEST_XDIST_WORKER_COUNT`, a blank line, then "The total
    number of workers in this session ..." at the directive's own indent (blind trial 45): Sphinx shows
    the name with nothing under it and the sentence right below, and read apart the sentence names no
    variable. A description with no content followed by a short paragraph (a definition's length,
    `_SHORT_DEFINITION_WORDS`) takes it as its body; one of a run of bare names (a list of
    `autofunction` entries) does not.
    """
    if not _is_bare(description):
        return None
    previous = next((c for c in reversed(before) if _is_shown(c)), None)
    if isinstance(previous, sphinx.description) and _is_bare(previous):
        return None
    after = next((c for c in following if _is_shown(c)), None)
    if after is None or after.tagname != "paragraph" or len(after.astext().split()) > _SHORT_DEFINITION_WORDS:
        return None
    return after


def _is_read(node) -> bool:
    """Is a node one the walker reads (not loose text, a comment, a target or another of _SKIP)?"""
    return not isinstance(node, nodes.Text) and node.tagname not in _SKIP


def _is_shown(node) -> bool:
    """Is a node read and on the page (not a `skipped_marker`, which only notes what was left out)?"""
    return _is_read(node) and not isinstance(node, sphinx.skipped_marker)


def _content(description):
    """A description's content node (what its signatures describe), or None."""
    return next((c for c in description.children if isinstance(c, sphinx.description_content)), None)


def _is_bare(description) -> bool:
    """Is a description only its signatures, with no content?"""
    content = _content(description)
    return content is None or not content.astext().strip()
