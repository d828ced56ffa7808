"""config/slack-app-manifest.yaml asks for exactly what the adapter uses: commands, events, scopes."""

from __future__ import annotations

import yaml

from bot.adapters.slack import slash_commands
from tests.adapters.slack.conftest import send_command, send_event
from tests.harness.fake_slack import command_form, dm_event, mention_event
from tests.harness.libraries import ROOT

MANIFEST = yaml.safe_load((ROOT / "config" / "slack-app-manifest.yaml").read_text("utf-8"))
# Every Web API method the adapter calls, with the bot scope it needs (None: no scope).
SCOPE_OF_METHOD = {
    "auth.test": None,
    "chat.postMessage": "chat:write",
    "chat.update": "chat:write",
    "reactions.add": "reactions:write",
    "reactions.remove": "reactions:write",
}

# Every event subscribed to, with the bot scope Slack requires for it.
SCOPE_OF_EVENT = {
    "app_mention": "app_mentions:read",
    "message.im": "im:history",
    "message.channels": "channels:history",
    "message.groups": "groups:history",
}


def test_manifest_declares_exactly_the_bots_slash_commands(command_table):
    declared = MANIFEST["features"]["slash_commands"]
    assert [c["command"] for c in declared] == [f"/{name}" for name in slash_commands(command_table.commands)]
    summaries = {f"/{c.name}": c for c in command_table.commands}
    for command in declared:
        assert command["description"] == summaries[command["command"]].summary
        assert command["should_escape"] is False  # mentions and links arrive as typed


def test_manifest_events_scopes_and_modes():
    assert MANIFEST["settings"]["event_subscriptions"]["bot_events"] == [
        "app_mention",
        "message.im",
        "message.channels",  # deleted channel questions (handlers.skip_channel_chatter drops the rest)
        "message.groups",
    ]
    assert sorted(MANIFEST["oauth_config"]["scopes"]["bot"]) == [
        "app_mentions:read",
        "channels:history",
        "chat:write",
        "commands",
        "groups:history",
        "im:history",
        "reactions:write",
    ]
    history = {s for s in MANIFEST["oauth_config"]["scopes"]["bot"] if s.endswith(("history", ":read"))}
    assert history == {SCOPE_OF_EVENT[e] for e in MANIFEST["settings"]["event_subscriptions"]["bot_events"]}
    assert MANIFEST["settings"]["interactivity"]["is_enabled"] is True
    assert MANIFEST["settings"]["socket_mode_enabled"] is True
    assert MANIFEST["features"]["app_home"]["messages_tab_enabled"] is True


def test_every_api_method_called_is_covered_by_a_scope(recording_app, fake_slack):
    send_event(recording_app, mention_event("in a channel"), event_id="Ev1")
    send_event(recording_app, dm_event("in a DM"), event_id="Ev2")
    send_command(recording_app, command_form("/ask", "q", fake_slack.response_url("r")))
    fake_slack.wait_for("chat.postMessage", count=2)
    fake_slack.wait_for("r")
    fake_slack.wait_until_answered()
    called = {name for name in fake_slack.names() if name != "r"}
    assert called <= set(SCOPE_OF_METHOD), (
        f"new Web API methods need a scope decision: {called - set(SCOPE_OF_METHOD)}"
    )
    needed = {SCOPE_OF_METHOD[name] for name in called} - {None}
    assert needed <= set(MANIFEST["oauth_config"]["scopes"]["bot"])
