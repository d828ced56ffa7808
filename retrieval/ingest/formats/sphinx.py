"""Sphinx's directives and roles taught to plain docutils, rendered the way Sphinx shows them.

Why not Sphinx itself: its directives need a running application, a build environment and a
configuration; a corpus file is parsed alone, from bytes. Why hand-written: these are docutils'
own extension points (`directives.register_directive`, `roles.register_local_role`), and what
each directive renders to is Sphinx's documented output: a glossary is terms with definitions,
`versionadded` reads "New in version X: ...", `:meth:`~a.B.c`` reads "c()", a toctree is nothing.

Directives and roles that are neither docutils' nor listed here are registered on first sight
(`register_unknown`) as a fallback that keeps their text: an argument line, then the content.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from docutils import nodes
from docutils.parsers.rst import Directive, directives, roles
from docutils.utils import unescape

# -- nodes the rst walker reads (rst.py) -------------------------------------------------------------


class highlight_marker(nodes.Element):  # noqa: N801 (docutils names node classes in lower case)
    """`.. highlight:: lang`: the language of the literal blocks (`::`) that follow."""


class skipped_marker(nodes.Element):  # noqa: N801
    """A directive whose text is not in the file: `note`, what the parse result says of it (`literalinclude`),
    or `generated`, the object autodoc documents from its code (one note says them all)."""


class description(nodes.Element):  # noqa: N801
    """An object description (`.. py:function:: sig`): its signatures, then its content."""


class signature(nodes.TextElement):  # noqa: N801
    """One signature line of a description."""


class description_content(nodes.Element):  # noqa: N801
    """The body of a description."""


# -- roles -------------------------------------------------------------------------------------------
_EXPLICIT_TITLE = re.compile(r"^(.+?)\s*(?<!\x00)<([^<]*?)>$", re.DOTALL)
_PAREN_ROLES = {"func", "meth", "function", "method", "macro"}  # Sphinx's add_function_parentheses
_LITERAL_ROLES = {
    "meth", "func", "class", "attr", "mod", "data", "exc", "obj", "const", "type", "member", "var",
    "struct", "union", "enum", "enumerator", "macro", "expr", "texpr", "function", "method", "attribute",
    "envvar", "option", "file", "samp", "command", "program", "kbd", "makevar", "mimetype", "regexp",
    "token", "keyword", "confval", "dir", "role",
}  # fmt: skip
_PLAIN_ROLES = {"abbr", "dfn", "term", "ref", "doc", "numref", "download", "guilabel", "menuselection", "any"}
# sphinx-design's icon roles (`:octicon:`zap``, `:fab:`github``): a picture, no text.
_ICON_ROLES = {"octicon", "fab", "fas", "far", "material-regular", "material-outlined", "material-round",
               "material-sharp", "material-twotone"}  # fmt: skip


def _split_title(text: str) -> tuple[str | None, str]:
    """(explicit title, target) of role text such as "Title <target>"; title None when none."""
    found = _EXPLICIT_TITLE.match(text)
    if found:
        return found.group(1), found.group(2)
    return None, text


_DOTTED_NAME = re.compile(r"\.?[A-Za-z_][\w]*(?:(?:\.|::)[A-Za-z_][\w]*)*(?:\(\))?")


def _xref_text(name: str, text: str, labels: dict[str, str]) -> str:
    """What Sphinx shows for a cross-reference role's text (without the link)."""
    title, target = _split_title(text)
    if title is not None:
        return unescape(title)
    target = unescape(target).strip()
    if target.startswith("!"):
        target = target[1:]
    # `~a.b.C` shows C; a `~` before anything but a dotted name is text (`~/.netrc`, a lone `~`: Requests
    # writes paths in the default role, which shows them as written; blind trial 62)
    short = target.startswith("~") and bool(_DOTTED_NAME.fullmatch(target[1:]))
    target = target[1:] if short else target
    kind = name.rsplit(":", 1)[-1]
    domain = name.split(":", 1)[0] if ":" in name else ""
    if kind in ("ref", "numref"):
        return labels.get(target.lower(), target)
    if kind == "dir" and domain == "rst":
        return f".. {target}::"
    if kind == "role" and domain == "rst":
        return f":{target}:"
    # a relative Python name; the default role's ".vcf" is a file extension (blind trial 63)
    if domain in ("py", "") and kind != "any" and target.startswith("."):
        target = target[1:]
    if short:
        target = re.split(r"\.|::", target)[-1]
    if kind in _PAREN_ROLES and not target.endswith(")"):
        target += "()"
    return target


