"""The index manifest: how an index was built, so a mismatched one is refused with a way out."""

from __future__ import annotations

import json
import platform
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib import metadata

from retrieval.errors import IndexIncompatibleError

# 2: the vocabulary's document frequencies are stored at build (older indexes lack them: rebuild).
FORMAT_VERSION = 2
# Bump when loading, cleaning or chunking changes what passages a file yields: a refresh then
# re-reads every file instead of reusing passages made by the old code.
# 13: passages carry their section's anchor (citation links); 14: long code blocks cut at blank lines and
# statement starts, a block's code units numbered part k of n (whole units in answers); 15: a unit's lines
# are found from the words of its source lines (Block.line_breaks), reST paragraphs get their last line,
# a notebook's printed output starts with "Output:"; 16: a dateline at a document's head leads with its title.
# 17-20 (one stop's steps): a dated section heading ("[2.4.0] - 2024-03-12") with the headings below it
# ("Removed"), or a version heading over its "Released 2021-05-11" or "Unreleased" line, opens each
# passage of its section and leads its units; a release version ("3.1.1") is a keyword token whole as
# well as in parts. 21: a plain-text file's first line standing alone, short and no sentence, is its
# title, not a passage of its own; a numbered short line ("2.1 Data") is a heading a level down per part.
# 22: a PDF's lines larger than its body text, short and no sentence, are headings levelled by size;
# LaTeX's CFF fonts are decoded with fontTools. 23: a numbered line over another numbered heading is a
# heading ("4 Experiments" over "4.1 Datasets"); a title line needs a blank line under it; a camel-case
# join the document repeats ("ContraSpan") is a name, not two blocks a scraper glued together. 24: a PDF
# line ending "size-" before "tiered" keeps its hyphen (a compound), "infor-" before "mation" is rejoined.
# 25: no sentence ends inside inline code ("instances of `httpx.Limits` which define:"); a page's title is
# the heading naming it, not the first of several sections, else its file's name; a title line may end in
# an abbreviation ("King, Jr."); page templates and pip requirements lists are not read; an API-reference
# marker (`::: httpx.Client`) reads as the object's name. 26: a Sphinx HTML build's `_sources/` copies,
# `_static/` files and index/search pages are not read; Hugo's code shortcodes (`code-toggle`, `highlight`)
# are code, a version shortcode keeps its version; a long HTML definition's opening paragraph is a
# definition with its term ("exception x.SignatureExpired(...): Raised if ...").
# 27: PDF word gaps drawn as TJ moves (pdfTeX) are spaces; running heads carrying the page's number, back-
# of-book index pages and a cover page's headings are dropped; LaTeX chapter openers become one heading;
# monospace runs are code blocks (never deduplicated); a TeX accent drawn before its letter is combined.
# 28: a scraped page's byline or dateline field ("Authors" / "Greg Brockman") is one definition, not part
# of a menu; a dateline glued to the sentence before ("intelligenceSAN FRANCISCO") starts a sentence.
# 29: a short code block that does not fit after its lead-in takes the lead-in into its passage, as a long
# block's first part did.
# 30: a PDF heading of figures only that dates a release ("1.16.9 25.0 - 2025-04-19") is a heading.
# 31: a PDF's code set letter by letter ("n e t w o r k 2 t i k z", LaTeX listings) is closed up.
# 32: a PDF set in two columns measures "a short line" against a column's full line, not a title or
# caption spanning both; a numbered title at the text's size ("2.1 Data") is a heading a level below its
# section; a line ending in a hyphenated word never ends a paragraph, and before a capital the hyphen is
# kept ("Doshi-Velez") unless the document spells the word whole ("SpecifierSet"); text drawn inside
# figures (form XObjects: a plot's labels) is left out, and said in the build log; footnotes are taken
# column by column, a note's line opening with a figure continues it.
# 33: AsciiDoc's Markdown-style fenced code blocks ("```java", a fence line holding no more than a language)
# are code, their "//" lines kept.
# 34: a PDF line drawn word by word (Google Docs' Skia renderer), which pypdf ends after every word, is
# one line again.
# 35: a code block under a short label line (a reStructuredText tab's "Bash", sphinx-tabs/sphinx-design)
# is led by the lead-in sentence above the labels and code blocks of its tab set.
# 36: the commands of a tab set read as lead headings (MkDocs `=== "Tab"`) are led by the sentence
# introducing the set, which ends the section before the first tab.
# 37: in a long code block the comment lines right above a top-level line (a configuration reference's
# description of a key) are one unit with it, not a unit each.
# 38: a PDF list's bullet drawn apart from its item ("●" or "-" a tab stop to its left, Google Docs) starts
# that item; word processors' bullet glyphs (● ○ ■, Word's private-use ones) mark list items.
# 39: in a long code block each option of a help listing is a unit however indented, and a directory
# tree's branch lines go on their tree instead of being a unit each.
# 40: .docx paragraphs in a code style or a monospace font are code (consecutive ones one block, line
# breaks kept); an MDX <Tabs values={[...]}> labels its TabItems; a code fence's title="..." is a label.
# 41, 42: stop 35's measured, not kept (a lead heading's scope ended where its note, tab set or list ends).
# 43: a paragraph repeated under another heading is kept; a table header with no room for a row opens
# the next passage; built HTML: a code block's language label is no text, a <details> summary is a lead,
# a generator's article container is the article however short; rST labels show their title's text.
# 44: measured, not kept (a passage's top-level folder's name in its indexed text).
# 45: a site's own Hugo shortcode given a language and closed in the file is a code block.
# 46: a Markdown page's front matter `description:` (`summary:`, `lead:`) is its lead paragraph.
# 47: a PDF's underscore drawn as a rule (TeX's `\_`) is an underscore in the text.
# 48: a numbered PDF title line opens a heading of its own (an empty section's title had joined the next).
# 49: PDF code: a monospace font's letters moved into their columns are one word; lines all in a monospace font
# are code, never a table; a table's first row is no header when a cell is a sentence or it opens like the next.
# 50: a bare reST description (`.. envvar:: NAME`) takes the short paragraph written unindented after it.
# 51: Hugo text between two shortcodes on a line kept, an escaped shortcode shown where written (in code too),
# a Hugo Learn tab's name its label; a front matter description the body repeats left to the body; a line
# ending in the title inside a link ("./encode/uvicorn") is no breadcrumb.
# 52: repeats within a section dropped in scraped text only; PDF: a loose tilde after a slash or before no letter is
# "~", a cover may carry small print, a term two ems left of a sentence's end opens a block; HTML code without its
# line numbers.
# 53: reST: a capitalised substitution no file defines (`|Flake8|`, from conf.py's rst_prolog) reads as its name;
# sphinx-prompt's `.. prompt:: bash` is a code block.
# 54: Hugo: `{{% tab lang=... %}}` is Markdown, a closing tag may share its line with the next opening, `comment`
# bodies are not shown; reST: a bodiless unknown directive used as a cross-reference target (`.. setting:: X`) shows
# nothing; PDF: a line ending in a colon ("Options:") is no heading.
# 55: (a label carried into the next passage; measured +1 -1, not kept.)
# 56: a heading ending with the page title is no breadcrumb unless a trail mark parts it ("MkDocs Installation");
# reST: a description's or unknown directive's `:default:` is shown ("auto (default: yes)"), `.. only:: man` left out,
# sphinx-design icon roles show nothing;
# HTML: Sphinx's `div.sphinxsidebar` is chrome.
# 57: 56 without 55's label carrying.
# 58: Markdown: Hugo's `+++` TOML front matter read as front matter (title, description), a paired shortcode's quoted
# first argument shown as its label ({{< collapsible "Golang" >}}); reST: an option list's item is its options with
# what they do; PDF: an unmapped glyph opening a line before text is its bullet.
# 59: a `<details>` summary's lead heads its block only (Block.scope_end), not the rest of the section (an
# admonition title's too was measured: docs_dev -1, not kept); a console transcript's command and its output
# are one unit; Sphinx viewcode's "[source]" is chrome; a reST paragraph ending in a `:ref:` ends on its own line.
# 60: an ordered list's items keep their numbers ("2. "; Markdown, reST, HTML, PDF).
# 61: a transcript's help output is cut at each option, as a help text is.
# 62: reST text in the default role shows as a cross-reference ("title <target>" as its title); HTML: a definition
# list inside another's description leads below the outer term, up to its description's end.
# 63: a Markdown page titled only in its front matter gets its title as its level-1 heading (taken back at 67).
# 64: Doxygen pages read as headings, member lists and definitions; reST: a directive naming its object by `:keys:`
# is a description, badges, diagrams and `:orphan:` are no text; MkDocs nested tabs dedented, `#!lang` and closing
# hashes dropped; a numbered PDF line the outline lists is a heading.
# 65: a PDF's body size is its prose's (code left out); diagram shortcodes and ```mermaid fences are no text; a `~` in reST
# default-role text shortens only a dotted name; autodoc objects noted; an HTML <h1> holding a separator titles its page.
# 66: a reST directive of a project's own holding info fields is a description; a default-role `.x` keeps its dot; an
# icon link to the page's source is chrome; a Hugo shortcode printing a version reads as its <name> placeholder.
# 67: 63's front-matter title heading taken back (a docs_dev follow-up lost; +6 -4 over the sets).
PIPELINE_VERSION = 67


