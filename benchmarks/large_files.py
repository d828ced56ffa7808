"""Huge single files: `citebot index` wall time, passages and peak memory for a big log, prose file and PDF.

python -m benchmarks.large_files [--mb 20] [--pages 500] [--kinds log,prose,pdf] [--before /work/main]
                                 [--before-mb 2] [--after DIR] [--no-after]
                                 [--timeout-s 3600] [--json OUT]

Generates, deterministically (seeded, nothing downloaded):
- log: application log lines (ISO timestamps, levels, components, request ids), with Java and Python
  stack traces under some ERROR lines and indented continuation lines;
- prose: English-like paragraphs under headings, sentences drawn from templates and a word list;
- pdf: `--pages` pages of prose, one text line per PDF line (tests/harness/pdf.py writes it).
Each is built alone in a fresh corpus and index by `citebot index --quiet` in a subprocess with stderr
not a terminal. Wall time is measured around the subprocess, peak RSS is the child's ru_maxrss (os.wait4),
passages come from the index manifest. `--before DIR` also runs the same builds with PYTHONPATH=DIR (a
checkout of an older citebot) on `--before-mb` MB files (a full-size "before" run may take hours),
so both are reported side by side; scale the "before" figures by size yourself and say so.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CITEBOT = Path(sys.executable).parent / "citebot"

_COMPONENTS = ["http.server", "db.pool", "auth", "billing.invoice", "cache.redis", "scheduler", "mailer",
               "search.indexer", "api.gateway", "storage.s3"]  # fmt: skip
_LEVELS = ["INFO"] * 14 + ["DEBUG"] * 4 + ["WARN"] * 2 + ["ERROR"]
_PATHS = ["/api/v1/orders", "/api/v1/users", "/api/v2/search", "/healthz", "/api/v1/invoices", "/login"]
_MESSAGES = [
    "{method} {path}/{n} completed {status} in {ms}ms",
    "connection acquired from pool (active={a}, idle={b}, waiting={c})",
    "user {user} authenticated via {auth}",
    "cache miss for key order:{n}; loading from database",
    "invoice {n} rendered ({kb} KB) and queued for delivery",
    "job {job} started, next run at {hh}:{mm}",
    "slow query took {ms}ms: SELECT * FROM orders WHERE customer_id = {n}",
    "retrying request to upstream {host} (attempt {try_} of 5)",
    "mail to {user}@example.com accepted by relay {host}",
    "reindexed {n} documents in {ms}ms",
]
_JAVA_TRACE = """java.lang.IllegalStateException: Connection pool exhausted after {ms}ms
\tat com.example.db.Pool.acquire(Pool.java:{a})
\tat com.example.db.Repository.find(Repository.java:{b})
\tat com.example.api.OrderController.get(OrderController.java:{c})
\tat org.eclipse.jetty.server.HttpChannel.handle(HttpChannel.java:501)
Caused by: java.net.SocketTimeoutException: connect timed out
\tat java.base/java.net.PlainSocketImpl.socketConnect(Native Method)
\t... 42 more"""
_PYTHON_TRACE = """Traceback (most recent call last):
  File "/srv/app/billing/invoice.py", line {a}, in render
    total = sum(line.amount for line in lines)
  File "/srv/app/billing/models.py", line {b}, in amount
    return self.quantity * self.unit_price
