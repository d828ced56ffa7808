"""Splitting and escaping for Discord: chunks within the limit, cut at paragraphs or sentences, never in code."""

from __future__ import annotations

import random

import pytest

from bot.adapters.discord.markdown import (
    ZERO_WIDTH_SPACE,
    defuse_mentions,
    escape,
    fences_balanced,
    split_message,
    truncate,
)


def words(text: str) -> list[str]:
    return text.replace("```", " ").split()


def test_short_text_is_one_chunk():
    assert split_message("Hello there.") == ["Hello there."]


def test_long_text_splits_between_paragraphs_first():
    paragraphs = [f"Paragraph {n}. " + "Words in a sentence. " * 40 for n in range(6)]
    chunks = split_message("\n\n".join(p.strip() for p in paragraphs), 2000)
    assert len(chunks) > 1
    assert all(len(c) <= 2000 for c in chunks)
    assert all(c.startswith("Paragraph") for c in chunks)  # every chunk begins a paragraph


def test_a_paragraph_too_long_alone_splits_between_sentences():
    text = " ".join(f"Sentence number {n} ends here." for n in range(200))
    chunks = split_message(text, 500)
    assert all(len(c) <= 500 and c.endswith("ends here.") for c in chunks)
    assert words(" ".join(chunks)) == words(text)


def test_never_splits_inside_a_code_block():
    code = "```python\n" + "\n".join(f"print({n})" for n in range(40)) + "\n```"
    text = "Intro sentence. " * 100 + "\n\n" + code + "\n\nAfter the code."
    chunks = split_message(text, 2000)
    assert all(len(c) <= 2000 and fences_balanced(c) for c in chunks)
    assert any(code in c for c in chunks)  # the block fits in one message, so it stays whole


def test_a_code_block_longer_than_a_message_becomes_complete_blocks():
    code = "```py\n" + "\n".join(f"value_{n} = {n} * 2  # some comment" for n in range(200)) + "\n```"
    chunks = split_message(code, 2000)
    assert len(chunks) > 1
    for chunk in chunks:
        assert len(chunk) <= 2000 and fences_balanced(chunk)
        assert chunk.startswith("```py\n") and chunk.endswith("```")


def test_an_unclosed_fence_is_closed():
    chunks = split_message("Look: ```\nno end " + "word " * 600, 2000)
    assert all(fences_balanced(c) and len(c) <= 2000 for c in chunks)


def test_words_longer_than_the_limit_are_cut():
    chunks = split_message("a" * 4500, 2000)
    assert [len(c) for c in chunks] == [2000, 2000, 500]


@pytest.mark.parametrize("seed", range(40))
def test_random_markdown_always_fits_and_stays_balanced(seed):
    rng = random.Random(seed)
    tokens = ["```", "```py\n", "\n\n", ". ", "word", "\n", "end.", "!", "\\", "x" * rng.randint(1, 400)]
    text = " ".join(rng.choice(tokens) for _ in range(rng.randint(1, 1500)))
    limit = rng.choice([60, 300, 2000])
    for chunk in split_message(text, limit):
        assert 0 < len(chunk) <= limit
        assert fences_balanced(chunk)


def test_mass_mentions_are_defused():
    text = defuse_mentions("hi @everyone and @here and @Everyone")
    assert "@everyone" not in text and "@here" not in text and "@Everyone" not in text
    assert text.count(ZERO_WIDTH_SPACE) == 3


def test_escape_shows_document_text_literally():
    escaped = escape(
        "# Title\n> quote\n- item\n1. one\n*bold* _it_ [link](http://x) `code` ||spoiler|| @here"
    )
    assert escaped.splitlines()[:4] == ["\\# Title", "\\> quote", "\\- item", "1\\. one"]
    for raw in ("*bold*", "_it_", "[link]", "`code`", "||spoiler||", "@here"):
        assert raw not in escaped


def test_truncate_cuts_at_a_word_and_never_leaves_a_dangling_backslash():
    assert truncate("one two three four", 12) == "one two…"
    assert truncate("abcd\\_efghij", 6) == "abcd…"  # not "abcd\\…", which would escape the ellipsis
    assert len(truncate("x" * 50, 10)) == 10
