"""Do gradient-boosted trees beat the linear scorers of answer_model.json? Offline, on recorded rows.

    .venv/bin/python -m benchmarks.compare_scorers --rows FILE.jsonl [--pool DIR] [--validation]

Compares, leave-one-corpus-out on the calibration split (sets on the same documents held out
together; a gold-removed set goes with its source, whose questions it shares):

- unit choice: the conditional logit of train_answerer.py vs scikit-learn's
  HistGradientBoostingClassifier fitted pointwise on the unit labels (same 24 features, same questions,
  every set weighed the same); top-1 accuracy on the questions with a gold unit among the candidates;
- confidence: the logistic regression vs HistGradientBoostingClassifier over the same inputs;

each with the threshold and second-unit share chosen as train_answerer.fit chooses them, scored by
`set_scores` (the simulation). The tree settings are fixed here, before any run (no search). A variant
"wins" when its mean held-out set score beats the baseline's by more than one standard error (the
standard error of the winner's held-out set scores, as train_answerer.one_standard_error uses; the
paired standard error of the per-set differences is printed beside it). --validation fits each variant
on all of calibration and prints validation per set and the questions that flip: run it once, after the
calibration comparison, and never tune on it.
"""

from __future__ import annotations

import argparse
import json
import math
import os
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from benchmarks import train_answerer as ta  # noqa: E402
from benchmarks.answer_sets import DEFAULT_POOL, families  # noqa: E402
from retrieval.answering.answer_model import UNIT_FEATURES, AnswerModel  # noqa: E402

# Fixed before the first run: shallow trees, many samples a leaf, a small learning rate; no early
# stopping (its validation split is random) so that the same rows give the same trees.
TREES = {
    "max_iter": 150,
    "learning_rate": 0.05,
    "max_leaf_nodes": 8,
    "min_samples_leaf": 50,
    "l2_regularization": 1.0,
    "early_stopping": False,
    "random_state": 0,
}


@dataclass(frozen=True)
class Trees:
    """A fitted HistGradientBoostingClassifier behind the interface of answer_model.Logistic."""

    features: tuple[str, ...]
    model: object

    def logits(self, rows: np.ndarray) -> np.ndarray:
        return self.model.decision_function(rows)

    def matrix(self, described: list[dict[str, float]]) -> np.ndarray:
        return np.array([[v[n] for n in self.features] for v in described], dtype=np.float64)

    def probability(self, values: dict[str, float]) -> float:
        return 1.0 / (1.0 + math.exp(-float(self.logits(self.matrix([values]))[0])))


def _trees(x: np.ndarray, y: np.ndarray, weights: np.ndarray, names: tuple[str, ...]) -> Trees:
    from sklearn.ensemble import HistGradientBoostingClassifier

    return Trees(names, HistGradientBoostingClassifier(**TREES).fit(x, y, sample_weight=weights))


def tree_units(calibration: list[dict], strength: float) -> Trees:
    """Pointwise trees on unit labels, over the questions the conditional logit learns from (answerable,
    a gold unit among the candidates); each question weighs its set's weight, shared by its units."""
    groups = [r for r in calibration if r["answerable"] and any(u["y"] for u in r["units"])]
    question = ta._set_weights([r["set"] for r in groups])
    x = np.array([[u["f"][n] for n in UNIT_FEATURES] for r in groups for u in r["units"]])
    y = np.array([u["y"] for r in groups for u in r["units"]])
    w = np.concatenate(
        [np.full(len(r["units"]), q / len(r["units"])) for r, q in zip(groups, question, strict=True)]
    )
    return _trees(x, y, w * len(w) / w.sum(), UNIT_FEATURES)


def tree_confidence(x: np.ndarray, y: np.ndarray, names: tuple[str, ...], weights: np.ndarray) -> Trees:
    """The confidence scorer as trees, over the same inputs and weights as the logistic regression."""
    return _trees(x, y, weights, names)


def fit(
    calibration: list[dict], config: ta.Config, precision: float, units: str, confidence: str
) -> AnswerModel:
    """train_answerer.fit with either scorer swapped for trees (`units`/`confidence`: "linear" or "trees")."""
    return ta.fit(
        calibration,
        config,
        precision,
        unit_fit=tree_units if units == "trees" else None,
        confidence_fit=tree_confidence if confidence == "trees" else None,
    )


