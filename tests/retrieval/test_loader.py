"""Reading corpus files: headers and titles, front matter, HTML main text, PDF pages, files that can't be read."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from retrieval.errors import CorpusError
from retrieval.ingest.formats.base import LineMap
from retrieval.ingest.loader import iter_corpus_files, load_document
from tests.harness.libraries import DATA, SEEDS
from tests.harness.pdf import write_text_pdf

SEED_003 = next(SEEDS.glob("003_*.txt"))
SEED_001 = next(SEEDS.glob("001_*.txt"))
SEED_000 = next(SEEDS.glob("000_*.txt"))
HANDBOOK = DATA / "handbook"


def load(path: Path, corpus: Path | None = None):
    return load_document(path, corpus or path.parent)


def body_text(loaded) -> str:
    return "\n".join(b.text for b in loaded.blocks)


def assert_blocks_come_from_their_lines(loaded, path: Path) -> None:
    """Every block's first and last words are on its first and last cited lines of the file."""
    lines = LineMap(path.read_text("utf-8-sig"))
    for found in loaded.blocks:
        words = found.text.split()
        assert words[0] in lines.line(found.line_start), (found.line_start, found.text[:60])
        assert words[-1] in lines.line(found.line_end), (found.line_end, found.text[-60:])


# -- .txt ------------------------------------------------------------------------------------------
def test_txt_header_gives_title_and_url_and_stays_out_of_the_body():
    loaded = load(SEED_003)
    assert loaded.document.title == (
        "OpenAI forms exclusive computing partnership with Microsoft to build new Azure AI supercomputing "
        "technologies"
    )
    assert loaded.document.url == (
        "https://news.microsoft.com/2019/07/22/openai-forms-exclusive-computing-partnership-with-microsoft"
        "-to-build-new-azure-ai-supercomputing-technologies"
    )
    text = body_text(loaded)
    assert "old id = 3675" not in text
    assert "https://news.microsoft.com" not in text
    # The body starts after the header (and its blank line), and keeps the file's own line numbers.
    assert loaded.blocks[0].line_start == 6
    assert_blocks_come_from_their_lines(loaded, SEED_003)


def test_txt_header_detected_on_a_small_file(tmp_path):
    path = tmp_path / "note.txt"
    path.write_text("id = 7\nQuarterly report\n2021\nhttps://example.com/q\n\nRevenue grew by a tenth.\n")
    loaded = load(path)
    assert loaded.document.title == "Quarterly report"
    assert loaded.document.url == "https://example.com/q"
    assert [(b.kind, b.text, b.line_start) for b in loaded.blocks] == [
        ("paragraph", "Revenue grew by a tenth.", 6)
    ]


def test_fallback_title_is_the_first_short_line(tmp_path):
    path = tmp_path / "plain.txt"
    path.write_text("\n  Onboarding notes  \n\nBring your laptop on day one.\n")
    loaded = load(path)
    assert loaded.document.title == "Onboarding notes"
    assert loaded.document.url is None
    assert "Onboarding notes" in body_text(loaded)  # no header: every line is body


def test_breadcrumb_first_line_yields_the_article_title():
    assert load(SEED_001).document.title == "Why Microsoft is Investing $1 Billion in OpenAI"


def test_long_first_line_falls_back_to_the_file_name(tmp_path):
    assert load(SEED_000).document.title == SEED_000.stem.replace("_", " ")
    path = tmp_path / "team-update_2024.txt"
    path.write_text(" ".join(["word"] * 60) + ".\n")
    assert load(path).document.title == "team update 2024"


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_seed_blocks_come_from_their_lines(prefix):
    path = next(SEEDS.glob(f"{prefix}_*.txt"))
    assert_blocks_come_from_their_lines(load(path), path)


# -- .md -------------------------------------------------------------------------------------------
def test_markdown_front_matter_gives_title_url_date_and_line_numbers_continue_after_it():
    path = HANDBOOK / "policies" / "vacation.md"
    loaded = load_document(path, HANDBOOK)
    document = loaded.document
    assert document.source == "policies/vacation.md"
    assert document.title == "Vacation and leave policy"
    assert document.url == "https://handbook.example.com/policies/vacation"
    assert document.date == "2024-03-01"
    text = body_text(loaded)
    assert "title:" not in text and "---" not in text
    assert loaded.blocks[0].line_start == 6
    assert_blocks_come_from_their_lines(loaded, path)


