"""Page chrome (menus, forms, captchas, share bars, copyright, repeats) never reaches a passage."""

from __future__ import annotations

import pytest

from retrieval.cleaning import clean_lines, is_chrome
from retrieval.loader import load_document
from retrieval.models import SourceLine
from retrieval.store import JsonPassageStore
from tests.conftest import SEEDS


def cleaned(prefix: str) -> list[SourceLine]:
    path = next(SEEDS.glob(f"{prefix}_*.txt"))
    return clean_lines(load_document(path, SEEDS).lines)


def texts(lines: list[SourceLine]) -> list[str]:
    return [line.text for line in lines]


def test_repeated_first_paragraph_is_kept_once():
    lines = cleaned("000")
    opening = "Microsoft has formed a multiyear partnership with OpenAI."
    assert sum(line.text.startswith(opening) for line in lines) == 1
    assert lines[0].number == 1


def test_comment_form_and_captcha_are_dropped():
    kept = texts(cleaned("001"))
    assert "Please enter your comment!" not in kept
    assert "Please enter your name here" not in kept
    assert "99 − = 91" not in kept
    assert not any("Please enter" in text for text in kept)


def test_real_short_headings_are_kept():
    kept = texts(cleaned("001"))
    for heading in ("Partnership Role", "Partnership Goal", "Cautionary Note"):
        assert heading in kept


def test_menus_footers_copyright_and_social_bar_are_dropped():
    kept = texts(cleaned("004"))
    for chrome in (
        "API",
        "Research",
        "Blog",
        "About",
        "Log in",
        "Careers",
        "Pricing",
        "Our Charter",
        "Whisper",
    ):
        assert chrome not in kept
    assert not any("©" in text for text in kept)
    assert not any("twitter" in text for text in kept)
    assert any(text.startswith("Microsoft is investing $1 billion in OpenAI") for text in kept)


def test_glued_share_bar_is_dropped():
    kept = texts(cleaned("003"))
    assert "Related PostsFollow us:Share this page:" not in kept
    assert any(text.startswith("About MicrosoftMicrosoft") for text in kept)


def test_lines_keep_their_numbers_and_text():
    for prefix in ("000", "001", "003", "004"):
        path = next(SEEDS.glob(f"{prefix}_*.txt"))
        raw = path.read_text("utf-8").splitlines()
        for line in cleaned(prefix):
            assert raw[line.number - 1].strip() == line.text


def test_repeats_compare_folded_whitespace_and_case():
    lines = [
        SourceLine("Hello   World, this is a sentence.", 1),
        SourceLine("hello world, THIS is a sentence.", 5),
    ]
    assert clean_lines(lines) == [SourceLine("Hello   World, this is a sentence.", 1)]


def test_three_short_link_lines_are_a_menu_but_two_are_not():
    menu = [
        SourceLine(t, n)
        for n, t in enumerate(["Home", "Pricing", "Docs", "A full sentence follows here."], 1)
    ]
    assert texts(clean_lines(menu)) == ["A full sentence follows here."]
    pair = [
        SourceLine(t, n) for n, t in enumerate(["Summary", "Details", "A full sentence follows here."], 1)
    ]
    assert texts(clean_lines(pair)) == ["Summary", "Details", "A full sentence follows here."]


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
    ],
)
def test_content_lines_are_not_chrome(line):
    assert not is_chrome(line)


@pytest.fixture(scope="module")
def seeds_passages(seeds_index):
    from retrieval import layout

    return JsonPassageStore.load(layout.current_generation(seeds_index, "")).all_passages()


@pytest.mark.parametrize(
    "chrome",
    [
        "Log in",
        "Careers",
        "Please enter",
        "API\nResearch\nBlog",
        "Related Posts",
        "99 − = 91",
        "OpenAI ©",
        "twitter",
    ],
)
def test_no_seeds_passage_holds_page_chrome(seeds_passages, chrome):
    assert seeds_passages
    offenders = [p.id for p in seeds_passages if chrome in p.text]
    assert offenders == []
