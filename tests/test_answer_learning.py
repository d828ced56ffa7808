"""The learned composer's plumbing: the shipped model, the training script, results files and flips.

Answer quality itself is tested with the real model on real corpora in test_answer_quality.py and
test_docs_quality.py; these tests pin what the measuring tools promise.
"""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from benchmarks import flips, train_answerer
from benchmarks.answer_sets import choose_sets, gold_removed, question_sets
from retrieval.answering.answer_model import (
    CONFIDENCE_FEATURES,
    MODEL_FILE,
    UNIT_FEATURES,
    answer_model,
    read_model,
)
from retrieval.answering.compose import RULES
from retrieval.config import ComposerParams
from tests.harness.libraries import ROOT


def test_the_shipped_model_says_how_it_was_made():
    model = answer_model()
    assert set(model.unit.features) <= set(UNIT_FEATURES)
    assert set(model.confidence.features) <= set(CONFIDENCE_FEATURES)
    assert 0 < model.threshold < 1 and 0 < model.second_unit <= 1
    meta = model.meta
    assert meta["script"] == "benchmarks/train_answerer.py" and meta["version"] == train_answerer.VERSION
    assert len(meta["rows_sha256"]) == 64
    # Fitted on calibration only: no validation set among its sets.
    validation = {s.name for s in question_sets() if s.split == "validation"}
    assert meta["calibration_sets"] and not validation & set(meta["calibration_sets"])


def test_a_model_fitted_on_other_features_is_refused_with_the_fix(tmp_path):
    data = json.loads(MODEL_FILE.read_text("utf-8"))
    data["unit"]["features"][0] = "no_such_feature"
    path = tmp_path / "model.json"
    path.write_text(json.dumps(data), "utf-8")
    with pytest.raises(ValueError, match="refit it with benchmarks/train_answerer.py"):
        read_model(path)


@pytest.mark.slow
def test_every_feature_the_model_reads_is_computed_for_every_candidate(seeds_service):
    answered = seeds_service.engine.answer(_query("How much did Microsoft invest in OpenAI?"))
    candidates = answered.composition.candidates
    assert candidates
    model = answer_model()
    for candidate in candidates:
        assert set(UNIT_FEATURES) <= set(candidate.features)
        assert all(np.isfinite(candidate.features[name]) for name in UNIT_FEATURES)
    assert [c.score for c in candidates] == sorted((c.score for c in candidates), reverse=True)
    assert 0 < answered.composition.confidence <= 1
    assert answered.composition.confidence >= model.threshold and not answered.composition.abstained


def test_min_confidence_overrides_the_fitted_threshold(seeds_service, embedder):
    from bot.core.service import QAService
    from bot.settings import Settings

    question = "How much did Microsoft invest in OpenAI?"
    sure = seeds_service.engine.answer(_query(question)).composition
    values = {**_location(seeds_service), "answer": {"min_confidence": 0.9999}}
    picky = QAService(Settings.model_validate(values), embedder).engine.answer(_query(question)).composition
    assert not sure.abstained
    assert picky.abstained and picky.abstained_by == "confidence" and picky.see_also


def _location(service) -> dict:
    return {"index": service.settings.index, "corpus": service.settings.corpus}


def test_rules_can_be_switched_off_one_at_a_time():
    params = ComposerParams(disabled_rules=frozenset({"identifier"}))
    assert not params.applies("identifier") and params.applies(RULES[-1])


def _rows() -> list[dict]:
    """Hand-made training rows: the gold unit is the one with the highest dense score; questions with
    a weak best unit are unanswerable. Two sets, so weighting and thresholds have something to do."""
    rng = np.random.default_rng(7)
    rows = []
    for i in range(80):
        answerable = i % 3 != 0
        units = []
        for j in range(6):
            features = {name: float(rng.uniform(0, 1)) for name in CONFIDENCE_FEATURES}
            units.append({"f": features, "y": 0, "p": f"p{j}"})
        best = max(range(6), key=lambda j: units[j]["f"]["dense"])
        if answerable:
            units[best]["y"] = 1
            units[best]["f"]["passage_coverage"] = 0.9
        else:
            for unit in units:
                unit["f"]["passage_coverage"] = 0.1
        rows.append({"set": f"set{i % 2}", "split": "calibration", "id": str(i), "answerable": answerable,
                     "passed": False, "units": units})  # fmt: skip
    return rows


