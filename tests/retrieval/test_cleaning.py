"""Page chrome (forms, captchas, share bars, copyright, reading time, breadcrumbs, repeats, scraped menus)
never reaches a passage, and content (code, table rows, list items, short headings) is never dropped."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.config import ChunkingParams
from retrieval.ingest.chunking import chunk_document
from retrieval.ingest.cleaning import clean_blocks, is_chrome
from retrieval.ingest.loader import load_document
from retrieval.models import Block, Passage
from tests.harness.libraries import SEEDS


def seed(prefix: str) -> Path:
    return next(SEEDS.glob(f"{prefix}_*.txt"))


def cleaned(prefix: str) -> list[Block]:
    loaded = load_document(seed(prefix), SEEDS)
    return clean_blocks(loaded.blocks, loaded.document.title, scraped=True)


def texts(blocks) -> list[str]:
    return [b.text for b in blocks]


def indexed_passages(path: Path, corpus: Path) -> list[Passage]:
    """Passages exactly as `build_index` makes them (without the vectors)."""
    loaded = load_document(path, corpus)
    scraped = path.suffix.lower() == ".txt"
    blocks = clean_blocks(loaded.blocks, loaded.document.title, scraped=scraped)
    return chunk_document(loaded.document.source, blocks, ChunkingParams(), scraped=scraped)


def para(text: str, line: int = 1, kind: str = "paragraph") -> Block:
    return Block(kind, text, line, line)


# -- on the seeds ----------------------------------------------------------------------------------
def test_repeated_first_paragraph_is_kept_once():
    blocks = cleaned("000")
    opening = "Microsoft has formed a multiyear partnership with OpenAI."
    assert sum(b.text.startswith(opening) for b in blocks) == 1
    assert blocks[0].line_start == 1


def test_comment_form_and_captcha_are_dropped():
    kept = texts(cleaned("001"))
    assert not any("Please enter" in text for text in kept)
    assert "99 − = 91" not in kept


def test_breadcrumb_ending_with_the_title_is_dropped():
    kept = texts(cleaned("001"))
    assert not any(text.startswith("Home Articles") for text in kept)


def test_real_short_headings_are_kept():
    blocks = cleaned("001")
    headings = [b.text for b in blocks if b.kind == "heading"]
    for heading in ("Partnership Role", "Partnership Goal", "Cautionary Note"):
        assert heading in headings


def test_copyright_and_social_bar_are_dropped():
    kept = texts(b for b in cleaned("004") if b.kind != "heading")
    assert not any("©" in text for text in kept)
    assert not any("twitter" in text for text in kept)
    assert "Log in" not in kept and "Pricing" not in kept
    assert any(text.startswith("Microsoft is investing $1 billion in OpenAI") for text in kept)


def test_seed_004_menus_and_footers_are_dropped():
    loaded = load_document(seed("004"), SEEDS)
    assert loaded.document.title.startswith("Microsoft Invests In and Partners with OpenAI")
    body = "\n".join(texts(cleaned("004")))
    for chrome in ("API", "Research\n", "Blog", "About\n", "Careers", "Our Charter", "Whisper", "©"):
        assert chrome not in body, chrome


def test_glued_share_bar_and_press_contacts_are_dropped():
    kept = texts(cleaned("003"))
    assert "Related PostsFollow us:Share this page:" not in kept
    assert not any("[email protected]" in text for text in kept)
    assert any(text.startswith("About MicrosoftMicrosoft") for text in kept)


# -- what a reader would cite: passages of the seeds -----------------------------------------------
SEED_PASSAGES = {
    prefix: indexed_passages(seed(prefix), SEEDS) for prefix in ("000", "001", "002", "003", "004")
}
ALL_SEED_PASSAGES = [p for passages in SEED_PASSAGES.values() for p in passages]


@pytest.mark.parametrize(
    "chrome",
    [
        "Home Articles",
        "[email protected]",
        "Please enter",
        "99 − = 91",
        "Related Posts",
        "Share this page",
        "OpenAI ©",
        "twitter",
        "Log in",
        "minute read",
        "Careers",
    ],
)
def test_no_seeds_passage_holds_page_chrome(chrome):
    assert ALL_SEED_PASSAGES
    offenders = [(p.id, p.text[:80]) for p in ALL_SEED_PASSAGES if chrome in p.text]
    assert offenders == []


def test_first_passages_are_article_text():
    first_001 = SEED_PASSAGES["001"][0]
    assert first_001.text.startswith("Microsoft is investing $1 billion in OpenAI to develop AI technologies")
    assert all("[email protected]" not in p.text for p in SEED_PASSAGES["003"])
    assert any("About MicrosoftMicrosoft" in p.text for p in SEED_PASSAGES["003"])


def test_first_passage_of_004_is_article_text():
    first = SEED_PASSAGES["004"][0]
    assert "Try ChatGPT" not in first.text and "minute read" not in first.text
    assert "Microsoft is investing $1 billion in OpenAI" in first.text


# -- the rules, block by block ---------------------------------------------------------------------
def test_repeats_compare_folded_whitespace_and_case():
    blocks = [para("Hello   World, this is a sentence.", 1), para("hello world, THIS is a sentence.", 5)]
    assert clean_blocks(blocks, scraped=True) == [blocks[0]]


def test_short_blocks_may_repeat():
    blocks = [para("Default: 0", 1, "definition"), para("Default: 0", 3, "definition")]
    assert clean_blocks(blocks) == blocks


def test_a_table_row_or_code_block_repeated_in_another_section_is_kept():
    row = "metrics.addInternals | Enables metrics for internal resources. | false | No"
    code = "[metrics.prometheus]\n  addEntryPointsLabels = true"
    blocks = [
        Block("heading", "Prometheus", 1, 1, level=2),
        Block("table_row", row, 3, 3, group=1),
        Block("code", code, 5, 6),
        Block("heading", "Datadog", 8, 8, level=2),
        Block("table_row", row, 10, 10, group=2),
        Block("code", code, 12, 13),
    ]
    assert clean_blocks(blocks) == blocks


def test_three_short_lines_are_a_menu_only_in_scraped_text():
    menu = [para(t, n) for n, t in enumerate(["Home", "Pricing", "Docs", "A full sentence follows here."], 1)]
    assert texts(clean_blocks(menu, scraped=True)) == ["A full sentence follows here."]
    assert clean_blocks(menu, scraped=False) == menu  # Markdown, HTML, PDF: never by shortness
    pair = [para(t, n) for n, t in enumerate(["Summary", "Details", "A full sentence follows here."], 1)]
    assert clean_blocks(pair, scraped=True) == pair


def test_a_byline_among_menu_lines_is_kept_as_one_field():
    page = [para(t, n) for n, t in enumerate(["Authors", "Greg Brockman", "Published", "July 22, 2019"], 1)]
    page += [para(t, n) for n, t in enumerate(["Home", "Blog", "About"], 5)]  # a menu after it still goes
    kept = clean_blocks(page, scraped=True)
    assert texts(kept) == ["Authors\nGreg Brockman", "Published\nJuly 22, 2019"]
    assert [(b.line_start, b.line_end) for b in kept] == [(1, 2), (3, 4)]  # the citation spans both lines
    menu = [para(t, n) for n, t in enumerate(["Home", "Authors", "Docs", "Blog"], 1)]  # "Docs" names nobody
    assert texts(clean_blocks(menu, scraped=True)) == []
    assert clean_blocks(page, scraped=False) == page  # only scraped text joins lines


def test_seed_004_names_its_author():
    assert "Authors\nGreg Brockman" in texts(cleaned("004"))


def test_short_code_list_items_and_table_rows_are_never_menus():
    blocks = [
        Block("code", "promtool check rules", 1, 1),
        Block("list_item", "Debian 12", 3, 3, group=1),
        Block("list_item", "Ubuntu 24.04", 4, 4, group=1),
        Block("list_item", "Alpine", 5, 5, group=1),
        Block("table_row", "port | 80", 7, 7, group=2),
        Block("table_row", "host | any", 8, 8, group=2),
        Block("table_row", "tls | off", 9, 9, group=2),
    ]
    assert clean_blocks(blocks, scraped=True) == blocks
    assert clean_blocks(blocks) == blocks


def test_breadcrumb_is_dropped_only_near_the_top_and_only_with_a_prefix():
    title = "Why Microsoft is Investing $1 Billion in OpenAI"
    blocks = [para(f"Home Articles {title}", 1), para(title, 3, "heading"), para("Body sentence one.", 5)]
    assert texts(clean_blocks(blocks, title)) == [title, "Body sentence one."]
    late = [para(f"x{n} filler sentence.", n) for n in range(1, 6)] + [para(f"Home Articles {title}", 9)]
    assert clean_blocks(late, title) == late
    # the title inside a link is no breadcrumb's last word (uvicorn's home page, blind trial 46)
    linked = [
        para("Documentation: https://www.uvicorn.org", 1),
        para("Source Code: https://github.com/encode/uvicorn", 2),
    ]
    assert clean_blocks(linked, "Uvicorn") == linked


def test_a_page_heading_that_ends_with_the_title_is_no_breadcrumb():
    """Blind trial 50: MkDocs' "MkDocs Installation" (titled "Installation") and "Installing Plugins" (on
    "Plugins") were dropped as breadcrumbs and missing from every heading path of their pages; a trail set
    as a heading, with its marks, still goes."""
    blocks = [para("MkDocs Installation", 1, "heading"), para("Requirements", 3, "heading"), para("Pip.", 5)]
    assert clean_blocks(blocks, "Installation") == blocks
    trail = [para("Docs » Guide » Installation", 1, "heading"), para("Pip.", 3)]
    assert texts(clean_blocks(trail, "Installation")) == ["Pip."]


def test_reading_time_and_email_placeholder_blocks_are_dropped_but_not_in_code():
    blocks = [
        para("2 min read", 1),
        para("For more information, press only: Media Relations, [email protected]", 3),
        Block("code", "echo [email protected]", 5, 5),
        para("The deal closed in July.", 7),
    ]
    assert texts(clean_blocks(blocks)) == ["echo [email protected]", "The deal closed in July."]


@pytest.mark.parametrize(
    "line",
    [
        "Please enter your comment!",
        "Leave a Reply",
        "Your email address will not be published.",
        "12 + 3 = ",
        "OpenAI © 2015–2023 Privacy Policy Terms of Use",
        "Copyright 2024 Example Corp.",
        "Related PostsFollow us:Share this page:",
        "Share this article",
        "Log in",
        "Skip to main content",
        "twitter youtube github",
        "2 minute read",
        "5 min read",
    ],
)
def test_chrome_lines(line):
    assert is_chrome(line)


@pytest.mark.parametrize(
    "line",
    [
        "Partnership Role",
        "Shareholders approved the deal on Monday.",
        "Logistics teams ship laptops within five days.",
        "The sign-up bonus is paid in March.",
        "Microsoft has invested $1 billion.",
        "2 + 2 = 4 is taught in first grade.",
        "Read the release notes before you upgrade.",
    ],
)
def test_content_lines_are_not_chrome(line):
    assert not is_chrome(line)


def test_a_paragraph_repeated_under_another_heading_is_kept_and_in_its_own_section_dropped():
    """asdf's install page ends each method with the same "Note" paragraph and gunicorn's changelog
    opens each release's list with "Breaking changes": said again under another heading, a paragraph is
    content there (trial 43 lost them when any repeat in a page was dropped)."""
    note = "Restart your shell so that PATH changes take effect."
    blocks = [
        Block("heading", "Bash", 1, 1, level=3),
        para(note, 2),
        Block("heading", "Fish", 4, 4, level=3),
        para(note, 5),
        para(note, 7),  # said twice in the one section: a scraper's repeat in a scraped page
    ]
    assert clean_blocks(blocks, scraped=True) == blocks[:4]
    assert clean_blocks(blocks) == blocks  # a document's own repeat is content


def test_a_reference_keeps_the_line_each_of_its_entries_repeats():
    """METIS's manual (blind trial 47) describes `nn` the same way under each API function, and its
    functions are no headings: one section, where dropping repeats had left entries without parameters."""
    nn = "nn The number of nodes in the mesh."
    blocks = [
        Block("heading", "5.8 Mesh partitioning routines", 1, 1, level=2),
        para("int METIS_PartMeshNodal(idx_t *ne, idx_t *nn, ...)", 2),
        para(nn, 3),
        para("int METIS_MeshToNodal(idx_t *ne, idx_t *nn, ...)", 4),
        para(nn, 5),
    ]
    assert clean_blocks(blocks) == blocks