def fit_crossed(
    calibration: list[dict], config: ta.Config, precision: float, units: str, confidence: str, family: dict
) -> AnswerModel:
    """train_answerer.fit, except that the confidence scorer and the threshold see held-out numbers: the
    confidence scorer is fitted on unit logits from unit scorers fitted without the row's corpus
    (stacking), and the threshold and second-unit share are chosen on confidences from confidence
    scorers fitted without it. The scorers kept are fitted on all `calibration`. (Trees fit their
    training rows more closely than a linear scorer: in-sample logits would flatter them.)"""
    from sklearn.linear_model import LogisticRegression

    unit_fit = tree_units if units == "trees" else ta._conditional_logit
    names = ta.CONFIDENCE_SUBSETS[config.subset]

    def confidence_fit(pairs: list[tuple[dict, dict]]):
        x = np.array([[r["values"][n] for n in names] for _, r in pairs])
        y = np.array([row["units"][r["order"][0]]["y"] for row, r in pairs])
        w = ta._set_weights([row["set"] for row, _ in pairs])
        if confidence == "trees":
            return tree_confidence(x, y, names, w)
        return ta._logistic(LogisticRegression(C=config.strength, max_iter=2000), x, y, names, w)

    of = [family.get(r["set"], r["set"]) for r in calibration]
    corpora = sorted(set(of))
    ranked: list = [None] * len(calibration)
    for corpus in corpora:
        unit = unit_fit([r for r, c in zip(calibration, of, strict=True) if c != corpus], config.strength)
        for i, (r, c) in enumerate(zip(calibration, of, strict=True)):
            if c == corpus:
                ranked[i] = ta._ranked(r, unit)
    conf = np.zeros(len(calibration))
    for corpus in corpora:
        scorer = confidence_fit(
            [(r, k) for r, k, c in zip(calibration, ranked, of, strict=True) if k and c != corpus]
        )
        for i, c in enumerate(of):
            if c == corpus and ranked[i] is not None:
                conf[i] = scorer.probability(ranked[i]["values"])
    unit = unit_fit(calibration, config.strength)
    final = confidence_fit([(r, k) for r, k in zip(calibration, ranked, strict=True) if k])
    threshold, share, grid = ta.choose_threshold(calibration, ranked, conf, precision)
    return AnswerModel(unit, final, threshold, share, {"grid": grid})


def outcomes(rows: list[dict], model: AnswerModel) -> dict[tuple[str, str], tuple[int, int | None]]:
    """(set, id) -> (passes, top-1 right or None when no gold unit is among the candidates)."""
    found = {}
    for row in rows:
        answers, right = ta.decide(row, model)
        ranked = ta._ranked(row, model.unit)
        has_gold = any(u["y"] for u in row["units"])
        top1 = int(row["units"][ranked["order"][0]]["y"]) if ranked is not None and has_gold else None
        found[(row["set"], row["id"])] = (int(right if answers else not row["answerable"]), top1)
    return found


def per_set(found: dict) -> dict[str, tuple[float, float, int, int]]:
    """set -> (score, top-1 accuracy, questions, questions with a gold unit)."""
    by = defaultdict(list)
    for (name, _), value in found.items():
        by[name].append(value)
    result = {}
    for name, values in sorted(by.items()):
        top = [t for _, t in values if t is not None]
        result[name] = (float(np.mean([p for p, _ in values])), float(np.mean(top)) if top else float("nan"),
                        len(values), len(top))  # fmt: skip
    return result


def fit_variant(
    calibration: list[dict],
    config: ta.Config,
    precision: float,
    family: dict,
    units: str,
    confidence: str,
    crossed: bool,
) -> AnswerModel:
    """One variant of VARIANTS fitted on `calibration` (`family`: set -> corpus, for cross-fitting)."""
    if crossed:
        return fit_crossed(calibration, config, precision, units, confidence, family)
    return fit(calibration, config, precision, units, confidence)


def loco(calibration: list[dict], config: ta.Config, precision: float, family: dict, *variant) -> dict:
    """Leave one corpus out: outcomes() of every calibration question, under the variant fitted on the
    other corpora (`family`: set -> corpus; sets of one corpus are held out together)."""
    found = {}
    of = lambda row: family.get(row["set"], row["set"])  # noqa: E731
    for corpus in sorted({of(r) for r in calibration}):
        model = fit_variant([r for r in calibration if of(r) != corpus], config, precision, family, *variant)
        found.update(outcomes([r for r in calibration if of(r) == corpus], model))
    return found


def _se(values: list[float]) -> float:
    """The standard error of a mean of `values` (0 for one value)."""
    return float(np.std(values, ddof=1) / np.sqrt(len(values))) if len(values) > 1 else 0.0