def _text_role(name: str) -> Callable:
    """A role function rendering `name`'s text as Sphinx shows it; labels come from the document."""

    def role(role_name, rawtext, text, lineno, inliner, options=None, content=None):
        role_name = role_name or name  # the default role (`text`) is called with no name
        labels = getattr(inliner.document.settings, "citebot_labels", None) or {}
        kind = role_name.rsplit(":", 1)[-1].lower()
        if kind in ("file", "samp"):
            shown = re.sub(r"(?<!\\)[{}]", "", unescape(text)).replace("\\{", "{").replace("\\}", "}")
        elif kind == "guilabel":
            shown = re.sub(r"&(&?)", r"\1", unescape(text))
        elif kind == "menuselection":
            shown = re.sub(r"&(&?)", r"\1", unescape(text)).replace("-->", "\N{TRIANGULAR BULLET}")
        elif kind in _ICON_ROLES:
            shown = ""  # an icon's name: the page shows a picture (blind trial 51: "zap Advanced Techniques")
        elif kind in ("abbr", "kbd", "command", "program", "dfn", "mimetype", "makevar", "regexp"):
            shown = unescape(text)
        else:
            shown = _xref_text(role_name.lower(), text, labels)
        node = nodes.literal if kind in _LITERAL_ROLES else nodes.inline
        return [node(rawtext, shown)], []

    role.__name__ = f"sphinx_{name.replace(':', '_').replace('-', '_')}"
    return role


_DOMAINS = ("py", "c", "cpp", "js", "rst", "std")
_ROLE_NAMES = sorted(_LITERAL_ROLES | _PLAIN_ROLES | _ICON_ROLES)


# -- directives --------------------------------------------------------------------------------------
class _AnyOptions(dict):
    """An option spec that accepts every option (Sphinx directives have many; none is text)."""

    def __missing__(self, key: str):
        return directives.unchanged

    def __bool__(self) -> bool:
        return True


class _Lenient(Directive):
    """A directive as Sphinx's own are written: an optional title argument (spaces allowed), content, any option."""

    optional_arguments = 1
    final_argument_whitespace = True
    has_content = True
    option_spec = _AnyOptions()


def _parse_content(directive: Directive, into: nodes.Element) -> nodes.Element:
    if directive.content:
        directive.state.nested_parse(directive.content, directive.content_offset, into)
    return into


def _paragraph(directive: Directive, text: str, lineno: int | None = None) -> nodes.paragraph:
    """A paragraph of inline rST text (roles and emphasis resolved), placed at `lineno`."""
    lineno = lineno or directive.lineno
    children, messages = directive.state.inline_text(text, lineno)
    paragraph = nodes.paragraph(text, "", *children)
    paragraph.source, paragraph.line = directive.state_machine.get_source_and_line(lineno)
    return paragraph


class Content(_Lenient):
    """Its content as written (`only`, `ifconfig`, `seealso`, tabs, cards); a title argument first."""

    def run(self) -> list[nodes.Node]:
        if self.name == "only" and not _on_html_pages(self.arguments[0] if self.arguments else ""):
            return []
        box = nodes.container()
        box.line = self.lineno
        if self.arguments and self.name not in ("only", "ifconfig"):
            box += _paragraph(self, self.arguments[0])
        return [_parse_content(self, box)]


# Sphinx's builders other than HTML, as `.. only::` names them (its documentation's list of builder tags).
_OTHER_BUILDERS = {"man", "latex", "texinfo", "text", "epub", "xml", "pseudoxml", "gettext", "pdf", "rinoh"}


