"""Heading anchors: the `#fragment` a published page gives each section, so a citation opens the section.

An anchor is the page's own id where the source names one (a Markdown `{#id}`, an HTML heading's `id`,
a reST section's id, taken by the readers as `Block.anchor`); otherwise it is made from the heading's
text by the slug rule of the site generator that publishes the file:

| style | generators | rule | duplicates |
|---|---|---|---|
| `github` | GitHub, Docusaurus, Hugo (goldmark "github"); the default | github-slugger: lower case, drop punctuation and symbols, each space a `-` | `-1`, `-2` |
| `python-markdown` | MkDocs, Python-Markdown `toc` | `toc.slugify`: NFKD to ASCII, drop non-word, runs of space and `-` one `-` | `_1`, `_2` |
| `asciidoctor` | Asciidoctor, Antora, GitHub's AsciiDoc view | `_` + lower case, drop what is not a word, space `.` `-` one `_` | `_2`, `_3` |
| `none` | HTML pages, reST (docutils gives every section its id) | only ids the source has | - |

Which style a file gets comes from evidence beside it (`slug_style`): an `mkdocs.yml` in its folder or
a folder above it (up to the corpus root) means MkDocs; otherwise GitHub's rule, which Docusaurus and
Hugo share. Only Markdown is slugged: an HTML page's headings without an id have no anchor (guessing
one would link to nowhere), and a reST section always has docutils' id. AsciiDoc is slugged the
Asciidoctor way wherever it is (its document title, `= Title`, has no id).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from markdown.extensions.toc import slugify as toc_slugify
from markdown.extensions.toc import unique as toc_unique

from retrieval.models import Block

SLUG_STYLES = ("github", "python-markdown", "asciidoctor", "none")
DEFAULT_STYLE = "github"
_SLUGGED_SUFFIXES = {".md", ".markdown", ".mdx"}  # sources whose headings get ids from their text
_ASCIIDOC_SUFFIXES = {".adoc", ".asciidoc"}
# Files that name the site generator of a folder, and the slug style it uses. MkDocs is the one whose
# rule differs from GitHub's; Docusaurus (github-slugger) and Hugo (goldmark's "github" ids) share it.
_EVIDENCE = (
    ("mkdocs.yml", "python-markdown"),
    ("mkdocs.yaml", "python-markdown"),
    ("docusaurus.config.js", "github"),
    ("docusaurus.config.ts", "github"),
    ("docusaurus.config.mjs", "github"),
    ("hugo.toml", "github"),
    ("hugo.yaml", "github"),
)
# github-slugger removes these Unicode general categories (all of C, P but `-` and `_`, S, Z but ` `,
# and No), except letters (its generator keeps every Alphabetic code point). Its regex is generated
# from Unicode 13; Python's unicodedata is newer, which only matters for characters added since.
_GITHUB_DROP = {"No", "Ps", "Pe", "Pi", "Pf", "Po", "Pd", "Sc", "Sk", "Sm", "So", "Cc", "Cf", "Co", "Cn",
                "Cs", "Zs", "Zl", "Zp"}  # fmt: skip
_MAX_HEADING_LEVEL = 6  # deeper "headings" are leads (tab labels, terms): anchored only by their own id


def github_slug(text: str) -> str:
    """github-slugger's `slug()`: "Partial Synchronization (PSYNC)" -> "partial-synchronization-psync"."""
    kept = (
        ch
        for ch in text.lower()
        if ch in " -" or ch.isalpha() or unicodedata.category(ch) not in _GITHUB_DROP
    )
    return "".join(kept).replace(" ", "-")


# Asciidoctor's InvalidSectionIdCharsRx: tags, character references, and anything not a word, space,
# `-` or `.`; then space, `.` and `-` runs become one `_` (Section.generate_id, idprefix = idseparator = _).
_ASCIIDOC_INVALID = re.compile(
    r"<[^>]+>|&(?:[a-z][a-z]+\d{0,2}|#\d\d\d{0,4}|#x[\da-f][\da-f][\da-f]{0,3});|[^ \w.-]+"
)


def asciidoctor_slug(text: str) -> str:
    """Asciidoctor's automatic section id: "Clean up" -> "_clean_up", "Step 2. Run it" -> "_step_2_run_it"."""
    slug = re.sub(r"[ .-]+", "_", _ASCIIDOC_INVALID.sub("", text.lower()))
    return "_" + slug.rstrip("_") if slug.strip("_") else ""


def markdown_slug(text: str) -> str:
    """Python-Markdown's `toc.slugify` with MkDocs' separator: "Über uns!" -> "uber-uns"."""
    return toc_slugify(text, "-")


