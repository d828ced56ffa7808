"""Starting up: missing secrets name their variable, a bad token or URL fails in one line, tokens stay out of logs."""

from __future__ import annotations

import logging

import pytest
import yaml
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.adapters.slack.app import build_app, make_client, run_slack
from bot.settings import ConfigError, load_settings
from tests.adapters.slack.conftest import APP_TOKEN, BOT_TOKEN, SIGNING_SECRET, send_event, settings_with
from tests.adapters.slack.tables import RecordingTable
from tests.harness.fake_slack import mention_event


@pytest.fixture
def no_slack_env(monkeypatch):
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def _load(tmp_path, seeds_index, **slack):
    path = tmp_path / "citebot.yaml"
    path.write_text(yaml.safe_dump({"index": str(seeds_index), "slack": slack}))
    return load_settings(path)


@pytest.mark.parametrize(
    ("mode", "present", "missing"),
    [
        ("socket", {}, "SLACK_BOT_TOKEN"),
        ("socket", {"SLACK_BOT_TOKEN": BOT_TOKEN}, "SLACK_APP_TOKEN"),
        ("http", {"SLACK_BOT_TOKEN": BOT_TOKEN}, "SLACK_SIGNING_SECRET"),
        ("http", {"SLACK_SIGNING_SECRET": SIGNING_SECRET}, "SLACK_BOT_TOKEN"),
    ],
)
def test_missing_secret_fails_fast_naming_the_variable(
    no_slack_env, tmp_path, seeds_index, mode, present, missing
):
    for name, value in present.items():
        no_slack_env.setenv(name, value)
    settings = _load(tmp_path, seeds_index, mode=mode, api_url="http://127.0.0.1:9/api/")
    with pytest.raises(ConfigError, match=missing) as raised:
        run_slack(settings, RecordingTable())
    for value in present.values():
        assert value not in str(raised.value)


def test_rejected_token_is_a_one_line_config_error(seeds_index, tmp_path, fake_slack):
    fake_slack.fail("auth.test", "invalid_auth")
    with pytest.raises(ConfigError, match="invalid_auth") as raised:
        build_app(settings_with(seeds_index, tmp_path, fake_slack), RecordingTable())
    assert BOT_TOKEN not in str(raised.value)


def test_unreachable_api_url_is_a_one_line_config_error(seeds_index, tmp_path, fake_slack):
    settings = settings_with(seeds_index, tmp_path, fake_slack, api_url="http://127.0.0.1:9/api/")
    with pytest.raises(ConfigError, match="slack.api_url"):
        build_app(settings, RecordingTable())


def test_client_uses_api_url_and_retries_rate_limits(seeds_index, tmp_path, fake_slack):
    settings = settings_with(seeds_index, tmp_path, fake_slack, api_url=fake_slack.url.rstrip("/"))
    client = make_client(settings)
    assert client.base_url == fake_slack.url
    assert client.token == BOT_TOKEN
    assert sum(isinstance(h, RateLimitErrorRetryHandler) for h in client.retry_handlers) == 1
    assert client.auth_test()["user_id"]


def test_tokens_never_reach_the_log(seeds_index, tmp_path, fake_slack, web_client, caplog, monkeypatch):
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)  # Bolt reads it too, and would warn about it
    with caplog.at_level(logging.DEBUG):
        app = build_app(settings_with(seeds_index, tmp_path, fake_slack), RecordingTable(), client=web_client)
        send_event(app, mention_event("anything"))
        fake_slack.wait_for("reactions.remove")
    assert "auth.test" in caplog.text  # DEBUG logging really was on
    for secret in (BOT_TOKEN, APP_TOKEN, SIGNING_SECRET):
        assert secret not in caplog.text
    assert "token` will be unused" not in caplog.text  # Bolt's warning about a token we do use
