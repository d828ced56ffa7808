"""Concurrent askers through the service, through the Slack HTTP endpoint, and during an index rebuild.

python -m benchmarks.load [--seconds 10] [--askers 1,4,16,64] [--slack-askers 16] [--json OUT]

- service: N threads ask the dev questions round-robin through `QAService.ask` for `--seconds` each;
  questions/s, p50/p95 latency, and every answer compared with the one given to the same question with
  nobody else asking (a wrong answer under load would be a race).
- Slack: the real Bolt app behind citebot's aiohttp server on loopback, posting to a fake Slack Web API
  (tests/harness/fake_slack.py); N senders post signed `app_mention` events, each timed from the POST to
  the fake receiving the threaded answer.
- rebuild: 4 askers keep asking while `build_index` rebuilds the live index (every file re-embedded);
  answers given during the rebuild, errors, and whether the service switched to the new generation.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import numpy as np  # noqa: E402

from benchmarks.latency import DEV_QUESTIONS, SEEDS, load_questions  # noqa: E402
from benchmarks.startup import machine  # noqa: E402
from bot.core.models import Answer  # noqa: E402
from bot.core.service import QAService  # noqa: E402
from bot.settings import Settings  # noqa: E402
from retrieval.embedders.runtimes import indexing_embedder  # noqa: E402
from retrieval.libraries.files import layout  # noqa: E402
from tests.harness.libraries import build_index  # noqa: E402

SIGNING_SECRET = "load-test-signing-secret"
BOT_TOKEN = "xoxb-load-test"


def _summary(latencies_ms: list[float], seconds: float) -> dict:
    values = np.asarray(latencies_ms or [0.0])
    return {
        "answered": len(latencies_ms),
        "questions_per_s": round(len(latencies_ms) / seconds, 1),
        "p50_ms": round(float(np.percentile(values, 50)), 1),
        "p95_ms": round(float(np.percentile(values, 95)), 1),
    }


def fingerprint(reply) -> str:
    """What must not change under load: the answer's text, its citations, whether it abstained."""
    if isinstance(reply, Answer):
        return json.dumps([reply.text, [c.passage_id for c in reply.citations], reply.abstained])
    return repr(reply)


