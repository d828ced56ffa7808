"""Built VitePress pages as a fresh user's trial met them (trial 43: asdf's published site): a code
block's language label is no text, a collapsible block's summary leads the blocks it shows, and a page
of one sentence is read from its article container, not lost."""

from __future__ import annotations

from retrieval.ingest.formats import html

NAV = "<nav>" + "".join(f'<a href="/p{i}.html">Page number {i}</a>' for i in range(12)) + "</nav>"


def _page(article: str) -> bytes:
    return (
        '<html><body><div id="app"><header class="VPNav">asdf Guide Reference Contribute</header>'
        f'<div class="content"><main class="main"><div class="vp-doc _guide"><div>{article}</div></div>'
        f'</main></div><aside class="VPSidebar">{NAV}</aside></div></body></html>'
    ).encode()


def _blocks(article: str) -> list[tuple[str, int, str]]:
    return [(b.kind, b.level, b.text) for b in html.parse(_page(article), "guide/install.html").blocks]


def test_a_code_blocks_language_label_is_not_text():
    found = _blocks(
        "<h1>Install</h1><p>Add this to your shell's config:</p>"
        '<div class="language-shell vp-adaptive-theme"><button title="Copy Code" class="copy"></button>'
        '<span class="lang">shell</span><pre class="shiki vp-code"><code><span class="line">'
        '<span>. "$HOME/.asdf/asdf.sh"</span></span></code></pre></div>'
        # a word that only looks like the wrapper's language is kept where the wrapper holds no code
        '<div class="language-note"><span>note</span><p>Restart the shell.</p></div>'
    )
    assert found == [
        ("heading", 1, "Install"),
        ("paragraph", 0, "Add this to your shell's config:"),
        ("code", 0, '. "$HOME/.asdf/asdf.sh"'),
        ("paragraph", 0, "note"),
        ("paragraph", 0, "Restart the shell."),
    ]


def test_a_collapsible_blocks_summary_leads_its_blocks():
    found = _blocks(
        "<h1>Install</h1><h2>Configure your shell</h2>"
        '<details class="details custom-block"><summary>Bash</summary><p>Add the line to ~/.bashrc:</p>'
        '<div class="language-shell"><span class="lang">shell</span><pre><code>. "$HOME/.asdf/asdf.sh"</code>'
        "</pre></div></details>"
        '<details class="details custom-block"><summary>Fish</summary><p>Add the line to config.fish:</p>'
        '<div class="language-shell"><span class="lang">shell</span><pre><code>source ~/.asdf/asdf.fish</code>'
        "</pre></div></details><p>Then restart your shell.</p>"
    )
    assert found == [
        ("heading", 1, "Install"),
        ("heading", 2, "Configure your shell"),
        ("heading", 7, "Bash"),
        ("paragraph", 0, "Add the line to ~/.bashrc:"),
        ("code", 0, '. "$HOME/.asdf/asdf.sh"'),
        ("heading", 7, "Fish"),
        ("paragraph", 0, "Add the line to config.fish:"),
        ("code", 0, "source ~/.asdf/asdf.fish"),
        ("paragraph", 0, "Then restart your shell."),
    ]


def test_a_page_of_one_sentence_is_read_from_its_article_container():
    found = _blocks("<h1>GitHub Actions</h1><p>Please see the actions repository for its issues.</p>")
    assert found == [
        ("heading", 1, "GitHub Actions"),
        ("paragraph", 0, "Please see the actions repository for its issues."),
    ]