def _on_html_pages(expression: str) -> bool:
    """Does `.. only:: <expression>` show its content on the HTML pages a team reads? Not for another
    builder ("man", "latex or man", "not html"; blind trial 51: beets' man-page SYNOPSIS was indexed as
    page text); yes for "html", "not latex" and tags it cannot know (a project's own, set at build time,
    count as set). The expression is Sphinx's: tags joined by and, or, not and parentheses."""
    tokens = expression.lower().replace("(", " ( ").replace(")", " ) ").split()
    values = {"html": "True", **dict.fromkeys(_OTHER_BUILDERS, "False")}
    words = [t if t in ("and", "or", "not", "(", ")") else values.get(t, "True") for t in tokens]
    try:  # only True, False, and, or, not and parentheses reach eval: no name, no call
        return bool(eval(" ".join(words) or "True", {"__builtins__": {}}))  # noqa: S307
    except SyntaxError:
        return True


class Dropped(_Lenient):
    """Nothing a reader sees: toctree, index, module, currentmodule, sectionauthor."""

    def run(self) -> list[nodes.Node]:
        if self.name in _GENERATED_NAMES and self.arguments:  # the page shows what the code's docstrings say
            return [skipped_marker(generated=self.arguments[0].split()[0])]
        return []


class CodeBlock(_Lenient):
    """`code-block`/`sourcecode`/`code`: the content verbatim with its language (Sphinx's options allowed)."""

    def run(self) -> list[nodes.Node]:
        code = "\n".join(self.content)
        block = nodes.literal_block(code, code)
        language = self.arguments[0].split()[0] if self.arguments else None
        if self.name == "code-tab" and language:
            language = language.split()[0]
        if language:
            block["classes"].append(language)
        block.line = self.content_offset + 1 if self.content else self.lineno
        return [block]


class Highlight(Directive):
    """`.. highlight:: lang`: sets the language of the literal blocks after it."""

    required_arguments = 1
    option_spec = _AnyOptions()

    def run(self) -> list[nodes.Node]:
        return [highlight_marker(language=self.arguments[0])]


class LiteralInclude(Directive):
    """`literalinclude` and `include`: the file is not read (parsing is sandboxed); a note says what was
    left out (docutils dropped a sandboxed `include` without a word: requests' `dev/authors.rst`, which
    only includes `../../AUTHORS.rst`, was skipped as "no text left" with no reason given)."""

    required_arguments = 1
    final_argument_whitespace = True
    option_spec = _AnyOptions()

    def run(self) -> list[nodes.Node]:
        return [
            skipped_marker(note=f"{self.name} {self.arguments[0]} left out (included files are not read)")
        ]


_VERSION_WORDS = {
    "versionadded": "New in version",
    "versionchanged": "Changed in version",
    "deprecated": "Deprecated since version",
    "versionremoved": "Removed in version",
}


class VersionChange(_Lenient):
    """`versionadded:: 2.5 text` -> the paragraph "New in version 2.5: text" (Sphinx's wording)."""

    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        lead = f"{_VERSION_WORDS[self.name]} {self.arguments[0]}"
        box = nodes.container()
        if len(self.arguments) > 1:
            box += _paragraph(self, self.arguments[1])
        _parse_content(self, box)
        first = box.children[0] if box.children else None
        if isinstance(first, nodes.paragraph):
            first.insert(0, nodes.Text(f"{lead}: "))
        else:
            paragraph = nodes.paragraph(lead, f"{lead}.")
            paragraph.line = self.lineno
            box.insert(0, paragraph)
        return [box]


