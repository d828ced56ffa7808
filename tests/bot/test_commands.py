"""The shared command table: routing, bad input, unknown ids, votes, and failures that never leak."""

from __future__ import annotations

import logging

import pytest

from bot import messages
from bot.core.commands import CommandTable
from bot.core.models import Answer, HelpText, Notice, Origin, SourceList, SourceLookup
from bot.state.feedback import SqliteFeedbackStore
from retrieval.errors import IndexMissingError
from tests.harness.libraries import SEEDS

SEED_001 = next(SEEDS.glob("001_*.txt")).name
INVEST = "How much did Microsoft invest in OpenAI?"
COMMAND_NAMES = ["ask", "source", "sources", "help"]


class ExplodingService:
    """Stands in for QAService: every request fails the way a bug would."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def ask(self, question: str):
        raise self.error

    def source(self, key: str):
        raise self.error

    def sources(self, query: str | None = None, k: int = 5):
        raise self.error


# -- routing ---------------------------------------------------------------------------------------
def test_plain_text_is_a_question(command_table):
    reply = command_table.dispatch(INVEST)
    assert isinstance(reply, Answer)
    assert not reply.abstained
    assert "1 billion" in reply.text
    assert "[1]" in reply.text and reply.citations[0].number == 1


@pytest.mark.parametrize("line", [f"/ask {INVEST}", f"  /ASK   {INVEST}  ", f"/Ask {INVEST}"])
def test_ask_command(command_table, line):
    reply = command_table.dispatch(line)
    assert isinstance(reply, Answer) and reply.question == INVEST
    assert not reply.abstained


def test_answers_are_recorded_for_feedback(command_table):
    reply = command_table.dispatch(INVEST, Origin("discord", "chan-9", "user-1"))
    assert reply.answer_id
    assert (
        command_table.vote(reply.answer_id, "down", Origin("discord", "chan-9", "user-1")).is_error is False
    )
    [record] = command_table.feedback.feedback()
    assert (record.platform, record.channel, record.user, record.vote) == (
        "discord",
        "chan-9",
        "user-1",
        "down",
    )
    assert record.passage_ids == tuple(c.passage_id for c in reply.citations)


def test_without_a_feedback_store_answers_carry_no_id(seeds_service):
    table = CommandTable(seeds_service)
    reply = table.dispatch(INVEST)
    assert isinstance(reply, Answer) and reply.answer_id is None
    assert table.vote("whatever", "up", Origin()).text == messages.FEEDBACK_UNAVAILABLE


def test_source_command_shows_a_passage(command_table):
    reply = command_table.dispatch(f"/source {SEED_001}#4")
    assert isinstance(reply, SourceLookup)
    assert reply.passage.passage_id == f"{SEED_001}#4"
    raw = (SEEDS / SEED_001).read_text("utf-8").splitlines()
    location = reply.passage.location
    assert location.source == SEED_001 and location.line_start <= location.line_end
    for piece in reply.passage.text.split("\n"):
        assert any(piece in line for line in raw[location.line_start - 1 : location.line_end])
    assert reply.passage.title == "Why Microsoft is Investing $1 Billion in OpenAI"


def test_source_command_shows_a_whole_document(command_table):
    reply = command_table.dispatch(f"/source {SEED_001}")
    assert isinstance(reply, SourceLookup)
    assert reply.document.source == SEED_001
    assert reply.document.passage_count == len(reply.document_passages) > 1
    assert [p.passage_id for p in reply.document_passages][:2] == [f"{SEED_001}#1", f"{SEED_001}#2"]


def test_sources_lists_the_documents(command_table):
    reply = command_table.dispatch("/sources")
    assert isinstance(reply, SourceList) and reply.query is None
    assert [d.source for d in reply.documents] == sorted(p.name for p in SEEDS.glob("*.txt"))


def test_sources_with_words_lists_the_best_passages(command_table):
    reply = command_table.dispatch("/sources chief scientist Sutskever")
    assert isinstance(reply, SourceList) and reply.query == "chief scientist Sutskever"
    assert reply.hits and "Sutskever" in reply.hits[0].text


def test_help_lists_every_command(command_table):
    reply = command_table.dispatch("/help")
    assert isinstance(reply, HelpText)
    assert [c.name for c in reply.commands] == COMMAND_NAMES
    assert all(c.usage.startswith(f"/{c.name}") and c.summary for c in reply.commands)


def test_unknown_command_lists_the_commands(command_table):
    reply = command_table.dispatch("/frobnicate now")
    assert isinstance(reply, Notice) and reply.is_error
    assert "/frobnicate" in reply.text
    for name in COMMAND_NAMES:
        assert f"/{name}" in reply.text


# -- bad input -------------------------------------------------------------------------------------
@pytest.mark.parametrize("line", ["", "   ", "\n\t ", "/ask", "/ask    ", "\x00\x07"])
def test_empty_question_gets_a_clear_notice(command_table, line):
    reply = command_table.dispatch(line)
    assert isinstance(reply, Notice)
    # the hint names a real document of the index, not the sample corpus's question
    assert reply.text in [messages.empty_question(d.title) for d in command_table.service.engine.documents()]


def test_huge_question_is_refused_with_its_length(command_table):
    reply = command_table.dispatch("Why? " * 2000)
    assert isinstance(reply, Notice)
    assert "9,999" in reply.text  # 10,000 characters, outer space trimmed
    assert "8,000" in reply.text


def test_huge_sources_query_is_refused_too(command_table):
    reply = command_table.dispatch("/sources " + "azure " * 2000)
    assert isinstance(reply, Notice) and "8,000" in reply.text


def test_control_characters_are_stripped(command_table):
    reply = command_table.dispatch("How much did Microsoft\x00 invest\x07 in\x1b OpenAI?")
    assert isinstance(reply, Answer)
    assert reply.question == INVEST
    assert not reply.abstained and "1 billion" in reply.text


def test_emoji_question_is_answered(command_table):
    reply = command_table.dispatch(f"🤔 {INVEST} 💰")
    assert isinstance(reply, Answer)
    assert not reply.abstained and "1 billion" in reply.text


def test_unanswerable_question_abstains_and_is_a_gap(command_table):
    reply = command_table.dispatch("What is the recipe for a chocolate cake?")
    assert isinstance(reply, Answer) and reply.abstained
    assert reply.text == messages.ABSTAIN and reply.citations == ()
    assert command_table.feedback.gaps()[0].question == "What is the recipe for a chocolate cake?"


def test_empty_source_id(command_table):
    assert command_table.dispatch("/source").text == messages.EMPTY_SOURCE_ID


@pytest.mark.parametrize(
    ("key", "suggested"),
    [
        (f"{SEED_001}#99", f"{SEED_001}#"),
        ("00l_5290000ddb37cfaf.txt", SEED_001),
    ],
)
def test_unknown_source_id_suggests_close_ones(command_table, key, suggested):
    reply = command_table.dispatch(f"/source {key}")
    assert isinstance(reply, Notice) and reply.is_error
    assert repr(key) in reply.text
    assert "Did you mean" in reply.text and suggested in reply.text.split("Did you mean", 1)[1]


def test_source_words_that_are_no_id_search_the_passages(command_table):
    reply = command_table.dispatch("/source chief scientist Sutskever")
    assert isinstance(reply, SourceList) and reply.query == "chief scientist Sutskever"
    assert reply.hits and reply.hits[0].source == SEED_001
    listing = command_table.dispatch("/source Microsoft invest")
    assert isinstance(listing, SourceList) and listing.hits


# -- votes -----------------------------------------------------------------------------------------
def test_votes(command_table):
    reply = command_table.dispatch(INVEST)
    origin = Origin("slack", "C1", "U1")
    assert command_table.vote(reply.answer_id, "up", origin).text == messages.FEEDBACK_THANKS_UP
    assert command_table.vote(reply.answer_id, "down", origin).text == messages.FEEDBACK_THANKS_DOWN
    assert [r.vote for r in command_table.feedback.feedback()] == ["down"]
    assert command_table.vote("forged-id", "up", origin).text == messages.FEEDBACK_UNKNOWN_ANSWER
    assert command_table.vote(reply.answer_id, "meh", origin).text == messages.FEEDBACK_UNAVAILABLE


# -- failures --------------------------------------------------------------------------------------
@pytest.mark.parametrize("line", [INVEST, "/source x.txt#1", "/sources azure", "/sources"])
def test_unexpected_error_becomes_an_apology_with_a_logged_reference(tmp_path, caplog, line):
    table = CommandTable(ExplodingService(RuntimeError("password=hunter2 at /srv/secret")), None)
    with caplog.at_level(logging.ERROR, logger="bot.core.commands"):
        reply = table.dispatch(line)
    assert isinstance(reply, Notice) and reply.is_error
    assert reply.reference and reply.text == messages.apology(reply.reference)
    assert "hunter2" not in reply.text and "RuntimeError" not in reply.text
    [record] = [r for r in caplog.records if reply.reference in r.getMessage()]
    assert record.exc_info and "hunter2" in str(record.exc_info[1])


def test_each_failure_gets_its_own_reference(caplog):
    table = CommandTable(ExplodingService(ValueError("boom")))
    with caplog.at_level(logging.ERROR):
        references = {table.dispatch("question").reference for _ in range(3)}
    assert len(references) == 3


def test_retrieval_errors_reach_chat_without_paths_and_the_log_with_the_reference(caplog):
    table = CommandTable(
        ExplodingService(IndexMissingError("No index at /srv/secret/x. Rebuild it with: citebot index"))
    )
    with caplog.at_level(logging.WARNING):
        reply = table.dispatch(INVEST)
    assert isinstance(reply, Notice) and reply.reference
    assert reply.text == messages.index_unavailable(reply.reference)
    assert "/srv/secret" not in reply.text
    assert any(
        "/srv/secret/x" in r.getMessage() and reply.reference in r.getMessage() for r in caplog.records
    )


def test_feedback_failure_becomes_an_apology(seeds_service, tmp_path, caplog):
    store = SqliteFeedbackStore(tmp_path / "feedback.sqlite3")
    table = CommandTable(seeds_service, store)
    answer_id = table.dispatch(INVEST).answer_id
    store.path.unlink()
    store.path.mkdir()  # the database file is now a folder: sqlite cannot open it
    with caplog.at_level(logging.ERROR):
        reply = table.vote(answer_id, "up", Origin())
    assert reply.reference and reply.reference in caplog.text
