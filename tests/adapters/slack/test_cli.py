"""End to end: `citebot run --adapter slack` as a process, in HTTP mode and in Socket Mode, against the fake Slack.

The config file goes in through $CITEBOT_CONFIG, which works wherever the CLI puts its --config flag.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml

from bot.settings import CONFIG_ENV
from tests.adapters.slack.conftest import APP_TOKEN, BOT_TOKEN, SIGNING_SECRET
from tests.harness.fake_slack import FakeSlack, event_payload, mention_event, signed_headers
from tests.harness.libraries import ROOT, SEEDS

CITEBOT = Path(sys.executable).with_name("citebot")
STARTUP_SECONDS = 120
SECRETS = (BOT_TOKEN, SIGNING_SECRET, APP_TOKEN)


@contextmanager
def citebot(
    tmp_path: Path, seeds_index: Path, fake: FakeSlack, ready: Callable[[], bool], **slack
) -> Iterator[Path]:
    """A `citebot run --adapter slack` process until the block ends; yields its log file once `ready()`."""
    config = tmp_path / "citebot.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "corpus": str(SEEDS),
                "index": str(seeds_index),
                "feedback": {"path": str(tmp_path / "feedback.sqlite3")},
                "slack": {"api_url": fake.url, **slack},
                "logging": {"level": "DEBUG"},
            }
        )
    )
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_APP_TOKEN": APP_TOKEN,
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        CONFIG_ENV: str(config),
    }
    log_file = tmp_path / "citebot.log"
    with log_file.open("w") as log:
        process = subprocess.Popen(
            [str(CITEBOT), "run", "--adapter", "slack"],
            cwd=tmp_path,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not ready():
            if process.poll() is not None:
                pytest.fail(f"citebot exited with {process.returncode}:\n{log_file.read_text()}")
            if time.monotonic() > deadline:
                pytest.fail(f"citebot was not ready within {STARTUP_SECONDS}s:\n{log_file.read_text()}")
            time.sleep(0.1)
        yield log_file
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _listening(port: int) -> Callable[[], bool]:
    def check() -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            return False

    return check


def _post(port: int, body: str, headers: dict[str, str]) -> int:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/slack/events", data=body.encode(), headers=headers
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _assert_answered(fake: FakeSlack, ts: str) -> None:
    (posted,) = fake.wait_for("chat.postMessage", timeout=60)
    assert posted["thread_ts"] == ts
    assert "$1 billion" in posted["text"]
    assert any(b["type"] == "context" and "*[1]*" in b["elements"][0]["text"] for b in posted["blocks"])
    fake.wait_for("reactions.remove")


@pytest.mark.slow
def test_http_mode_answers_a_signed_mention_end_to_end(seeds_index, tmp_path, fake_slack):
    port = _free_port()
    with citebot(
        tmp_path, seeds_index, fake_slack, _listening(port), mode="http", host="127.0.0.1", port=port
    ) as log_file:
        body = json.dumps(
            event_payload(mention_event("how much did Microsoft invest?", ts="1700000000.000700"))
        )
        started = time.monotonic()
        assert _post(port, body, signed_headers(body, SIGNING_SECRET, "application/json")) == 200
        assert time.monotonic() - started < 3, "Slack needs its 200 within 3 seconds"
        _assert_answered(fake_slack, "1700000000.000700")
        assert _post(port, body, signed_headers(body, "wrong-secret", "application/json")) == 401
        stale = int(time.time()) - 600
        assert _post(port, body, signed_headers(body, SIGNING_SECRET, "application/json", stale)) == 401
    logged = log_file.read_text()
    assert "chat.postMessage" in logged  # DEBUG logging was on
    assert not any(secret in logged for secret in SECRETS)


@pytest.mark.slow
def test_socket_mode_answers_a_mention_end_to_end(seeds_index, tmp_path, fake_slack):
    def connected() -> bool:
        return fake_slack.socket_connected

    with citebot(tmp_path, seeds_index, fake_slack, connected, mode="socket") as log_file:
        payload = event_payload(
            mention_event("how much did Microsoft invest?", ts="1700000000.000800"), "EvCli"
        )
        fake_slack.push_envelope(
            {
                "envelope_id": "cli-1",
                "type": "events_api",
                "payload": payload,
                "accepts_response_payload": False,
            }
        )
        assert fake_slack.wait_for_socket_message("cli-1") == {"envelope_id": "cli-1"}
        _assert_answered(fake_slack, "1700000000.000800")
    logged = log_file.read_text()
    assert not any(secret in logged for secret in SECRETS)


@pytest.mark.slow
def test_missing_token_fails_fast_naming_the_variable(tmp_path, seeds_index):
    config = tmp_path / "citebot.yaml"
    config.write_text(yaml.safe_dump({"index": str(seeds_index), "slack": {"mode": "http"}}))
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    env.update({"SLACK_SIGNING_SECRET": SIGNING_SECRET, CONFIG_ENV: str(config)})
    result = subprocess.run(
        [str(CITEBOT), "run", "--adapter", "slack"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SLACK_BOT_TOKEN" in result.stderr
    assert SIGNING_SECRET not in result.stderr + result.stdout
