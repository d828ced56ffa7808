"""Two Slack channels, two sets of sources: through the real Bolt app (signed requests) and the real
command table, C0SUPPORT (the handbook) and C0ONCALL (the handbook and the private runbooks) get the same
question answered differently, and a DM gets the `dm` entry's sources."""

from __future__ import annotations

import json

import pytest
from slack_bolt import App

from bot import messages
from bot.adapters.slack.app import build_app
from bot.core.commands import CommandTable
from bot.core.service import QAService
from tests.adapters.slack.conftest import (
    APP_TOKEN,
    BOT_TOKEN,
    SIGNING_SECRET,
    send_action,
    send_command,
    send_event,
)
from tests.harness.fake_slack import FakeSlack, action_payload, command_form, dm_event, mention_event
from tests.harness.libraries import build_library
from tests.harness.two_sources import (
    ANSWER_WORDS,
    CONFIG,
    ONCALL,
    QUESTION,
    RUNBOOK,
    RUNBOOK_TITLE,
    SUPPORT,
    scoped_settings,
    write_corpus,
)

# A DM sees both sources (the `dm` entry); a channel not listed, only the public handbook.
CHANNELS = {**CONFIG["channels"], "dm": ["handbook", "runbooks"]}


@pytest.fixture(scope="module")
def two_sources_index(tmp_path_factory, embedder) -> str:
    location = str(tmp_path_factory.mktemp("two-sources-index"))
    build_library("files", write_corpus(tmp_path_factory.mktemp("two-sources")), location, embedder)
    return location


@pytest.fixture
def app(two_sources_index, embedder, fake_slack: FakeSlack, web_client, tmp_path) -> App:
    slack = {
        "mode": "http",
        "bot_token": BOT_TOKEN,
        "app_token": APP_TOKEN,
        "signing_secret": SIGNING_SECRET,
        "api_url": fake_slack.url,
        "host": "127.0.0.1",
    }
    settings = scoped_settings(
        two_sources_index, slack=slack, channels=CHANNELS, feedback={"path": str(tmp_path / "f.sqlite3")}
    )
    return build_app(settings, CommandTable(QAService(settings, embedder)), client=web_client)


def shows_runbooks(body: dict) -> bool:
    text = json.dumps(body, ensure_ascii=False)
    return ANSWER_WORDS in text or RUNBOOK_TITLE in text or RUNBOOK in text


def test_a_mention_is_answered_from_the_runbooks_on_call_only(app, fake_slack):
    send_event(app, mention_event(QUESTION, channel=ONCALL, ts="1700000000.000100"), event_id="Ev1")
    send_event(app, mention_event(QUESTION, channel=SUPPORT, ts="1700000000.000200"), event_id="Ev2")
    posted = {body["channel"]: body for body in fake_slack.wait_for("chat.postMessage", 2)}
    assert ANSWER_WORDS in posted[ONCALL]["text"]
    assert posted[SUPPORT]["text"].startswith(messages.ABSTAIN) and not shows_runbooks(posted[SUPPORT])


def test_a_dm_sees_the_dm_entrys_sources(app, fake_slack):
    send_event(app, dm_event(QUESTION, channel="D0042"), event_id="Ev3")
    (posted,) = fake_slack.wait_for("chat.postMessage")
    assert posted["channel"] == "D0042" and ANSWER_WORDS in posted["text"]


def test_a_channel_not_listed_sees_only_public_sources(app, fake_slack):
    send_event(app, mention_event(QUESTION, channel="C0RANDOM"), event_id="Ev4")
    (posted,) = fake_slack.wait_for("chat.postMessage")
    assert not shows_runbooks(posted)


@pytest.mark.parametrize("command", ["/source", "/sources"])
def test_slash_commands_in_support_never_show_the_runbooks(app, fake_slack, command):
    argument = RUNBOOK if command == "/source" else ""
    send_command(app, command_form(command, argument, fake_slack.response_url("support"), channel=SUPPORT))
    send_command(app, command_form(command, argument, fake_slack.response_url("oncall"), channel=ONCALL))
    (support,) = fake_slack.wait_for("support")
    (oncall,) = fake_slack.wait_for("oncall")
    assert RUNBOOK_TITLE in json.dumps(oncall, ensure_ascii=False)
    assert RUNBOOK_TITLE not in json.dumps(support, ensure_ascii=False)
    if command == "/source":
        assert support["text"].startswith(f"No source or passage called {RUNBOOK!r}")


def test_a_slash_command_in_a_dm_sees_the_dm_entrys_sources(app, fake_slack):
    form = {**command_form("/source", RUNBOOK, fake_slack.response_url("dm"), channel="D0042")}
    form["channel_name"] = "directmessage"
    send_command(app, form)
    (reply,) = fake_slack.wait_for("dm")
    assert RUNBOOK_TITLE in json.dumps(reply, ensure_ascii=False)


def test_show_passage_clicked_in_support_does_not_show_a_runbook(app, fake_slack):
    payload = action_payload("citebot_show_passage", f"{RUNBOOK}#1", fake_slack.response_url("c"), SUPPORT)
    send_action(app, payload)
    (reply,) = fake_slack.wait_for("c")
    assert reply["text"].startswith("No source or passage called") and ANSWER_WORDS not in reply["text"]
