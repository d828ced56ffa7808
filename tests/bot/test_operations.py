"""Running citebot for a team: --version, status, the build lock, clean stops, health, metrics and logs."""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import socket

import pytest
from aiohttp.test_utils import TestClient, TestServer
from filelock import FileLock

from bot import cli, messages
from bot.adapters.slack.server import make_web_app, serve
from bot.core.metrics import Metrics
from bot.core.models import Origin
from bot.settings import CONFIG_ENV, ConfigError
from bot.state.feedback import SqliteFeedbackStore
from tests.harness.libraries import SEEDS

SEED = sorted(SEEDS.glob("*.txt"))[0]


@pytest.fixture
def citebot(embedder, monkeypatch, capsys, tmp_path):
    """`citebot ARGS` in-process in tmp_path, with the session's model; returns (exit code, stdout, stderr)."""
    import retrieval.embedders.torch_embedder

    monkeypatch.delenv(CONFIG_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(
        retrieval.embedders.torch_embedder, "SentenceTransformerEmbedder", lambda *args, **kwargs: embedder
    )

    def invoke(*args: str) -> tuple[int, str, str]:
        code = cli.main(list(args))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return invoke


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(SEED, folder / SEED.name)
    (folder / "photo.txt").write_bytes(b"\x89PNG\x00\x00\xff\xfe")
    return folder


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"citebot {cli.version()}"


@pytest.mark.slow
def test_status_reports_the_build_its_skipped_files_and_feedback(citebot, corpus, tmp_path):
    code, out, err = citebot("index", "--corpus", "docs", "--index", "idx", "--quiet")
    assert code == 0, err
    assert out.strip().startswith("Indexed 1 document (")  # singular
    SqliteFeedbackStore(tmp_path / ".citebot" / "feedback.sqlite3").record_answer(
        "console", "c", "q?", "a", True, ()
    )
    code, out, err = citebot("status", "--index", "idx", "--json")
    assert code == 0, err
    status = json.loads(out)
    assert (status["documents"], status["model"]) == (1, "all-MiniLM-L6-v2")
    assert status["passages"] > 0 and status["built_at"] and status["generation"].startswith("gen-")
    assert status["corpus"] == str(corpus.resolve())
    assert [s["source"] for s in status["skipped"]] == ["photo.txt"]
    assert status["feedback"] == {"answers": 1, "abstained": 1, "votes_up": 0, "votes_down": 0}
    assert status["held_replies"] == {}
    code, out, _ = citebot("status", "--index", "idx")
    assert code == 0
    assert "1 document, " in out and "photo.txt: " in out and "1 answer (1 abstained)" in out
    assert "held:" not in out
    # Replies held while Slack was down are counted until they are sent.
    from bot.state.outbox import SqliteOutbox

    outbox = SqliteOutbox(tmp_path / ".citebot" / "feedback.sqlite3")
    for n in range(2):
        outbox.hold("slack", "post", {"text": "an answer"}, f"ref{n}", "U1", "C1")
    code, out, _ = citebot("status", "--index", "idx", "--json")
    assert json.loads(out)["held_replies"] == {"slack": 2}
    assert "held:        2 replies for slack" in citebot("status", "--index", "idx")[1]


def test_status_without_an_index_is_one_line(citebot):
    code, out, err = citebot("status", "--index", "nowhere")
    assert code == 1 and out == ""
    assert len(err.strip().splitlines()) == 1 and err.startswith("citebot: No index at nowhere.")


def test_without_an_index_and_without_index_the_message_says_how_to_point_at_one(citebot):
    """A user who built an index with --index elsewhere and forgot it on the next command is told."""
    code, out, err = citebot("status")
    assert code == 1 and out == "" and len(err.strip().splitlines()) == 1
    assert err.startswith("citebot: No index at .index.") and "pass --index with its folder" in err
    assert "pass --index" not in citebot("status", "--index", "nowhere")[2]


def test_a_second_build_of_the_same_index_is_refused(citebot, corpus, tmp_path):
    (tmp_path / "idx").mkdir()
    with FileLock(str(tmp_path / "idx" / cli.BUILD_LOCK)):
        code, out, err = citebot("index", "--corpus", "docs", "--index", "idx", "--quiet")
    assert code == 1 and out == ""
    assert err.strip() == f"citebot: {messages.index_locked('idx')}"
    assert citebot("index", "--corpus", "docs", "--index", "idx", "--quiet")[0] == 0  # free again


@pytest.mark.parametrize(("signum", "exit_code"), [(signal.SIGINT, 130), (signal.SIGTERM, 0)])
def test_a_signal_during_a_build_abandons_it_and_says_so(
    citebot, corpus, tmp_path, monkeypatch, signum, exit_code
):
    import retrieval.ingest.build

    real_build = retrieval.ingest.build.build

    def interrupted(*args, **kwargs):
        os.kill(os.getpid(), signum)  # a real signal, delivered to citebot's own handlers
        return real_build(*args, **kwargs)

    monkeypatch.setattr(retrieval.ingest.build, "build", interrupted)
    # Ctrl-C as Python sets it up in a terminal: a parent that started the tests in the background may
    # have left SIGINT ignored, and then no signal would arrive at all.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        code, out, err = citebot("index", "--corpus", "docs", "--index", "idx", "--quiet")
    finally:
        signal.signal(signal.SIGINT, previous)
    assert code == exit_code
    assert err.strip() == f"citebot: {messages.index_abandoned('idx')}"
    assert not (tmp_path / "idx" / "CURRENT").exists()  # nothing half-built was published
    assert signal.getsignal(signal.SIGTERM) is not None


def test_a_file_given_as_the_index_is_one_line(citebot, tmp_path):
    (tmp_path / "notes.txt").write_text("not an index")
    for args in (
        ("ask", "--index", "notes.txt", "q"),
        ("index", "--corpus", str(SEEDS), "--index", "notes.txt"),
    ):
        code, out, err = citebot(*args)
        assert code != 0 and out == ""
        assert len(err.strip().splitlines()) == 1 and "notes.txt is a file" in err
        assert "Traceback" not in err


def test_http_port_in_use_is_a_one_line_config_error(recording_app):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(ConfigError) as error:
            serve(recording_app, "127.0.0.1", port)
    assert str(error.value).startswith(f"Cannot listen on 127.0.0.1:{port} (")
    assert "\n" not in str(error.value)


@pytest.fixture
def recording_app(seeds_index, tmp_path):
    from slack_bolt import App
    from slack_sdk import WebClient

    return App(
        client=WebClient(token="xoxb-test", base_url="http://127.0.0.1:9/"),
        signing_secret="secret",
        token_verification_enabled=False,
    )


@pytest.mark.asyncio
async def test_healthz_and_metrics_in_http_mode(recording_app, command_table):
    command_table.run("ask", "How much did Microsoft invest in OpenAI?", Origin("slack", "C1", "U1"))
    command_table.run("ask", "What is the weather in Paris tomorrow?", Origin("slack", "C1", "U1"))
    web_app = make_web_app(recording_app, table=command_table, platform_check=lambda: True)
    async with TestClient(TestServer(web_app)) as client:
        health = await client.get("/healthz")
        assert health.status == 200
        body = await health.json()
        assert body["status"] == "ok" and body["index"]["loaded"] and body["platform"]["reachable"]
        metrics = await client.get("/metrics")
        assert metrics.status == 200 and metrics.headers["Content-Type"].startswith("text/plain")
        text = await metrics.text()
    assert 'citebot_questions_total{platform="slack"} 2.0' in text
    assert 'citebot_abstentions_total{platform="slack"} 1.0' in text
    assert "citebot_answer_seconds_bucket" in text
    generation = command_table.service.generation()
    assert f'citebot_index_generation_info{{generation="{generation}"}} 1.0' in text


@pytest.mark.asyncio
async def test_healthz_is_503_when_the_platform_is_unreachable(recording_app, command_table):
    web_app = make_web_app(recording_app, table=command_table, platform_check=lambda: False)
    async with TestClient(TestServer(web_app)) as client:
        health = await client.get("/healthz")
        assert health.status == 503
        assert (await health.json())["platform"]["reachable"] is False


def test_one_log_line_per_answer_with_latency_and_reference(command_table, caplog):
    with caplog.at_level(logging.INFO, logger="bot.core.commands"):
        answer = command_table.run("ask", "How much did Microsoft invest in OpenAI?", Origin("discord"))
    # the command table says it composed the answer; delivery is the adapter's line ("answered … in N ms")
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("composed an answer")]
    assert len(lines) == 1
    assert f"reference {answer.answer_id}" in lines[0] and " ms " in lines[0]


