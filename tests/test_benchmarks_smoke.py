"""Smoke test of the benchmark scripts on a 20-document BEIR folder, with the real model (no timing checks)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import latency, scifact

pytestmark = pytest.mark.slow  # the real model over a BEIR folder, through each benchmark

TOPICS = [
    ("Photosynthesis in leaves", "Chlorophyll absorbs sunlight and plants turn carbon dioxide into sugar."),
    ("Volcanic eruptions", "Magma rises through the crust and erupts as lava and ash from a volcano."),
    ("Honey bee navigation", "Bees use a waggle dance to tell the hive where flowers with nectar are."),
    ("Antibiotic resistance", "Bacteria exposed to antibiotics evolve resistance through mutations."),
    ("Ocean tides", "The gravitational pull of the moon raises tides in the oceans twice a day."),
    ("Sleep and memory", "Deep sleep consolidates memories formed during the day in the hippocampus."),
    ("Coral bleaching", "Warm sea water makes corals expel their algae and turn white."),
    ("Vaccines and immunity", "A vaccine trains the immune system to make antibodies against a virus."),
    ("Plate tectonics", "Continents drift on plates that collide to build mountains and cause earthquakes."),
    ("Insulin and diabetes", "Insulin from the pancreas lets cells take up glucose; diabetes disrupts it."),
]
QUERIES = {
    "q1": ("How do plants turn sunlight into sugar?", "d0"),
    "q2": ("What comes out of a volcano when it erupts?", "d1"),
    "q3": ("How do bees tell the hive where nectar is?", "d.2/x"),
    "q4": ("Why does the moon cause ocean tides?", "d4"),
    "q5": ("What does insulin do for glucose in diabetes?", "d9"),
}


@pytest.fixture(scope="module")
def beir_folder(tmp_path_factory) -> Path:
    """20 documents: each topic twice (the second a filler variant), ids that need escaping included."""
    folder = tmp_path_factory.mktemp("beir")
    ids = ["d0", "d1", "d.2/x", *[f"d{i}" for i in range(3, 10)]]
    records = [
        {"_id": doc_id, "title": title, "text": text}
        for doc_id, (title, text) in zip(ids, TOPICS, strict=True)
    ]
    records += [
        {
            "_id": f"filler-{i}",
            "title": f"Notes {i}",
            "text": f"General remarks number {i} about {title.lower()}.",
        }
        for i, (title, _) in enumerate(TOPICS)
    ]
    (folder / "corpus.jsonl").write_text("\n".join(json.dumps(r) for r in records) + "\n", "utf-8")
    queries = [{"_id": qid, "text": text, "metadata": {}} for qid, (text, _) in QUERIES.items()]
    (folder / "queries.jsonl").write_text("\n".join(json.dumps(q) for q in queries) + "\n", "utf-8")
    (folder / "qrels").mkdir()
    rows = ["query-id\tcorpus-id\tscore", *[f"{qid}\t{doc}\t1" for qid, (_, doc) in QUERIES.items()]]
    (folder / "qrels" / "test.tsv").write_text("\n".join(rows) + "\n", "utf-8")
    return folder


def test_file_names_are_safe_and_distinct():
    names = {scifact.file_name(i) for i in ("a", "a.b", ".hidden", "x/y", "x%2Fy", "ä")}
    assert len(names) == 6
    assert all("/" not in n and not n.startswith(".") for n in names)


def test_metrics_follow_beir_definitions():
    relevance = {"a": 1, "b": 1}
    assert scifact.ndcg_at(["a", "b", "c"], relevance, 10) == pytest.approx(1.0)
    assert scifact.ndcg_at(["c", "a"], {"a": 1}, 10) == pytest.approx(1 / 1.5849625, rel=1e-6)
    assert scifact.recall_at(["a", "c"], relevance, 10) == 0.5


def test_scifact_run_scores_every_variant(beir_folder, embedder, tmp_path):
    evaluation = scifact.run(beir_folder, index_dir=tmp_path / "index", embedder=embedder)
    assert evaluation.documents == 20 and evaluation.queries == len(QUERIES)
    expected = {v.name for v in scifact.default_variants()}
    assert set(evaluation.results) == expected
    for scores in evaluation.to_json()["results"].values():
        for key in ("ndcg@10", "recall@10", "recall@100"):
            assert 0.0 <= scores[key] <= 1.0
    assert evaluation.results["bm25"].recall_100 > 0  # the document ids made it through ingestion
    assert "| dense |" in scifact.format_table(evaluation)
    again = scifact.run(beir_folder, index_dir=tmp_path / "index", embedder=embedder)
    assert again.embedded_passages == 0  # the index dir is reused, nothing re-embedded


def test_latency_run_reports_every_stage(beir_folder, embedder, seeds_index):
    questions = latency.load_questions(latency.DEV_QUESTIONS)[:3]
    report = latency.run(questions, seeds_index, beir_folder, repeat=1, cold_runs=0, embedder=embedder)
    assert set(report.warm_ms) == set(latency.STAGES)
    assert all(p.samples == 3 and 0 <= p.p50 <= p.p95 for p in report.warm_ms.values())
    assert [b.files for b in report.builds] == [5, 20]
    assert all(b.passages > 0 and b.passages_per_second > 0 for b in report.builds)
    assert json.dumps(report.to_json())
    assert "| total |" in latency.format_table(report)
