"""Citation links: heading anchors by each generator's slug rule (checked against real built pages of the
docs zoo), the ids the readers take from the source, and link templates filled for a cited place."""

from __future__ import annotations

import shutil
from pathlib import Path

import lxml.html
import pytest
from docutils.nodes import make_id

from retrieval.answering.links import (
    URL_TEMPLATE,
    CitedPlace,
    LinkRule,
    Links,
    UnknownLinkField,
    check_link_template,
    default_link_template,
    fill,
)
from retrieval.config import ChunkingParams
from retrieval.ingest.anchors import (
    Slugger,
    asciidoctor_slug,
    github_slug,
    markdown_heading_id,
    markdown_slug,
    resolve_anchors,
)
from retrieval.ingest.chunking import chunk_document
from retrieval.ingest.formats import PARSERS
from retrieval.ingest.loader import load_document
from retrieval.models import Block

ZOO = Path(__file__).resolve().parent.parent / "data" / "docs_zoo"


def _built_headings(page: Path) -> list[tuple[str, str]]:
    """(heading text as a reader sees it, the id the generator gave it) of a built page; the permalink
    inside a heading (¶, a zero-width space) is not its text."""
    root = lxml.html.document_fromstring(page.read_text("utf-8"))
    found = []
    for heading in root.iter("h1", "h2", "h3", "h4", "h5", "h6"):
        for link in heading.xpath(".//a[contains(@class, 'headerlink') or contains(@class, 'hash-link')]"):
            link.drop_tree()
        parent = heading.getparent()
        anchor = heading.get("id") or (parent.get("id") if parent.tag in ("section", "div") else None)
        if anchor:
            found.append((" ".join(heading.text_content().split()), anchor))
    return found


# -- slug rules against the ids real generators gave real pages ------------------------------------------


@pytest.mark.parametrize(
    "page",
    ["docusaurus/replication.html", "docusaurus/how-to-backup.html", "hugo-docsy/getting-started.html",
     "hugo-docsy/porridge.html"],
)  # fmt: skip
def test_github_slugs_are_the_ids_docusaurus_and_hugo_gave_their_headings(page):
    headings = _built_headings(ZOO / "html" / page)
    assert len(headings) >= 2
    slugger = Slugger("github")
    assert [(text, slugger.slug(text)) for text, _ in headings] == headings


def test_github_slug_drops_punctuation_and_keeps_letters_of_any_script():
    assert github_slug("Partial Synchronization (PSYNC)") == "partial-synchronization-psync"
    assert github_slug("Try it out!") == "try-it-out"
    assert github_slug("What's new in 2.0?") == "whats-new-in-20"
    assert github_slug("Über straße") == "über-straße"
    assert github_slug("a  b") == "a--b"  # each space is a dash, as github-slugger does


def test_mkdocs_slugs_are_the_ids_mkdocs_material_gave_its_headings():
    headings = _built_headings(ZOO / "html" / "mkdocs-material" / "setting-up-the-footer.html")
    assert len(headings) >= 5
    slugger = Slugger("python-markdown")
    assert [(text, slugger.slug(text)) for text, _ in headings] == headings


def test_mkdocs_slug_is_ascii_and_joins_with_one_dash():
    assert markdown_slug("Über uns -- Kontakt!") == "uber-uns-kontakt"


@pytest.mark.parametrize(
    "page",
    ["sphinx-furo/getting_started.html", "sphinx-furo/performance.html", "sphinx-pydata/install.html",
     "sphinx-rtd/make_a_release.html"],
)  # fmt: skip
def test_sphinx_section_ids_are_docutils_make_id(page):
    headings = _built_headings(ZOO / "html" / page)
    assert len(headings) >= 2
    assert [(text, make_id(text)) for text, _ in headings] == headings


def test_asciidoctor_ids_are_those_antora_gave_its_headings():
    headings = _built_headings(ZOO / "html" / "antora" / "6fault-injection.html")
    generated = [(text, anchor) for text, anchor in headings if anchor.startswith("_")]  # not [[503error]]
    assert generated == [("Clean up", "_clean_up")]
    assert [(text, asciidoctor_slug(text)) for text, _ in generated] == generated
    assert asciidoctor_slug("Step 2. Run it!") == "_step_2_run_it"