TypeError: unsupported operand type(s) for *: 'NoneType' and 'Decimal'"""

_WORDS = (
    "river mountain village winter harvest letter morning stranger garden window silence journey "
    "lantern merchant bridge orchard captain kingdom library forest meadow promise shadow harbour "
    "carriage candle doctor teacher sister brother neighbour market chapel valley storm season"
).split()
_ADJECTIVES = "old quiet narrow bright cold distant gentle heavy small ancient crooked pale".split()
_VERBS = "walked waited spoke wrote listened returned wandered remembered watched hurried".split()
_TEMPLATES = [
    "The {a} {w} {v} toward the {w2} before the {w3} had ended.",
    "Nobody in the {w} could say why the {a} {w2} {v} so late that {w3}.",
    "She {v} beside the {a} {w} and thought of the {w2} her {w3} had described.",
    "In the {a} {w} of {year}, the {w2} {v} for the last time.",
    "It was said that the {w} kept a {a} {w2} hidden beneath the {w3}.",
    "He {v} again, as he had every {w} since the {a} {w2} was built.",
]


def write_log(path: Path, size_bytes: int, seed: int = 7) -> Path:
    """An application log of about `size_bytes`: one record a line (runs of lines of one request), some
    with stack traces."""
    rng = random.Random(seed)
    when = 1_700_000_000.0
    written = 0
    with path.open("w", encoding="utf-8") as out:
        while written < size_bytes:
            when += rng.expovariate(20.0)
            stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(when)) + f",{int(when * 1000) % 1000:03d}"
            level = rng.choice(_LEVELS)
            if written == 0 or rng.random() < 0.5:  # a request logs a few lines in a row, from one component
                component = rng.choice(_COMPONENTS)
                request = f"req-{rng.randrange(16**8):08x}"
            message = rng.choice(_MESSAGES).format(**_fields(rng))
            lines = [f"{stamp} {level:<5} [{component}] ({request}) {message}"]
            if level == "ERROR":
                trace = _JAVA_TRACE if rng.random() < 0.5 else _PYTHON_TRACE
                lines.append(trace.format(**_fields(rng)))
            elif rng.random() < 0.03:
                lines.append(f'    payload: {{"order": {rng.randrange(10**6)}, "items": {rng.randrange(9)}}}')
            chunk = "\n".join(lines) + "\n"
            out.write(chunk)
            written += len(chunk.encode("utf-8"))
    return path


def _fields(rng: random.Random) -> dict:
    return {
        "method": rng.choice(["GET", "POST", "PUT", "DELETE"]), "path": rng.choice(_PATHS),
        "n": rng.randrange(100_000), "status": rng.choice([200, 200, 200, 201, 404, 500]),
        "ms": rng.randrange(2, 4000), "a": rng.randrange(1, 300), "b": rng.randrange(1, 300),
        "c": rng.randrange(1, 300), "user": rng.choice(["alice", "bob", "chen", "dana", "emeka"]),
        "auth": rng.choice(["password", "oauth", "api key"]), "kb": rng.randrange(5, 900),
        "job": rng.choice(["nightly-report", "cleanup", "sync-ledger"]), "hh": f"{rng.randrange(24):02d}",
        "mm": f"{rng.randrange(60):02d}", "try_": rng.randrange(1, 6), "host": f"10.0.{rng.randrange(255)}.{rng.randrange(255)}",
    }  # fmt: skip


def _sentence(rng: random.Random) -> str:
    return rng.choice(_TEMPLATES).format(
        a=rng.choice(_ADJECTIVES), w=rng.choice(_WORDS), w2=rng.choice(_WORDS), w3=rng.choice(_WORDS),
        v=rng.choice(_VERBS), year=rng.randrange(1700, 1900),
    )  # fmt: skip


def prose_paragraphs(rng: random.Random):
    """An endless stream of (heading or None, paragraph) pairs of English-like prose."""
    chapter = 0
    while True:
        chapter += 1
        yield f"Chapter {chapter}: The {rng.choice(_ADJECTIVES).title()} {rng.choice(_WORDS).title()}", None
        for _ in range(rng.randrange(8, 20)):
            yield None, " ".join(_sentence(rng) for _ in range(rng.randrange(3, 9)))


def write_prose(path: Path, size_bytes: int, seed: int = 11) -> Path:
    """Plain-text prose of about `size_bytes`: headings and hard-wrapped paragraphs."""
    import textwrap

    rng = random.Random(seed)
    written = 0
    with path.open("w", encoding="utf-8") as out:
        for heading, paragraph in prose_paragraphs(rng):
            chunk = f"{heading}\n\n" if heading else textwrap.fill(paragraph, 76) + "\n\n"
            out.write(chunk)
            written += len(chunk.encode("utf-8"))
            if written >= size_bytes:
                break
    return path


def write_pdf(path: Path, pages: int, seed: int = 13) -> Path:
    """A text PDF of `pages` pages, 45 lines of prose each."""
    import textwrap

    sys.path.insert(0, str(ROOT))
    from tests.harness.pdf import write_text_pdf

    rng = random.Random(seed)
    stream = prose_paragraphs(rng)
    page_lines: list[list[str]] = []
    current: list[str] = []
    while len(page_lines) < pages:
        heading, paragraph = next(stream)
        current.extend([heading] if heading else [*textwrap.wrap(paragraph, 90), ""])
        while len(current) >= 45:
            page_lines.append(current[:45])
            current = current[45:]
    return write_text_pdf(path, page_lines[:pages], title="A Generated Book")


def build(corpus: Path, pythonpath: Path, timeout_s: float) -> dict:
    """Run `citebot index --quiet` on `corpus` with PYTHONPATH=pythonpath; wall s, peak RSS MB, passages."""
    index = corpus.parent / "index"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(pythonpath)}
    command = [str(CITEBOT), "index", "--quiet", "--corpus", str(corpus), "--index", str(index)]
    started = time.perf_counter()
    with open(corpus.parent / "stderr.txt", "wb") as errors:
        child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors, cwd=ROOT, env=env)
        deadline = started + timeout_s
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                child.kill()
                pid, status, usage = os.wait4(child.pid, 0)
                break
            time.sleep(0.5)
    seconds = time.perf_counter() - started
    stdout = (child.stdout.read() or b"").decode("utf-8", "replace")
    counted = re.search(r"\(([\d,]+) passages?\)", stdout)  # "Indexed 1 document (1,905 passages) in ..."
    passages = int(counted.group(1).replace(",", "")) if counted else None
    return {
        "seconds": round(seconds, 1),
        "peak_rss_mb": round(usage.ru_maxrss / 1024),
        "passages": passages,
        "exit": os.waitstatus_to_exitcode(status),
        "stdout": stdout.strip()[-300:],
    }


def measure(kind: str, size_mb: float, pages: int, pythonpath: Path, timeout_s: float) -> dict:
    with tempfile.TemporaryDirectory(prefix=f"large_{kind}_") as folder:
        corpus = Path(folder) / "corpus"
        corpus.mkdir()
        size = int(size_mb * 1024 * 1024)
        if kind == "log":
            write_log(corpus / "app.log" if _reads_log(pythonpath) else corpus / "app.txt", size)
        elif kind == "prose":
            write_prose(corpus / "book.txt", size)
        else:
            write_pdf(corpus / "book.pdf", pages)
        mb = sum(p.stat().st_size for p in corpus.iterdir()) / 1024 / 1024
        result = build(corpus, pythonpath, timeout_s)
        return {"kind": kind, "file_mb": round(mb, 1), **result}


def _reads_log(pythonpath: Path) -> bool:
    """Older checkouts read no .log: give them the same text as .txt."""
    return any(
        (pythonpath / "retrieval" / where / "log.py").exists() for where in ("formats", "ingest/formats")
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=20.0)
    parser.add_argument("--pages", type=int, default=500)
    parser.add_argument("--kinds", default="log,prose,pdf")
    parser.add_argument("--before", type=Path, help="older checkout to compare (PYTHONPATH)")
    parser.add_argument("--before-mb", type=float, default=2.0)
    parser.add_argument("--before-pages", type=int, default=50)
    parser.add_argument("--after", type=Path, default=ROOT, help="checkout measured as 'after' (PYTHONPATH)")
    parser.add_argument("--no-after", action="store_true", help="measure only --before")
    parser.add_argument("--timeout-s", type=float, default=3600)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    rows = []
    for kind in args.kinds.split(","):
        if args.before:
            row = measure(kind, args.before_mb, args.before_pages, args.before, args.timeout_s)
            rows.append({"build": "before", **row})
            print(json.dumps(rows[-1]), flush=True)
        if args.no_after:
            continue
        row = measure(kind, args.mb, args.pages, args.after, args.timeout_s)
        rows.append({"build": "after", **row})
        print(json.dumps(rows[-1]), flush=True)
    print(f"{'build':<7} {'kind':<6} {'MB':>6} {'seconds':>8} {'passages':>9} {'peak RSS MB':>12}")
    for row in rows:
        print(f"{row['build']:<7} {row['kind']:<6} {row['file_mb']:>6} {row['seconds']:>8} "
              f"{row['passages']!s:>9} {row['peak_rss_mb']:>12}")  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2), "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