class Glossary(Directive):
    """A glossary: each entry's term lines (several terms may share one) and its indented definition."""

    has_content = True
    option_spec = _AnyOptions()

    def run(self) -> list[nodes.Node]:
        glossary = nodes.definition_list()
        entries: list[tuple[list[tuple[str, int]], list[tuple[str, int]]]] = []
        in_definition = False
        for offset, line in enumerate(self.content):
            lineno = self.content_offset + offset
            if not line.strip():
                if entries and entries[-1][1]:
                    entries[-1][1].append(("", lineno))
                continue
            if not line[0].isspace():
                if in_definition or not entries:
                    entries.append(([], []))
                entries[-1][0].append((line.strip(), lineno))
                in_definition = False
            elif entries:
                entries[-1][1].append((line, lineno))
                in_definition = True
        for terms, body in entries:
            item = nodes.definition_list_item()
            item.line = terms[0][1] + 1
            for text, lineno in terms:
                text = re.split(r"\s+:\s+", text)[0]  # "term : index key" -> the term
                children, _ = self.state.inline_text(text, lineno + 1)
                term = nodes.term(text, "", *children)
                term.line = lineno + 1
                item += term
            definition = nodes.definition()
            if body:
                indent = min(len(t) - len(t.lstrip()) for t, _ in body if t.strip())
                from docutils.statemachine import StringList

                lines = StringList([t[indent:] for t, _ in body], self.content.source(0))
                self.state.nested_parse(lines, body[0][1], definition)
            item += definition
            glossary += item
        return [glossary]


_SIGNATURE_FORMS = {
    "rst:directive": ".. {}::",
    "rst:role": ":{}:",
}


class Description(_Lenient):
    """An object description (`py:function`, `class`, `confval`, `option`, `rst:directive`, ...).

    Sphinx renders it as a term (the signatures) over its content; the walker decides between one
    definition and a term heading over blocks, as html.py does for <dt>/<dd>.
    """

    def run(self) -> list[nodes.Node]:
        found = description()
        found.line = self.lineno
        for line in self.arguments[0].split("\n") if self.arguments else []:
            text = " ".join(line.replace("\\\n", " ").split())
            if not text:
                continue
            if self.name == "rst:directive:option":
                name, _, rest = text.partition(":")
                text = f":{name.strip()}: {rest.strip()}".rstrip()
            elif self.name in _SIGNATURE_FORMS:
                text = _SIGNATURE_FORMS[self.name].format(text)
            text = _with_default(text, _inline_text(self, self.options.get("default")))
            node = signature(text, text)
            node.line = self.lineno
            found += node
        body = description_content()
        found += _parse_content(self, body)
        if self.name in _GENERATED_NAMES and self.arguments:  # the docstring is filled in at build time
            return [found, skipped_marker(generated=self.arguments[0].split()[0])]
        return [found]


_DESCRIPTION_NAMES = [
    "function", "class", "method", "staticmethod", "classmethod", "attribute", "property", "data",
    "exception", "decorator", "decoratormethod", "describe", "object", "confval", "option", "cmdoption",
    "envvar", "type", "member", "macro", "struct", "union", "enum", "enumerator", "var", "concept",
    "autofunction", "autoclass", "automethod", "autoattribute", "autodata", "autoexception",
    "autodecorator", "autoproperty",
]  # fmt: skip
_DOMAIN_DESCRIPTIONS = {
    "py": ["function", "class", "method", "staticmethod", "classmethod", "attribute", "property", "data",
           "exception", "decorator", "decoratormethod", "type"],
    "c": ["function", "member", "macro", "struct", "union", "enum", "enumerator", "type", "var"],
    "cpp": ["function", "class", "struct", "member", "var", "type", "enum", "enum-class", "enum-struct",
            "enumerator", "union", "concept"],
    "js": ["function", "method", "class", "data", "attribute"],
    "rst": ["directive", "directive:option", "role"],
    "std": ["option", "envvar", "confval"],
}  # fmt: skip
# autodoc's directives: the site fills in each object's documentation from its code's docstrings when it
# is built; the source holds only the object's name (Requests' api.rst: "Session", "request"; blind trial
# 62). Read as what the source says, and reported as left out (rst.py `generated_note`).
_GENERATED_NAMES = frozenset({
    "automodule", "autoclass", "autofunction", "automethod", "autoattribute", "autodata", "autoexception",
    "autodecorator", "autoproperty", "autosummary",
})  # fmt: skip
_DROPPED_NAMES = [
    "toctree", "index", "module", "currentmodule", "py:module", "py:currentmodule", "js:module",
    "c:namespace", "cpp:namespace", "cpp:namespace-push", "cpp:namespace-pop", "default-domain",
    "sectionauthor", "moduleauthor", "codeauthor", "tabularcolumns", "program", "automodule",
    "autosummary", "todolist",
    # diagrams, drawn from their source as pictures (tox's `.. mermaid::` flowcharts had been read as text,
    # "classDef ini fill:#dbeafe,stroke:#3b82f6" included; blind trial 60)
    "mermaid", "graphviz", "graph", "digraph", "inheritance-diagram", "plantuml", "uml", "blockdiag",
    "seqdiag", "actdiag", "nwdiag", "kroki",
]  # fmt: skip
_CONTENT_NAMES = [
    "only", "ifconfig", "seealso", "centered", "hlist", "todo", "tab", "group-tab", "tab-item", "card",
    "dropdown", "grid-item", "grid-item-card",
]  # fmt: skip
# sphinx-prompt's `.. prompt:: bash` is code too: its argument is the language (a prompt may follow it)
_CODE_NAMES = ["code-block", "sourcecode", "code", "code-tab", "productionlist", "doctest", "testcode",
               "testoutput", "prompt"]  # fmt: skip


