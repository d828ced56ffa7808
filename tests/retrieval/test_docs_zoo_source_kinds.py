"""Site generators' Markdown whose labels tell passages apart: content tab labels and admonition titles
as heading-like leads (level 7, below every real heading), and Hugo `param` shortcodes as the
parameter's name rather than nothing."""

from __future__ import annotations

from pathlib import Path

from retrieval.config import ChunkingParams
from retrieval.ingest.chunking import chunk_document
from retrieval.ingest.formats import html
from retrieval.ingest.formats.markdown import parse, parse_mdx

SOURCE = Path(__file__).parents[1] / "data" / "docs_zoo" / "source"


def _leads(blocks) -> list[str]:
    return [b.text for b in blocks if b.kind == "heading" and b.level == 7]


def test_sibling_tab_commands_are_told_apart_by_their_labels():
    path = SOURCE / "mkdocs-material" / "getting-started.md"
    parsed = parse(path.read_bytes(), str(path))
    assert _leads(parsed.blocks)[:2] == ["Latest", "9.x"]
    passages = chunk_document("getting-started.md", parsed.blocks, ChunkingParams())
    latest = next(p for p in passages if "pip install mkdocs-material\n" in p.text + "\n")
    pinned = next(p for p in passages if 'pip install mkdocs-material=="9.*"' in p.text)
    assert latest is not pinned
    assert latest.headings[-1] == "Latest" and pinned.headings[-1] == "9.x"
    assert "current major version" in pinned.text  # the pin's annotation stays with it


def test_a_tab_label_cites_its_marker_line():
    source = 'Install:\n\n=== "pip"\n\n    ```\n    pip install x\n    ```\n\n=== "pip with version pin"\n\n    ```\n    pip install "x==1.*"\n    ```\n'
    blocks = parse(source.encode(), "install.md").blocks
    assert [(b.kind, b.text, b.line_start) for b in blocks] == [
        ("paragraph", "Install:", 1),
        ("heading", "pip", 3),
        ("code", "pip install x", 6),
        ("heading", "pip with version pin", 9),
        ("code", 'pip install "x==1.*"', 12),
    ]


def test_admonition_titles_are_leads_and_bare_types_are_not():
    source = (
        '!!! note "Pinning"\n    Pin the major version.\n\n!!! tip\n    Use a lockfile.\n\n'
        "!!! info inline end\n    Beside the text.\n"
    )
    assert [(b.kind, b.text) for b in parse(source.encode(), "a.md").blocks] == [
        ("heading", "Pinning"),
        ("paragraph", "Pin the major version."),
        ("paragraph", "Use a lockfile."),
        ("paragraph", "Beside the text."),
    ]
    path = SOURCE / "docusaurus" / "installation.mdx"
    assert "Meta-Only" in _leads(parse_mdx(path.read_bytes(), str(path)).blocks)
    bracketed = ":::info[Before you start]\n\nBack up.\n\n:::\n"
    assert _leads(parse_mdx(bracketed.encode(), "b.mdx").blocks) == ["Before you start"]


def test_built_mkdocs_tabs_label_their_panels():
    path = (
        Path(__file__).parents[1]
        / "data"
        / "docs_zoo"
        / "html"
        / "mkdocs-material"
        / "setting-up-the-footer.html"
    )
    blocks = html.parse(path.read_bytes(), str(path)).blocks
    position = next(i for i, b in enumerate(blocks) if b.text == "Twitter")
    found = [(b.kind, b.level, b.text.split("\n")[-1].strip()) for b in blocks[position : position + 4]]
    assert found == [
        ("heading", 7, "Twitter"),
        ("code", 0, "link: https://twitter.com/squidfunk"),
        ("heading", 7, "Email address"),
        ("code", 0, "link: mailto:<email-address>"),
    ]
    grouped = (
        "<html><body><main><article><h1>Install</h1><p>Pick one of the two ways to install the tool on a machine.</p>"
        '<div class="tabbed-set tabbed-alternate" data-tabs="1:2"><input id="t1" type="radio">'
        '<input id="t2" type="radio"><div class="tabbed-labels"><label for="t1">pip</label>'
        '<label for="t2">pip with version pin</label></div><div class="tabbed-content">'
        '<div class="tabbed-block"><pre><code>pip install x</code></pre></div>'
        '<div class="tabbed-block"><pre><code>pip install "x==1.*"</code></pre></div></div></div>'
        "</article></main></body></html>"
    )
    assert [(b.kind, b.text) for b in html.parse(grouped.encode(), "install.html").blocks][2:] == [
        ("heading", "pip"),
        ("code", "pip install x"),
        ("heading", "pip with version pin"),
        ("code", 'pip install "x==1.*"'),
    ]


def test_hugo_param_shortcodes_keep_the_parameter_name():
    source = (
        'Docsy needs Hugo {{% param "hugoMinVersion" %}} or later, and {{< param tdVersion.latest >}} is out.\n\n'
        '```toml\nmin = {{% param "hugoMinVersion" %}}\n```\n'
    )
    blocks = parse(source.encode(), "module.md").blocks
    assert [(b.kind, b.text) for b in blocks] == [
        ("paragraph", "Docsy needs Hugo hugoMinVersion or later, and tdVersion.latest is out."),
        ("code", "min = <hugoMinVersion>"),
    ]
    assert blocks[0].code_spans == ("hugoMinVersion", "tdVersion.latest")
    path = SOURCE / "docsy" / "convert-site-to-module.md"
    code = [b.text for b in parse(path.read_bytes(), str(path)).blocks if b.kind == "code"]
    assert any("docsy/theme@<tdVersion.latest>" in c for c in code)
    assert not any(c.rstrip().endswith("theme@") or "min = \n" in c + "\n" for c in code)


def test_lead_labels_read_their_inline_markdown():
    source = (
        '!!! info "`forwardedHeaders.insecure`"\n    Trust all.\n\n'
        '??? example "WRR -- Using the [File Provider](../file.md)"\n    Example.\n\n'
        '=== "`--api`"\n\n    Enable the API.\n'
    )
    blocks = parse(source.encode(), "a.md").blocks
    assert _leads(blocks) == ["forwardedHeaders.insecure", "WRR -- Using the File Provider", "--api"]
    assert blocks[0].code_spans == ("forwardedHeaders.insecure",)