def test_json_log_format():
    record = logging.LogRecord("citebot", logging.INFO, __file__, 1, "answered in %d ms", (12,), None)
    entry = json.loads(cli.JsonLogFormatter().format(record))
    assert (
        entry["message"] == "answered in 12 ms" and entry["level"] == "INFO" and entry["logger"] == "citebot"
    )


def test_metrics_registries_are_separate():
    """Two bots (or tests) in one process never collide in one Prometheus registry."""
    first, second = Metrics(), Metrics()
    first.answered("slack", False, 0.1)
    assert b'citebot_questions_total{platform="slack"} 1.0' in first.exposition()[0]
    assert b'platform="slack"' not in second.exposition()[0]


def test_health_port_for_socket_mode_and_discord(command_table):
    import urllib.request

    from bot.ops import serve_in_background

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    serve_in_background("127.0.0.1", port, command_table, platform_check=lambda: True)
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as response:
        assert response.status == 200 and json.loads(response.read())["index"]["loaded"] is True
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
        assert b"citebot_answer_seconds" in response.read()
    with pytest.raises(ConfigError):  # the port is now taken
        serve_in_background("127.0.0.1", port, command_table)


@pytest.mark.slow
def test_sigterm_stops_the_console_bot_with_a_message(seeds_index, tmp_path):
    """A real `citebot run` process: SIGTERM while it waits at the prompt -> one line, exit 0."""
    import subprocess
    import sys
    import time
    from pathlib import Path

    citebot = Path(sys.executable).with_name("citebot")
    env = {k: v for k, v in os.environ.items() if k != CONFIG_ENV}
    env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    process = subprocess.Popen(
        [str(citebot), "run", "--index", str(seeds_index)],
        cwd=tmp_path,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert "citebot: ask a question" in process.stdout.readline()  # warmed up, at the prompt
        time.sleep(0.5)
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0
    assert err.strip().splitlines()[-1] == f"citebot: {messages.STOPPED}"
    assert "Traceback" not in err