_CONTAINER_NAMES = ["tab-set", "tabs", "grid", "tab-set-code"]


class _Fallback(Content):
    """A directive nobody registered: its argument line, then its content, as rST; nothing for a
    cross-reference target (see `register_unknown`)."""

    def run(self) -> list[nodes.Node]:
        targets = getattr(self.state.document.settings, "citebot_targets", None) or frozenset()
        if not self.content and self.name in targets and len(self.arguments[0].split()) == 1:
            return []
        named = next((self.options[key] for key in _NAMING_OPTIONS if self.options.get(key)), None)
        if not self.arguments and named:  # a project's object description naming its object by an option
            self.arguments = [" ".join(str(named).split())]
            return Description.run(self)
        if self.arguments and any(_INFO_FIELD.match(line) for line in self.content):
            # `add_object_type`'s: vdirsyncer's `.. storage:: caldav` + `:param url:`
            return Description.run(self)
        if not self.arguments and not self.content:  # the site generates what it shows
            return [
                skipped_marker(note=f"{self.name} left out (its text is generated when the site is built)")
            ]
        if self.arguments:  # inline rST: _paragraph renders the default's markup with the name's
            self.arguments[0] = _with_default(self.arguments[0], self.options.get("default"))
        return super().run()


# The options by which a project's own directive names what it describes when it takes no argument: tox's
# `.. conf::` + `:keys: work_dir, toxworkdir` + `:default: {tox_root}/.tox` shows "work_dir, toxworkdir
# with default value of {tox_root}/.tox" over its body (blind trial 60: all 92 of its settings had been
# their bodies alone, "Directory for tox to generate its environments into ...", naming no setting).
_NAMING_OPTIONS = ("keys", "key", "names", "name")
# Sphinx's info fields in a directive's text (`:param url:`, `:type x:`, `:returns:`): what an object
# description holds (blind trial 63: each of vdirsyncer's `.. storage::` entries had been a paragraph, and
# filesystem's and singlefile's "Parameter path" could not be told apart).
_INFO_FIELD = re.compile(
    r"^\s*:(param|parameter|arg|argument|key|keyword|type|returns?|rtype|raises?|var|ivar)\b"
)


def _with_default(text: str, default: str | None) -> str:
    """A described name with the `:default:` its directive gives, as Sphinx's confval and projects' own
    setting directives show it ("ratelimit (default: 1)"; blind trial 49, beets' `.. conf::`: all 23
    defaults had been lost, one question's answer with them)."""
    value = " ".join(str(default or "").split())
    return f"{text} (default: {value})" if value else text


def _inline_text(directive: Directive, text: str | None) -> str | None:
    """Inline rST as the page shows it (roles and literals resolved: ":code-py:`'dot'`" reads 'dot'), for
    text going where no markup is parsed, as a signature."""
    if not text:
        return text
    children, _ = directive.state.inline_text(" ".join(str(text).split()), directive.lineno)
    return "".join(child.astext() for child in children)


# `.. setting:: NAME` followed by a title repeating NAME (Scrapy's settings and commands).
_TARGET_OVER_TITLE = re.compile(
    r"^\.\.[ \t]+([\w:.+-]+)[ \t]*::[ \t]+(\S+)[ \t]*\n(?:[ \t]*\n)*\2[ \t]*\n([=\-~^\"'`#*+:.])\3{2,}[ \t]*$",
    re.MULTILINE,
)


