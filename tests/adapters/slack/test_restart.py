"""End to end across a restart of `citebot run --adapter slack` (HTTP mode): an answer held while Slack
was down is delivered by the next process, and Slack's late retry of an answered event is not answered
again."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tests.adapters.slack.conftest import SIGNING_SECRET
from tests.adapters.slack.failing_slack import FailingSlack
from tests.adapters.slack.test_cli import _free_port, _listening, _post, citebot
from tests.harness.fake_slack import event_payload, mention_event, signed_headers

QUESTION = "how much did Microsoft invest?"


def _send(port: int, ts: str, event_id: str, retry_num: int | None = None) -> int:
    body = json.dumps(event_payload(mention_event(QUESTION, ts=ts), event_id))
    return _post(port, body, signed_headers(body, SIGNING_SECRET, "application/json", retry_num=retry_num))


def _wait_for_line(log_file: Path, text: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while text not in log_file.read_text():
        assert time.monotonic() < deadline, f"no {text!r} in the log:\n{log_file.read_text()[-3000:]}"
        time.sleep(0.1)


def _replies(slack: FailingSlack, ts: str) -> list[dict]:
    return [b for b in slack.bodies("chat.postMessage") if b.get("thread_ts") == ts]


@pytest.mark.slow
def test_held_answers_and_event_claims_survive_a_restart(seeds_index, tmp_path):
    with FailingSlack() as slack:
        port = _free_port()
        run = {"mode": "http", "host": "127.0.0.1", "port": port}
        with citebot(tmp_path, seeds_index, slack, _listening(port), **run) as log_file:
            slack.down()
            assert _send(port, "1700000000.000001", "EvHeld") == 200
            _wait_for_line(log_file, "held the answer to a message")
        first_run = log_file.read_text()
        assert "reference " in first_run and "asker U0001" in first_run
        slack.up()
        with citebot(tmp_path, seeds_index, slack, _listening(port), **run) as log_file:
            (held,) = slack.wait_for("chat.postMessage", timeout=60)  # sent by the new process
            assert held["thread_ts"] == "1700000000.000001" and "$1 billion" in held["text"]
            # Slack's late retry of the event the first process answered (held) is not answered again
            assert _send(port, "1700000000.000001", "EvHeld", retry_num=3) == 200
            assert _send(port, "1700000000.000002", "EvNext") == 200
            slack.wait_until(lambda calls: len(_replies(slack, "1700000000.000002")) == 1, timeout=60)
        assert len(_replies(slack, "1700000000.000001")) == 1
        assert "delivered held reply" in log_file.read_text()
