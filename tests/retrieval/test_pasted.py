"""Reading a message as pasted (retrieval/answering/pasted.py): its question, its error lines, its parts. No model."""

from __future__ import annotations

import time

import pytest

from retrieval.answering.pasted import WINDOW_WORDS, question_parts, read_message
from tests.pasted_samples import LOG_PASTE, LONG_STORY, TRACEBACK

PLAIN = [
    "How much did Microsoft invest in OpenAI?",
    "the h2o example config, which port is https on?",
    "What is the difference between a router and how services work?",
    "Is it possible to use X and Y together?",
    "when and where is the meeting?",
]


@pytest.mark.parametrize("question", PLAIN)
def test_a_plain_question_is_searched_exactly_as_typed_and_not_split(question):
    message = read_message(question)
    assert message.search_text == question
    assert not message.reduced
    assert question_parts(question) == [question]


def test_a_question_on_two_lines_is_the_same_question_on_one():
    assert read_message("hi, quick one\nhow do I enable the dashboard?").search_text == (
        "hi, quick one how do I enable the dashboard?"
    )


def test_a_traceback_is_searched_by_its_question_and_its_exception_not_its_frames():
    message = read_message(TRACEBACK)
    assert message.pasted
    assert message.distinctive == ("ModuleNotFoundError: No module named 'yaml'",)
    assert "How do I fix this?" in message.question
    for machine_only in ("/home/dana", "line 88", "load_settings", "Traceback"):
        assert machine_only not in message.search_text


def test_a_log_excerpt_keeps_the_error_message_without_timestamp_level_thread_or_address():
    message = read_message(LOG_PASTE)
    assert message.question == "why can't the builder reach the database?"
    assert message.distinctive == ("connect to failed: Connection refused",)
    assert "retrying" not in message.search_text  # an INFO line says nothing of the error


def test_logfmt_records_give_their_msg_and_err_values():
    pasted = (
        'ts=2024-01-02T10:11:12.123Z caller=main.go:123 level=error component=tsdb msg="opening storage failed"'
        ' err="lock DB directory: resource temporarily unavailable"\n'
        'ts=2024-01-02T10:11:12.124Z caller=main.go:124 level=info msg="See you next time!"\n'
        "why does prometheus exit?"
    )
    message = read_message(pasted)
    assert message.distinctive == (
        "opening storage failed lock DB directory: resource temporarily unavailable",
    )


def test_java_stack_keeps_the_exception_and_its_cause():
    pasted = (
        'Exception in thread "main" java.lang.IllegalStateException: Connection pool shut down\n'
        "\tat org.apache.http.pool.AbstractConnPool.lease(AbstractConnPool.java:189)\n"
        "\tat com.example.App.main(App.java:12)\n"
        "Caused by: java.net.SocketException: Broken pipe (Write failed)\n"
        "\t... 3 more\n"
        "what does this mean?"
    )
    message = read_message(pasted)
    assert "java.net.SocketException: Broken pipe (Write failed)" in message.distinctive
    assert not any("AbstractConnPool" in line for line in message.distinctive)


def test_a_fenced_paste_without_an_error_line_leaves_the_question():
    message = read_message("why is my config ignored?\n```yaml\nscrape_interval: 15s\nfoo: bar\n```")
    assert message.pasted
    assert message.search_text == "why is my config ignored?"


def test_a_long_message_is_read_by_its_question_and_the_error_it_tells():
    message = read_message(LONG_STORY)
    assert len(LONG_STORY.split()) > 100
    assert message.question == "What should I change so the build goes through?"
    assert message.distinctive == ("ValueError: could not convert string to float",)
    assert "weekend" not in message.search_text


def test_a_question_longer_than_the_window_is_cut_and_says_how_much_was_read():
    story = " ".join(["the builder keeps printing numbers and I do not understand them at all"] * 30) + "."
    message = read_message(story)
    assert message.words_read == WINDOW_WORDS
    assert message.words > WINDOW_WORDS
    assert len(message.search_text.split()) == WINDOW_WORDS


