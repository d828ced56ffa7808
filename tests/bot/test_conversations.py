"""Follow-up questions through the real command table and seeds index, and the per-thread store behind them."""

from __future__ import annotations

import pytest

from bot import messages
from bot.adapters.console.adapter import ConsoleAdapter
from bot.core.commands import CommandTable
from bot.core.models import Answer, Origin
from bot.state.conversations import (
    DM_CONTEXT_WINDOW_S,
    DM_TIMELINE,
    SqliteConversationStore,
    context_window_s,
    conversation_key,
)
from retrieval.answering.followup import Turn
from tests.harness.clock import Clock

CEO = "Who runs OpenAI as its CEO?"
COFOUNDED = "who co-founded it?"
BUILD = "What are Microsoft and OpenAI going to build together?"
SCIENTIST = "Who is OpenAI's chief scientist?"


@pytest.fixture
def threaded_table(seeds_service, tmp_path) -> CommandTable:
    return CommandTable(seeds_service, conversations=SqliteConversationStore(tmp_path / "state.sqlite3"))


def in_thread(thread: str, channel: str = "C1") -> Origin:
    return Origin("slack", channel, "U1", thread)


def test_a_follow_up_is_answered_with_the_thread_as_context(threaded_table, seeds_service):
    first = threaded_table.run("ask", CEO, in_thread("t1"))
    assert isinstance(first, Answer) and first.context is None
    follow_up = threaded_table.run("ask", COFOUNDED, in_thread("t1"))
    assert isinstance(follow_up, Answer)
    assert follow_up.context == CEO
    assert not follow_up.abstained
    assert any(name in follow_up.text for name in ("Ilya Sutskever", "Elon Musk"))
    assert follow_up.to_json()["context"] == CEO
    alone = seeds_service.ask(COFOUNDED)  # the same words outside the thread have nothing to lean on
    assert alone.context is None and "context" not in alone.to_json()


def test_a_topic_switch_is_answered_as_if_asked_alone(threaded_table, seeds_service):
    threaded_table.run("ask", BUILD, in_thread("t1"))
    switched = threaded_table.run("ask", SCIENTIST, in_thread("t1"))
    alone = seeds_service.ask(SCIENTIST)
    assert switched.context is None
    assert (switched.text, [c.passage_id for c in switched.citations]) == (
        alone.text,
        [c.passage_id for c in alone.citations],
    )
    assert "Ilya Sutskever" in switched.text


def test_threads_channels_and_dms_do_not_share_state(threaded_table):
    threaded_table.run("ask", CEO, in_thread("t1"))
    for elsewhere in (in_thread("t2"), in_thread("t1", channel="C2"), Origin("slack", "D2", "U2", "dm")):
        assert threaded_table.run("ask", COFOUNDED, elsewhere).context is None
    assert threaded_table.run("ask", COFOUNDED, Origin("slack", "C1", "U1")).context is None  # no thread


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_turns_expire_and_are_bounded(tmp_path, request, backend):
    clock = Clock()
    if backend == "sqlite":
        store = SqliteConversationStore(tmp_path / "state.sqlite3", max_turns=2, expiry_s=600, clock=clock)
    else:
        from bot.state.conversations import PostgresConversationStore
        from bot.state.database import open_pool

        pool = open_pool(request.getfixturevalue("database_url"), wait_s=10)
        request.addfinalizer(pool.close)
        store = PostgresConversationStore(pool, max_turns=2, expiry_s=600, clock=clock)
    key = conversation_key(in_thread("t1"))
    for number in range(3):
        store.add(key, Turn(f"question {number}"))
    assert [t.question for t in store.turns(key)] == ["question 1", "question 2"]
    clock.now += 601
    assert store.turns(key) == []
    store.add(key, Turn("question 3"))
    assert store.count() == 1  # expired turns are deleted, not just hidden


def test_an_expired_thread_answers_a_follow_up_without_context(seeds_service, tmp_path):
    clock = Clock()
    store = SqliteConversationStore(tmp_path / "state.sqlite3", expiry_s=60, clock=clock)
    table = CommandTable(seeds_service, conversations=store)
    table.run("ask", CEO, in_thread("t1"))
    clock.now += 61
    assert table.run("ask", COFOUNDED, in_thread("t1")).context is None


def test_state_survives_a_restart(seeds_service, tmp_path):
    path = tmp_path / "state.sqlite3"
    CommandTable(seeds_service, conversations=SqliteConversationStore(path)).run("ask", CEO, in_thread("t1"))
    restarted = CommandTable(seeds_service, conversations=SqliteConversationStore(path))
    assert restarted.run("ask", COFOUNDED, in_thread("t1")).context == CEO