def test_asciidoc_sections_take_their_own_id_else_asciidoctors(tmp_path):
    page = tmp_path / "guide.adoc"
    page.write_text(
        "= The Guide\n\nIntro.\n\n[[install]]\n== Installing it\n\nRun it.\n\n"
        "[#use.lead]\n== Using it\n\nUse it.\n\n== Clean up\n\nDone.\n\n== Clean up\n\nAgain.\n"
    )
    loaded = load_document(page, tmp_path)
    assert [(b.text, b.anchor) for b in loaded.blocks if b.kind == "heading"] == [
        ("The Guide", None),  # the document title has no id
        ("Installing it", "install"),
        ("Using it", "use"),
        ("Clean up", "_clean_up"),
        ("Clean up", "_clean_up_2"),
    ]


def test_duplicate_headings_get_the_suffix_of_each_generator():
    assert [Slugger("github").slug(t) for t in ["Usage"]] == ["usage"]
    github, mkdocs = Slugger("github"), Slugger("python-markdown")
    assert [github.slug("Usage") for _ in range(3)] == ["usage", "usage-1", "usage-2"]
    assert [mkdocs.slug("Usage") for _ in range(3)] == ["usage", "usage_1", "usage_2"]
    assert Slugger("none").slug("Usage") is None


def test_an_explicit_id_wins_and_a_later_slug_does_not_reuse_it():
    blocks = [
        Block("heading", "Setup", level=2, anchor="usage"),
        Block("heading", "Usage", level=2),
        Block("heading", "Pip", level=7),
    ]
    resolved = resolve_anchors(blocks, "github")
    assert [b.anchor for b in resolved] == ["usage", "usage-1", None]  # a lead (level 7) gets no slug


# -- ids the readers take from the source -----------------------------------------------------------------


def _heading_anchors(path: Path) -> dict[str, str | None]:
    parsed = PARSERS[path.suffix.lower()](path.read_bytes(), path.name)
    return {b.text: b.anchor for b in parsed.blocks if b.kind == "heading" and b.level <= 6}


@pytest.mark.parametrize(
    "line, expected",
    [
        ("## Syncing tab choices {#syncing-tab-choices}", "syncing-tab-choices"),
        ('### with pip <small>recommended</small> { #with-pip data-toc-label="with pip" }', "with-pip"),
        ("## Requirements {/* #requirements */}", "requirements"),
        ('## <a name="old-anchor"></a>Title', "old-anchor"),
        ("## Plain title", None),
        ("## Uses {braces} in text", None),
    ],
)
def test_markdown_heading_ids(line, expected):
    assert markdown_heading_id(line) == expected


def test_docusaurus_mdx_heading_ids_are_read_from_the_source():
    anchors = _heading_anchors(ZOO / "source" / "docusaurus" / "installation.mdx")
    assert anchors["Requirements"] == "requirements"
    assert anchors["Running the development server"] == "running-the-development-server"
    assert anchors["Problems?"] == "problems"


@pytest.mark.parametrize(
    "page, expected",
    [
        ("sphinx-furo/getting_started.html", {"Using the CLI": "using-the-cli", "PyPI": "pypi"}),
        ("mkdocs-material/setting-up-the-footer.html", {"Social links": "social-links"}),
        ("docusaurus/replication.html", {"Partial Synchronization (PSYNC)": "partial-synchronization-psync"}),
        ("antora/6fault-injection.html", {"HTTP Error 503": "503error", "Clean up": "_clean_up"}),
        ("jekyll-just-the-docs/create-or-maintain-saas-offer.html", {"Client libraries": "client-libraries"}),
    ],
)
def test_html_headings_keep_the_id_of_the_page(page, expected):
    anchors = _heading_anchors(ZOO / "html" / page)
    assert {text: anchors.get(text) for text in expected} == expected


def test_html_heading_without_an_id_of_its_own_takes_its_permalink():
    page = (
        b'<html><body><main><h2>Setup<a class="headerlink" href="#set-up">\xc2\xb6</a></h2>' + b"<p>x</p>" * 5
    )
    parsed = PARSERS[".html"](page + b"</main></body></html>", "p.html")
    assert [b.anchor for b in parsed.blocks if b.kind == "heading"] == ["set-up"]


def test_rest_sections_take_their_label_else_docutils_id_as_sphinx_does():
    anchors = _heading_anchors(ZOO / "source" / "sphinx" / "describing-code.rst")
    assert anchors["Describing code in Sphinx"] == "describing-code-in-sphinx"
    assert anchors["Python"] == "tutorial-describing-objects"  # `.. _tutorial-describing-objects:`
    assert anchors["Other languages (C, C++, others)"] == "other-languages-c-c-others"
    parsed = PARSERS[".rst"](b"Usage\n=====\n\na\n\nUsage\n=====\n\nb\n", "x.rst")
    assert [b.anchor for b in parsed.blocks if b.kind == "heading"] == ["usage", "id1"]  # Sphinx's id1