def test_markdown_without_front_matter_takes_the_first_heading(tmp_path):
    path = tmp_path / "guide.md"
    path.write_text(
        "Intro words here that are not a title.\n\n# The real guide\n\nSee [the docs](https://x.y).\n"
    )
    loaded = load(path)
    assert loaded.document.title == "The real guide"
    assert loaded.blocks[0].line_start == 1
    assert loaded.blocks[-1].text == "See the docs."


def test_markdown_without_headings_takes_the_first_short_block(tmp_path):
    path = tmp_path / "notes.md"
    path.write_text("Release notes\n\nThe 2.1 release fixes the login loop on Safari.\n")
    assert load(path).document.title == "Release notes"


def test_a_page_of_several_sections_without_a_title_is_named_by_its_file(tmp_path):
    """MkDocs pages without an H1 (httpx's advanced/timeouts.md): the first of several sections named
    every passage of the page, and a first sentence was a title too ("You can control the ...")."""
    (tmp_path / "advanced").mkdir()
    path = tmp_path / "advanced" / "timeouts.md"
    path.write_text(
        "HTTPX is careful to enforce timeouts everywhere by default.\n\n"
        "## Setting and disabling timeouts\n\nPass timeout=None.\n\n"
        "## Fine tuning the configuration\n\nFour kinds of timeout.\n"
    )
    assert load(path, tmp_path).document.title == "timeouts"
    limits = tmp_path / "advanced" / "resource-limits.md"
    limits.write_text("You can control the pool size with `limits`. It takes:\n\n* max_connections\n")
    assert load(limits, tmp_path).document.title == "resource limits"
    index = tmp_path / "advanced" / "index.md"
    index.write_text("Advanced topics follow, one page each.\n")
    assert load(index, tmp_path).document.title == "advanced"  # a folder's own page: the folder's name
    one = tmp_path / "one.md"
    one.write_text("Some words first.\n\n## Clients\n\nUse a client.\n")
    assert load(one, tmp_path).document.title == "Clients"  # the one section's heading names the page


def test_a_title_line_may_end_in_an_abbreviation_or_a_set_apart_ellipsis(tmp_path):
    path = tmp_path / "008_assassination-of-martin-luther-king-jr.txt"
    path.write_text(
        "Assassination of Martin Luther King, Jr.\n\nRobert F. Kennedy speech\n\n"
        "A speech on the assassination was given on April 4, 1968.\n"
    )
    loaded = load(path, tmp_path)
    assert loaded.document.title == "Assassination of Martin Luther King, Jr."  # was the section's name
    assert loaded.blocks[0].kind == "heading" and loaded.blocks[0].level == 1
    poem = tmp_path / "127_first-they-came.txt"
    poem.write_text("First they came ...\n\nThe poem is about the cowardice of intellectuals.\n")
    assert load(poem, tmp_path).document.title == "First they came ..."


# -- .html -----------------------------------------------------------------------------------------
def test_html_main_text_without_navigation_or_footer():
    path = HANDBOOK / "policies" / "expenses.html"
    loaded = load_document(path, HANDBOOK)
    document = loaded.document
    assert document.title == "Travel and expenses"
    assert document.url == "https://handbook.example.com/policies/expenses"
    text = body_text(loaded)
    assert "Meals are reimbursed up to $60 per day" in text
    assert "Hotels should cost no more than $250 per night" in text
    for chrome in ("Log in", "Careers", "Privacy policy", "All rights reserved"):
        assert chrome not in text
    raw = path.read_text("utf-8").splitlines()
    meals = next(b for b in loaded.blocks if b.text.startswith("Meals"))
    assert meals.line_start is not None and "Meals are reimbursed" in raw[meals.line_start - 1]
    heading = next(b for b in loaded.blocks if b.kind == "heading" and b.text == "Travel and expenses")
    assert "<h1>" in raw[heading.line_start - 1]  # the body's heading, not the <title> in <head>


