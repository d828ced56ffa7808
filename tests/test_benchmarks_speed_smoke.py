"""Smoke test of the speed benchmarks' core functions on tiny inputs (shapes and sanity, no timing checks)."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks import load, scale, throughput
from bot.core.service import QAService
from tests.harness.libraries import make_settings

pytestmark = pytest.mark.slow  # times matmuls and concurrent askers: ~3 s

QUESTIONS = ["How much did Microsoft invest in OpenAI?", "Who is OpenAI's chief scientist?"]


def test_flop_count_matches_the_published_size_of_all_minilm(embedder):
    flops = throughput.flop_per_token(embedder.model_dir / throughput.UNFUSED_FILE)
    # 6 layers x (4 x 384^2 + 2 x 384 x 1536) weights, 2 FLOP each: 21.2 MFLOP a token.
    assert flops["matmul_flop_per_token"] == 2 * 6 * (4 * 384 * 384 + 2 * 384 * 1536)
    assert flops["attention_flop_per_token_per_context_token"] == 4 * 384 * 6


def test_matmul_rate_is_positive():
    rates = throughput.matmul_gflops(runs=1)
    assert set(rates) == {"4096x384 @ 384x1536", "2048^3"} and min(rates.values()) > 0


def test_synthetic_vectors_are_unit_and_stay_near_the_real_ones(seeds_index):
    from retrieval.libraries.files import layout
    from retrieval.libraries.files.library import PASSAGE_VECTORS_FILE

    real = np.load(layout.current_generation(seeds_index, "") / PASSAGE_VECTORS_FILE)
    synthetic = scale.synthesize(real, 500)
    assert synthetic.shape == (500, real.shape[1]) and synthetic.dtype == np.float32
    assert np.allclose(np.linalg.norm(synthetic, axis=1), 1, atol=1e-5)
    assert np.median((synthetic @ real.T).max(axis=1)) > 0.8  # clustered around real passages
    queries = real[:5]
    exact = (synthetic @ queries.T).T.argsort(axis=1)[:, ::-1][:, :10]
    row = scale.measure_vectors(synthetic, queries, "flat", exact)
    assert row["recall_at_10"] == 1.0 and row["memory_mib"] > 0


def test_concurrent_askers_get_the_answers_a_single_asker_gets(seeds_index, embedder, tmp_path):
    service = QAService(make_settings(seeds_index, tmp_path), embedder)
    expected = {q: load.fingerprint(service.ask(q)) for q in QUESTIONS}
    result = load.drive(service.ask, QUESTIONS, askers=4, seconds=1.0, expected=expected)
    assert result["answered"] >= 4 and result["errors"] == 0 and result["mismatches"] == 0


def test_lexical_scale_row_times_citebot_and_bm25s_on_the_same_index():
    sentences = [f"claim {i} about protein folding and cell growth in mice" for i in range(40)]
    row = scale.measure_lexical(sentences, 200, ["protein folding in mice", "unknownword"])
    assert row["search_p95_ms"] >= row["search_p50_ms"] > 0
    assert row["bm25s_retrieve_p95_ms"] >= row["bm25s_retrieve_p50_ms"] > 0
    assert row["disk_mib"] >= 0 and row["build_s"] >= 0
