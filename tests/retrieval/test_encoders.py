"""The ONNX encoder: same vectors as sentence-transformers, chosen by config, stored with the index, and
answering without importing torch; when it cannot be produced, indexing falls back with one log line."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading

import numpy as np
import pytest

from retrieval.config import DEFAULT_ENCODER
from retrieval.embedders.onnx_embedder import (
    MODEL_FILES,
    OnnxEmbedder,
    mean_pool_normalize,
    mixed_order,
    token_batches,
)
from retrieval.embedders.onnx_export import EncoderUnavailable
from retrieval.embedders.runtimes import ServingEmbedders, indexing_embedder
from retrieval.embedders.torch_embedder import SentenceTransformerEmbedder
from retrieval.libraries.files import layout
from retrieval.libraries.files.library import ENCODER_DIR, read_manifest
from tests.harness.libraries import ROOT, SEEDS, build_index

pytestmark = pytest.mark.runtimes

TEXTS = [
    "How much did Microsoft invest in OpenAI?",
    "OpenAI",
    "Microsoft is investing $1 billion in OpenAI to develop AI technologies on Azure. " * 30,  # truncated
    "Ünïcödé, emoji 🙂, and 東京 all tokenise.",
    "   leading and trailing spaces   ",
    *(line for path in sorted(SEEDS.glob("*.txt")) for line in path.read_text("utf-8").splitlines()[:6]),
]


@pytest.fixture(scope="module")
def fp32_embedder() -> OnnxEmbedder:
    chosen = indexing_embedder("onnx", "all-MiniLM-L6-v2")
    assert isinstance(chosen, OnnxEmbedder)
    return chosen


def test_onnx_vectors_match_sentence_transformers(fp32_embedder, torch_embedder):
    texts = [t for t in TEXTS if t.strip()]
    onnx_docs, torch_docs = fp32_embedder.embed_documents(texts), torch_embedder.embed_documents(texts)
    onnx_queries = fp32_embedder.embed_queries(texts[:3])
    torch_queries = torch_embedder.embed_queries(texts[:3])
    assert onnx_docs.shape == torch_docs.shape == (len(texts), 384)
    assert onnx_docs.dtype == np.float32
    assert np.min(np.sum(onnx_docs * torch_docs, axis=1)) >= 0.9999
    assert np.min(np.sum(onnx_queries * torch_queries, axis=1)) >= 0.9999
    assert np.allclose(np.linalg.norm(onnx_docs, axis=1), 1.0, atol=1e-5)


def test_served_graph_is_fused_and_the_exported_one_kept_for_int8(fp32_embedder, tmp_path):
    import onnx

    from retrieval.embedders.onnx_export import UNFUSED_FILE, _fuse

    served = [n.op_type for n in onnx.load(str(fp32_embedder.model_dir / "model.onnx")).graph.node]
    exported = fp32_embedder.model_dir / UNFUSED_FILE
    assert served.count("Attention") == 6  # one fused attention per layer (vectors: the test above)
    assert "Attention" not in {n.op_type for n in onnx.load(str(exported)).graph.node}
    # Without the head count the attention cannot be fused: the graph is used as exported.
    assert _fuse(exported, tmp_path / "model.onnx", 0, 0) is False
    assert (tmp_path / "model.onnx").read_bytes() == exported.read_bytes()


def test_fusing_prints_none_of_the_optimizers_info_lines(fp32_embedder, tmp_path, caplog):
    """onnxruntime's optimizer logs every fusion at INFO ("Fused Gelu: 6", operator counts); a first
    `citebot index` must not print them."""
    from retrieval.embedders.onnx_export import UNFUSED_FILE, _fuse

    with caplog.at_level(logging.INFO):
        assert _fuse(fp32_embedder.model_dir / UNFUSED_FILE, tmp_path / "model.onnx", 12, 384) is True
    # Only this thread's records: a background thread another test left (a redelivery loop) is not ours.
    here = threading.get_ident()
    assert [r.getMessage() for r in caplog.records if r.thread == here] == []
    assert logging.root.manager.disable == logging.NOTSET  # logging is back as it was


def test_batching_by_length_keeps_each_text_with_its_vector(embedder):
    texts = [t for t in TEXTS if t.strip()]
    together = embedder.embed_documents(texts)
    one_by_one = np.vstack([embedder.embed_documents([t]) for t in texts])
    assert np.min(np.sum(together * one_by_one, axis=1)) >= 0.9999


def test_batches_are_bounded_by_padded_tokens_and_rows():
    lengths = np.array([300, 200, 200, 30, 30, 30, 30, 30, 30, 5])
    order = np.argsort(-lengths, kind="stable")
    batches = token_batches(lengths, order, max_rows=4, max_tokens=400)
    assert [list(b) for b in batches] == [[0], [1, 2], [3, 4, 5, 6], [7, 8, 9]]
    assert sorted(np.concatenate(batches).tolist()) == list(range(len(lengths)))  # each text exactly once
    for batch in batches:  # a text longer than the budget gets a batch of its own
        assert len(batch) == 1 or len(batch) * lengths[batch].max() <= 400


def test_batches_run_longest_and_shortest_alternately_each_once():
    batches = [np.array([i]) for i in range(5)]
    assert [int(b[0]) for b in mixed_order(batches)] == [0, 4, 1, 3, 2]
    assert [int(b[0]) for b in mixed_order(batches[:4])] == [0, 3, 1, 2]
    assert mixed_order([]) == []


def test_small_token_budget_gives_the_same_vectors(fp32_embedder):
    texts = [t for t in TEXTS if t.strip()]
    small = OnnxEmbedder(fp32_embedder.model_dir, "onnx", batch_tokens=64)
    assert (
        np.min(np.sum(small.embed_documents(texts) * fp32_embedder.embed_documents(texts), axis=1)) >= 0.9999
    )


def test_mean_pooling_ignores_padding():
    tokens = np.array([[[1.0, 0.0], [0.0, 1.0], [50.0, 50.0]]], dtype=np.float32)
    mask = np.array([[1, 1, 0]])
    assert np.allclose(mean_pool_normalize(tokens, mask), [[2**-0.5, 2**-0.5]])


def test_int8_encoder_is_close_to_fp32(fp32_embedder):
    int8 = indexing_embedder("onnx-int8", "all-MiniLM-L6-v2")
    assert isinstance(int8, OnnxEmbedder) and int8.encoder == "onnx-int8"
    texts = [t for t in TEXTS if t.strip()]
    int8_vectors, fp32_vectors = int8.embed_documents(texts), fp32_embedder.embed_documents(texts)
    assert np.min(np.sum(int8_vectors * fp32_vectors, axis=1)) >= 0.98


def test_unproducible_onnx_encoder_falls_back_with_one_log_line(monkeypatch, caplog):
    def fail(model, encoder="onnx", cache=None):
        raise EncoderUnavailable("onnx is not installed")

    monkeypatch.setattr("retrieval.embedders.onnx_export.ensure_encoder", fail)
    with caplog.at_level(logging.INFO):
        chosen = indexing_embedder("onnx", "all-MiniLM-L6-v2")
    assert isinstance(chosen, SentenceTransformerEmbedder)
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("retrieval")]
    assert lines == ["ONNX encoder unavailable (onnx is not installed); embedding with sentence-transformers"]


def test_unknown_encoder_is_refused():
    with pytest.raises(ValueError, match="unknown encoder 'tensorrt'"):
        indexing_embedder("tensorrt", "all-MiniLM-L6-v2")


def test_index_keeps_its_encoder_and_records_it(seeds_index):
    generation = layout.current_generation(seeds_index, "")
    assert read_manifest(generation, "", "").encoder == DEFAULT_ENCODER
    assert sorted(p.name for p in (generation / ENCODER_DIR).iterdir()) == sorted(
        ["encoder.json", MODEL_FILES[DEFAULT_ENCODER], "tokenizer.json"]
    )
    served = ServingEmbedders(DEFAULT_ENCODER, "all-MiniLM-L6-v2").for_generation(
        generation / ENCODER_DIR, DEFAULT_ENCODER
    )
    assert isinstance(served, OnnxEmbedder) and served.model_dir == generation / ENCODER_DIR


def test_index_built_by_torch_is_served_by_torch_with_one_log_line(tmp_path, torch_embedder, caplog):
    build_index(SEEDS, tmp_path / "index", torch_embedder, show_progress=False)
    generation = layout.current_generation(tmp_path / "index", "")
    manifest = read_manifest(generation, "", "")
    assert manifest.encoder == "torch" and not (generation / ENCODER_DIR).exists()
    embedders = ServingEmbedders("onnx", "all-MiniLM-L6-v2")
    with caplog.at_level(logging.INFO):
        first = embedders.for_generation(generation / ENCODER_DIR, manifest.encoder)
        second = embedders.for_generation(generation / ENCODER_DIR, manifest.encoder)
    assert isinstance(first, SentenceTransformerEmbedder) and first is second
    assert len([r for r in caplog.records if "no ONNX encoder" in r.getMessage()]) == 1


_NO_TORCH_SCRIPT = """
import json, sys
from bot.cli import main
code = main(["ask", "--json", "--index", sys.argv[1], "How much did Microsoft invest in OpenAI?"])
import bot.adapters.console.adapter, bot.adapters.slack.app, bot.adapters.discord.client  # the bots
heavy = sorted(m for m in ("torch", "sentence_transformers", "transformers", "openvino") if m in sys.modules)
print(json.dumps({"code": code, "heavy": heavy}), file=sys.stderr)
"""


def test_answering_imports_no_torch(seeds_index, tmp_path):
    """A real `citebot ask --json` in a fresh interpreter, then the three bots' modules: no torch, and no
    OpenVINO (index-time only)."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "CITEBOT_CONFIG": str(ROOT / "config" / "default.yaml")}
    done = subprocess.run(
        [sys.executable, "-c", _NO_TORCH_SCRIPT, str(seeds_index)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
    )
    answer = json.loads(done.stdout)
    assert answer["abstained"] is False and "$1 billion" in answer["answer"]
    report = json.loads(done.stderr.strip().splitlines()[-1])
    assert report == {"code": 0, "heavy": []}


def test_encoder_setting_torch_serves_with_sentence_transformers(seeds_index):
    """A GPU user's `encoder: torch` wins over the index's ONNX files (same vectors, another runtime)."""
    generation = layout.current_generation(seeds_index, "")
    served = ServingEmbedders("torch", "all-MiniLM-L6-v2", "cpu").for_generation(
        generation / ENCODER_DIR, "onnx"
    )
    assert isinstance(served, SentenceTransformerEmbedder)
