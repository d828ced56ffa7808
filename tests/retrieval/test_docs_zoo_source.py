"""Documentation sources read as their authors meant: Sphinx rST, MkDocs, Docusaurus MDX, Hugo, Jekyll.

Every page in tests/data/docs_zoo/source is a real page copied from its project. For each, the text
a reader of the rendered site sees is in the passages (key sentences written out by hand, and at
least 95% of the page's words, found by stripping the markup with plain regular expressions), and
the generator's markup is in no prose block. Parse-level: no model is loaded.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from retrieval.config import ChunkingParams
from retrieval.ingest.chunking import chunk_document
from retrieval.ingest.cleaning import clean_blocks
from retrieval.ingest.formats import PARSERS, markdown, rst
from retrieval.ingest.loader import load_document

ZOO = Path(__file__).resolve().parents[1] / "data" / "docs_zoo" / "source"

# Sentences a reader of the rendered page sees, as Sphinx / the site generator shows them.
KEY_TEXT = {
    "sphinx/glossary.rst": [
        "builder: A class (inheriting from Builder) that takes parsed documents and performs an action on them.",
        "configuration directory: The directory containing conf.py.",
        "By default, this is the same as the source directory, but can be set differently",
        "master document, root document: The document that contains the root .. toctree:: directive.",
        "source directory: The directory which, including its subdirectories, contains all source files",
    ],
    "sphinx/describing-code.rst": [
        "all grouped together in the Python domain.",
        "you can use the .. py:function:: directive to document a Python function, as follows:",
        "as well as an info field list containing the function parameter",
        "std::vector<int> CustomList: A typedef-like declaration of a type.",
        "Which would produce a hyperlink to the previous definition: CustomList.",
        "The py: prefix specifies the domain.",
    ],
    "sphinx/graphviz.rst": [
        "New in version 0.6.",
        "Changed in version 1.1: Added support for external files.",
        "In HTML output, the code will be rendered to a PNG or SVG image (see graphviz_output_format).",
        "Graphviz must be present on your machine",
        "New in version 1.0: Previously, output always was PNG.",
        "Changed in version 2.2: Renamed from graphviz_dot",
    ],
    "mkdocs-material/getting-started.md": [
        "Material for MkDocs is published as a Python package and can be installed with pip, ideally by "
        "using a virtual environment.",
        "pip install mkdocs-material",
        "If you don't have prior experience with Python, we recommend reading Using Python's pip to Manage "
        "Your Projects' Dependencies",
        "In 2016, Material for MkDocs started out as a simple theme for MkDocs",
        "How to set up Material for MkDocs by @james-willett",
    ],
    "docusaurus/installation.mdx": [
        "Use the Fast Track to understand Docusaurus in 5 minutes ⏱!",
        "If you are setting up a new Docusaurus website for a Meta open source project",
        "You can also initialize a new project using your preferred project manager:",
        "npm init docusaurus",
        "Node.js version 24.14 or above (which can be checked by running node -v).",
        "Then, in the directory containing package.json, run your package manager's install command:",
    ],
    "docusaurus/markdown-features-tabs.mdx": [
        "label: Apple",
        "This is an apple 🍎",
        "label: Linux",
        "I am Linux.",
        "Use Command + V to paste.",
        "it is possible to load them lazily by passing the lazy prop to the Tabs component.",
    ],
    "docsy/convert-site-to-module.md": [
        "Run the following from the command line:",
        "Unix shell",
        "hugo mod init github.com/me-at-github/my-existing-site",
        "This creates two new files, go.mod for the module definitions and go.sum which holds the checksums",
        "In Hugo 0.110.0 the default config base filename was changed to hugo.toml.",
    ],
    "jekyll/includes.md": [
        "The include tag allows you to include the content from another file stored in the _includes folder:",
        "{% include footer.html %}",
        "The {{ include.content }} is a parameter that gets populated when you call the include",
        "you might be using {{ site.product_name }} to refer to every instance of your product",
    ],
}
PAGES = sorted(KEY_TEXT)

# Markup that a rendered page never shows, by the page's kind (checked in prose blocks, code spans aside).
RAW_MARKUP = {
    ".rst": [
        r":[\w:.+-]+:`",
        r"`_\b",
        r"\.\. (glossary|versionadded|versionchanged|code-block|toctree|note)::",
    ],
    ".md": [r"\{\{[<%]", r"\{%", r"%\}", r"^:::", r"!!!", r"\?\?\?", r'=== "', r"\[\^\d+\]", r"\{ ?#[\w-]+"],
    ".mdx": [r"\bimport \w+ from '", r"\{/\*", r"^:::", r"</?[A-Z]\w*", r"mdx-code-block", r"\{#[\w-]+\}"],
}


def _passages(page: str):
    path = ZOO / page
    loaded = load_document(path, ZOO)
    blocks = clean_blocks(loaded.blocks, loaded.document.title)
    return blocks, chunk_document(page, blocks, ChunkingParams())


def _folded(text: str) -> str:
    return " ".join(text.split())


def _source_words(text: str, suffix: str) -> set[str]:
    """The page's words by an independent route: its markup stripped with plain regular expressions."""
    text = re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.DOTALL)  # front matter
    if suffix == ".rst":
        text = re.sub(r"^\s*\.\. [\w:-]+::.*$", "", text, flags=re.MULTILINE)  # directive lines
        text = re.sub(r"^\s*\.\. _[^:]+:.*$", "", text, flags=re.MULTILINE)  # labels
        text = re.sub(r"^\s+:[\w -]+:.*$", "", text, flags=re.MULTILINE)  # directive options
        text = re.sub(r":[\w:.+-]+:(?=`)", "", text)  # role names
    else:
        text = re.sub(r"^(import|export) .*$", "", text, flags=re.MULTILINE)
        text = re.sub(r"\{/\*.*?\*/\}|\{#[\w-]+\}", "", text)
        text = re.sub(r"\{\{[<%].*?[%>]\}\}|\{%.*?%\}", "", text)
        text = re.sub(r"^\s*(:::|!!!|\?\?\?|===).*$", "", text, flags=re.MULTILINE)
        text = re.sub(r":[a-z]+(-[a-z0-9]+)+:|\{[:#.][^}]*\}|\{ style=[^}]*\}|\[\^\d+\]", "", text)
        text = re.sub(r"^\s*\[[^\]]+\]:\s*\S+.*$", "", text, flags=re.MULTILINE)  # link definitions
    text = re.sub(r"\]\([^)]*\)|https?://\S+|<[^>\n]+>", " ", text)  # link targets, URLs, tags
    return _words(text)


