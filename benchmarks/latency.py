"""Speed of the bot on this machine: warm ask latency by stage, index build throughput, cold start, memory.

python -m benchmarks.latency [--questions FILE] [--index DIR] [--corpus DIR] [--repeat N] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import yaml

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from benchmarks import code_version  # noqa: E402
from benchmarks.scifact import load_beir, write_corpus  # noqa: E402
from bot.core.models import Answer  # noqa: E402
from bot.core.service import QAService  # noqa: E402
from bot.settings import Settings  # noqa: E402
from retrieval.embedders.runtimes import indexing_embedder  # noqa: E402
from retrieval.embedders.torch_embedder import Embedder, SentenceTransformerEmbedder  # noqa: E402
from tests.harness.libraries import build_index  # noqa: E402

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
DEV_QUESTIONS = ROOT / "tests" / "data" / "seeds_dev.yaml"
SCIFACT = Path("/work/shared/eval/scifact")
STAGES = ("embed", "search", "compose", "total")
CORPUS_DOCS = 1000


@dataclass(frozen=True)
class Percentiles:
    p50: float
    p95: float
    mean: float
    samples: int


@dataclass(frozen=True)
class BuildSpeed:
    corpus: str
    files: int
    passages: int
    texts_embedded: int  # passages plus whatever else the build embeds (answer sentences)
    seconds: float

    @property
    def passages_per_second(self) -> float:
        return self.passages / self.seconds if self.seconds > 0 else 0.0


class CountingEmbedder:
    """Wraps an embedder to count the texts a build embeds, whatever the indexer embeds them for."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.name = inner.name
        self.documents_embedded = 0

    @property
    def dimension(self) -> int:
        return self.inner.dimension

    def embed_queries(self, texts: list[str]):
        return self.inner.embed_queries(texts)

    def embed_documents(self, texts: list[str], show_progress: bool = False):
        self.documents_embedded += len(texts)
        return self.inner.embed_documents(texts, show_progress)


@dataclass(frozen=True)
class ColdStart:
    runs_s: tuple[float, ...]
    median_s: float
    peak_rss_mb: float  # largest ru_maxrss over the runs


@dataclass
class LatencyReport:
    machine: dict[str, str]
    model_load_s: float
    warm_ms: dict[str, Percentiles] = field(default_factory=dict)  # stage -> percentiles
    # The same questions over an index built without sentence vectors (sentences embedded per question).
    warm_ms_without_sentence_vectors: dict[str, Percentiles] = field(default_factory=dict)
    builds: list[BuildSpeed] = field(default_factory=list)
    cold: ColdStart | None = None
    cold_note: str = ""

    def to_json(self) -> dict:
        return {
            "machine": self.machine,
            "model_load_s": round(self.model_load_s, 2),
            "warm_ms": {stage: asdict(p) for stage, p in self.warm_ms.items()},
            "warm_ms_without_sentence_vectors": {
                stage: asdict(p) for stage, p in self.warm_ms_without_sentence_vectors.items()
            },
            "builds": [
                {**asdict(b), "passages_per_second": round(b.passages_per_second, 1)} for b in self.builds
            ],
            "cold_start": asdict(self.cold) if self.cold else None,
            "cold_note": self.cold_note,
        }


# -- machine ---------------------------------------------------------------------------------------


