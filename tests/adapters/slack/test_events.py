"""Mentions and direct messages through the real Bolt app, the real command table and a fake Slack Web API."""

from __future__ import annotations

import json
import logging
import re
import time

import pytest

from bot import messages
from bot.adapters.slack.app import build_app
from bot.core.commands import CommandTable
from tests.adapters.slack.conftest import send_event, settings_with
from tests.adapters.slack.tables import ExplodingTable, RecordingTable
from tests.harness.fake_slack import BOT_ID, BOT_USER_ID, dm_event, mention_event


def _posted_json(fake) -> str:
    return json.dumps(fake.bodies("chat.postMessage"), ensure_ascii=False)


def test_mention_is_answered_in_a_thread_with_citations(slack_app, fake_slack):
    response = send_event(slack_app, mention_event("how much did Microsoft invest?", ts="1700000000.000100"))
    assert response.status == 200
    fake_slack.wait_for("reactions.remove")
    (posted,) = fake_slack.bodies("chat.postMessage")
    assert posted["channel"] == "C0001"
    assert posted["thread_ts"] == "1700000000.000100"
    assert "$1 billion" in posted["text"]
    assert "[1]" in posted["blocks"][0]["text"]["text"]
    contexts = [b for b in posted["blocks"] if b["type"] == "context"]
    assert contexts and contexts[0]["elements"][0]["text"].startswith("*[1]* ")
    votes = [b for b in posted["blocks"] if b.get("block_id") == "citebot_feedback"]
    assert votes and votes[0]["elements"][0]["value"]  # the answer id the 👍/👎 buttons carry


def test_eyes_reaction_is_added_while_working_and_removed_after(recording_app, fake_slack):
    send_event(recording_app, mention_event("how much did Microsoft invest?", ts="1700000000.000100"))
    fake_slack.wait_for("reactions.remove")
    names = [n for n in fake_slack.names() if n in ("reactions.add", "chat.postMessage", "reactions.remove")]
    # 👀 goes on in the background (the answer never waits for it) and comes off after both
    assert sorted(names[:2]) == ["chat.postMessage", "reactions.add"] and names[2] == "reactions.remove"
    for method in ("reactions.add", "reactions.remove"):
        (body,) = fake_slack.bodies(method)
        assert (body["channel"], body["timestamp"], body["name"]) == ("C0001", "1700000000.000100", "eyes")


def test_mention_inside_a_thread_answers_in_that_thread(recording_app, fake_slack):
    event = mention_event(
        "how much did Microsoft invest?", ts="1700000000.000900", thread_ts="1700000000.000001"
    )
    send_event(recording_app, event)
    (posted,) = fake_slack.wait_for("chat.postMessage")
    assert posted["thread_ts"] == "1700000000.000001"


def test_direct_message_is_answered_in_the_dm(slack_app, fake_slack):
    send_event(slack_app, dm_event("How much did Microsoft invest?", channel="D0042"))
    (posted,) = fake_slack.wait_for("chat.postMessage")
    assert posted["channel"] == "D0042"
    assert "thread_ts" not in posted
    assert "$1 billion" in posted["text"]


def test_a_retried_event_is_answered_once(recording_app, fake_slack):
    event = mention_event("how much did Microsoft invest?")
    assert send_event(recording_app, event, event_id="Ev42").status == 200
    assert send_event(recording_app, event, event_id="Ev42", retry_num=1).status == 200
    assert send_event(recording_app, event, event_id="Ev42", retry_num=2).status == 200
    fake_slack.wait_for("reactions.remove")
    assert len(fake_slack.bodies("chat.postMessage")) == 1


def test_bot_messages_edits_and_own_messages_get_no_reply(recording_app, recording_table, fake_slack):
    app, table = recording_app, recording_table
    send_event(app, dm_event("from another bot", bot_id="B0099", subtype="bot_message"), event_id="Ev1")
    send_event(app, dm_event("from another bot, no subtype", bot_id="B0099", ts="2.0"), event_id="Ev2")
    send_event(app, dm_event("my own answer", user=BOT_USER_ID, bot_id=BOT_ID, ts="3.0"), event_id="Ev3")
    edited = {
        "type": "message",
        "subtype": "message_changed",
        "channel": "D0001",
        "channel_type": "im",
        "ts": "4.0",
        "message": {"type": "message", "user": "U0001", "text": "edited", "ts": "1.0"},
    }
    send_event(app, edited, event_id="Ev4")
    deleted = {
        "type": "message",
        "subtype": "message_deleted",
        "channel": "D0001",
        "channel_type": "im",
        "ts": "5.0",
        "deleted_ts": "1.0",
    }
    send_event(app, deleted, event_id="Ev5")
    send_event(app, dm_event("a person asks", ts="6.0"), event_id="Ev6")
    fake_slack.wait_for("chat.postMessage")
    assert len(fake_slack.bodies("chat.postMessage")) == 1
    assert [argument for _, argument, _ in table.calls] == ["a person asks"]