class Slugger:
    """Anchors for one document's headings in order, duplicates told apart as the generator does."""

    def __init__(self, style: str) -> None:
        if style not in SLUG_STYLES:
            raise ValueError(f"unknown slug style {style!r} (one of {', '.join(SLUG_STYLES)})")
        self.style = style
        self._taken: set[str] = set()
        self._occurrences: dict[str, int] = {}

    def take(self, anchor: str) -> None:
        """Note an id the page already has (an explicit one), so a slug made later does not reuse it."""
        self._taken.add(anchor)
        self._occurrences.setdefault(anchor, 0)

    def slug(self, text: str) -> str | None:
        """The anchor of the next heading reading `text`; None for style `none` or an empty slug."""
        if self.style == "python-markdown":
            return toc_unique(markdown_slug(text), self._taken) or None
        if self.style == "github":
            return self._github_unique(github_slug(text)) or None
        if self.style == "asciidoctor":
            return self._asciidoctor_unique(asciidoctor_slug(text)) or None
        return None

    def _asciidoctor_unique(self, slug: str) -> str:
        """Asciidoctor's duplicates: the second "_usage" is "_usage_2", the third "_usage_3"."""
        if not slug or slug not in self._taken:
            self._taken.add(slug)
            return slug
        count = 2
        while f"{slug}_{count}" in self._taken:
            count += 1
        self._taken.add(f"{slug}_{count}")
        return f"{slug}_{count}"

    def _github_unique(self, slug: str) -> str:
        """github-slugger's occurrence walk: the second "usage" is "usage-1", the third "usage-2"."""
        result = slug
        while result in self._occurrences:
            self._occurrences[slug] += 1
            result = f"{slug}-{self._occurrences[slug]}"
        self._occurrences[result] = 0
        return result


def resolve_anchors(blocks: Iterable[Block], style: str) -> list[Block]:
    """The blocks with every real heading's `anchor` set: its own id, else a slug of its text in `style`.

    Leads (level 7: tab labels, terms) keep only an id of their own. The slugger sees the headings in
    document order, so duplicates get the suffixes the published page gives them.
    """
    blocks = list(blocks)
    slugger = Slugger(style)
    for item in blocks:
        if item.kind == "heading" and item.anchor:
            slugger.take(item.anchor)
    resolved: list[Block] = []
    for item in blocks:
        if item.kind == "heading" and not item.anchor and item.level <= _MAX_HEADING_LEVEL:
            if not (style == "asciidoctor" and item.level == 1):  # the document title has no id
                item = replace(item, anchor=slugger.slug(item.text))
        resolved.append(item)
    return resolved


def slug_style(path: Path, root: Path) -> str:
    """The slug style for the file at `path` under the corpus folder `root`.

    `asciidoctor` for AsciiDoc; `none` for other files that are not Markdown; for Markdown the style named by the nearest generator file
    (mkdocs.yml, docusaurus.config.*, hugo.*) in the file's folder or a folder above it, up to `root`;
    else GitHub's.
    """
    if path.suffix.lower() in _ASCIIDOC_SUFFIXES:
        return "asciidoctor"
    if path.suffix.lower() not in _SLUGGED_SUFFIXES:
        return "none"
    folder, root = path.parent.resolve(), root.resolve()
    while True:
        found = _folder_style(folder)
        if found:
            return found
        if folder == root or root not in folder.parents:
            return DEFAULT_STYLE
        folder = folder.parent


@functools.lru_cache(maxsize=1024)
def _folder_style(folder: Path) -> str | None:
    return next((style for name, style in _EVIDENCE if (folder / name).is_file()), None)


_ATTR_ID = re.compile(r"\{\s*#([^\s}]+)[^}]*\}\s*$")  # `## Title {#custom-id}`, `{ #id .class key=v }`
_MDX_COMMENT_ID = re.compile(r"\{/\*\s*#([^\s*]+)\s*\*/\}\s*$")  # Docusaurus MDX: `## Title {/* #id */}`
_NAMED_ANCHOR = re.compile(r"""<a\s[^>]*\b(?:id|name)\s*=\s*["']([^"']+)["']""", re.IGNORECASE)


def markdown_heading_id(line: str) -> str | None:
    """The id a Markdown heading line gives itself: `{#id}` (Docusaurus, MkDocs attr_list, Hugo,
    kramdown), Docusaurus MDX's `{/* #id */}`, or an `<a id="x">`/`<a name="x">` in the heading."""
    stripped = line.rstrip().rstrip("#").rstrip() if not line.rstrip().endswith("}") else line.rstrip()
    for pattern in (_ATTR_ID, _MDX_COMMENT_ID):
        found = pattern.search(stripped)
        if found:
            return found.group(1)
    found = _NAMED_ANCHOR.search(line)
    return found.group(1) if found else None