def test_mkdocs_source_slugs_by_its_mkdocs_yml_and_passages_carry_their_section(tmp_path):
    site = tmp_path / "corpus" / "material"
    (site / "docs").mkdir(parents=True)
    (site / "mkdocs.yml").write_text("site_name: Material\n")
    page = site / "docs" / "getting-started.md"
    shutil.copy(ZOO / "source" / "mkdocs-material" / "getting-started.md", page)
    loaded = load_document(page, tmp_path / "corpus")
    anchors = {b.text: b.anchor for b in loaded.blocks if b.kind == "heading" and b.level <= 6}
    assert anchors["Installation"] == "installation"
    assert anchors["with pip recommended"] == "with-pip"
    assert anchors["with docker"] == "with-docker"
    passages = chunk_document(loaded.document.source, list(loaded.blocks), ChunkingParams())
    docker = next(p for p in passages if "docker pull" in p.text)
    assert docker.anchor == "with-docker"
    assert docker.to_record()["anchor"] == "with-docker"
    assert type(docker).from_record(docker.to_record()) == docker


@pytest.mark.parametrize(
    "page, words, anchor",
    [
        ("html/sphinx-furo/getting_started.html", "use the run subcommand", "running-the-analysis"),
        ("html/docusaurus/replication.html", "WAL iterator", "partial-synchronization-psync"),
        ("source/docusaurus/installation.mdx", "Node.js version", "requirements"),
        (
            "source/docusaurus/installation.mdx",
            "Meta open source",
            "scaffold-project-website",
        ),  # under a lead
        ("source/sphinx/describing-code.rst", "py:function", "documenting-python-objects"),
    ],
)
def test_a_passage_carries_the_anchor_of_its_section_on_the_published_page(page, words, anchor):
    path = ZOO / page
    loaded = load_document(path, path.parent)
    passages = chunk_document(loaded.document.source, list(loaded.blocks), ChunkingParams())
    assert next(p for p in passages if words in p.text).anchor == anchor


def test_markdown_without_generator_evidence_slugs_as_github(tmp_path):
    (tmp_path / "notes.md").write_text("# Notes\n\n## Usage\n\nOne.\n\n## Usage\n\nTwo.\n")
    loaded = load_document(tmp_path / "notes.md", tmp_path)
    assert [b.anchor for b in loaded.blocks if b.kind == "heading"] == ["notes", "usage", "usage-1"]
    passages = chunk_document("notes.md", list(loaded.blocks), ChunkingParams())
    assert [(p.text, p.anchor) for p in passages] == [("One.", "usage"), ("Two.", "usage-1")]


# -- templates ------------------------------------------------------------------------------------------

GITHUB = "https://github.com/acme/handbook/blob/{commit}/{path}?plain=1#L{start}-L{end}"


@pytest.mark.parametrize(
    "url",
    ["https://github.com/acme/handbook.git", "https://github.com/acme/handbook",
     "git@github.com:acme/handbook.git", "ssh://git@github.com/acme/handbook.git",
     "https://bot:s3cret@github.com/acme/handbook.git/"],
)  # fmt: skip
def test_github_repositories_get_the_file_view_at_the_commit_by_default(url):
    assert default_link_template(url) == GITHUB


def test_gitlab_repositories_and_subgroups_get_gitlabs_view():
    expected = "https://gitlab.com/acme/docs/handbook/-/blob/{commit}/{path}?plain=1#L{start}-{end}"
    assert default_link_template("git@gitlab.com:acme/docs/handbook.git") == expected
    assert default_link_template("https://gitlab.example.org/a/b.git").startswith(
        "https://gitlab.example.org/a/b/-/"
    )


@pytest.mark.parametrize(
    "url", [None, "", "./handbook", "/srv/git/handbook.git", "https://example.org/a/b.git"]
)
def test_other_repositories_have_no_default(url):
    assert default_link_template(url) is None


def test_lines_and_commit_fill_the_github_template():
    place = CitedPlace("handbook/docs/configuration.md", 40, 52)
    link = fill(GITHUB, place, "docs/configuration.md", "0a1b2c3")
    assert link == "https://github.com/acme/handbook/blob/0a1b2c3/docs/configuration.md?plain=1#L40-L52"
    one_line = fill(GITHUB, CitedPlace("k", 7, None), "a.md", "0a1b2c3")
    assert one_line.endswith("#L7-L7")