@dataclass
class FileEntry:
    sha256: str
    passages: int
    title: str


@dataclass
class SourceRecord:
    """What one named source gave a generation (see bot.settings.SourceSettings): `kind` path, git, sitemap
    or url; `location` as configured; `revision` the git commit read (None for folders and websites);
    `documents` how many of its files are in the index; `read_at` ISO-8601 UTC of the read; `pages` a
    website's fetched page count. Its documents' keys start with "<name>/"."""

    name: str
    kind: str
    location: str
    revision: str | None = None
    documents: int = 0
    read_at: str = ""
    pages: int | None = None


@dataclass
class Manifest:
    model: str
    dimension: int
    max_words: int
    overlap_sentences: int
    index_type: str
    corpus: str
    encoder: str = "torch"  # what made the vectors: onnx, onnx-int8 or torch (indexes before encoders: torch)
    files: dict[str, FileEntry] = field(default_factory=dict)
    passage_count: int = 0
    built_at: str = ""
    format_version: int = FORMAT_VERSION
    pipeline_version: int = PIPELINE_VERSION
    versions: dict[str, str] = field(default_factory=dict)
    sources: dict[str, SourceRecord] = field(default_factory=dict)  # by name; empty: the `corpus` shorthand

    def to_json(self) -> str:
        """The manifest as JSON, stamped with the build time and library versions."""
        self.built_at = datetime.now(UTC).isoformat(timespec="seconds")
        self.versions = library_versions()
        return json.dumps(asdict(self), indent=1)

    @classmethod
    def from_json(cls, text: str, where: str, rebuild_hint: str) -> Manifest:
        """A manifest from its JSON; IndexIncompatibleError (naming `where`) for another format or garbage."""
        try:
            raw = json.loads(text)
            version = raw.get("format_version")
            if version != FORMAT_VERSION:
                raise IndexIncompatibleError(
                    f"Index at {where} has format version {version}; this citebot reads version "
                    f"{FORMAT_VERSION}. {rebuild_hint}"
                )
            raw["files"] = {source: FileEntry(**entry) for source, entry in raw.get("files", {}).items()}
            raw["sources"] = {name: SourceRecord(**entry) for name, entry in raw.get("sources", {}).items()}
            return cls(**raw)
        except (ValueError, TypeError, AttributeError) as error:
            raise IndexIncompatibleError(
                f"Index manifest at {where} is unreadable ({error.__class__.__name__}). {rebuild_hint}"
            ) from None

    def check_servable(self, where: str, model: str | None, rebuild_hint: str) -> None:
        """IndexIncompatibleError when this citebot reads documents differently, or (with `model`) when
        the index was built with another model."""
        if self.pipeline_version != PIPELINE_VERSION:
            raise IndexIncompatibleError(
                f"Index at {where} was made by an older citebot that read documents differently "
                f"(text pipeline {self.pipeline_version}, now {PIPELINE_VERSION}). {rebuild_hint}"
            )
        if model is not None and self.model != model:
            raise IndexIncompatibleError(
                f"Index at {where} was built with model {self.model!r}, but the configured model is "
                f"{model!r}. {rebuild_hint}"
            )


def library_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for package in ("citebot", "sentence-transformers", "faiss-cpu", "bm25s", "torch", "onnxruntime"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "unknown"
    return versions