# -- .pdf ------------------------------------------------------------------------------------------
def test_pdf_blocks_carry_their_page_numbers(tmp_path):
    path = write_text_pdf(
        tmp_path / "guide.pdf",
        [["Welcome aboard, new colleague.", "Your badge arrives on day one."], ["Payroll runs on the 25th."]],
        title="Staff guide",
    )
    loaded = load(path)
    assert loaded.document.title == "Staff guide"
    pages = {sentence: b.page_start for b in loaded.blocks for sentence in b.text.split(". ")}
    assert pages["Welcome aboard, new colleague"] == 1
    assert pages["Your badge arrives on day one."] == 1
    assert pages["Payroll runs on the 25th."] == 2
    assert all(b.line_start is None and b.start is None for b in loaded.blocks)


def test_handbook_pdf_pages():
    loaded = load_document(HANDBOOK / "onboarding.pdf", HANDBOOK)
    assert loaded.document.title == "Onboarding guide"
    by_page = {b.page_start for b in loaded.blocks if "security training" in b.text}
    assert by_page == {2}
    assert {b.page_start for b in loaded.blocks if "onboarding buddy" in b.text} == {1}


def test_pdf_without_a_title_uses_its_first_line(tmp_path):
    path = write_text_pdf(tmp_path / "untitled.pdf", [["Safety rules", "Wear a helmet on site."]])
    assert load(path).document.title == "Safety rules"


def test_pdf_that_is_not_a_pdf_is_refused_with_a_reason(tmp_path):
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.4\nthis is not really a pdf")
    with pytest.raises(ValueError, match="PDF"):
        load(path)


# -- unreadable files ------------------------------------------------------------------------------
def test_binary_file_is_refused_with_a_reason(tmp_path):
    path = tmp_path / "image.txt"
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00\x1f\xf3\xff"
    )
    with pytest.raises(ValueError, match="binary"):
        load(path)


def test_binary_file_that_is_valid_utf8_is_refused_with_a_reason(tmp_path):
    path = tmp_path / "image.txt"
    path.write_bytes(b"GIF89a\x00\x01\x02\x00binary")
    with pytest.raises(ValueError, match="binary"):
        load(path)


def test_non_utf8_file_is_decoded_not_refused(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("Café au lait, crème brûlée.\n\nThe menu changes every week.\n".encode("latin-1"))
    loaded = load(path)
    assert "The menu changes every week." in body_text(loaded)


def test_utf8_bom_is_not_part_of_the_title(tmp_path):
    path = tmp_path / "bom.txt"
    path.write_bytes("\ufeffShort title\n\nBody sentence here.\n".encode())
    assert load(path).document.title == "Short title"


def test_empty_files_give_no_blocks():
    corpus = DATA / "cases" / "empty-files" / "corpus"
    for name in ("blank.md", "empty.html", "empty.txt", "front-matter-only.md"):
        assert load_document(corpus / name, corpus).blocks == (), name


# -- walking the corpus ----------------------------------------------------------------------------
def test_corpus_walk_is_recursive_sorted_and_skips_hidden_and_unsupported(tmp_path):
    (tmp_path / "b.txt").write_text("b")
    (tmp_path / "a.md").write_text("a")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.html").write_text("<p>c</p>")
    (tmp_path / "sub" / "d.rst").write_text("d")
    (tmp_path / "sub" / "e.docx").write_bytes(b"PK")
    (tmp_path / ".hidden.txt").write_text("secret")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "notes.txt").write_text("git")
    (tmp_path / "image.png").write_bytes(b"\x89PNG")
    found = [p.relative_to(tmp_path).as_posix() for p in iter_corpus_files(tmp_path)]
    assert found == ["a.md", "b.txt", "sub/c.html", "sub/d.rst", "sub/e.docx"]


def test_missing_corpus_is_a_corpus_error(tmp_path):
    with pytest.raises(CorpusError, match="does not exist"):
        list(iter_corpus_files(tmp_path / "nowhere"))


def test_corpus_that_is_a_file_is_a_corpus_error(tmp_path):
    path = tmp_path / "file.txt"
    path.write_text("x")
    with pytest.raises(CorpusError, match="not a folder"):
        list(iter_corpus_files(path))


def test_source_is_relative_to_the_corpus_folder(tmp_path):
    corpus = tmp_path / "corpus"
    (corpus / "deep" / "er").mkdir(parents=True)
    target = corpus / "deep" / "er" / SEED_003.name
    shutil.copy(SEED_003, target)
    loaded = load_document(target, corpus)
    assert loaded.document.source == f"deep/er/{SEED_003.name}"
    assert len(loaded.document.sha256) == 64
