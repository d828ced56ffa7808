"""Every corpus file is read or reported: files no reader takes are listed with the reason, hidden ones
ignored, and a strict build refuses to publish. No model: a bag-of-words embedder stands in for it."""

from __future__ import annotations

import pytest

from retrieval.errors import CorpusError
from retrieval.ingest.formats import PARSERS
from retrieval.ingest.loader import SkippedFile, UnreadFilesError, corpus_files, iter_corpus_files
from retrieval.libraries.files.library import live_generation
from tests.harness.libraries import build_index
from tests.retrieval.test_parts import WordsEmbedder

TEXT = "The reactor cools with heavy water pumped through the core."


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "docs"
    (folder / "sub").mkdir(parents=True)
    (folder / "guide.txt").write_text(TEXT)
    (folder / "sub" / "data.xyz").write_text("x")
    (folder / "Makefile").write_text("all:")
    (folder / "IMAGE.PNG").write_bytes(b"\x89PNG")
    (folder / ".hidden.xyz").write_text("secret")
    (folder / ".git").mkdir()
    (folder / ".git" / "config").write_text("[core]")
    return folder


def test_files_no_reader_takes_are_listed_by_suffix_and_hidden_ones_ignored(corpus):
    readable, unread = corpus_files(corpus)
    assert [p.name for p in readable] == ["guide.txt"]
    assert unread == [
        SkippedFile("IMAGE.PNG", "no reader for .png"),
        SkippedFile("Makefile", "no reader for files without an extension"),
        SkippedFile("sub/data.xyz", "no reader for .xyz"),
    ]
    assert list(iter_corpus_files(corpus)) == readable


def test_the_unread_list_follows_the_parser_registry(corpus, monkeypatch):
    """A suffix gains a reader by its registration alone (other readers are added by other modules)."""
    monkeypatch.setitem(PARSERS, ".xyz", PARSERS[".txt"])
    readable, unread = corpus_files(corpus)
    assert [p.name for p in readable] == ["guide.txt", "data.xyz"]
    assert "sub/data.xyz" not in [f.source for f in unread]


def test_missing_corpus_is_still_a_corpus_error(tmp_path):
    with pytest.raises(CorpusError, match="does not exist"):
        corpus_files(tmp_path / "nowhere")


def test_a_build_reports_unread_and_skipped_files_apart(corpus, tmp_path):
    (corpus / "photo.txt").write_bytes(b"\x89PNG\x00\x00")
    report = build_index(corpus, tmp_path / "idx", WordsEmbedder(), show_progress=False)
    assert report.files == 1
    assert [f.source for f in report.unread] == ["IMAGE.PNG", "Makefile", "sub/data.xyz"]
    assert [f.source for f in report.skipped] == ["photo.txt"]
    assert "binary" in report.skipped[0].reason


def test_a_strict_build_with_unread_files_publishes_nothing(corpus, tmp_path):
    index = tmp_path / "idx"
    with pytest.raises(UnreadFilesError) as raised:
        build_index(corpus, index, WordsEmbedder(), show_progress=False, strict=True)
    assert [f.reason for f in raised.value.unread] == [
        "no reader for .png",
        "no reader for files without an extension",
        "no reader for .xyz",
    ]
    assert live_generation(str(index)) is None
    assert not list(index.glob("gen-*"))


def test_a_strict_build_with_a_damaged_file_publishes_nothing(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "guide.txt").write_text(TEXT)
    (folder / "photo.txt").write_bytes(b"\x89PNG\x00\x00")
    with pytest.raises(UnreadFilesError) as raised:
        build_index(folder, tmp_path / "idx", WordsEmbedder(), show_progress=False, strict=True)
    assert raised.value.unread == () and [f.source for f in raised.value.skipped] == ["photo.txt"]


def test_a_strict_build_of_a_fully_read_corpus_publishes(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "guide.txt").write_text(TEXT)
    (folder / ".DS_Store").write_bytes(b"\x00\x01")  # hidden: neither read nor reported
    report = build_index(folder, tmp_path / "idx", WordsEmbedder(), show_progress=False, strict=True)
    assert (report.files, report.unread, report.skipped) == (1, [], [])


