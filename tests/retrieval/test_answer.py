"""The composer on hand-made hits: which units it quotes and how the answer reads.

Vectors here are bags of words (hashed, normalised), so what is similar is plain to see; answer
quality on real documents with the real model is tested in tests/test_answer_quality.py and
tests/test_docs_quality.py.
"""

from __future__ import annotations

import zlib

import numpy as np

from retrieval.answering.compose import compose
from retrieval.answering.question import Vocabulary, analyse, stems_of
from retrieval.config import ChunkingParams, ComposerParams
from retrieval.ingest.chunking import chunk_document
from retrieval.models import Block, Hit

DIMENSION = 256


def bag(text: str) -> np.ndarray:
    vector = np.zeros(DIMENSION, dtype=np.float32)
    for word in stems_of(text):
        vector[zlib.crc32(word.encode()) % DIMENSION] += 1.0  # stable across runs (str hash is salted)
    return vector / max(float(np.linalg.norm(vector)), 1e-9)


def embed(texts: list[str]) -> np.ndarray:
    return np.vstack([bag(t) for t in texts]) if texts else np.zeros((0, DIMENSION), np.float32)


DIRECTIVE = [
    Block("heading", "limit-request-body", 1, 1, level=3),
    Block("paragraph", "Maximum size of request body in bytes (e.g. content of POST).", 2, 2),
    Block("paragraph", "Default is 1073741824 (1GB).", 3, 3),
    Block("definition", "Level: global", 4, 4),
]


def answer(question: str, blocks: list[Block]):
    return answer_over(question, {"h2o/base_directives.html": blocks})


def answer_over(question: str, documents: dict[str, list[Block]], products=None, **params):
    """The composition for `question` over every passage of `documents` (source -> blocks), ranked in
    order; `params` override ComposerParams."""
    passages = [
        p for source, blocks in documents.items() for p in chunk_document(source, blocks, ChunkingParams())
    ]
    frequency: dict[str, int] = {}
    for passage in passages:
        for term in stems_of(passage.text):
            frequency[term] = frequency.get(term, 0) + 1
    terms = analyse(question, Vocabulary(frequency, len(passages)))
    vector = bag(question)
    hits = [Hit(p, 1.0 / (i + 1), float(bag(p.text) @ vector), 1.0) for i, p in enumerate(passages)]
    return compose(hits, terms, vector, embed, {}, ComposerParams(**params), products=products)


def test_a_default_is_quoted_with_the_sentence_saying_what_it_is_the_default_of():
    composition = answer("What is the default maximum request body size?", DIRECTIVE)
    assert not composition.abstained
    assert composition.text == (
        "Maximum size of request body in bytes (e.g. content of POST). Default is 1073741824 (1GB). [1]"
    )
    (cited,) = composition.cited
    assert cited.line_start == 3  # the quoted unit's line; its lead is context, shown once
    for piece in cited.quote.split("\n"):
        assert piece in cited.hit.passage.text


def test_the_description_is_shown_once_when_both_are_chosen():
    composition = answer("maximum size request body bytes default", DIRECTIVE)
    assert composition.text.count("Maximum size of request body") == 1


def test_a_sentence_announcing_a_table_is_not_quoted_as_the_answer():
    blocks = [
        Block("heading", "access-log", 1, 1, level=3),
        Block("paragraph", "The format strings that log the remote port of the client are as follows.", 2, 2),
        Block("table_header", "Format String | Description", 3, 3, group=1),
        Block("table_row", "%h | remote address (e.g. 1.2.3.4)", 4, 4, group=1),
        Block("table_row", "%{remote}p | remote port of the client", 5, 5, group=1),
    ]
    composition = answer("Which format string logs the remote port of the client?", blocks)
    assert "as follows" not in composition.text
    assert "%{remote}p | remote port of the client" in composition.text


INSTALL = [
    Block("heading", "Installing the server", 1, 1, level=2),
    Block("paragraph", "The server runs on Linux and macOS, built from source with CMake.", 2, 2),
    Block("heading", "Packages", 3, 3, level=2),
    Block("paragraph", "FreeBSD ports exist.", 4, 4),
]


def test_a_yes_no_question_about_something_the_passage_never_names_abstains():
    linux = answer("Can the server run on Linux?", INSTALL)
    assert not linux.abstained and "Linux" in linux.text
    freebsd = answer("Can the server run on FreeBSD?", INSTALL)
    assert freebsd.abstained or "FreeBSD" in freebsd.cited[0].hit.passage.text


