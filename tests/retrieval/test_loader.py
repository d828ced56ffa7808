"""Reading corpus files: headers and titles, front matter, HTML main text, PDF pages, files that can't be read."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from retrieval.errors import CorpusError
from retrieval.loader import iter_corpus_files, load_document
from tests.conftest import DATA, SEEDS
from tests.harness.pdf import write_text_pdf

SEED_003 = next(SEEDS.glob("003_*.txt"))
SEED_001 = next(SEEDS.glob("001_*.txt"))
SEED_000 = next(SEEDS.glob("000_*.txt"))
HANDBOOK = DATA / "handbook"


def load(path: Path, corpus: Path | None = None):
    return load_document(path, corpus or path.parent)


def body_text(loaded) -> str:
    return "\n".join(line.text for line in loaded.lines)


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
    assert "https://news.microsoft.com" not in text.splitlines()[0]
    # The body starts after the header, and keeps the file's own line numbers.
    assert loaded.lines[0].number == 5
    raw = SEED_003.read_text("utf-8").splitlines()
    for line in loaded.lines:
        assert raw[line.number - 1] == line.text


def test_txt_header_detected_on_a_small_file(tmp_path):
    path = tmp_path / "note.txt"
    path.write_text("id = 7\nQuarterly report\n2021\nhttps://example.com/q\n\nRevenue grew by a tenth.\n")
    loaded = load(path)
    assert loaded.document.title == "Quarterly report"
    assert loaded.document.url == "https://example.com/q"
    assert [line.text for line in loaded.lines if line.text] == ["Revenue grew by a tenth."]
    assert loaded.lines[-1].number == 6


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
    raw = path.read_text("utf-8").splitlines()
    assert loaded.lines[0].number == 6
    for line in loaded.lines:
        assert line.text in raw[line.number - 1]  # markup stripped, text from that very line


def test_markdown_without_front_matter_takes_the_first_heading(tmp_path):
    path = tmp_path / "guide.md"
    path.write_text(
        "Intro words here that are not a title.\n\n# The real guide\n\nSee [the docs](https://x.y).\n"
    )
    loaded = load(path)
    assert loaded.document.title == "The real guide"
    assert loaded.lines[0].number == 1
    assert loaded.lines[-1].text == "See the docs."


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
    meals = next(line for line in loaded.lines if line.text.startswith("Meals"))
    assert meals.number is not None and "Meals are reimbursed" in raw[meals.number - 1]
    heading = next(line for line in loaded.lines if line.text == "Travel and expenses")
    assert "<h1>" in raw[heading.number - 1]  # the body's heading, not the <title> in <head>


# -- .pdf ------------------------------------------------------------------------------------------
def test_pdf_lines_carry_their_page_numbers(tmp_path):
    path = write_text_pdf(
        tmp_path / "guide.pdf",
        [["Welcome aboard, new colleague.", "Your badge arrives on day one."], ["Payroll runs on the 25th."]],
        title="Staff guide",
    )
    loaded = load(path)
    assert loaded.document.title == "Staff guide"
    pages = {line.text.strip(): line.page for line in loaded.lines if line.text.strip()}
    assert pages["Welcome aboard, new colleague."] == 1
    assert pages["Your badge arrives on day one."] == 1
    assert pages["Payroll runs on the 25th."] == 2
    assert all(line.number is None for line in loaded.lines)


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
    path.write_bytes(b"GIF89a\x00\x01\x02\x00binary")
    with pytest.raises(ValueError, match="binary"):
        load(path)


def test_non_utf8_file_is_refused_with_a_reason(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("Café au lait, crème brûlée.".encode("latin-1"))
    with pytest.raises(ValueError, match="UTF-8"):
        load(path)


def test_utf8_bom_is_not_part_of_the_title(tmp_path):
    path = tmp_path / "bom.txt"
    path.write_bytes("\ufeffShort title\n\nBody sentence here.\n".encode())
    assert load(path).document.title == "Short title"


# -- walking the corpus ----------------------------------------------------------------------------
def test_corpus_walk_is_recursive_sorted_and_skips_hidden_and_unsupported(tmp_path):
    (tmp_path / "b.txt").write_text("b")
    (tmp_path / "a.md").write_text("a")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.html").write_text("<p>c</p>")
    (tmp_path / ".hidden.txt").write_text("secret")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "notes.txt").write_text("git")
    (tmp_path / "image.png").write_bytes(b"\x89PNG")
    found = [p.relative_to(tmp_path).as_posix() for p in iter_corpus_files(tmp_path)]
    assert found == ["a.md", "b.txt", "sub/c.html"]


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
