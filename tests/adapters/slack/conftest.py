"""Slack adapter fixtures: a fake Slack on loopback, a WebClient pointed at it, and signed requests."""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
from slack_bolt import App, BoltRequest, BoltResponse
from slack_sdk import WebClient

from tests.harness.fake_slack import FakeSlack, event_payload, signed_headers
from tests.harness.libraries import make_settings

SIGNING_SECRET = "test-signing-secret"
BOT_TOKEN = "xoxb-test-bot-token-123"
APP_TOKEN = "xapp-test-app-token-456"


@pytest.fixture(autouse=True)
def _no_redelivery_loop_outlives_its_test() -> Iterator[None]:
    """Each app built here starts a redelivery thread; stop them so none logs into a later test."""
    yield
    from bot.adapters.slack.delivery import stop_deliveries

    stop_deliveries()


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake
        fake.wait_until_answered()  # no listener left talking to a stopped server


@pytest.fixture
def web_client(fake_slack: FakeSlack) -> WebClient:
    return WebClient(base_url=fake_slack.url, token=BOT_TOKEN)


@pytest.fixture
def slack_settings(seeds_index, tmp_path, fake_slack):
    """Settings for HTTP mode against the fake; pass `slack=` overrides through `settings_with`."""
    return settings_with(seeds_index, tmp_path, fake_slack)


def settings_with(index_dir, tmp_path, fake: FakeSlack, **slack):
    values = {
        "mode": "http",
        "bot_token": BOT_TOKEN,
        "app_token": APP_TOKEN,
        "signing_secret": SIGNING_SECRET,
        "api_url": fake.url,
        "host": "127.0.0.1",
        **slack,
    }
    return make_settings(index_dir, tmp_path, slack=values)


@pytest.fixture
def slack_app(slack_settings, command_table, web_client) -> App:
    from bot.adapters.slack.app import build_app

    return build_app(slack_settings, command_table, client=web_client)


def send_event(
    app: App,
    event: dict,
    event_id: str = "Ev0001",
    retry_num: int | None = None,
    secret: str = SIGNING_SECRET,
    timestamp: int | None = None,
) -> BoltResponse:
    """POST an Events API callback to the app the way Slack does, signed."""
    body = json.dumps(event_payload(event, event_id))
    headers = signed_headers(body, secret, "application/json", timestamp, retry_num)
    return app.dispatch(BoltRequest(body=body, headers=headers))


def send_command(app: App, form: dict[str, str], secret: str = SIGNING_SECRET) -> BoltResponse:
    body = urlencode(form)
    return app.dispatch(
        BoltRequest(body=body, headers=signed_headers(body, secret, "application/x-www-form-urlencoded"))
    )


def send_action(app: App, payload: dict, secret: str = SIGNING_SECRET) -> BoltResponse:
    body = urlencode({"payload": json.dumps(payload)})
    return app.dispatch(
        BoltRequest(body=body, headers=signed_headers(body, secret, "application/x-www-form-urlencoded"))
    )


@pytest.fixture
def recording_table():
    from tests.adapters.slack.tables import RecordingTable

    return RecordingTable()


@pytest.fixture
def recording_app(slack_settings, recording_table, web_client) -> App:
    """The app over a table that echoes its input: for the mechanics, where the model adds only time."""
    from bot.adapters.slack.app import build_app

    return build_app(slack_settings, recording_table, client=web_client)
