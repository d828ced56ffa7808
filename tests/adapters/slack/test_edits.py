"""Edited and deleted questions on Slack: the answer is updated in place (chat.update) or removed (chat.delete)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from bot import messages
from tests.adapters.slack.conftest import send_event
from tests.harness.fake_slack import BOT_ID, BOT_USER_ID, FakeSlack, dm_event, mention_event

QUESTION_TS = "1700000000.000100"


class ThreadedFakeSlack(FakeSlack):
    """The fake Slack, also answering conversations.replies/history from the messages the bot posted."""

    def __init__(self) -> None:
        super().__init__()
        self.posted: list[dict[str, Any]] = []

    def _answer_locked(self, method: str, body: dict[str, Any]) -> tuple[int, dict[str, str], dict[str, Any]]:
        status, headers, answer = super()._answer_locked(method, body)
        if method == "chat.postMessage" and answer.get("ok"):
            self.posted.append(
                {"channel": body.get("channel"), "thread_ts": body.get("thread_ts"), "ts": answer["ts"]}
            )
        if method in ("conversations.replies", "conversations.history") and answer.get("ok"):
            answer = {"ok": True, "messages": self._read(method, body), "has_more": False}
        return status, headers, answer

    def _read(self, method: str, body: dict[str, Any]) -> list[dict[str, Any]]:
        oldest = float(body.get("oldest") or 0)
        found = [
            {"type": "message", "ts": p["ts"], "bot_id": BOT_ID, "user": BOT_USER_ID, "text": "answer"}
            for p in self.posted
            if p["channel"] == body.get("channel")
            and float(p["ts"]) > oldest
            and (
                p["thread_ts"] == body.get("ts") if method == "conversations.replies" else not p["thread_ts"]
            )
        ]
        # someone else's reply in the same thread, before ours: must not be taken for the answer
        if method == "conversations.replies":
            found.insert(
                0, {"type": "message", "ts": f"{oldest + 0.000001:.6f}", "user": "U0002", "text": "+1"}
            )
        return found


@pytest.fixture
def fake_slack() -> Iterator[ThreadedFakeSlack]:
    with ThreadedFakeSlack() as fake:
        yield fake
        fake.wait_until_answered()


def changed(original: dict[str, Any], text: str, **extra: Any) -> dict[str, Any]:
    """The message_changed event Slack sends when `original` (a message event) is edited to `text`."""
    previous = {k: original[k] for k in ("type", "user", "text", "ts") if k in original}
    for key in ("thread_ts",):
        if key in original:
            previous[key] = original[key]
    return {
        "type": "message",
        "subtype": "message_changed",
        "hidden": True,
        "channel": original["channel"],
        "channel_type": original.get("channel_type", "channel"),
        "message": {
            **previous,
            "text": text,
            "edited": {"user": original["user"], "ts": "1700000100.000000"},
            **extra,
        },
        "previous_message": previous,
        "event_ts": "1700000100.000001",
        "ts": "1700000100.000001",
    }


def deleted(original: dict[str, Any]) -> dict[str, Any]:
    previous = {k: original[k] for k in ("type", "user", "text", "ts", "thread_ts") if k in original}
    return {
        "type": "message",
        "subtype": "message_deleted",
        "hidden": True,
        "channel": original["channel"],
        "channel_type": original.get("channel_type", "channel"),
        "deleted_ts": original["ts"],
        "previous_message": previous,
        "event_ts": "1700000200.000001",
        "ts": "1700000200.000001",
    }


def asked(app, fake, event: dict[str, Any], event_id: str = "Ev0001") -> str:
    """Send the question; the ts of the bot's answer."""
    send_event(app, event, event_id=event_id)
    fake.wait_for("chat.postMessage")
    fake.wait_until_answered()
    return fake.posted[-1]["ts"]


def test_an_edited_mention_gets_its_answer_updated_in_place(recording_app, recording_table, fake_slack):
    question = mention_event("how much did Microsoft invest?", ts=QUESTION_TS)
    answer_ts = asked(recording_app, fake_slack, question)

    send_event(recording_app, changed(question, f"<@{BOT_USER_ID}> who founded OpenAI?"), event_id="Ev0002")
    (update,) = fake_slack.wait_for("chat.update")

    assert (update["channel"], update["ts"]) == ("C0001", answer_ts)
    assert "who founded OpenAI?" in update["text"] and update["text"].startswith(messages.ANSWER_UPDATED)
    assert update["blocks"][0]["type"] == "context"
    assert len(fake_slack.bodies("chat.postMessage")) == 1  # no second answer
    assert recording_table.calls[-1][1] == "who founded OpenAI?"
    assert recording_table.calls[-1][2].thread == QUESTION_TS  # same conversation as before the edit