def test_a_fragment_with_an_unknown_field_is_dropped_whole():
    no_lines = fill(GITHUB, CitedPlace("k"), "guide.docx", "0a1b2c3")
    assert no_lines == "https://github.com/acme/handbook/blob/0a1b2c3/guide.docx?plain=1"
    site = "https://docs.example.com/{stem}/#{anchor}"
    assert fill(site, CitedPlace("k", anchor="with-docker"), "docs/setup.md") == (
        "https://docs.example.com/docs/setup/#with-docker"
    )
    assert fill(site, CitedPlace("k"), "docs/setup.md") == "https://docs.example.com/docs/setup/"


def test_an_unknown_field_before_the_fragment_means_no_link():
    assert fill("{url}#{anchor}", CitedPlace("k", anchor="x"), "a.md") is None
    assert fill("https://x/blob/{commit}/{path}", CitedPlace("k"), "a.md", None) is None


def test_a_pdf_page_is_added_when_the_template_does_not_place_it():
    assert fill(GITHUB, CitedPlace("k", page=12), "manual.pdf", "c0ffee").endswith(
        "manual.pdf?plain=1#page=12"
    )
    assert (
        fill(URL_TEMPLATE, CitedPlace("k", page=3, url="https://x.org/a.pdf"), "a.pdf")
        == "https://x.org/a.pdf#page=3"
    )
    assert (
        fill("https://x.org/{path}?p={page}", CitedPlace("k", page=3), "a.pdf") == "https://x.org/a.pdf?p=3"
    )


def test_anchors_and_paths_are_quoted_and_a_url_keeps_its_own_fragment():
    assert fill(
        URL_TEMPLATE, CitedPlace("k", anchor="Named Arguments", url="https://x.org/cli.html"), "cli.html"
    ) == ("https://x.org/cli.html#Named%20Arguments")
    assert (
        fill(URL_TEMPLATE, CitedPlace("k", anchor="b", url="https://x.org/p#a"), "p") == "https://x.org/p#a"
    )
    assert (
        fill("https://x.org/{path}", CitedPlace("k"), "my notes/a b.md")
        == "https://x.org/my%20notes/a%20b.md"
    )


def test_template_fields_are_checked():
    check_link_template(GITHUB)
    with pytest.raises(UnknownLinkField, match=r"\{line\}"):
        check_link_template("https://x.org/{path}#L{line}")


def test_links_pick_the_rule_of_the_source_a_key_belongs_to():
    links = Links({"handbook": LinkRule(GITHUB, "c0ffee"), "site": LinkRule(None)}, named=True)
    assert links.link(CitedPlace("handbook/docs/a.md", 3, 4)) == (
        "https://github.com/acme/handbook/blob/c0ffee/docs/a.md?plain=1#L3-L4"
    )
    assert (
        links.link(CitedPlace("site/guide/", 1, 2, anchor="x", url="https://d.org/guide/"))
        == "https://d.org/guide/#x"
    )
    assert links.link(CitedPlace("site/guide/", 1, 2)) is None  # no URL: nothing to open
    shorthand = Links({}, named=False)  # `corpus:`: the front matter's url, plus the section
    assert shorthand.link(CitedPlace("docs/a.md", 1, 2, anchor="usage", url="https://d.org/a/")) == (
        "https://d.org/a/#usage"
    )
    assert shorthand.link(CitedPlace("docs/a.md", 1, 2)) is None


# -- both libraries keep a passage's anchor ----------------------------------------------------------------


def test_the_postgres_library_keeps_a_passage_s_anchor(database_url):
    from dataclasses import replace

    from bot.state.database import open_pool
    from retrieval.libraries.postgres.library import PostgresLibrary, configure_connection
    from tests.retrieval.test_postgres_library import build, entry

    anchored = entry("handbook/docs/a.md", ["Retention is 15 days.", "Set it per tenant."])
    passages = tuple(replace(p, anchor=f"section-{p.ordinal}") for p in anchored.passages)
    pool = open_pool(database_url, wait_s=10, configure=configure_connection)
    try:
        build(pool, [replace(anchored, passages=passages)])
        library = PostgresLibrary(pool)
        assert library.passage("handbook/docs/a.md#1").anchor == "section-1"
        assert [p.anchor for p in library.passages_of("handbook/docs/a.md")] == ["section-0", "section-1"]
    finally:
        pool.close()
