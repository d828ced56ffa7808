"""Issue 19 in Socket Mode: the same listeners behind Bolt's SocketModeHandler; a rate-limited 👀 holds
up no answer, and an expired response URL still reaches the asker."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk import WebClient

from bot.adapters.slack.app import build_app
from tests.adapters.slack.conftest import APP_TOKEN, BOT_TOKEN, settings_with
from tests.adapters.slack.failing_slack import FailingSlack
from tests.adapters.slack.tables import RecordingTable
from tests.harness.fake_slack import command_form, event_payload, mention_event


@pytest.fixture(scope="module")
def slack() -> Iterator[FailingSlack]:
    with FailingSlack() as fake:
        yield fake


@pytest.fixture(scope="module")
def socket_handler(seeds_index, tmp_path_factory, slack) -> Iterator[SocketModeHandler]:
    settings = settings_with(
        seeds_index, tmp_path_factory.mktemp("socket"), slack, mode="socket", signing_secret=None
    )
    client = WebClient(base_url=slack.url, token=BOT_TOKEN)
    handler = SocketModeHandler(build_app(settings, RecordingTable(), client=client), app_token=APP_TOKEN)
    handler.connect()
    slack.wait_for_socket()
    yield handler
    handler.close()


@pytest.mark.slow  # its Socket Mode client takes ~3 s to close
def test_rate_limited_reactions_hold_up_no_answer(socket_handler, slack):
    slack.rate_limit("reactions.add", retry_after=10, times=8)
    for n in range(8):
        event = mention_event(f"burst {n}", ts=f"1700000001.{n:06d}")
        payload = event_payload(event, f"EvSB{n}")
        slack.push_envelope({"envelope_id": f"b{n}", "type": "events_api", "payload": payload})
    # Waiting out one Retry-After would take 10 s.
    posts = slack.wait_until(
        lambda calls: sum(c.name == "chat.postMessage" and "burst" in c.body["text"] for c in calls) == 8,
        timeout=5,
    )
    tried = [c.body["timestamp"] for c in posts if c.name == "reactions.add"]
    assert len(tried) == len(set(tried))  # no reaction retried


@pytest.mark.slow
def test_an_expired_response_url_still_reaches_the_asker(socket_handler, slack):
    slack.fail_response_url("sm-ask", 404, "expired_url")
    form = command_form("/ask", "socket question", slack.response_url("sm-ask"), user="U0077")
    slack.push_envelope({"envelope_id": "c1", "type": "slash_commands", "payload": form})
    slack.wait_until(lambda calls: any(c.name == "chat.postEphemeral" for c in calls))
    (ephemeral,) = slack.bodies("chat.postEphemeral")
    assert ephemeral["user"] == "U0077" and ephemeral["text"] == "ask: socket question"