def test_an_edited_dm_gets_its_answer_updated_in_place(recording_app, fake_slack):
    question = dm_event("how much did Microsoft invest?", channel="D0042")
    answer_ts = asked(recording_app, fake_slack, question)

    send_event(recording_app, changed(question, "how much did Apple invest?"), event_id="Ev0002")
    (update,) = fake_slack.wait_for("chat.update")
    assert (update["channel"], update["ts"]) == ("D0042", answer_ts)
    assert "how much did Apple invest?" in update["text"]


def test_an_edit_that_keeps_the_words_changes_nothing(recording_app, recording_table, fake_slack):
    question = mention_event("how much did Microsoft invest?", ts=QUESTION_TS)
    asked(recording_app, fake_slack, question)
    calls = len(recording_table.calls)

    # Slack sends message_changed when it unfurls a link or someone pins the message
    send_event(recording_app, changed(question, question["text"], attachments=[{"id": 1}]), event_id="Ev0002")
    fake_slack.wait_until_answered()
    time.sleep(0.2)
    assert fake_slack.bodies("chat.update") == [] and len(recording_table.calls) == calls


def test_the_bots_own_updates_are_not_answered(recording_app, recording_table, fake_slack):
    question = mention_event("how much did Microsoft invest?", ts=QUESTION_TS)
    answer_ts = asked(recording_app, fake_slack, question)
    calls = len(recording_table.calls)
    own = {
        "type": "message",
        "user": BOT_USER_ID,
        "bot_id": BOT_ID,
        "text": "old",
        "ts": answer_ts,
        "channel": "C0001",
        "thread_ts": QUESTION_TS,
    }
    send_event(recording_app, changed(own, "new", bot_id=BOT_ID), event_id="Ev0002")
    fake_slack.wait_until_answered()
    time.sleep(0.2)
    assert fake_slack.bodies("chat.update") == [] and len(recording_table.calls) == calls


def test_a_deleted_question_takes_its_answer_with_it(recording_app, fake_slack):
    question = dm_event("how much did Microsoft invest?", channel="D0042")
    answer_ts = asked(recording_app, fake_slack, question)

    send_event(recording_app, deleted(question), event_id="Ev0002")
    (removal,) = fake_slack.wait_for("chat.delete")
    assert (removal["channel"], removal["ts"]) == ("D0042", answer_ts)


def test_a_deleted_thread_root_becomes_a_tombstone_and_its_answer_goes(recording_app, fake_slack):
    question = mention_event("how much did Microsoft invest?", ts=QUESTION_TS)
    answer_ts = asked(recording_app, fake_slack, question)

    tombstone = changed(question, "This message was deleted.", subtype="tombstone", user="USLACKBOT")
    send_event(recording_app, tombstone, event_id="Ev0002")
    (removal,) = fake_slack.wait_for("chat.delete")
    assert (removal["channel"], removal["ts"]) == ("C0001", answer_ts)


def test_deleting_a_message_the_bot_never_answered_does_nothing(recording_app, fake_slack):
    chatter = dm_event("lunch?", channel="D0042", ts="1700000000.000300")
    send_event(recording_app, deleted(chatter), event_id="Ev0002")
    fake_slack.wait_until_answered()
    time.sleep(0.2)
    assert fake_slack.bodies("chat.delete") == []


def test_refused_blocks_fall_back_to_the_text(recording_app, fake_slack):
    question = mention_event("how much did Microsoft invest?", ts=QUESTION_TS)
    answer_ts = asked(recording_app, fake_slack, question)
    fake_slack.fail("chat.update", "invalid_blocks")

    send_event(recording_app, changed(question, f"<@{BOT_USER_ID}> who founded OpenAI?"), event_id="Ev0002")
    refused, plain = fake_slack.wait_for("chat.update", count=2)
    assert refused["blocks"] and plain["ts"] == answer_ts
    assert not plain.get("blocks") and "who founded OpenAI?" in plain["text"]
