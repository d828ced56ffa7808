"""Each composer rule switched off in turn, on calibration and validation, with the questions that flip.

    .venv/bin/python -m benchmarks.ablation [--pool DIR] [--cache DIR] [--rules ID,...] [--out DIR]

The rules are retrieval/answering/compose.py RULES. For the full composer and for each rule off, every set of
benchmarks/answer_sets.py is answered; the table gives each split's mean per-set score and, per rule,
how many questions switching it off gains and loses (so "+3 -3" never reads "unchanged"). A rule stays
when switching it off lowers the validation mean of per-set scores (the figure the split is judged by);
one whose removal changes no validation score goes. Deciding rules on validation makes validation less
than untouched for them: say so where the figures are quoted. Results files (one per run) go to --out
for `python -m benchmarks.flips`.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from benchmarks.answer_sets import DEFAULT_POOL, pool_or_exit, question_sets, run_set  # noqa: E402
from benchmarks.quality import tally, write_results  # noqa: E402


def main() -> None:
    from retrieval.answering.compose import RULES
    from retrieval.config import ComposerParams
    from retrieval.embedders.runtimes import indexing_embedder

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pool", default=str(DEFAULT_POOL))
    parser.add_argument("--cache", help="keep indexes here between runs")
    parser.add_argument("--rules", help="comma-separated rule ids (default: all of RULES)")
    parser.add_argument("--out", default="ablation-results", help="folder for the results files")
    args = parser.parse_args()
    rules = [r.strip() for r in args.rules.split(",")] if args.rules else list(RULES)
    unknown = set(rules) - set(RULES)
    if unknown:
        raise SystemExit(f"unknown rule(s) {sorted(unknown)}; known: {', '.join(RULES)}")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    embedder = indexing_embedder("onnx", "all-MiniLM-L6-v2")
    sets = question_sets(pool_or_exit(args.pool))
    cache = Path(args.cache) if args.cache else None
    runs: dict[str, list] = {}
    for rule in ["(none)", *rules]:
        params = ComposerParams(disabled_rules=frozenset() if rule == "(none)" else {rule})
        outcomes = [o for s in sets for o, _ in run_set(s, embedder, cache, params=params)]
        write_results(out / f"{rule.strip('()')}.jsonl", outcomes)
        runs[rule] = outcomes
        print(f"ran with {rule} off", flush=True)
    full = {(o.set, o.id): o.passed for o in runs["(none)"]}
    print("\n| rule off | calibration mean | validation mean | calibration +/- | validation +/- |")
    print("|---|---|---|---|---|")
    for rule, outcomes in runs.items():
        cells = []
        for split in ("calibration", "validation"):
            names = sorted({o.set for o in outcomes if o.split == split})
            scores = [tally([o for o in outcomes if o.set == n])["score"] for n in names]
            cells.append(f"{sum(scores) / len(scores):.3f}" if scores else "-")
        for split in ("calibration", "validation"):
            mine = [o for o in outcomes if o.split == split]
            gained = sum(o.passed and not full[(o.set, o.id)] for o in mine)
            lost = sum(full[(o.set, o.id)] and not o.passed for o in mine)
            cells.append(f"+{gained} -{lost}")
        print(f"| {rule} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