def test_the_console_session_is_one_conversation(threaded_table, tmp_path):
    import io

    output = io.StringIO()
    adapter = ConsoleAdapter(threaded_table, io.StringIO(f"{CEO}\n{COFOUNDED}\n"), output, color=False)
    adapter.run()
    shown = output.getvalue()
    assert shown.count(messages.follow_up_context(CEO)) == 1


def test_the_thread_subject_is_stored_with_each_follow_up(seeds_service, tmp_path):
    store = SqliteConversationStore(tmp_path / "state.sqlite3")
    table = CommandTable(seeds_service, conversations=store)
    for question in (CEO, COFOUNDED, "and where is it based?"):
        table.run("ask", question, in_thread("t1"))
    first, second, third = store.turns(conversation_key(in_thread("t1")))
    assert first.anchor == () and "openai" in first.topic
    assert "openai" in second.anchor and "openai" in third.anchor


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_max_age_narrows_the_turns_to_the_recent_ones(tmp_path, request, backend):
    clock = Clock()
    if backend == "sqlite":
        store = SqliteConversationStore(tmp_path / "state.sqlite3", expiry_s=3600, clock=clock)
    else:
        from bot.state.conversations import PostgresConversationStore
        from bot.state.database import open_pool

        pool = open_pool(request.getfixturevalue("database_url"), wait_s=10)
        request.addfinalizer(pool.close)
        store = PostgresConversationStore(pool, expiry_s=3600, clock=clock)
    key = conversation_key(Origin("slack", "D1", "U1", DM_TIMELINE, direct=True))
    store.add(key, Turn("asked at lunch"))
    clock.now += 20 * 60
    store.add(key, Turn("asked just now"))
    clock.now += 60
    assert [t.question for t in store.turns(key, max_age_s=DM_CONTEXT_WINDOW_S)] == ["asked just now"]
    assert [t.question for t in store.turns(key)] == ["asked at lunch", "asked just now"]
    assert [t.question for t in store.turns(key, max_age_s=10**9)] == ["asked at lunch", "asked just now"]


def test_a_dm_timeline_is_context_for_minutes_its_threads_for_the_expiry(seeds_service, tmp_path):
    """A DM has no thread to end a conversation: a question asked after a break is read on its own."""
    clock = Clock()
    table = CommandTable(
        seeds_service, conversations=SqliteConversationStore(tmp_path / "s.sqlite3", clock=clock)
    )
    timeline = Origin("slack", "D1", "U1", DM_TIMELINE, direct=True)
    dm_thread = Origin("slack", "D1", "U1", "1700000000.000100", direct=True)
    for origin in (timeline, dm_thread):
        table.run("ask", CEO, origin)
    clock.now += DM_CONTEXT_WINDOW_S - 60
    assert table.run("ask", COFOUNDED, timeline).context == CEO  # still a follow-up inside the window
    clock.now += 2 * 60 + DM_CONTEXT_WINDOW_S  # the follow-up's own turn is past the window too
    assert table.run("ask", COFOUNDED, timeline).context is None
    assert table.run("ask", COFOUNDED, dm_thread).context == CEO  # a thread keeps its hour
    assert context_window_s(dm_thread) is None and context_window_s(in_thread("t1")) is None


def test_asking_what_a_named_thing_is_is_answered_as_if_asked_alone(threaded_table, seeds_service):
    """In the seeds corpus "AGI" is in most passages; read with the investment question, the answer was about
    the investment ("Microsoft Invests In and Partners with OpenAI ... AGI"), not what AGI is."""
    threaded_table.run("ask", "how much did Microsoft invest?", in_thread("t1"))
    asked = threaded_table.run("ask", "What is AGI?", in_thread("t1"))
    alone = seeds_service.ask("What is AGI?")
    assert asked.context is None and asked.text == alone.text
    assert "AGI" in asked.text and "invest" not in asked.text.lower()


@pytest.mark.xfail(
    strict=True,
    reason="a known miss since the title line of a plain-text page is its level-1 heading (PIPELINE 21): "
    "004's title ('... Building Beneficial AGI') heads every passage of the page, and the heading_coverage "
    "the answer model learned to weigh down is 1 for each of them; its definition ('an AGI will be a "
    "system capable of ...') ranks second to 'We believe it's crucial that AGI is deployed safely'",
)
def test_what_agi_is_is_answered_by_its_definition(seeds_service):
    assert "system capable of" in seeds_service.ask("What is AGI?").text
