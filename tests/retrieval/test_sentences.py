"""Sentence boundaries (abbreviations, quotes glued together, blocks glued by scraping) and what a unit
is matched and quoted as."""

from __future__ import annotations

import pytest

from retrieval.models import Passage, Unit
from retrieval.text.sentences import (
    Glue,
    passage_units,
    repeated_names,
    split_sentences,
    unit_display_text,
    unit_match_text,
)


def sentences(text: str, glued: bool | Glue = False) -> list[str]:
    return [text[start:end] for start, end in split_sentences(text, glued)]


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


def test_glued_blocks_are_split_in_scraped_text():
    text = "OpenAI forms exclusive computing partnership with Microsoft technologiesJuly 22, 2019|News Center"
    assert sentences(text, glued=True) == [
        "OpenAI forms exclusive computing partnership with Microsoft technologies",
        "July 22, 2019|News Center",
    ]
    assert sentences(text) == [text]  # documentation: not scraped, nothing glued


def test_a_dateline_glued_to_the_sentence_before_is_split_in_scraped_text():
    """The seeds press release reads "...general intelligenceSAN FRANCISCO and REDMOND, Wash. — July 22,
    2019—Microsoft Corp. ...": the dateline opens a sentence of its own."""
    text = (
        "deliver on the promise of artificial general intelligenceSAN FRANCISCO and REDMOND, Wash. — July 22"
    )
    assert sentences(text, glued=True) == [
        "deliver on the promise of artificial general intelligence",
        "SAN FRANCISCO and REDMOND, Wash. — July 22",
    ]
    # Two capitals are no dateline: "deviceID" stays whole.
    assert sentences("Read the deviceID value.", glued=True) == ["Read the deviceID value."]


def test_camel_case_identifiers_in_documentation_are_not_split():
    text = "Set the entryPoints option and the readTimeout value. Then restart."
    assert sentences(text) == ["Set the entryPoints option and the readTimeout value.", "Then restart."]
    # Only scraped text looks for "wordWord" joins, where a long lower-case run meets a capital.
    assert sentences(text, glued=True)[0] == "Set the entry"


def test_a_camel_case_name_the_document_repeats_is_not_split_in_scraped_text():
    """ "a ContraSpan model" was cut after "Contra" in a .txt paper, and the answer quoted "Span model with
    110 million parameters" (a fresh-user trial). A name recurs; a scraper's glue is where two blocks met."""
    blocks = [
        "ContraSpan mines spans.",
        "Trained on 4.2 million pairs, a ContraSpan model beats the baseline.",
    ]
    glue = Glue(repeated_names(blocks))
    assert glue.names == {"ContraSpan"}
    assert sentences(blocks[1], glued=glue) == [blocks[1]]
    seeds = "Azure AI supercomputing technologiesJuly 22, 2019|Microsoft News CenterMultiyear partnership"
    assert sentences(seeds, glued=glue) == [
        "Azure AI supercomputing technologies",
        "July 22, 2019|Microsoft News Center",
        "Multiyear partnership",
    ]


def test_full_stop_glued_to_the_next_sentence_is_split():
    assert sentences("It benefits humanity.The deal closed.") == ["It benefits humanity.", "The deal closed."]


@pytest.mark.parametrize("glued", [False, True])
@pytest.mark.parametrize("word", ["PowerPoint", "JavaScript", "OpenAI", "YouTube", "LinkedIn", "iPhone"])
def test_camel_case_words_are_not_split(word, glued):
    text = f"Teams use {word} every day. Then they rest."
    assert sentences(text, glued) == [f"Teams use {word} every day.", "Then they rest."]


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


def test_version_numbers_and_e_g_do_not_end_sentences():
    text = "Use e.g. the flag. See Fig. 3 for details. Version 2.5.1 is out."
    assert sentences(text) == ["Use e.g. the flag.", "See Fig. 3 for details.", "Version 2.5.1 is out."]


# -- units: what is matched and what is quoted -----------------------------------------------------
def passage_with(text: str, *units: Unit) -> Passage:
    return Passage("doc.md#1", "doc.md", 1, text, 1, 3, units=units)


def test_table_row_is_matched_with_its_column_names_and_quoted_under_its_header():
    text = "Field | Description | Default\ntransport.idleTimeout | Idle timeout. | 180s"
    row_start = text.index("transport")
    unit = Unit("table_row", row_start, len(text), 2, 2, lead="Field | Description | Default")
    passage = passage_with(text, unit)
    assert (
        unit_match_text(passage, unit)
        == "Field: transport.idleTimeout; Description: Idle timeout.; Default: 180s"
    )
    assert unit_display_text(passage, unit) == text
    assert passage_units(passage) == [unit_match_text(passage, unit)]


def test_row_whose_cells_do_not_fit_the_header_is_matched_under_it():
    text = "a | b\nonly one cell"
    unit = Unit("table_row", 6, len(text), lead="a | b")
    assert unit_match_text(passage_with(text, unit), unit) == "a | b\nonly one cell"


def test_long_description_cell_is_shortened_to_its_first_sentence_verbatim():
    description = "Sets the idle timeout for keep-alive connections. " + " ".join(["More detail here."] * 10)
    row = f"idleTimeout | {description} | 180s"
    unit = Unit("table_row", 0, len(row), lead="Field | Description | Default")
    shown = unit_display_text(passage_with(row, unit), unit)
    assert (
        shown
        == "Field | Description | Default\nidleTimeout | Sets the idle timeout for keep-alive connections. … | 180s"
    )
    for piece in shown.split("\n")[1].split(" … "):
        assert piece.strip(" |") in row


def test_code_is_matched_with_its_lead_in_and_quoted_alone():
    text = "To install it, run:\napt-get install thing"
    unit = Unit("code", text.index("apt"), len(text), 2, 2, lead="To install it, run:")
    passage = passage_with(text, unit)
    assert unit_match_text(passage, unit) == "To install it, run:\napt-get install thing"
    assert unit_display_text(passage, unit) == "apt-get install thing"


def test_sentence_unit_is_its_text():
    text = "First one. Second one."
    unit = Unit("sentence", 11, len(text), 1, 1)
    passage = passage_with(text, unit)
    assert unit_match_text(passage, unit) == unit_display_text(passage, unit) == "Second one."


def test_no_sentence_ends_inside_inline_code():
    """ "It takes instances of `httpx.Limits` which define:" was quoted as "Limits which define:"."""
    text = "You can set the pool size on the client. It takes instances of httpx.Limits which define:"
    spans = split_sentences(text, code_spans=("httpx.Limits",))
    assert [text[a:b] for a, b in spans] == [
        "You can set the pool size on the client.",
        "It takes instances of httpx.Limits which define:",
    ]
    # Prose glued at a dot still splits where no code says otherwise ("humanity.The" in scraped text).
    assert len(split_sentences("Built for humanity.The company said so.")) == 2