RELEASE = [
    Block("heading", "Gadget 3.0 release", 1, 1, level=2),
    Block("paragraph", "Gadget 3.0 was released as a free upgrade for all Gadget users.", 2, 2),
    Block("heading", "Pump warranty", 3, 3, level=2),
    Block("paragraph", "The Gadget pump comes with a 36-month warranty from the date of purchase.", 4, 4),
]


def test_a_when_or_how_long_question_whose_best_sentence_has_no_date_or_duration_abstains():
    when = answer("When was Gadget 3.0 released?", RELEASE)  # "3.0" is the question's own number
    assert when.abstained, when.text
    how_long = answer("How long is the warranty on the Gadget pump?", RELEASE)
    assert not how_long.abstained and "36-month warranty" in how_long.text  # a hyphenated duration counts


def test_inline_code_of_the_quoted_passage_is_reported_for_adapters():
    blocks = [
        Block("heading", "Dashboard", 1, 1, level=2),
        Block(
            "paragraph",
            "Enable the dashboard with --api.dashboard=true on the command line.",
            2,
            2,
            code_spans=("--api.dashboard=true", "--api"),
        ),
    ]
    composition = answer("How do I enable the dashboard on the command line?", blocks)
    assert "--api.dashboard=true" in composition.text
    assert composition.inline_code == ("--api.dashboard=true",)  # "--api" is only part of it here


def test_a_question_naming_a_model_the_passage_lacks_abstains_by_the_identifier_rule():
    """Asked about the X300 of documents that only know the X200: the rule, not the scores, abstains
    (the confidence threshold is set to 0 so that only the rule can refuse)."""
    blocks = [
        Block("heading", "X200 warranty", 1, 1, level=2),
        Block("paragraph", "The X200 pump comes with a 36-month warranty from the date of purchase.", 2, 2),
    ]
    question = "How long is the warranty on the X300 pump?"
    strict = answer_over(question, {"pumps.md": blocks}, min_confidence=0.0)
    assert strict.abstained and strict.abstained_by == "identifier"
    lenient = answer_over(
        question, {"pumps.md": blocks}, min_confidence=0.0, disabled_rules=frozenset({"identifier"})
    )
    assert not lenient.abstained and "36-month warranty" in lenient.text


def test_a_number_the_question_writes_in_figures_is_held_by_a_passage_spelling_it_out():
    """ "3 little birds" names what the passage calls "Three Little Birds": no identifier is missing; a
    figure the passage has in neither form still is."""
    blocks = [
        Block("heading", "Songs", 1, 1, level=2),
        Block("paragraph", "Three Little Birds is a song about hope, written by Bob Marley in 1977.", 2, 2),
    ]
    found = answer_over("What is the song 3 little birds about?", {"songs.md": blocks}, min_confidence=0.0)
    assert not found.abstained and "Three Little Birds is a song about hope" in found.text
    missing = answer_over("What is the song 5 little birds about?", {"songs.md": blocks}, min_confidence=0.0)
    assert missing.abstained and missing.abstained_by == "identifier"


def test_a_sentence_pointing_back_at_a_code_block_is_quoted_with_it():
    """ "This endpoint ..." quoted alone leaves the reader asking which endpoint: the code block it points
    back at is quoted before it; a sentence that does not point back is quoted alone (one unit asked for,
    so that only the pointing back can add the block)."""
    blocks = [
        Block("heading", "Health check", 1, 1, level=2),
        Block("code", "GET /-/healthy\nHEAD /-/healthy", 3, 4),
        Block("paragraph", "This endpoint always returns 200 and should be used to check the health.", 6, 6),
    ]
    pointing = answer_over(
        "Which endpoint should be used to check the health?", {"api.md": blocks}, max_sentences=1
    )
    assert not pointing.abstained
    assert (
        "GET /-/healthy\nHEAD /-/healthy" in pointing.text
        and "This endpoint always returns 200" in pointing.text
    )
    assert pointing.text.index("GET /-/healthy") < pointing.text.index("This endpoint")
    plain = [
        blocks[0],
        Block("code", "$ make docs", 3, 3),
        Block("paragraph", "The health check always returns 200 when the server is up.", 6, 6),
    ]
    alone = answer_over("Does the health check always return 200?", {"api.md": plain}, max_sentences=1)
    assert "The health check always returns 200" in alone.text and "make docs" not in alone.text