class _ContentOnly(Content):
    """A container whose argument is no text (sphinx-tabs `tabs`, sphinx-design `tab-set`): its content."""

    def run(self) -> list[nodes.Node]:
        box = nodes.container()
        box.line = self.lineno
        return [_parse_content(self, box)]


_registered = False


def register() -> None:
    """Register Sphinx's directives and roles with docutils (once per process)."""
    global _registered
    if _registered:
        return
    for name in _DROPPED_NAMES:
        directives.register_directive(name, Dropped)
    for name in _CONTAINER_NAMES:
        directives.register_directive(name, _ContentOnly)
    for name in _CONTENT_NAMES:
        directives.register_directive(name, Content)
    for name in _CODE_NAMES:
        directives.register_directive(name, CodeBlock)
    for name in _DESCRIPTION_NAMES:
        directives.register_directive(name, Description)
    for domain, names in _DOMAIN_DESCRIPTIONS.items():
        for name in names:
            directives.register_directive(f"{domain}:{name}", Description)
    for name in _VERSION_WORDS:
        directives.register_directive(name, VersionChange)
    directives.register_directive("glossary", Glossary)
    directives.register_directive("highlight", Highlight)
    directives.register_directive("literalinclude", LiteralInclude)
    directives.register_directive("include", LiteralInclude)
    for name in _ROLE_NAMES:
        roles.register_local_role(name, _text_role(name))
        for domain in _DOMAINS:
            roles.register_local_role(f"{domain}:{name}", _text_role(f"{domain}:{name}"))
    # Text in single backticks takes the project's default role, which conf.py sets (most often to `any` or
    # `py:obj`, a cross-reference): `Schema.on_bind_field <marshmallow.Schema.on_bind_field>` shows its
    # title, `~fields.Nested` its last name. docutils' own default, title-reference, had kept the target
    # ("... <marshmallow." then a sentence cut at its dot; blind trial 57).
    roles.register_canonical_role("title-reference", _text_role("any"))
    _registered = True


_DIRECTIVE_NAME = re.compile(r"^[ \t]*\.\.[ \t]+([A-Za-z0-9][\w:.+-]*?)[ \t]*::", re.MULTILINE)
_ROLE_NAME = re.compile(
    r"(?<![\w`\\]):([A-Za-z0-9][\w.+-]*(?::[A-Za-z0-9][\w.+-]*)*):`|`:([A-Za-z0-9][\w:.+-]*):"
)


def register_unknown(text: str) -> frozenset[str]:
    """Give every directive and role named in `text` that nobody knows a fallback keeping its text.

    Returns the names of directives the file uses as cross-reference targets, which Sphinx shows nothing
    for (a project's `app.add_crossref_type("setting", "setting")`: `.. setting:: NAME` is where
    `:setting:` links go): a directive also written as a role in the file, or one written over a section
    title that repeats its argument. `_Fallback` applies it to directives nobody registered, and only to
    one-word arguments with no content (a description directive of `add_object_type` has its text
    indented under it)."""
    from docutils.parsers.rst.languages import en

    known_directives = set(directives._directives) | set(directives._directive_registry)  # noqa: SLF001
    known_directives |= set(en.__dict__.get("directives", {}))
    directives_used = {found.group(1).lower() for found in _DIRECTIVE_NAME.finditer(text)}
    for name in directives_used - known_directives:
        directives.register_directive(name, _Fallback)
    known_roles = set(roles._roles) | set(roles._role_registry)  # noqa: SLF001
    known_roles |= set(en.__dict__.get("roles", {}))
    roles_used = {(found.group(1) or found.group(2)).lower() for found in _ROLE_NAME.finditer(text)}
    for name in roles_used - known_roles:
        roles.register_local_role(name, _text_role(name))
    over_titles = {found.group(1).lower() for found in _TARGET_OVER_TITLE.finditer(text)}
    return frozenset((directives_used & roles_used) | over_titles)