def test_yaml_that_is_no_openapi_document_is_unread_not_skipped(tmp_path):
    """A reader may decline a file of its suffix (NoReaderError): it is listed as not read, no warning."""
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "guide.txt").write_text(TEXT)
    (folder / "compose.yaml").write_text("services:\n  web:\n    image: nginx\n")
    (folder / "api.yaml").write_text("openapi: 3.0.0\ninfo: {title: Reactor API, version: '1'}\npaths: {}\n")
    report = build_index(folder, tmp_path / "idx", WordsEmbedder(), show_progress=False)
    assert report.files == 2 and report.skipped == []
    assert report.unread == [
        SkippedFile("compose.yaml", "no reader for .yaml (not an OpenAPI or Swagger document)")
    ]


def test_page_templates_and_requirements_lists_are_reported_not_indexed(tmp_path):
    """A docs folder holds its site's build files: a Sphinx theme's Jinja sidebar, an MkDocs override's
    partial and Read the Docs' pin list were indexed as pages ("{{ _('Quickstart') }}", a title
    "# Pinning to avoid unexpected breakages. ... Sphinx==7.2.6"). They are listed as not read."""
    folder = tmp_path / "docs"
    (folder / "_templates").mkdir(parents=True)
    (folder / "guide.txt").write_text(TEXT)
    (folder / "_templates" / "sidebar.html").write_text(
        "<h3>{{ _('Useful Links') }}</h3>\n<ul><li><a href=\"{{ pathto('api') }}\">API</a></li></ul>\n"
    )
    (folder / "nav.html").write_text('{% import "partials/nav-item.html" as item %}\n<nav>{{ item }}</nav>\n')
    (folder / "requirements.txt").write_text(
        "# Used by RTD to build the docs.\nSphinx==7.2.6\nfuro>=2024.1\n"
    )
    # A page about templates shows its tags in code only, and a plain list of words is text: both read.
    (folder / "templating.html").write_text(
        "<html><body><h1>Templating</h1><p>Write a variable as shown.</p>"
        "<pre>{{ user.name }} and {% if admin %}</pre><p>Then <code>{{ x }}</code> renders.</p></body></html>"
    )
    (folder / "packing.txt").write_text("tent\nstove\nrope\n")
    report = build_index(folder, tmp_path / "idx", WordsEmbedder(), show_progress=False)
    assert report.files == 3
    template = "(a page template: {{ }} or {% %} tags outside code)"
    assert [(f.source, f.reason) for f in report.unread] == [
        ("_templates/sidebar.html", f"no reader for .html {template}"),
        ("nav.html", f"no reader for .html {template}"),
        ("requirements.txt", "no reader for .txt (a pip requirements list, not a page)"),
    ]
    assert report.skipped == []


def test_a_sphinx_builds_source_copies_static_files_and_index_pages_are_reported_not_indexed(tmp_path):
    """A Sphinx HTML build copied as a corpus (itsdangerous' docs): the web font's licence in _static
    answered "What licence is itsdangerous under?", and `_sources` copies quoted raw `:meth:` markup."""
    build = tmp_path / "docs" / "html"
    for name in ("_sources", "_static/fonts", "_modules"):
        (build / name).mkdir(parents=True)
    (build / "objects.inv").write_bytes(b"# Sphinx inventory version 2\n")
    (build / "searchindex.js").write_text("Search.setIndex({})")
    page = "<html><body><h1>Signer</h1><p>The signer signs values with a secret key.</p></body></html>"
    (build / "signer.html").write_text(page)
    (build / "_sources" / "signer.rst.txt").write_text("Signer\n======\n\nUse :meth:`Signer.sign`.\n")
    (build / "_static" / "fonts" / "LICENSE.txt").write_text(
        "The fonts cannot be released under any other license."
    )
    (build / "_modules" / "signer.html").write_text(page)
    for generated in ("genindex.html", "search.html", "py-modindex.html"):
        (build / generated).write_text("<html><body><p>Index A B C</p></body></html>")
    (tmp_path / "docs" / "notes.txt").write_text(TEXT)  # beside the build, not in it: read
    report = build_index(tmp_path / "docs", tmp_path / "idx", WordsEmbedder(), show_progress=False)
    assert report.files == 2  # the page and the notes
    generated = [
        f.source for f in report.unread if f.reason.startswith("not read: written by the Sphinx build")
    ]
    assert generated == [
        "html/_modules/signer.html", "html/_sources/signer.rst.txt", "html/_static/fonts/LICENSE.txt",
        "html/genindex.html", "html/py-modindex.html", "html/search.html",
    ]  # fmt: skip
    # Without the build's two markers the same folders are pages like any other.
    (build / "objects.inv").unlink()
    readable, _ = corpus_files(tmp_path / "docs")
    assert "LICENSE.txt" in [p.name for p in readable]