def drive(
    ask: Callable[[str], object], questions: list[str], askers: int, seconds: float, expected: dict | None
) -> dict:
    """`askers` threads asking round-robin for `seconds`; latency per question, mismatches against `expected`."""
    latencies: list[float] = []
    mismatches: list[str] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker(offset: int) -> None:
        turn = offset
        while time.monotonic() < stop:
            question = questions[turn % len(questions)]
            turn += 1
            started = time.perf_counter()
            try:
                reply = ask(question)
            except Exception as error:  # a crash under load is a finding, not a reason to stop
                with lock:
                    errors.append(f"{error.__class__.__name__}: {error}")
                continue
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                if expected is not None and fingerprint(reply) != expected[question]:
                    mismatches.append(question)

    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(askers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result = _summary(latencies, time.monotonic() - started)
    result.update(askers=askers, mismatches=len(mismatches), errors=len(errors), first_error=errors[:1])
    return result


# -- Slack over HTTP -------------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def slack_http(settings: Settings, questions: list[str], askers: int, seconds: float) -> dict:
    """Signed mentions to citebot's Slack HTTP endpoint on loopback; latency until the answer is posted."""
    import urllib.request

    from aiohttp import web

    from bot.adapters.slack.app import build_app
    from bot.adapters.slack.server import make_web_app
    from bot.core.commands import CommandTable
    from bot.state.feedback import SqliteFeedbackStore
    from tests.harness.fake_slack import FakeSlack, event_payload, mention_event, signed_headers

    port = _free_port()
    with FakeSlack() as fake:
        slack = settings.slack.model_copy(
            update={"api_url": fake.url, "bot_token": BOT_TOKEN, "signing_secret": SIGNING_SECRET}
        )
        settings = settings.model_copy(update={"slack": slack})
        table = CommandTable(QAService(settings), SqliteFeedbackStore(Path(settings.feedback.path)))
        table.service.warm_up()
        app = build_app(settings, table)
        loop = asyncio.new_event_loop()
        runner = web.AppRunner(make_web_app(app), access_log=None)
        loop.run_until_complete(runner.setup())
        loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", port).start())
        server = threading.Thread(target=loop.run_forever, daemon=True)
        server.start()
        posted_at: dict[str, float] = {}
        counter = iter(range(10**9))
        counter_lock = threading.Lock()

        def ask(question: str) -> str:
            with counter_lock:
                number = next(counter)
            ts = f"1700000000.{number:06d}"
            body = json.dumps(event_payload(mention_event(question, ts=ts), event_id=f"Ev{number}"))
            headers = signed_headers(body, SIGNING_SECRET, "application/json")
            request = urllib.request.Request(f"http://127.0.0.1:{port}/slack/events", body.encode(), headers)
            with urllib.request.urlopen(request, timeout=10) as response:
                assert response.status == 200
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:  # the answer is posted after the 200, from Bolt's pool
                for call in fake.calls:
                    if call.name == "chat.postMessage" and call.body.get("thread_ts") == ts:
                        posted_at[ts] = call.at
                        return call.body.get("text", "")
                time.sleep(0.005)
            raise TimeoutError(f"no answer posted for {ts}")

        try:
            return drive(ask, questions, askers, seconds, expected=None)
        finally:
            fake.wait_until_answered()
            loop.call_soon_threadsafe(loop.stop)
            server.join(timeout=5)
            loop.run_until_complete(runner.cleanup())
            loop.close()


# -- rebuild under load ----------------------------------------------------------------------------
def during_rebuild(settings: Settings, corpus: Path, questions: list[str]) -> dict:
    """4 askers while the live index is rebuilt from scratch (a changed chunk size re-embeds everything)."""
    from retrieval.config import ChunkingParams

    service = QAService(settings)
    service.warm_up()
    before = layout.generation_id(Path(settings.index))
    finished = threading.Event()
    rebuild: dict = {}

    def rebuild_index() -> None:
        started = time.perf_counter()
        embedder = indexing_embedder(settings.encoder, settings.model)
        build_index(corpus, Path(settings.index), embedder, ChunkingParams(100, 1), show_progress=False)
        rebuild["seconds"] = round(time.perf_counter() - started, 1)
        finished.set()

    builder = threading.Thread(target=rebuild_index)
    builder.start()
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def asker(offset: int) -> None:
        turn = offset
        while not finished.is_set():
            started = time.perf_counter()
            try:
                reply = service.ask(questions[turn % len(questions)])
                ok = isinstance(reply, Answer)
            except Exception as error:
                ok, reply = False, error
            turn += 1
            with lock:
                (latencies if ok else errors).append(
                    (time.perf_counter() - started) * 1000 if ok else repr(reply)
                )

    askers = [threading.Thread(target=asker, args=(i,)) for i in range(4)]
    started = time.monotonic()
    for thread in askers:
        thread.start()
    for thread in askers + [builder]:
        thread.join()
    result = _summary(latencies, time.monotonic() - started)
    service.ask(questions[0])
    after = service.loaded_generation()
    result.update(
        rebuild_s=rebuild.get("seconds"),
        errors=len(errors),
        switched_to_new_generation=after != before and after == layout.generation_id(Path(settings.index)),
    )
    return result


def run(seconds: float, askers: Sequence[int], slack_askers: int, questions_file: Path) -> dict:
    questions = load_questions(questions_file)
    report: dict = {"machine": machine(), "seconds_per_run": seconds}
    with tempfile.TemporaryDirectory(prefix="bench-load-") as scratch:
        corpus = Path(scratch) / "corpus"
        shutil.copytree(SEEDS, corpus)
        index = Path(scratch) / "index"
        settings = Settings.model_validate(
            {"corpus": str(corpus), "index": str(index), "feedback": {"path": f"{scratch}/fb.sqlite3"}}
        )
        build_index(corpus, index, indexing_embedder(settings.encoder, settings.model), show_progress=False)
        service = QAService(settings)
        service.warm_up()
        expected = {q: fingerprint(service.ask(q)) for q in questions}  # one asker: the reference
        report["service"] = [drive(service.ask, questions, n, seconds, expected) for n in askers]
        for row in report["service"]:
            print(json.dumps(row), flush=True)
        if slack_askers:
            report["slack_http"] = slack_http(settings, questions, slack_askers, seconds)
            print(json.dumps(report["slack_http"]), flush=True)
        report["rebuild"] = during_rebuild(settings, corpus, questions)
        print(json.dumps(report["rebuild"]), flush=True)
    report["machine"]["load_average_1m_at_end"] = f"{os.getloadavg()[0]:.2f}"
    return report


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="how long each level runs")
    parser.add_argument("--askers", default="1,4,16,64", help="comma-separated concurrency levels")
    parser.add_argument("--slack-askers", type=int, default=16, help="0 skips the Slack HTTP run")
    parser.add_argument("--questions", type=Path, default=DEV_QUESTIONS)
    parser.add_argument("--json", type=Path, dest="json_out")
    args = parser.parse_args(argv)
    print(json.dumps(machine()), flush=True)
    levels = [int(n) for n in args.askers.split(",") if n.strip()]
    report = run(args.seconds, levels, args.slack_askers, args.questions)
    if args.json_out:
        args.json_out.write_text(json.dumps(report, indent=2) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
