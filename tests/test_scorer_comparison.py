"""benchmarks/compare_scorers.py: trees in place of either linear scorer, held out by corpus.

Synthetic rows (no model, no pool): the gold unit is the one whose `dense` is highest, but only when
its `kind_match` is set too (an interaction a linear scorer can only approximate); unanswerable
questions have low passage coverage.
"""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks import compare_scorers, train_answerer
from retrieval.answering.answer_model import CONFIDENCE_FEATURES

pytestmark = pytest.mark.slow  # fits gradient-boosted trees fold by fold: ~9 s


def _rows() -> list[dict]:
    rng = np.random.default_rng(11)
    rows = []
    for i in range(300):  # enough for leaves of 50 questions
        answerable = i % 3 != 0
        units = []
        for j in range(6):
            features = {name: float(rng.uniform(0, 1)) for name in CONFIDENCE_FEATURES}
            features["kind_match"] = float(j % 2)
            units.append({"f": features, "y": 0, "p": f"p{j}"})
        gold = max((j for j in range(6) if j % 2), key=lambda j: units[j]["f"]["dense"])
        for unit in units:
            unit["f"]["passage_coverage"] = 0.9 if answerable else 0.1
        units[gold]["y"] = int(answerable)
        rows.append({"set": f"set{i % 4}", "split": "calibration", "id": str(i), "answerable": answerable,
                     "units": units})  # fmt: skip
    return rows


CONFIG = train_answerer.Config("minimal", 1.0)


@pytest.fixture(autouse=True)
def _fewer_trees(monkeypatch):
    """Fewer, faster-learning trees: the rows are small and the point is the plumbing."""
    monkeypatch.setitem(compare_scorers.TREES, "max_iter", 30)
    monkeypatch.setitem(compare_scorers.TREES, "learning_rate", 0.2)


FAMILY = {"set0": "a", "set1": "b", "set2": "c", "set3": "c"}  # cross-fitting needs 3


def test_tree_scorers_fit_deterministically_and_find_the_gold():
    rows = _rows()
    first = compare_scorers.fit(rows, CONFIG, 0.6, "trees", "trees")
    second = compare_scorers.fit(rows, CONFIG, 0.6, "trees", "trees")
    assert (first.threshold, first.second_unit) == (second.threshold, second.second_unit)
    matrix = first.unit.matrix([u["f"] for r in rows for u in r["units"]])
    assert np.array_equal(first.unit.logits(matrix), second.unit.logits(matrix))
    outcomes = compare_scorers.outcomes(rows, first)
    top1 = [t for _, t in outcomes.values() if t is not None]
    assert len(top1) == 200 and np.mean(top1) >= 0.9  # the interaction is learnt
    assert min(train_answerer.set_scores(rows, first).values()) >= 0.8


def test_leave_one_corpus_out_scores_every_question_held_out():
    rows = _rows()[:120]
    for variant in ("tree-both-x",):
        found = compare_scorers.loco(rows, CONFIG, 0.6, FAMILY, *compare_scorers.VARIANTS[variant])
        assert set(found) == {(r["set"], r["id"]) for r in rows}
        assert all(passed in (0, 1) for passed, _ in found.values())


def test_the_default_fit_is_the_linear_one():
    rows = _rows()
    plain = train_answerer.fit(rows, CONFIG, 0.6)
    linear = compare_scorers.fit(rows, CONFIG, 0.6, "linear", "linear")
    assert plain.to_json() == linear.to_json()