@pytest.mark.slow  # fits the scorers twice
def test_training_learns_the_signal_and_is_deterministic():
    rows = _rows()
    config = train_answerer.Config("minimal", 1.0)
    first = train_answerer.fit(rows, config, precision=0.6)
    second = train_answerer.fit(rows, config, precision=0.6)
    assert first.to_json() == second.to_json()
    assert first.unit.coef[first.unit.features.index("dense")] > 0
    scores = train_answerer.set_scores(rows, first)
    assert min(scores.values()) >= 0.9  # the unit scorer finds the gold, the confidence the unanswerable


def _keep_unit_on_hand_made_rows(tmp_path, out, *extra: str) -> subprocess.CompletedProcess:
    """`train_answerer.py --reuse-rows --keep-unit --out OUT` on _rows(), written to a file first."""
    rows_path = tmp_path / "rows.jsonl"
    rows_path.write_text("".join(json.dumps(r) + "\n" for r in _rows()), "utf-8")
    return subprocess.run(
        [sys.executable, "-m", "benchmarks.train_answerer", "--rows", str(rows_path), "--reuse-rows",
         "--keep-unit", "--out", str(out), *extra],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip


@pytest.mark.slow  # cross-validates six configurations
def test_keep_unit_refits_the_confidence_around_the_unit_scorer_it_finds(tmp_path):
    """`--keep-unit` leaves the unit scorer of the model at --out as it is (coefficients and the record
    of the fit it came from) and fits the confidence, threshold and share on the rows given."""
    out = tmp_path / "model.json"
    out.write_text(MODEL_FILE.read_text("utf-8"), "utf-8")
    shipped = read_model(MODEL_FILE)
    done = _keep_unit_on_hand_made_rows(tmp_path, out, "--pool", str(tmp_path / "no-pool"))
    assert done.returncode == 0, done.stderr
    refit = read_model(out)
    assert refit.unit.to_json() == shipped.unit.to_json()
    assert (
        refit.meta["unit_scorer"]["rows_sha256"]
        == (shipped.meta.get("unit_scorer", shipped.meta)["rows_sha256"])
    )
    assert refit.meta["rows_sha256"] == train_answerer.rows_digest(_rows())
    assert refit.confidence.to_json() != shipped.confidence.to_json()


def test_keep_unit_without_a_model_is_one_line(tmp_path):
    done = _keep_unit_on_hand_made_rows(tmp_path, tmp_path / "missing.json")
    assert done.returncode != 0
    assert done.stderr.strip().count("\n") == 0 and "--keep-unit: cannot read the model" in done.stderr


def test_a_results_file_round_trips_and_flips_are_listed_per_set(tmp_path):
    old, new = tmp_path / "old.jsonl", tmp_path / "new.jsonl"

    def line(name, qid, passed):
        return json.dumps({"set": name, "id": qid, "passed": passed, "abstained": not passed,
                           "question": f"question {qid}", "answer": "", "misses": [] if passed else ["x"]})  # fmt: skip

    old.write_text("\n".join([line("a", "1", True), line("a", "2", False), line("b", "1", True)]) + "\n")
    new.write_text("\n".join([line("a", "1", False), line("a", "2", True), line("b", "1", True)]) + "\n")
    changes = flips.flips(flips.read_results(old), flips.read_results(new))
    assert [q for q, _, _ in changes["a"]["lost"]] == ["1"]
    assert [q for q, _, _ in changes["a"]["gained"]] == ["2"]
    assert "b" not in changes
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.flips", str(old), str(new)],
        capture_output=True, text=True, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 1  # a question was lost
    assert "a: 1 -> 1 of 2, +1 -1" in done.stdout  # "unchanged" totals, two flips
    assert "b: 1 -> 1 of 1, +0 -0" in done.stdout


def test_a_bad_results_file_is_one_line(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text("not json\n")
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.flips", str(bad), str(bad)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode != 0
    assert done.stderr.strip().splitlines() == [f"{bad}:1: not a results line (set, id, passed)"]


def test_the_split_is_by_corpus():
    sets = question_sets(pool=None)
    corpora = {}
    for question_set in sets:
        for corpus, _ in question_set.corpora:
            corpora.setdefault(corpus.resolve(), set()).add(question_set.split)
    assert all(len(splits) == 1 for splits in corpora.values())  # no corpus on both sides
    assert {s.name for s in choose_sets(sets, None, "validation")} == {
        "docs_dev",
        "docs-trial-3",
        "docs-trial-5",
    }


def test_gold_removed_sets_mark_uncovered_questions_unanswerable(tmp_path):
    pool = tmp_path / "pool" / "mini"
    (pool / "corpus").mkdir(parents=True)
    for name in ("000_a.txt", "001_b.txt", "002_c.txt"):
        (pool / "corpus" / name).write_text(f"{name}\n\ntext\n")
    questions = {"questions": [{"id": "1", "q": "a?", "answers": ["text"], "docs": ["000"], "kind": "fact"},
                               {"id": "2", "q": "b?", "answers": ["text"], "docs": ["001"], "kind": "fact"}]}  # fmt: skip
    (pool / "questions.yaml").write_text(json.dumps(questions))  # JSON is YAML
    corpus, path = gold_removed(pool, "mini", where=tmp_path / "derived")
    import yaml

    derived = yaml.safe_load(path.read_text())["questions"]
    assert sorted(p.name for p in corpus.iterdir()) == ["001_b.txt", "002_c.txt"]
    assert [q["kind"] for q in derived] == ["unanswerable", "fact"]


def _query(text: str):
    from retrieval.parts import Query

    return Query(text)


@pytest.fixture(scope="module")
def seeds_service(tmp_path_factory, embedder):
    from bot.core.service import QAService
    from bot.settings import Settings
    from retrieval.config import EngineConfig
    from retrieval.engine import build

    index = tmp_path_factory.mktemp("seeds-index")
    build(EngineConfig(index=str(index), corpus=str(ROOT / "seeds")), show_progress=False, embedder=embedder)
    return QAService(Settings.model_validate({"index": str(index), "corpus": str(ROOT / "seeds")}), embedder)


def test_a_squad_file_becomes_a_set_of_whole_articles(tmp_path):
    from benchmarks.squad_set import build
    from bot.evaluation import load_questions

    context = "The Normans gave their name to Normandy. Rollo led them."
    source = {"version": "v2.0", "data": [{"title": "Normans", "paragraphs": [
        {"context": "Normandy is in France.", "qas": []},
        {"context": context, "qas": [
            {"id": "a1", "question": "Who led the Normans?", "is_impossible": False,
             "answers": [{"text": "Rollo", "answer_start": 41}, {"text": "Rollo", "answer_start": 41}]},
            {"id": "u1", "question": "Who led the Franks?", "is_impossible": True, "answers": [],
             "plausible_answers": [{"text": "Rollo", "answer_start": 41}]}]}]}]}  # fmt: skip
    (tmp_path / "dev.json").write_text(json.dumps(source))
    counts = build(tmp_path / "dev.json", tmp_path / "squad", questions=10, seed=1)
    assert counts == {"articles": 1, "questions": 2, "unanswerable": 1}
    article = (tmp_path / "squad" / "corpus" / "000_normans.txt").read_text()
    assert article == f"Normans\n\nNormandy is in France.\n\n{context}\n"  # the whole article, title first
    questions = {q.id: q for q in load_questions(tmp_path / "squad" / "questions.yaml")}
    assert questions["squad-a1"].answers == ("Rollo",) and questions["squad-a1"].docs == ("000",)
    assert questions["squad-u1"].kind == "unanswerable" and not questions["squad-u1"].answers