def describe_machine() -> dict[str, str]:
    import torch

    return {
        "cpu": _cpu_model(),
        "cores": f"{len(os.sched_getaffinity(0))} usable of {os.cpu_count()}",
        "ram_gb": f"{_ram_gb():.1f}",
        "torch_threads": str(torch.get_num_threads()),
        "torch": torch.__version__,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average_1m": f"{os.getloadavg()[0]:.2f}",  # other work on the machine skews every figure
        "code": code_version(),
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _ram_gb() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return 0.0


# -- measurements ----------------------------------------------------------------------------------


def load_questions(path: Path) -> list[str]:
    data = yaml.safe_load(Path(path).read_text("utf-8")) or {}
    return [entry["q"] for entry in data.get("questions", []) if entry.get("q")]


def percentiles(values: Sequence[float]) -> Percentiles:
    array = np.asarray(values, dtype=float)
    return Percentiles(
        round(float(np.percentile(array, 50)), 2),
        round(float(np.percentile(array, 95)), 2),
        round(float(array.mean()), 2),
        len(array),
    )


def warm_latency(service: QAService, questions: Sequence[str], repeat: int) -> dict[str, Percentiles]:
    """One untimed pass (caches, lazy vocabulary), then `repeat` timed passes through QAService.ask."""
    service.warm_up()
    for question in questions:
        service.ask(question)
    samples: dict[str, list[float]] = {stage: [] for stage in STAGES}
    for _ in range(repeat):
        for question in questions:
            started = time.perf_counter()
            reply = service.ask(question)
            samples["total"].append((time.perf_counter() - started) * 1000)
            timings = reply.timings_ms if isinstance(reply, Answer) else {}
            for stage in ("embed", "search", "compose"):
                samples[stage].append(timings.get(stage, 0.0))
    return {stage: percentiles(values) for stage, values in samples.items()}


def build_speed(corpus_dir: Path, embedder: Embedder, label: str) -> BuildSpeed:
    """A fresh build (nothing to reuse) into a scratch folder; the model is already loaded."""
    counting = CountingEmbedder(embedder)
    with tempfile.TemporaryDirectory(prefix="bench-index-") as scratch:
        report = build_index(corpus_dir, Path(scratch) / "index", counting, show_progress=False)
    return BuildSpeed(
        label, report.files, report.passages, counting.documents_embedded, round(report.seconds, 2)
    )


def beir_build_speed(folder: Path, embedder: Embedder, documents: int = CORPUS_DOCS) -> BuildSpeed:
    """Throughput over the first `documents` of a BEIR corpus, written as Markdown files."""
    corpus = load_beir(folder).corpus
    first = dict(list(corpus.items())[:documents])
    with tempfile.TemporaryDirectory(prefix="bench-corpus-") as scratch:
        write_corpus(first, Path(scratch))
        return build_speed(Path(scratch), embedder, f"{folder.name} (first {len(first)} docs)")


def cold_start(index_dir: Path, question: str, runs: int = 3) -> ColdStart:
    """Wall time and peak RSS of fresh `citebot ask --json` processes against a built index."""
    command = [_citebot(), "ask", "--json", "--index", str(index_dir), question]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    times: list[float] = []
    peak_kb = 0
    with tempfile.TemporaryDirectory(prefix="bench-cold-") as scratch:
        for _ in range(runs):
            output = Path(scratch) / "stdout.json"
            with open(output, "wb") as stdout, open(Path(scratch) / "stderr.txt", "wb") as stderr:
                started = time.perf_counter()
                process = subprocess.Popen(command, stdout=stdout, stderr=stderr, cwd=ROOT, env=env)
                _, status, usage = os.wait4(process.pid, 0)
                times.append(time.perf_counter() - started)
            process.returncode = os.waitstatus_to_exitcode(status)
            if process.returncode != 0:
                error = (Path(scratch) / "stderr.txt").read_text("utf-8", "replace")[-2000:]
                raise RuntimeError(f"{' '.join(command)} exited {process.returncode}:\n{error}")
            json.loads(output.read_text("utf-8"))  # the answer must be valid JSON
            peak_kb = max(peak_kb, usage.ru_maxrss)  # kilobytes on Linux
    return ColdStart(
        tuple(round(t, 2) for t in times), round(statistics.median(times), 2), round(peak_kb / 1024, 1)
    )


def _citebot() -> str:
    beside = Path(sys.executable).parent / "citebot"
    found = str(beside) if beside.exists() else shutil.which("citebot")
    if not found:
        raise FileNotFoundError("the citebot command is not installed (pip install -e .)")
    return found


def run(
    questions: Sequence[str],
    index_dir: Path | None = None,
    corpus: Path | None = None,
    repeat: int = 5,
    cold_runs: int = 3,
    seeds: Path = SEEDS,
    embedder: Embedder | None = None,
    encoder: str = "torch",
) -> LatencyReport:
    """Everything in one process, side by side; `index_dir` (an index over `seeds`) is built when absent.

    `encoder` (the `encoder` setting: onnx, onnx-int8 or torch) builds the indexes, and answers are served
    as `citebot` serves them with that setting (for onnx: the index's own ONNX files, one thread a
    question); `embedder`, when given, replaces both (tests)."""
    serving = embedder
    if embedder is None:
        embedder = (
            SentenceTransformerEmbedder()
            if encoder == "torch"
            else indexing_embedder(encoder, Settings.model_fields["model"].default)
        )
    started = time.perf_counter()
    embedder.embed_queries(["warm up"])
    report = LatencyReport(
        {**describe_machine(), "encoder": encoder if serving is None else "given"},
        time.perf_counter() - started,
    )
    report.builds.append(build_speed(seeds, embedder, seeds.name))
    if corpus is not None:
        is_beir = (Path(corpus) / "corpus.jsonl").exists()
        speed = (
            beir_build_speed(corpus, embedder)
            if is_beir
            else build_speed(corpus, embedder, Path(corpus).name)
        )
        report.builds.append(speed)
    with tempfile.TemporaryDirectory(prefix="bench-seeds-") as scratch:
        if index_dir is None or not (Path(index_dir) / "CURRENT").exists():
            index_dir = Path(index_dir or Path(scratch) / "index")
            build_index(seeds, index_dir, embedder, show_progress=False)
        settings = Settings.model_validate(
            {
                "corpus": str(seeds),
                "index": str(index_dir),
                "encoder": encoder,
                "feedback": {"path": str(Path(scratch) / "fb.sqlite3")},
            }
        )
        report.warm_ms = warm_latency(QAService(settings, serving), questions, repeat)
        plain_index = Path(scratch) / "index-without-sentence-vectors"
        build_index(seeds, plain_index, embedder, show_progress=False, sentence_vectors=False)
        plain = settings.model_copy(update={"index": str(plain_index)})
        report.warm_ms_without_sentence_vectors = warm_latency(QAService(plain, serving), questions, repeat)
        if cold_runs > 0:
            try:
                report.cold = cold_start(index_dir, questions[0], cold_runs)
            except (FileNotFoundError, RuntimeError) as error:
                report.cold_note = str(error)
                log.warning("cold start not measured: %s", error)
    return report


# -- output ----------------------------------------------------------------------------------------


def format_table(report: LatencyReport) -> str:
    machine = report.machine
    lines = [
        f"Machine: {machine['cpu']}, {machine['cores']} cores, {machine['ram_gb']} GB RAM, "
        f"torch {machine['torch']} with {machine['torch_threads']} threads, Python {machine['python']}; "
        f"load average at start {machine['load_average_1m']}; code {machine['code']}; "
        f"encoder {machine.get('encoder', 'torch')}",
        "",
        "| warm ask (ms) | p50 | p95 | mean | n |",
        "|---|---:|---:|---:|---:|",
    ]
    for stage, p in report.warm_ms.items():
        lines.append(f"| {stage} | {p.p50:.1f} | {p.p95:.1f} | {p.mean:.1f} | {p.samples} |")
    for stage, p in report.warm_ms_without_sentence_vectors.items():
        if stage in ("compose", "total"):
            lines.append(
                f"| {stage}, index without sentence vectors | {p.p50:.1f} | {p.p95:.1f} | {p.mean:.1f} | {p.samples} |"
            )
    lines += [
        "",
        "| index build (fresh) | files | passages | texts embedded | seconds | passages/s |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for b in report.builds:
        lines.append(
            f"| {b.corpus} | {b.files} | {b.passages} | {b.texts_embedded} | {b.seconds:.1f} "
            f"| {b.passages_per_second:.1f} |"
        )
    lines += ["", f"Model load in process: {report.model_load_s:.2f} s"]
    if report.cold:
        runs = ", ".join(f"{t:.2f}" for t in report.cold.runs_s)
        lines.append(
            f"Cold `citebot ask --json`: median {report.cold.median_s:.2f} s ({runs}); "
            f"peak RSS {report.cold.peak_rss_mb:.0f} MB"
        )
    elif report.cold_note:
        lines.append(f"Cold start not measured: {report.cold_note}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--questions", type=Path, default=DEV_QUESTIONS, help="YAML with questions: [{q: ...}]"
    )
    parser.add_argument("--index", type=Path, help="a built index over seeds/ (default: built in a temp dir)")
    parser.add_argument(
        "--corpus", type=Path, help="extra corpus for build throughput: a BEIR folder or documents"
    )
    parser.add_argument("--repeat", type=int, default=5, help="timed passes over the questions")
    parser.add_argument("--cold-runs", type=int, default=3, help="fresh `citebot ask` processes to time")
    parser.add_argument("--json", type=Path, dest="json_out", help="also write the figures to this file")
    parser.add_argument(
        "--encoder",
        choices=("onnx", "onnx-int8", "torch"),
        default=Settings.model_fields["encoder"].default,
        help="the encoder setting to build and serve with (default: the bot's default)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    corpus = args.corpus or (SCIFACT if (SCIFACT / "corpus.jsonl").exists() else None)
    report = run(
        load_questions(args.questions), args.index, corpus, args.repeat, args.cold_runs, encoder=args.encoder
    )
    print(format_table(report))
    if args.json_out:
        args.json_out.write_text(json.dumps(report.to_json(), indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