def test_a_sibling_variant_that_adds_words_is_a_unit_of_its_own():
    """httpx's install page: "$ pip install httpx[brotli,zstd]" was folded into "$ pip install httpx" as
    its twin (every 3-gram of the shorter is in the longer), so the plain install line answered the
    question about brotli and zstd."""
    from retrieval.text.shingles import says_nothing_more, shingles

    short, long = shingles("$ pip install httpx"), shingles("$ pip install httpx[brotli,zstd]")
    assert says_nothing_more(short, long) and not says_nothing_more(long, short)
    page = [
        Block("heading", "Installation", 1, 1, level=2),
        Block("paragraph", "Install with pip:", 2, 2),
        Block("code", "$ pip install httpx", 3, 3),
        Block("paragraph", "To include the optional brotli and zstandard decoders support, use:", 4, 4),
        Block("code", "$ pip install httpx[brotli,zstd]", 5, 5),
    ]
    composition = answer_over(
        "What is the pip command to get brotli and zstd decoding?", {"httpx/index.md": page}
    )
    assert not composition.abstained
    assert "httpx[brotli,zstd]" in composition.text


TWO_PRODUCTS = {
    "httpx/timeouts.md": [
        Block("heading", "Timeouts", 1, 1, level=1),
        Block("paragraph", "HTTPX times out requests after 5 seconds by default, unlike requests.", 3, 3),
    ],
    "httpx/http2.md": [
        Block("heading", "HTTP/2", 1, 1, level=1),
        Block("paragraph", "HTTPX supports HTTP/2 requests when installed with the http2 extra.", 3, 3),
    ],
    "requests/advanced.rst": [
        Block("heading", "Timeouts", 1, 1, level=1),
        Block("paragraph", "By default, requests do not time out unless a timeout value is set.", 3, 3),
    ],
    "requests/install.rst": [
        Block("heading", "Install", 1, 1, level=1),
        Block("paragraph", "Install requests with pip, the Python package installer.", 3, 3),
    ],
}


def test_a_question_naming_one_product_of_the_corpus_is_answered_from_its_pages():
    """Two projects side by side: "requests" is also a word every httpx page uses, and the httpx page
    matched the question best ("times out requests after 5 seconds by default")."""
    from retrieval.answering.products import products_of

    products = products_of(TWO_PRODUCTS)
    assert products == {"httpx": frozenset({"httpx"}), "requests": frozenset({"request"})}
    question = "Does requests have a default timeout?"
    scoped = answer_over(question, TWO_PRODUCTS, products, min_confidence=0.0)
    assert {c.hit.passage.source for c in scoped.cited} == {"requests/advanced.rst"}
    unscoped = answer_over(
        question, TWO_PRODUCTS, products, min_confidence=0.0, disabled_rules=frozenset({"product"})
    )
    assert "httpx/timeouts.md" in {c.hit.passage.source for c in unscoped.cited}
    # Naming both compares them: no product is chosen.
    both = answer_over("Does httpx time out requests by default?", TWO_PRODUCTS, products, min_confidence=0.0)
    assert "httpx/timeouts.md" in {c.hit.passage.source for c in both.cited}


def test_a_question_about_a_product_whose_pages_are_not_among_the_hits_abstains():
    """Asked of httpx's HTTP/2 page when the question names requests: another product's feature is no
    answer (the hits hold no requests page here)."""
    from retrieval.answering.products import products_of

    pages = {source: blocks for source, blocks in TWO_PRODUCTS.items() if source.startswith("httpx/")}
    products = products_of([*TWO_PRODUCTS, "requests/other.rst"])
    composition = answer_over("How do I enable HTTP/2 in requests?", pages, products, min_confidence=0.0)
    assert composition.abstained and composition.abstained_by == "product"


PRESS_RELEASE = [
    Block("paragraph", "Gadget Corp and Widget Labs form a multiyear partnership", 1, 1),
    Block("paragraph", "July 22, 2019|Gadget News Center", 2, 2),
    Block(
        "paragraph", "Gadget Corp will invest in Widget Labs and both will build new pumps together.", 3, 3
    ),
]


def test_a_dateline_answers_when_a_date_is_asked_and_shows_the_title_it_dates():
    when = answer_over("When was the partnership announced?", {"news.txt": PRESS_RELEASE})
    assert not when.abstained, when.text
    assert when.text.startswith(
        "Gadget Corp and Widget Labs form a multiyear partnership\nJuly 22, 2019|Gadget News Center [1]"
    )  # the date on its own line under the title, as in the document


def test_a_dateline_is_no_answer_to_anything_else():
    what = answer_over("What did Widget Labs form in 2019?", {"news.txt": PRESS_RELEASE})
    assert "July 22" not in what.text
    assert all("July 22" not in c.text for c in what.candidates)