def _words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[A-Za-z][A-Za-z']{3,}", text)}


@pytest.mark.parametrize("page", PAGES)
def test_a_pages_key_sentences_are_in_its_passages(page):
    blocks, passages = _passages(page)
    text = _folded(" ".join(p.text for p in passages))
    missing = [sentence for sentence in KEY_TEXT[page] if _folded(sentence) not in text]
    assert not missing, missing


@pytest.mark.parametrize("page", PAGES)
def test_a_pages_words_are_in_its_passages(page):
    path = ZOO / page
    expected = _source_words(path.read_text(encoding="utf-8"), path.suffix)
    blocks, passages = _passages(page)
    found = _words(" ".join([p.text for p in passages] + [h for p in passages for h in p.headings]))
    missing = sorted(expected - found)
    assert len(expected & found) / len(expected) >= 0.95, missing


@pytest.mark.parametrize("page", PAGES)
def test_no_markup_reaches_a_pages_prose(page):
    suffix = Path(page).suffix
    patterns = RAW_MARKUP[suffix] + (RAW_MARKUP[".md"] if suffix == ".mdx" else [])
    blocks, _ = _passages(page)
    for found in blocks:
        if found.kind == "code":
            continue
        prose = found.text
        for span in found.code_spans:
            prose = prose.replace(span, "")
        for pattern in patterns:
            assert not re.search(pattern, prose, re.MULTILINE), (pattern, found.kind, found.text)


@pytest.mark.parametrize("page", PAGES)
def test_every_block_cites_a_line_that_holds_its_words(page):
    path = ZOO / page
    lines = path.read_text(encoding="utf-8").split("\n")
    blocks, _ = _passages(page)
    for found in blocks:
        if found.line_start is None or found.kind in ("code", "definition"):
            continue
        words = re.findall(r"[A-Za-z]{3,}", found.text)[:3]  # rendered leads ("New in version") aside
        window = "\n".join(lines[max(found.line_start - 3, 0) : found.line_start + 2])
        assert not words or any(word in window for word in words), (
            found.kind,
            found.text[:60],
            found.line_start,
        )


# -- Sphinx roles and directives, one by one ---------------------------------------------------------
ROLES = [
    (":ref:`Title <label>`", "Title"),
    (":meth:`~a.b.C.run`", "run()"),
    (":func:`os.path.join`", "os.path.join()"),
    (":func:`f()`", "f()"),
    (":class:`~a.B`", "B"),
    (":class:`!Foo`", "Foo"),
    (":py:attr:`.name`", "name"),
    (":c:func:`malloc`", "malloc()"),
    (":abbr:`LIFO (last-in, first-out)`", "LIFO (last-in, first-out)"),
    (":guilabel:`&Cancel`", "Cancel"),
    (":menuselection:`Start --> Programs`", "Start ‣ Programs"),
    (":file:`/etc/{name}.conf`", "/etc/name.conf"),
    (":kbd:`Ctrl+C`", "Ctrl+C"),
    (":term:`source directory`", "source directory"),
    (":doc:`the guide </usage/guide>`", "the guide"),
    (":envvar:`HOME`", "HOME"),
    (":rst:dir:`toctree`", ".. toctree::"),
    (":foo:bar:`Shown <target>`", "Shown"),
    (":nosuchrole:`kept text`", "kept text"),
    (":pep:`8`", "PEP 8"),  # docutils' own roles (and their language aliases) stay docutils'
]


@pytest.mark.parametrize(("role", "shown"), ROLES)
def test_a_sphinx_role_reads_as_sphinx_shows_it(role, shown):
    parsed = rst.parse(f"Before {role} after.\n".encode(), "roles.rst")
    assert [b.text for b in parsed.blocks] == [f"Before {shown} after."]


def test_ref_to_a_label_in_the_same_file_shows_the_sections_title():
    source = ".. _install:\n\nInstalling\n==========\n\nSee :ref:`install`.\n"
    assert rst.parse(source.encode(), "x.rst").blocks[-1].text == "See Installing."
    # as the title shows: gunicorn's settings are titled ``timeout``, referred to as "power reload"
    source = ".. _reload:\n\n``reload``\n~~~~~~~~~~\n\nSee :ref:`reload`.\n"
    assert rst.parse(source.encode(), "x.rst").blocks[-1].text == "See reload."


def test_version_directives_read_new_changed_deprecated():
    source = (
        ".. versionadded:: 2.5\n\n.. versionchanged:: 3.0\n   The *spam* parameter.\n\n"
        ".. deprecated:: 4.0\n\n   Use :func:`eggs` instead.\n"
    )
    assert [b.text for b in rst.parse(source.encode(), "x.rst").blocks] == [
        "New in version 2.5.",
        "Changed in version 3.0: The spam parameter.",
        "Deprecated since version 4.0: Use eggs() instead.",
    ]


def test_glossary_gives_definitions_with_shared_terms():
    source = ".. glossary::\n   :sorted:\n\n   term a\n   term b\n      Shared definition.\n\n   other\n      Its text.\n"
    parsed = rst.parse(source.encode(), "x.rst")
    assert [(b.kind, b.text) for b in parsed.blocks] == [
        ("definition", "term a, term b: Shared definition."),
        ("definition", "other: Its text."),
    ]
    assert [b.line_start for b in parsed.blocks] == [4, 8]


def test_info_field_lists_read_as_sphinx_shows_them():
    source = (
        ".. py:function:: send(x, y)\n\n   Send it.\n\n   :param int x: The x.\n   :param y: The y.\n"
        "   :type y: str\n   :returns: Nothing.\n   :rtype: None\n   :raises ValueError: When bad.\n"
    )
    parsed = rst.parse(source.encode(), "x.rst")
    assert [(b.kind, b.text) for b in parsed.blocks] == [
        ("heading", "send(x, y)"),
        ("paragraph", "Send it."),
        ("definition", "Parameter x (int): The x."),
        ("definition", "Parameter y (str): The y."),
        ("definition", "Returns: Nothing."),
        ("definition", "Return type: None"),
        ("definition", "Raises ValueError: When bad."),
    ]


def test_code_blocks_tabs_only_and_toctree():
    source = (
        ".. toctree::\n   :maxdepth: 2\n\n   intro\n\n.. code-block:: python\n   :caption: x.py\n   :linenos:\n\n"
        "   print(1)\n\n.. tabs::\n\n   .. tab:: Linux\n\n      Use apt.\n\n.. only:: html\n\n   Only here.\n\n"
        ".. highlight:: console\n\nRun::\n\n   $ make\n"
    )
    parsed = rst.parse(source.encode(), "x.rst")
    assert [(b.kind, b.text, b.language) for b in parsed.blocks] == [
        ("code", "print(1)", "python"),
        ("paragraph", "Linux", None),
        ("paragraph", "Use apt.", None),
        ("paragraph", "Only here.", None),
        ("paragraph", "Run:", None),
        ("code", "$ make", "console"),
    ]


def test_unknown_directives_keep_their_text_and_literalinclude_leaves_a_note():
    source = (
        "Intro.\n\n.. mystery-box:: A title\n   :colour: red\n\n   Kept content.\n\n"
        ".. literalinclude:: ../src/app.py\n   :language: python\n"
    )
    parsed = rst.parse(source.encode(), "x.rst")
    assert [b.text for b in parsed.blocks] == ["Intro.", "A title", "Kept content."]
    assert parsed.notes == ["literalinclude ../src/app.py left out (included files are not read)"]
    authors = rst.parse(b"Authors\n=======\n\n.. include:: ../../AUTHORS.rst\n", "dev/authors.rst")
    assert authors.notes == ["include ../../AUTHORS.rst left out (included files are not read)"]


def test_an_unknown_directive_used_as_a_cross_reference_target_shows_nothing():
    """Blind trial 49 (Scrapy): `.. setting:: NAME` over the title NAME (a project's `add_crossref_type`)
    is a link target Sphinx shows nothing for; read as text, every setting's passage ended with the next
    setting's name. A directive of the same shape with content keeps it."""
    source = (
        "Settings\n========\n\nSee :setting:`RETRY_TIMES`.\n\n.. setting:: RETRY_TIMES\n\nRETRY_TIMES\n-----------\n\n"
        "Default: ``2``\n\n.. reqmeta:: dont_retry\n\nIf ``dont_retry`` is set, nothing is retried.\n\n"
        ".. command:: crawl\n\ncrawl\n-----\n\nStart crawling.\n"
    )
    parsed = rst.parse(source.encode(), "settings.rst")
    assert [b.text for b in parsed.blocks] == [
        "Settings",
        "See RETRY_TIMES.",
        "RETRY_TIMES",
        "Default: 2",
        "dont_retry",  # a role of that name is not written in the file, and no title repeats it
        "If dont_retry is set, nothing is retried.",
        "crawl",
        "Start crawling.",
    ]


def test_a_setting_directive_shows_its_default_and_man_page_only_text_is_left_out():
    """Blind trial 51 (beets): `.. conf:: auto` with `:default: yes` shows "auto (default: yes)" on the
    page, and citebot had lost all 23 defaults; `.. only:: man` is the man page's, not the HTML page's."""
    source = (
        "Config\n======\n\n.. only:: man\n\n    SYNOPSIS\n\n.. only:: not latex\n\n    Shown on the page.\n\n"
        ".. conf:: auto\n    :default: yes\n\n    Whether to apply titlecase on import.\n\n"
        ".. confval:: ratelimit\n    :default: 1\n\n    Requests a second.\n"
    )
    texts = [b.text for b in rst.parse(source.encode(), "titlecase.rst").blocks]
    assert "SYNOPSIS" not in texts and "Shown on the page." in texts
    assert "auto (default: yes)" in texts
    icons = rst.parse(b"See :octicon:`zap;1em` Advanced Techniques.\n", "index.rst").blocks
    assert [b.text for b in icons] == ["See Advanced Techniques."]  # sphinx-design's icon is a picture
    assert any(text.startswith("ratelimit (default: 1)") for text in texts)


def test_a_sphinx_glossary_page_is_indexed_not_skipped(tmp_path):
    (tmp_path / "glossary.rst").write_bytes((ZOO / "sphinx" / "glossary.rst").read_bytes())
    loaded = load_document(tmp_path / "glossary.rst", tmp_path)
    assert chunk_document(
        "glossary.rst", clean_blocks(loaded.blocks, loaded.document.title), ChunkingParams()
    )


# -- Markdown variants -------------------------------------------------------------------------------
def md(text: str):
    return markdown.parse(text.encode(), "page.md")


def mdx(text: str):
    return markdown.parse_mdx(text.encode(), "page.mdx")


def kinds(blocks):
    return [(b.kind, b.text) for b in blocks]


def test_mdx_is_registered():
    assert PARSERS[".mdx"] is markdown.parse_mdx


def test_mdx_drops_esm_and_expressions_and_keeps_props_and_text():
    parsed = mdx(
        "import Tabs from '@theme/Tabs';\nimport {\n  A,\n  B,\n} from './x';\nexport const meta = {\n  a: 1,\n};\n\n"
        '# Setup {/* #setup */}\n\n<Tabs groupId="os">\n  <TabItem value="linux" label="Linux">\n\n'
        '    Install the package.\n\n  </TabItem>\n</Tabs>\n\nSay <Highlight color="#25c2a0">hello</Highlight> {props.x} now.\n'
    )
    assert kinds(parsed.blocks) == [
        ("heading", "Setup"),
        ("paragraph", "label: Linux"),
        ("paragraph", "Install the package."),
        ("paragraph", "Say hello now."),
    ]
    lines = [b.line_start for b in parsed.blocks]
    assert lines == [10, 13, 15, 20]


def test_mdx_tabs_labelled_by_their_tab_set_and_code_titles_read_as_labels():
    # go-task's docs (trial 42) label tabs in `<Tabs values={[...]}>`, not on each TabItem: the tabs had
    # read "value: 1" ... "value: 4" and "defaultValue: 1", and the fences' titles (the file the line goes
    # in) were dropped.
    parsed = mdx(
        "To load them, add this line:\n\n<Tabs defaultValue=\"1\" values={[ {label: 'bash', value: '1'},\n"
        "    {value: '2', label: 'zsh'}\n  ]}>\n\n<TabItem value=\"1\">\n"
        '```shell title="~/.bashrc"\neval "$(task --completion bash)"\n```\n</TabItem>\n\n'
        '<TabItem value="2">\n```shell title="~/.zshrc"\neval "$(task --completion zsh)"\n```\n</TabItem>\n</Tabs>\n'
    )
    assert kinds(parsed.blocks) == [
        ("paragraph", "To load them, add this line:"),
        ("paragraph", "label: bash"),
        ("paragraph", "~/.bashrc"),
        ("code", 'eval "$(task --completion bash)"'),
        ("paragraph", "label: zsh"),
        ("paragraph", "~/.zshrc"),
        ("code", 'eval "$(task --completion zsh)"'),
    ]
    passage = chunk_document("page.mdx", list(parsed.blocks), ChunkingParams())[0]
    assert {u.lead for u in passage.units if u.kind == "code"} == {"To load them, add this line:"}


def test_docusaurus_admonitions_keep_their_text_in_md_and_mdx():
    source = (
        ":::note Title\n\nFirst note.\n\n:::\n\n::::tip\n\nOuter.\n\n:::warning\n\nInner.\n\n:::\n\n::::\n"
    )
    for parse in (md, mdx):
        assert kinds(parse(source).blocks) == [
            ("heading", "Title"),  # a given title leads the admonition's blocks; a bare type does not
            ("paragraph", "First note."),
            ("paragraph", "Outer."),
            ("paragraph", "Inner."),
        ]


def test_html_table_split_by_blank_lines_is_one_group_with_its_header():
    parsed = md(
        "<table>\n<tr><th>Name</th><th>Default</th></tr>\n\n<tr><td>port</td><td>8080</td></tr>\n\n"
        "<tr><td>host</td><td>any</td></tr>\n</table>\n\nAfter.\n"
    )
    assert kinds(parsed.blocks) == [
        ("table_header", "Name | Default"),
        ("table_row", "port | 8080"),
        ("table_row", "host | any"),
        ("paragraph", "After."),
    ]
    assert len({b.group for b in parsed.blocks[:3]}) == 1 and parsed.blocks[0].group
    assert [b.line_start for b in parsed.blocks] == [2, 4, 6, 9]


def test_details_summary_is_a_lead_not_a_sentence():
    parsed = md("<details>\n  <summary>Other <b>commands</b></summary>\n\nRun it twice.\n\n</details>\n")
    assert kinds(parsed.blocks) == [("heading", "Other commands"), ("paragraph", "Run it twice.")]
    assert parsed.blocks[0].level == 7 and parsed.blocks[0].line_start == 2


def test_mkdocs_admonitions_collapsible_and_tabs_keep_their_content():
    parsed = md(
        '!!! note "Heads up"\n    Restart after changes.\n\n??? tip\n    Hidden tip.\n\n???+ info\n    Open info.\n\n'
        '=== "Linux"\n\n    Use apt.\n\nText with an icon :octicons-clock-24: and { #anchor } list.\n'
    )
    assert kinds(parsed.blocks) == [
        ("heading", "Heads up"),
        ("paragraph", "Restart after changes."),
        ("paragraph", "Hidden tip."),
        ("paragraph", "Open info."),
        ("heading", "Linux"),
        ("paragraph", "Use apt."),
        ("paragraph", "Text with an icon and list."),
    ]


def test_hugo_shortcodes_titles_code_tabs_and_escapes():
    parsed = md(
        '{{< alert title="Warning" >}}\nBack up first.\n{{< /alert >}}\n\n{{< tabpane >}}\n'
        '{{< tab header="Shell" lang="bash" >}}\nmake build\n{{< /tab >}}\n{{< /tabpane >}}\n\n'
        'Write {{</* note */>}} to open a note; see {{< ref "page.md" >}}.\n'
    )
    assert kinds(parsed.blocks) == [
        ("paragraph", "Warning"),
        ("paragraph", "Back up first."),
        ("paragraph", "Shell"),
        ("code", "make build"),
        ("paragraph", "Write {{< note >}} to open a note; see ."),
    ]
    assert parsed.blocks[3].language == "bash" and parsed.blocks[3].line_start == 7


def test_liquid_highlight_is_code_and_other_tags_go():
    parsed = md(
        "{% include toc.html %}\n\n{% highlight ruby linenos %}\nputs 'hi'\n{% endhighlight %}\n\n"
        "{% raw %}\n```liquid\n{{ page.title }}\n```\n{% endraw %}\n\nKeep `{% if x %}` as written.\n"
    )
    assert kinds(parsed.blocks) == [
        ("code", "puts 'hi'"),
        ("code", "{{ page.title }}"),
        ("paragraph", "Keep {% if x %} as written."),
    ]
    assert parsed.blocks[0].language == "ruby" and parsed.blocks[0].line_start == 4


def test_promql_selectors_in_code_spans_are_not_attribute_lists():
    parsed = md('Match `up{job="api"}` or `{__name__=~"x"}`.\n')
    assert kinds(parsed.blocks) == [("paragraph", 'Match up{job="api"} or {__name__=~"x"}.')]


def test_a_bare_description_takes_the_short_paragraph_written_unindented_after_it():
    """pytest-xdist's how-to (blind trial 45) writes each `.. envvar::` with its sentence unindented below:
    Sphinx shows the name, then the sentence, and read apart the answer to "which env var tells me how many
    workers there are?" quoted the sentence and no variable. A run of bare names keeps the paragraph after
    it apart, and so does a description with its own content."""
    source = (
        ".. envvar:: PYTEST_XDIST_WORKER_COUNT\n\nThe total number of workers in this session.\n\n"
        ".. autofunction:: xdist.is_xdist_worker\n.. autofunction:: xdist.is_xdist_controller\n\n"
        "Both take the request.\n\n.. envvar:: TWO\n\n   Its own body.\n\nA paragraph of its own.\n"
    )
    assert [(b.kind, b.text) for b in rst.parse(source.encode(), "x.rst").blocks] == [
        ("definition", "PYTEST_XDIST_WORKER_COUNT: The total number of workers in this session."),
        ("paragraph", "xdist.is_xdist_worker"),
        ("paragraph", "xdist.is_xdist_controller"),
        ("paragraph", "Both take the request."),
        ("definition", "TWO: Its own body."),
        ("paragraph", "A paragraph of its own."),
    ]


def test_a_substitution_defined_in_conf_py_reads_as_its_name_and_a_prompt_block_is_code():
    """Flake8's pages (blind trial 48) write `|Flake8|` 194 times, defined in conf.py's rst_prolog, which
    no page holds: it read raw ("|Flake8| supports ..."). Sphinx's own |release| stands for a value and
    stays as written. sphinx-prompt's `.. prompt:: bash` had read as the word "bash" over prose."""
    source = (
        "Show |Flake8|'s version, |release|.\n\n.. |Here| replace:: There\n\n|Here| it is.\n\n"
        "Command-line usage:\n\n.. prompt:: bash\n\n    flake8 --help\n    flake8 -h\n"
    )
    assert [(b.kind, b.text) for b in rst.parse(source.encode(), "x.rst").blocks] == [
        ("paragraph", "Show Flake8's version, |release|."),
        ("paragraph", "There it is."),
        ("paragraph", "Command-line usage:"),
        ("code", "flake8 --help\nflake8 -h"),
    ]
