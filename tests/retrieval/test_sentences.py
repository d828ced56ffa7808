"""Sentence boundaries: abbreviations, quotes glued together, blocks glued by scraping."""

from __future__ import annotations

import pytest

from retrieval.sentences import split_sentences


def sentences(text: str) -> list[str]:
    return [text[start:end] for start, end in split_sentences(text)]


def test_abbreviations_do_not_end_sentences():
    text = "Mr. Smith met Microsoft Corp. in Redmond, Wash. on Monday. The U.S. team agreed."
    assert sentences(text) == [
        "Mr. Smith met Microsoft Corp. in Redmond, Wash. on Monday.",
        "The U.S. team agreed.",
    ]


def test_seed_dateline_stays_one_sentence():
    text = (
        "SAN FRANCISCO and REDMOND, Wash. — July 22, 2019—Microsoft Corp. and OpenAI have partnered. "
        "The companies will focus on Azure."
    )
    assert sentences(text) == [
        "SAN FRANCISCO and REDMOND, Wash. — July 22, 2019—Microsoft Corp. and OpenAI have partnered.",
        "The companies will focus on Azure.",
    ]


def test_glued_quotes_are_split():
    text = "“It is our vision.”“AI is the future,” she said."
    assert sentences(text) == ["“It is our vision.”", "“AI is the future,” she said."]


def test_closing_quote_stays_with_its_sentence():
    text = (
        "“AI is one of the most transformative technologies,” said Nadella. “By bringing together, we win.”"
    )
    assert sentences(text) == [
        "“AI is one of the most transformative technologies,” said Nadella.",
        "“By bringing together, we win.”",
    ]


def test_glued_blocks_are_split():
    text = "OpenAI forms exclusive computing partnership with Microsoft technologiesJuly 22, 2019|News Center"
    assert sentences(text) == [
        "OpenAI forms exclusive computing partnership with Microsoft technologies",
        "July 22, 2019|News Center",
    ]


def test_full_stop_glued_to_the_next_sentence_is_split():
    assert sentences("It benefits humanity.The deal closed.") == ["It benefits humanity.", "The deal closed."]


@pytest.mark.parametrize("word", ["PowerPoint", "JavaScript", "OpenAI", "YouTube", "LinkedIn", "iPhone"])
def test_camel_case_words_are_not_split(word):
    text = f"Teams use {word} every day. Then they rest."
    assert sentences(text) == [f"Teams use {word} every day.", "Then they rest."]


def test_offsets_are_trimmed_and_cover_the_text():
    text = "  First one.   Second one?  Third!  "
    spans = split_sentences(text)
    assert [text[s:e] for s, e in spans] == ["First one.", "Second one?", "Third!"]
    assert all(not text[s].isspace() and not text[e - 1].isspace() for s, e in spans)


def test_text_without_end_punctuation_is_one_sentence():
    assert sentences("a heading without a full stop") == ["a heading without a full stop"]
    assert sentences("   ") == []


def test_numbers_and_initials_do_not_end_sentences():
    assert sentences("It grew 3.5 times. J. R. Smith said so.") == [
        "It grew 3.5 times.",
        "J. R. Smith said so.",
    ]
