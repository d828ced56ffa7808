"""Edits, deletes and attachments: an answered question that is edited gets its answer updated in place
(chat.update), across a restart; a deleted DM question gets its answer replaced by a note; a file shared
with a question is acknowledged as not read."""

from __future__ import annotations

from bot import messages
from bot.adapters.slack.app import build_app
from tests.adapters.slack.conftest import send_event
from tests.adapters.slack.tables import RecordingTable
from tests.harness.fake_slack import BOT_USER_ID, dm_event, mention_event

TS = "1700000000.000100"


def _edited_mention(text: str) -> dict:
    return {**mention_event(text, ts=TS), "edited": {"user": "U0001", "ts": "1700000050.000000"}}


def _dm_changed(text: str, ts: str = "1700000000.000200") -> dict:
    return {
        "type": "message",
        "subtype": "message_changed",
        "channel": "D0001",
        "channel_type": "im",
        "ts": "1700000060.000000",
        "message": {"type": "message", "user": "U0001", "text": text, "ts": ts, "edited": {"user": "U0001"}},
        "previous_message": {"type": "message", "user": "U0001", "text": "before", "ts": ts},
    }


def test_an_edited_mention_updates_its_answer_in_place(recording_app, fake_slack):
    send_event(recording_app, mention_event("first wording", ts=TS), event_id="Ev1")
    fake_slack.wait_for("reactions.remove")  # the answer is recorded before 👀 comes off
    (answer,) = fake_slack.bodies("chat.postMessage")
    send_event(recording_app, _edited_mention("second wording"), event_id="Ev2")
    (update,) = fake_slack.wait_for("chat.update")
    assert update["channel"] == "C0001" and update["text"] == "ask: second wording"
    assert update["ts"] != TS  # the answer's ts, not the question's
    assert len(fake_slack.bodies("chat.postMessage")) == 1
    assert answer["thread_ts"] == TS


def test_an_edit_that_changes_nothing_is_ignored(recording_app, recording_table, fake_slack):
    """Slack reports a link preview as an edit, with the same text."""
    send_event(recording_app, dm_event("see https://example.com"), event_id="Ev1")
    fake_slack.wait_for("reactions.remove")
    send_event(recording_app, _dm_changed("see https://example.com"), event_id="Ev2")
    send_event(recording_app, dm_event("next", ts="1700000000.000300"), event_id="Ev3")
    fake_slack.wait_for("chat.postMessage", 2)
    assert not fake_slack.bodies("chat.update") and len(recording_table.calls) == 2


def test_an_edited_dm_is_answered_in_place_even_after_a_restart(slack_settings, web_client, fake_slack):
    send_event(
        build_app(slack_settings, RecordingTable(), client=web_client), dm_event("old"), event_id="Ev1"
    )
    fake_slack.wait_for("reactions.remove")
    restarted = build_app(slack_settings, RecordingTable(), client=web_client)
    send_event(restarted, _dm_changed("new"), event_id="Ev2")
    (update,) = fake_slack.wait_for("chat.update")
    assert update["channel"] == "D0001" and update["text"] == "ask: new"


def test_when_the_old_answer_is_gone_the_edit_is_answered_anew(recording_app, fake_slack, caplog):
    send_event(recording_app, mention_event("first", ts=TS), event_id="Ev1")
    fake_slack.wait_for("reactions.remove")
    fake_slack.fail("chat.update", "message_not_found")
    send_event(recording_app, _edited_mention("second"), event_id="Ev2")
    _, second = fake_slack.wait_for("chat.postMessage", 2)
    assert second["text"] == "ask: second" and second["thread_ts"] == TS
    assert any("message_not_found" in r.getMessage() for r in caplog.records)


def test_a_deleted_dm_question_has_its_answer_replaced_by_a_note(recording_app, fake_slack):
    send_event(recording_app, dm_event("soon gone"), event_id="Ev1")
    fake_slack.wait_for("reactions.remove")
    deleted = {
        "type": "message",
        "subtype": "message_deleted",
        "channel": "D0001",
        "channel_type": "im",
        "ts": "1700000070.000000",
        "deleted_ts": "1700000000.000200",
    }
    send_event(recording_app, deleted, event_id="Ev2")
    (update,) = fake_slack.wait_for("chat.update")
    assert update["text"] == messages.QUESTION_DELETED


def test_an_unanswered_message_edited_to_mention_the_bot_is_answered(
    recording_app, recording_table, fake_slack
):
    """Slack sends app_mention for an edit that adds the mention: a first answer, not an update."""
    send_event(recording_app, _edited_mention(f"now I ask <@{BOT_USER_ID}>"), event_id="Ev1")
    (posted,) = fake_slack.wait_for("chat.postMessage")
    assert posted["text"].startswith("ask: now I ask") and not fake_slack.bodies("chat.update")


def test_a_file_shared_with_a_question_is_acknowledged_not_dropped(recording_app, fake_slack):
    event = {
        **dm_event("what does this log mean?"),
        "subtype": "file_share",
        "files": [{"id": "F1", "name": "trace.log", "mimetype": "text/plain"}],
    }
    send_event(recording_app, event, event_id="EvFile")
    (posted,) = fake_slack.wait_for("chat.postMessage")
    assert posted["text"].startswith(messages.ATTACHMENTS_NOT_READ)
    assert "ask: what does this log mean?" in posted["text"]
    assert posted["blocks"][0]["elements"][0]["text"] == messages.ATTACHMENTS_NOT_READ
