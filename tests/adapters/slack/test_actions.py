"""Buttons on a posted answer: "Show passage" opens it to the clicker; 👍/👎 records feedback."""

from __future__ import annotations

from bot import messages
from tests.adapters.slack.conftest import send_action, send_event
from tests.harness.fake_slack import action_payload, mention_event


def _buttons(message: dict) -> dict[str, dict]:
    return {e["action_id"]: e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]}


def _posted_answer(app, fake) -> dict:
    send_event(app, mention_event("how much did Microsoft invest?"))
    (posted,) = fake.wait_for("chat.postMessage")
    return posted


def test_show_passage_opens_the_full_passage_to_the_clicker_only(slack_app, fake_slack, command_table):
    button = _buttons(_posted_answer(slack_app, fake_slack))["citebot_show_passage_1"]
    payload = action_payload(button["action_id"], button["value"], fake_slack.response_url("show"))
    assert send_action(slack_app, payload).status == 200
    (reply,) = fake_slack.wait_for("show")
    assert reply["response_type"] == "ephemeral" and reply["replace_original"] is False
    passage = command_table.run("source", button["value"]).passage
    shown = " ".join(b["text"]["text"] for b in reply["blocks"][1:] if b["type"] == "section")
    assert shown.split() == passage.text.split()
    assert f"`{button['value']}`" in reply["blocks"][0]["text"]["text"]


def test_thumbs_up_records_the_vote_and_thanks_privately(slack_app, fake_slack, command_table):
    buttons = _buttons(_posted_answer(slack_app, fake_slack))
    up = buttons["citebot_vote_up"]
    send_action(
        slack_app,
        action_payload(
            up["action_id"],
            up["value"],
            fake_slack.response_url("vote"),
            user="U0VOTER",
            block_id="citebot_feedback",
        ),
    )
    (reply,) = fake_slack.wait_for("vote")
    assert reply["response_type"] == "ephemeral"
    assert reply["text"] == messages.FEEDBACK_THANKS_UP
    (record,) = command_table.feedback.feedback()
    assert (record.vote, record.user, record.platform, record.channel) == ("up", "U0VOTER", "slack", "C0001")
    assert record.question == "how much did Microsoft invest?"


def test_thumbs_down_on_an_unknown_answer_says_so(slack_app, fake_slack, command_table):
    send_action(
        slack_app,
        action_payload(
            "citebot_vote_down", "no-such-answer", fake_slack.response_url("v2"), block_id="citebot_feedback"
        ),
    )
    (reply,) = fake_slack.wait_for("v2")
    assert reply["response_type"] == "ephemeral"
    assert messages.FEEDBACK_UNKNOWN_ANSWER in reply["text"]
    assert command_table.feedback.feedback() == []


def test_a_failing_vote_gets_an_apology(seeds_index, tmp_path, fake_slack, web_client):
    from bot.adapters.slack.app import build_app
    from tests.adapters.slack.conftest import settings_with
    from tests.adapters.slack.tables import ExplodingTable

    app = build_app(settings_with(seeds_index, tmp_path, fake_slack), ExplodingTable(), client=web_client)
    send_action(
        app,
        action_payload("citebot_vote_up", "a1", fake_slack.response_url("v3"), block_id="citebot_feedback"),
    )
    (reply,) = fake_slack.wait_for("v3")
    assert "report reference" in reply["text"]
