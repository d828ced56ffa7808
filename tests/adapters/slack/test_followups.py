"""Follow-up questions in a Slack thread: signed events into the real Bolt app, the real table, a fake Slack."""

from __future__ import annotations

import pytest

from bot import messages
from bot.adapters.slack.app import build_app
from bot.core.commands import CommandTable
from bot.state.conversations import DM_CONTEXT_WINDOW_S, SqliteConversationStore
from tests.adapters.slack.conftest import send_event
from tests.harness.clock import Clock
from tests.harness.fake_slack import dm_event, mention_event

CEO = "Who runs OpenAI as its CEO?"
COFOUNDED = "who co-founded it?"
ROOT_TS = "1700000000.000100"


@pytest.fixture
def threaded_app(slack_settings, seeds_service, tmp_path, web_client):
    table = CommandTable(seeds_service, conversations=SqliteConversationStore(tmp_path / "state.sqlite3"))
    return build_app(slack_settings, table, client=web_client)


def context_lines(posted: dict) -> list[str]:
    return [
        b["elements"][0]["text"]
        for b in posted["blocks"]
        if b["type"] == "context" and "Follow-up" in b["elements"][0]["text"]
    ]


def test_a_follow_up_in_the_thread_is_answered_with_the_earlier_question(threaded_app, fake_slack):
    send_event(threaded_app, mention_event(CEO, ts=ROOT_TS), event_id="Ev1")
    fake_slack.wait_for("chat.postMessage")
    in_thread = mention_event(COFOUNDED, ts="1700000000.000300", thread_ts=ROOT_TS)
    send_event(threaded_app, in_thread, event_id="Ev2")
    first, second = fake_slack.wait_for("chat.postMessage", count=2)
    assert second["thread_ts"] == ROOT_TS
    assert context_lines(first) == []
    assert context_lines(second) == [messages.follow_up_context(CEO)]
    assert second["blocks"][0]["type"] == "context"  # the context line comes first, the answer after
    assert any(name in second["text"] for name in ("Ilya Sutskever", "Elon Musk"))


def test_the_same_words_in_a_new_thread_have_no_context(threaded_app, fake_slack):
    send_event(threaded_app, mention_event(CEO, ts=ROOT_TS), event_id="Ev1")
    fake_slack.wait_for("chat.postMessage")
    send_event(threaded_app, mention_event(COFOUNDED, ts="1700000000.000500"), event_id="Ev2")
    _, second = fake_slack.wait_for("chat.postMessage", count=2)
    assert second["thread_ts"] == "1700000000.000500"
    assert context_lines(second) == []


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def dm_app(slack_settings, seeds_service, tmp_path, web_client, clock):
    store = SqliteConversationStore(tmp_path / "state.sqlite3", clock=clock)
    return build_app(slack_settings, CommandTable(seeds_service, conversations=store), client=web_client)


def test_a_dm_follow_up_within_minutes_is_read_in_context(dm_app, fake_slack, clock):
    send_event(dm_app, dm_event(CEO, ts="1700000000.000100"), event_id="Ev1")
    fake_slack.wait_for("chat.postMessage")
    clock.now += DM_CONTEXT_WINDOW_S - 60
    send_event(dm_app, dm_event(COFOUNDED, ts="1700000000.000300"), event_id="Ev2")
    _, second = fake_slack.wait_for("chat.postMessage", count=2)
    assert context_lines(second) == [messages.follow_up_context(CEO)]


def test_a_dm_question_after_a_break_is_answered_on_its_own(dm_app, fake_slack, clock):
    """'what is the mission?' leans on nothing specific: minutes after the CEO question it would be read with
    it; after the window it is the new conversation it is."""
    send_event(dm_app, dm_event(CEO, ts="1700000000.000100"), event_id="Ev1")
    fake_slack.wait_for("chat.postMessage")
    clock.now += DM_CONTEXT_WINDOW_S + 60
    send_event(dm_app, dm_event("what is the mission?", ts="1700000000.000300"), event_id="Ev2")
    _, second = fake_slack.wait_for("chat.postMessage", count=2)
    assert context_lines(second) == []
    assert "mission" in second["text"].lower()