def test_the_window_in_words_fits_the_encoders_word_pieces(embedder):
    """WINDOW_WORDS of what a long message is searched by stay within the encoder's 256 word pieces."""
    from tokenizers import Tokenizer

    from retrieval.embedders.onnx_embedder import TOKENIZER_FILE

    tokenizer = Tokenizer.from_file(str(embedder.model_dir / TOKENIZER_FILE))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    untold = [s for s in LONG_STORY.split(". ") if "Error" not in s and "?" not in s]  # no question, no error
    long_story = ". ".join(untold * 3)
    for message in (TRACEBACK.replace("How do I fix this?", LONG_STORY) * 20, long_story):
        searched = read_message(message)
        assert searched.words_read == WINDOW_WORDS
        assert len(tokenizer.encode(searched.search_text).ids) <= 256


@pytest.mark.parametrize(
    ("message", "parts"),
    [
        (
            "what's the default scrape interval and when does the TSDB compact blocks?",
            ["what's the default scrape interval?", "when does the TSDB compact blocks?"],
        ),
        ("What is Traefik? How do I enable the dashboard?", ["What is Traefik?", "How do I enable the dashboard?"]),
        ("1) what is a router 2) how do I add middleware", ["what is a router", "how do I add middleware"]),
        ("what port is https on, and how do I change it?", ["what port is https on?", "how do I change it?"]),
        ("We run 2.10. Which port is https on? How do I change it?", ["We run 2.10. Which port is https on?", "How do I change it?"]),
    ],
)  # fmt: skip
def test_a_message_asking_several_things_is_split_into_its_questions(message, parts):
    assert question_parts(message) == parts


@pytest.mark.parametrize(
    "message",
    [
        "1) I ran the installer 2) it stopped at the database step, why does it fail?",
        "Which one should I use and why?",
        "How do I configure TLS and client certificates?",
        "what happens when the disk is full and the WAL is corrupted?",
    ],
)
def test_one_question_with_steps_or_an_and_is_not_split(message):
    assert question_parts(message) == [message]


def test_a_paste_is_never_split_even_with_two_question_marks():
    assert question_parts(TRACEBACK + "\nWhy? Is it my venv?") == [TRACEBACK + "\nWhy? Is it my venv?"]


@pytest.mark.parametrize(
    "message",
    ["a." * 50000, "k=v " * 30000, "a.B" * 30000 + "Error", "  at a.b.c(" * 20000, "what is it? " * 10000],
)
def test_a_huge_or_hostile_message_is_read_in_linear_time(message):
    """No pattern backtracks over the whole message from every position ("a.a.a..." took 105 s before the
    keys' lookbehind). Not a speed test: 100k characters take well under a second, and the bound only has
    to tell linear from quadratic on a loaded machine (1.1 s was seen with the suite beside two benchmarks)."""
    started = time.perf_counter()
    read_message(message)
    question_parts(message)
    assert time.perf_counter() - started < 15.0


def test_a_short_question_amid_other_talk_is_read_by_the_question_the_error_and_the_names():
    greeting = (
        "Hi team, I was reading the news last week and got curious. My manager asked me to check before "
        "the meeting on Monday. How much did Microsoft invest in OpenAI?"
    )
    assert read_message(greeting).search_text == "How much did Microsoft invest in OpenAI?"
    error = (
        "how long did the database outage last? I get ConnectionRefusedError: [Errno 111] Connection refused"
    )
    assert read_message(error).search_text.split("\n") == [
        "how long did the database outage last?",
        "ConnectionRefusedError: [Errno 111] Connection refused",
    ]
    # A name the other sentences give stays with the question (wordfreq: "Traefik" is no common word).
    assert read_message("We run Traefik 3. How do I set the idle timeout?").search_text == (
        "How do I set the idle timeout? (Traefik)"
    )


@pytest.mark.parametrize(
    "message",
    [
        "I use Docker. How do I install it?",
        "Microsoft invested. Why?",
        "What is X? And what is Y?",
        "how did the u.s. navy make an immediate difference in the war",  # no "?": "u.s." ends no sentence
        "what was the majority rule in the case Bowers v. Hardwick",
    ],
)
def test_a_question_that_leans_on_its_other_sentences_is_read_whole(message):
    assert read_message(message).search_text == message