def test_channel_messages_are_not_answered_without_a_mention(recording_app, recording_table, fake_slack):
    app, table = recording_app, recording_table
    channel_message = dm_event("chatter", channel="C0001", channel_type="channel")
    assert send_event(app, channel_message, event_id="Ev1").status == 200
    send_event(app, dm_event("a person asks", ts="6.0"), event_id="Ev2")
    fake_slack.wait_for("chat.postMessage")
    assert [argument for _, argument, _ in table.calls] == ["a person asks"]


def test_mention_and_dm_events_for_one_message_are_answered_once(recording_app, fake_slack):
    send_event(recording_app, mention_event("how much?", channel="D0001", ts="9.0"), event_id="E1")
    send_event(
        recording_app,
        dm_event("<@UCITEBOT> how much did Microsoft invest?", channel="D0001", ts="9.0"),
        event_id="E2",
    )
    fake_slack.wait_for("reactions.remove")
    assert len(fake_slack.bodies("chat.postMessage")) == 1


def test_channel_allowlist(seeds_index, tmp_path, fake_slack, web_client):
    table = RecordingTable()
    settings = settings_with(seeds_index, tmp_path, fake_slack, allowed_channels=["C0ALLOWED"])
    app = build_app(settings, table, client=web_client)
    send_event(app, mention_event("not here", channel="C0OTHER", ts="1.0"), event_id="Ev1")
    send_event(app, mention_event("here", channel="C0ALLOWED", ts="2.0"), event_id="Ev2")
    send_event(app, dm_event("in a DM", channel="D0001", ts="3.0"), event_id="Ev3")
    posted = fake_slack.wait_for("chat.postMessage", count=2)
    assert sorted(p["channel"] for p in posted) == ["C0ALLOWED", "D0001"]
    assert sorted(argument for _, argument, _ in table.calls) == ["here", "in a DM"]


def test_question_text_is_unescaped_and_the_mention_stripped(recording_app, recording_table, fake_slack):
    app, table = recording_app, recording_table
    send_event(app, mention_event("is 5 &lt; 6 &amp;&amp; 7 &gt; 3?"))
    fake_slack.wait_for("chat.postMessage")
    ((name, argument, origin),) = table.calls
    assert (name, argument) == ("ask", "is 5 < 6 && 7 > 3?")
    assert (origin.platform, origin.channel, origin.user) == ("slack", "C0001", "U0001")


def test_user_text_cannot_ping_the_channel(recording_app, fake_slack):
    """The question is echoed back in a Notice; whatever it holds, it arrives escaped."""
    app = recording_app
    send_event(
        app,
        mention_event(
            "hey &lt;!channel&gt; &lt;!here&gt; &lt;@U0BOSS&gt; &lt;#C0SECRET&gt; "
            "&lt;!subteam^S1&gt; &lt;!everyone&gt;"
        ),
    )
    fake_slack.wait_for("chat.postMessage")
    posted = _posted_json(fake_slack)
    assert not re.search(r"<[!@#]", posted)
    assert "&lt;!channel&gt;" in posted


def test_help_mention_lists_the_commands(slack_app, fake_slack):
    send_event(slack_app, mention_event("help"))
    (posted,) = fake_slack.wait_for("chat.postMessage")
    assert "/ask QUESTION" in posted["blocks"][0]["text"]["text"]


def test_bad_signature_and_stale_timestamp_are_refused(recording_app, fake_slack, recording_table):
    event = mention_event("how much did Microsoft invest?")
    assert send_event(recording_app, event, secret="not-the-secret", event_id="Ev1").status == 401
    stale = int(time.time()) - 6 * 60
    assert send_event(recording_app, event, timestamp=stale, event_id="Ev2").status == 401
    assert recording_table.calls == [] and fake_slack.names() == ["auth.test"]
    assert send_event(recording_app, event, event_id="Ev3").status == 200  # the real thing still works
    fake_slack.wait_for("reactions.remove")
    assert len(fake_slack.bodies("chat.postMessage")) == 1


