"""Channel message events (message.channels / message.groups): a deleted question that citebot answered has
its answer replaced by a note; every other channel message is acknowledged and dropped unread."""

from __future__ import annotations

import logging

from slack_bolt import App

from bot import messages
from tests.adapters.slack.conftest import send_event
from tests.harness.fake_slack import BOT_USER_ID, dm_event, mention_event

QUESTION_TS = "1700000000.000100"


def _settled(app: App) -> None:
    """Wait for every listener the app has handed to its worker threads (Bolt's own executor)."""
    app.listener_runner.listener_executor.shutdown(wait=True)


def _deleted(ts: str, channel: str = "C0001", channel_type: str = "channel") -> dict:
    """What message.channels sends for a deleted message (a thread reply, or a message without replies)."""
    return {
        "type": "message",
        "subtype": "message_deleted",
        "hidden": True,
        "channel": channel,
        "channel_type": channel_type,
        "ts": "1700000090.000000",
        "deleted_ts": ts,
        "previous_message": {"type": "message", "user": "U0001", "text": "gone", "ts": ts},
    }


def _tombstoned(ts: str) -> dict:
    """What message.channels sends when a thread's first message is deleted and its replies stay."""
    return {
        "type": "message",
        "subtype": "message_changed",
        "hidden": True,
        "channel": "C0001",
        "channel_type": "channel",
        "ts": "1700000091.000000",
        "message": {
            "type": "message",
            "subtype": "tombstone",
            "user": "USLACKBOT",
            "text": "This message was deleted.",
            "hidden": True,
            "ts": ts,
            "thread_ts": ts,
        },
        "previous_message": {"type": "message", "user": "U0001", "text": "gone", "ts": ts, "thread_ts": ts},
    }


def _answered_mention(app: App, fake_slack, ts: str = QUESTION_TS, **extra) -> dict:
    send_event(app, mention_event("how much did Microsoft invest?", ts=ts, **extra), event_id=f"Ev{ts}")
    fake_slack.wait_for("reactions.remove")  # the answer is recorded before 👀 comes off
    (answer,) = fake_slack.bodies("chat.postMessage")
    return answer


def test_a_deleted_channel_question_has_its_thread_answer_replaced_by_the_note(recording_app, fake_slack):
    """A question citebot answered in its thread has a reply, so Slack keeps it as a tombstone."""
    _answered_mention(recording_app, fake_slack)
    send_event(recording_app, _tombstoned(QUESTION_TS), event_id="EvGone")
    (update,) = fake_slack.wait_for("chat.update")
    assert update["channel"] == "C0001" and update["text"] == messages.QUESTION_DELETED
    assert update["ts"] != QUESTION_TS  # the answer is replaced, not the (gone) question
    assert len(fake_slack.bodies("chat.postMessage")) == 1


def test_a_deleted_question_asked_inside_a_thread_has_its_answer_replaced(recording_app, fake_slack):
    reply_ts = "1700000000.000500"
    _answered_mention(recording_app, fake_slack, ts=reply_ts, thread_ts="1700000000.000001")
    send_event(recording_app, _deleted(reply_ts), event_id="EvGone")
    (update,) = fake_slack.wait_for("chat.update")
    assert update["text"] == messages.QUESTION_DELETED


def test_a_deleted_private_channel_question_is_followed_too(recording_app, fake_slack):
    _answered_mention(recording_app, fake_slack, ts=QUESTION_TS, channel="G0001")
    send_event(recording_app, _deleted(QUESTION_TS, channel="G0001", channel_type="group"), event_id="Ev9")
    (update,) = fake_slack.wait_for("chat.update")
    assert update["channel"] == "G0001" and update["text"] == messages.QUESTION_DELETED


def test_deleting_a_message_citebot_never_answered_does_nothing(recording_app, fake_slack):
    _answered_mention(recording_app, fake_slack)
    send_event(recording_app, _deleted("1700000000.000777"), event_id="EvOther")
    send_event(recording_app, _tombstoned("1700000000.000778"), event_id="EvOther2")
    _settled(recording_app)
    assert not fake_slack.bodies("chat.update")
    assert fake_slack.names().count("chat.postMessage") == 1


def test_ordinary_channel_messages_cost_nothing(recording_app, recording_table, fake_slack, caplog):
    """A busy channel: chatter, edits, joins, bot posts, the copy of a mention. No answer, no reaction, no
    Web API call, no worker, nothing logged above DEBUG; Slack still gets its 200."""
    chatter = [
        dm_event("lunch?", channel="C0001", channel_type="channel", ts="1.1"),
        dm_event(f"<@{BOT_USER_ID}> the message copy of a mention", channel="C0001", channel_type="channel"),
        dm_event("in a private channel", channel="G0001", channel_type="group", ts="1.2"),
        dm_event("joined", channel="C0001", channel_type="channel", subtype="channel_join", ts="1.3"),
        dm_event("a bot", channel="C0001", channel_type="channel", bot_id="B0099", subtype="bot_message"),
        {
            "type": "message",
            "subtype": "message_changed",
            "channel": "C0001",
            "channel_type": "channel",
            "ts": "1.5",
            "message": {"type": "message", "user": "U0001", "text": "edited", "ts": "1.1"},
        },
    ]
    caplog.set_level(logging.DEBUG)
    caplog.clear()
    calls_before = fake_slack.names()  # auth.test, when the app was built
    for number, event in enumerate(chatter):
        assert send_event(recording_app, event, event_id=f"EvChat{number}").status == 200
    _settled(recording_app)
    assert fake_slack.names() == calls_before and recording_table.calls == []
    assert [r.getMessage() for r in caplog.records if r.levelno > logging.DEBUG] == []


def test_chatter_is_not_claimed_in_the_event_store(slack_settings, web_client, fake_slack):
    """The dedupe claim is a write to the state file (or PostgreSQL): a channel message must not cost one."""
    from bot.adapters.slack.app import build_app
    from tests.adapters.slack.tables import RecordingTable

    claimed: list[str] = []

    class CountingClaims:
        def first_time(self, key: str) -> bool:
            claimed.append(key)
            return True

    table = RecordingTable()
    table.claims = CountingClaims()  # build_app takes a table's shared claims when it has them
    app = build_app(slack_settings, table, client=web_client)
    send_event(app, dm_event("lunch?", channel="C0001", channel_type="channel", ts="1.1"), event_id="EvA")
    send_event(app, _deleted("1.1"), event_id="EvB")
    _settled(app)
    assert claimed == ["event:EvB"]


def test_a_tombstoned_dm_question_gets_the_note_not_an_answer_to_its_tombstone(
    recording_app, recording_table, fake_slack
):
    """A DM question with thread replies, deleted: Slack's "This message was deleted." is not a question."""
    send_event(recording_app, dm_event("soon gone", ts=QUESTION_TS), event_id="Ev1")
    fake_slack.wait_for("reactions.remove")
    tombstone = {**_tombstoned(QUESTION_TS), "channel": "D0001", "channel_type": "im"}
    send_event(recording_app, tombstone, event_id="Ev2")
    (update,) = fake_slack.wait_for("chat.update")
    assert update["text"] == messages.QUESTION_DELETED
    assert [argument for _, argument, _ in recording_table.calls] == ["soon gone"]