def report(results: dict[str, dict], baseline: str, title: str) -> None:
    """Print a Markdown table of per-set scores and top-1 per variant, then each variant against
    `baseline`: the mean difference of set scores, its standard errors, and the questions that flip."""
    tables = {name: per_set(found) for name, found in results.items()}
    sets = list(tables[baseline])
    print(f"\n{title}\n| set | questions | " + " | ".join(f"{n} score | {n} top-1" for n in results) + " |")
    print("|---|---|" + "---|---|" * len(results))
    for s in sets:
        cells = " | ".join(f"{tables[n][s][0]:.3f} | {tables[n][s][1]:.3f}" for n in results)
        print(f"| {s} | {tables[baseline][s][2]} ({tables[baseline][s][3]} with gold) | {cells} |")
    score = {n: [tables[n][s][0] for s in sets] for n in results}
    means = [f"{np.mean(score[n]):.3f} ± {_se(score[n]):.3f} | {np.nanmean([tables[n][s][1] for s in sets]):.3f}"
             for n in results]  # fmt: skip
    print("| mean of sets (± SE) | | " + " | ".join(means) + " |")
    pooled = []
    for n in results:
        top = [t for _, t in results[n].values() if t is not None]
        pooled.append(f" | {sum(top)}/{len(top)}")
    print("| top-1, all questions with gold | | " + " | ".join(pooled) + " |")
    for name in results:
        if name == baseline:
            continue
        diff = [a - b for a, b in zip(score[name], score[baseline], strict=True)]
        flips = [v[0] - results[baseline][k][0] for k, v in results[name].items()]
        print(
            f"{name} vs {baseline}: mean difference {np.mean(diff):+.3f} (paired SE {_se(diff):.3f}; "
            f"SE of the set scores {_se(score[name]):.3f} and {_se(score[baseline]):.3f}); questions flipped: "
            f"{flips.count(1)} to pass, {flips.count(-1)} to fail; per set: "
            + ", ".join(f"{s} {d:+.3f}" for s, d in zip(sets, diff, strict=True))
        )


# name -> (unit scorer, confidence scorer, cross-fitted confidence and threshold)
VARIANTS = {
    "linear": ("linear", "linear", False),
    "tree-units": ("trees", "linear", False),
    "tree-conf": ("linear", "trees", False),
    "tree-both": ("trees", "trees", False),
    "linear-x": ("linear", "linear", True),
    "tree-units-x": ("trees", "linear", True),
    "tree-conf-x": ("linear", "trees", True),
    "tree-both-x": ("trees", "trees", True),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", required=True)
    parser.add_argument("--pool", default=str(DEFAULT_POOL))
    parser.add_argument("--precision", type=float, default=0.6)
    parser.add_argument(
        "--subset", default="minimal", help="confidence features (train_answerer CONFIDENCE_SUBSETS)"
    )
    parser.add_argument("--C", type=float, default=1.0)
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument(
        "--validation", action="store_true", help="also fit on all calibration, score validation"
    )
    parser.add_argument(
        "--script-families",
        action="store_true",
        help="hold gold-removed sets out apart from their source, as train_answerer does",
    )
    parser.add_argument("--flips", help="write validation flips against linear here (JSON)")
    args = parser.parse_args()
    rows = [json.loads(line) for line in Path(args.rows).read_text("utf-8").splitlines() if line.strip()]
    calibration = [r for r in rows if r["split"] == "calibration"]
    validation = [r for r in rows if r["split"] == "validation"]
    pool = Path(args.pool) if Path(args.pool).is_dir() else None
    family = {name: fam if args.script_families else fam.removesuffix("-gold-removed")
              for name, fam in families(pool).items()}  # fmt: skip
    config = ta.Config(args.subset, args.C)
    wanted = [v for v in args.variants.split(",") if v]
    print(
        f"rows {args.rows}: calibration digest {ta.rows_digest(calibration)}; config {config}; trees {TREES}"
    )
    results = {}
    for name in wanted:
        results[name] = loco(calibration, config, args.precision, family, *VARIANTS[name])
        print(f"  {name} done", flush=True)
    report(results, wanted[0], "leave-one-corpus-out on calibration (held-out, simulated)")
    if args.validation:
        fitted = {n: fit_variant(calibration, config, args.precision, family, *VARIANTS[n]) for n in wanted}
        for n, m in fitted.items():
            print(f"  {n}: threshold {m.threshold}, second unit {m.second_unit}")
        results = {n: outcomes(validation, m) for n, m in fitted.items()}
        report(results, wanted[0], "validation (fitted on all calibration, simulated)")
        if args.flips:
            flips = {n: sorted([list(k), results[wanted[0]][k][0], v[0]] for k, v in found.items()
                               if v[0] != results[wanted[0]][k][0]) for n, found in results.items() if n != wanted[0]}  # fmt: skip
            Path(args.flips).write_text(json.dumps(flips, indent=1) + "\n", "utf-8")


if __name__ == "__main__":
    main()
