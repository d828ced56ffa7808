"""Kinds of markup the zoo's real pages showed read wrongly, each fixed as a kind and checked here on the
real page and on a small page of the same kind: theme chrome inside the article (Docsy's feedback
widget and "Last modified" line), literal Markdown printed by a theme, Asciidoctor admonition tables,
icon-only links and icons in prose."""

from __future__ import annotations

from pathlib import Path

from retrieval.ingest.formats import html

ZOO = Path(__file__).parents[1] / "data" / "docs_zoo" / "html"


def _blocks(page: str):
    path = ZOO / page
    return html.parse(path.read_bytes(), str(path)).blocks


def _article(body: str) -> bytes:
    return f"<html><body><nav>Home Docs</nav><main><article>{body}</article></main></body></html>".encode()


# -- Docsy: feedback widget, "Last modified" line, a summary printed as raw Markdown -------------------
def test_docsy_pages_lose_the_feedback_widget_and_the_last_modified_line():
    for page in ("hugo-docsy/getting-started.html", "hugo-docsy/porridge.html"):
        texts = [b.text for b in _blocks(page)]
        assert "Feedback" not in texts, page
        assert not any(t.startswith("Last modified") for t in texts), page
        assert not any("**" in t or "_italic_" in t for t in texts), page


def test_a_section_summary_printed_as_raw_markdown_reads_as_text():
    texts = [b.text for b in _blocks("hugo-docsy/getting-started.html")]
    assert (
        "A short lead descripton about this content page. It can be bold or italic and can be split over multiple paragraphs."
        in texts
    )


def test_theme_date_lines_and_widget_titles_go_but_prose_about_them_stays():
    page = _article(
        "<h1>Guide</h1><p>Run the tool with **kwargs and __init__ kept, my_var_name too.</p>"
        "<p>Last modified dates are shown in the page list when the option is on.</p>"
        "<p><code>**kept**</code> and <code>_kept_</code> in code.</p>"
        '<h2 class="feedback--title">Feedback</h2><p class="feedback--question">Was this helpful?</p>'
        '<div class="text-muted">Last updated on 2023-01-05 by Jane</div>'
        '<div class="td-page-meta__lastmod">Last modified March 3, 2024: fix typo (abc123)</div>'
    )
    texts = [b.text for b in html.parse(page, "guide.html").blocks]
    assert texts == [
        "Guide",
        "Run the tool with **kwargs and __init__ kept, my_var_name too.",
        "Last modified dates are shown in the page list when the option is on.",
        "**kept** and _kept_ in code.",
    ]


# -- Asciidoctor admonitions and layout tables: their blocks, not one table row ----------------------
def test_an_antora_admonition_is_a_lead_over_its_blocks_not_a_table_row():
    blocks = _blocks("antora/6fault-injection.html")
    assert not any("Before Start" in b.text for b in blocks if b.kind == "table_row")
    position = next(i for i, b in enumerate(blocks) if b.text == "Important: Before Start")
    lead, prose, command = blocks[position : position + 3]
    assert lead.kind == "heading" and lead.level == 7
    assert prose.kind == "paragraph" and prose.text.startswith("You should have NO virtualservice")
    assert (command.kind, command.text) == ("code", "./scripts/clean.sh tutorial")


def test_a_one_row_table_laying_out_blocks_is_read_as_blocks_and_a_data_table_as_rows():
    page = _article(
        "<h1>Setup</h1>"
        '<div class="admonitionblock note"><table><tr><td class="icon"><div class="title">Note</div></td>'
        '<td class="content">Install it first.</td></tr></table></div>'
        "<table><tr><td><p>Run this:</p><pre>make install</pre></td><td><p>Then this.</p></td></tr></table>"
        "<table><tr><td><p>port</p></td><td><p>8080</p></td></tr>"
        "<tr><td><p>host</p></td><td><p>localhost</p></td></tr></table>"
    )
    found = [(b.kind, b.text) for b in html.parse(page, "setup.html").blocks]
    assert found == [
        ("heading", "Setup"),
        ("heading", "Note"),
        ("paragraph", "Install it first."),
        ("paragraph", "Run this:"),
        ("code", "make install"),
        ("paragraph", "Then this."),
        ("table_row", "port | 8080"),
        ("table_row", "host | localhost"),
    ]


# -- Icons: an accessible name is text; nameless icons leave no dangling punctuation ------------------
def test_nameless_icons_in_a_sentence_leave_no_dangling_punctuation():
    texts = [b.text for b in _blocks("mkdocs-material/setting-up-the-footer.html")]
    assert any(
        t.endswith("additional marketing channels, which can be configured via mkdocs.yml.") for t in texts
    )
    assert not any(" , " in t or "e.g. ," in t or t.startswith("–") for t in texts)


def test_an_icon_with_an_accessible_name_reads_as_that_name():
    page = _article(
        "<h1>Links</h1>"
        '<p>Follow us on <a href="https://github.com/x" aria-label="GitHub"><svg><path d="M0"/></svg></a>'
        ' or <a href="https://x.com/x"><i class="fa fa-twitter" title="Twitter"></i></a>.</p>'
        '<p>Marked <svg role="img"><title>deprecated</title><path d="M1"/></svg> since 2.0.</p>'
        '<p>Channels, e.g. <span class="twemoji"><svg><path d="M2"/></svg></span>, '
        '<span class="twemoji"><svg><path d="M3"/></svg></span> or <span class="twemoji"><svg></svg></span>, work.</p>'
    )
    texts = [b.text for b in html.parse(page, "links.html").blocks]
    assert texts == [
        "Links",
        "Follow us on GitHub or Twitter.",
        "Marked deprecated since 2.0.",
        "Channels, work.",
    ]


# -- Command-line options: one definition each, the option's name in the quoted unit -----------------
def test_every_option_of_a_sphinx_cli_page_is_one_definition_holding_its_name():
    blocks = _blocks("sphinx-rtd/cli.html")
    options = [b for b in blocks if b.text.startswith("--")]
    assert len(options) >= 30
    assert all(b.kind == "definition" for b in options), [
        (b.kind, b.text) for b in options if b.kind != "definition"
    ]
    assert "--width: define output image width. Default: 400" in [b.text for b in options]
    assert "--relative_scaling: scaling of words by frequency (0 - 1). Default: 0" in [
        b.text for b in options
    ]
    assert not any(b.kind == "quote" for b in blocks)


def test_a_sphinx_option_directive_reads_as_term_and_description():
    page = _article(
        "<h1>CLI</h1>"
        '<dl class="std option"><dt class="sig sig-object std" id="cmdoption-width">'
        '<span class="sig-name descname"><span class="pre">--width</span></span>'
        '<span class="sig-prename descclassname"> <span class="pre">WIDTH</span></span>'
        '<a class="headerlink" href="#cmdoption-width">¶</a></dt>'
        "<dd><p>Output image width.</p><p>Default: 400</p></dd></dl>"
        '<dl class="std option"><dt id="cmdoption-config"><span class="pre">--config</span></dt>'
        "<dd><p>Read settings from a file:</p><pre>citebot --config site.yaml</pre></dd></dl>"
    )
    found = [(b.kind, b.text) for b in html.parse(page, "cli.html").blocks]
    assert found == [
        ("heading", "CLI"),
        ("definition", "--width WIDTH: Output image width. Default: 400"),
        ("heading", "--config"),
        ("paragraph", "Read settings from a file:"),
        ("code", "citebot --config site.yaml"),
    ]