def test_a_failing_table_gets_an_apology_with_a_reference_in_the_log(
    seeds_index, tmp_path, fake_slack, web_client, caplog
):
    app = build_app(settings_with(seeds_index, tmp_path, fake_slack), ExplodingTable(), client=web_client)
    with caplog.at_level(logging.ERROR):
        send_event(app, mention_event("how much did Microsoft invest?"))
        (posted,) = fake_slack.wait_for("chat.postMessage")
        fake_slack.wait_for("reactions.remove")
    reference = re.search(r"report reference ([0-9a-f]{8})", posted["text"]).group(1)
    assert "Traceback" not in posted["text"] and "caught fire" not in _posted_json(fake_slack)
    logged = [r for r in caplog.records if reference in r.getMessage()]
    assert logged and logged[0].exc_info is not None


class BrokenService:
    """A QA service whose every request fails: the real CommandTable turns that into a Notice(reference)."""

    def ask(self, question):
        raise RuntimeError("boom")

    def source(self, key):
        raise RuntimeError("boom")

    def sources(self, query=None):
        raise RuntimeError("boom")


def test_the_tables_own_apology_reaches_chat(seeds_index, tmp_path, fake_slack, web_client, caplog):
    app = build_app(
        settings_with(seeds_index, tmp_path, fake_slack), CommandTable(BrokenService()), client=web_client
    )
    with caplog.at_level(logging.ERROR):
        send_event(app, mention_event("anything?"))
        (posted,) = fake_slack.wait_for("chat.postMessage")
    reference = re.search(r"report reference ([0-9a-f]{8})", posted["text"]).group(1)
    assert any(reference in r.getMessage() for r in caplog.records)


@pytest.mark.slow  # waits a real Retry-After
def test_rate_limited_post_waits_retry_after_and_retries(recording_app, fake_slack):
    fake_slack.rate_limit("chat.postMessage", retry_after=1)
    send_event(recording_app, mention_event("how much did Microsoft invest?"))
    first, second = fake_slack.wait_for("chat.postMessage", count=2)
    assert first == second
    times = [c.at for c in fake_slack.calls if c.name == "chat.postMessage"]
    assert times[1] - times[0] >= 1.0
    fake_slack.wait_for("reactions.remove")


def test_refused_blocks_fall_back_to_the_plain_text(recording_app, fake_slack):
    fake_slack.fail("chat.postMessage", "invalid_blocks")
    send_event(recording_app, mention_event("how much did Microsoft invest?"))
    first, second = fake_slack.wait_for("chat.postMessage", count=2)
    assert "blocks" in first and "blocks" not in second
    assert second["text"] == "ask: how much did Microsoft invest?"


def test_empty_mention_asks_for_a_question(slack_app, fake_slack, command_table):
    send_event(slack_app, {**mention_event(""), "text": f"<@{BOT_USER_ID}>"})
    (posted,) = fake_slack.wait_for("chat.postMessage")
    titles = [d.title for d in command_table.service.engine.documents()]
    assert posted["text"] in [messages.empty_question(t) for t in titles]


def test_two_replicas_sharing_a_database_answer_a_retried_event_once(
    slack_settings, web_client, fake_slack, database_url
):
    """Two Bolt apps (two bot processes' worth) behind one Slack, claiming events in one database."""
    from bot.adapters.slack.app import build_app
    from bot.state.claims import PostgresEventClaims
    from bot.state.database import open_pool
    from tests.adapters.slack.tables import RecordingTable

    pool = open_pool(database_url, wait_s=10)
    try:
        tables = [RecordingTable(), RecordingTable()]
        for number, table in enumerate(tables):
            table.claims = PostgresEventClaims(pool, f"replica-{number}")
        apps = [build_app(slack_settings, table, client=web_client) for table in tables]
        event = mention_event("how much did Microsoft invest?")
        for retry, app in enumerate([apps[0], apps[1], apps[1], apps[0]]):
            assert send_event(app, event, event_id="Ev77", retry_num=retry or None).status == 200
        fake_slack.wait_for("reactions.remove")
        assert len(fake_slack.bodies("chat.postMessage")) == 1
        assert sum(len(t.calls) for t in tables) == 1
    finally:
        pool.close()
