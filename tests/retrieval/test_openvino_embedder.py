"""OpenVINO embeds an fp32 build's documents: the same vectors as onnxruntime, only for calls big enough to
repay loading it, f32 arithmetic even on a bf16-capable CPU, and onnxruntime (one log line) whenever it
cannot load or disagrees. The index it builds serves on onnxruntime."""

from __future__ import annotations

import logging
import sys

import numpy as np
import pytest

from retrieval.embedders.onnx_embedder import MODEL_FILES, OnnxEmbedder
from retrieval.embedders.openvino_embedder import OpenVinoEmbedder
from retrieval.embedders.runtimes import indexing_embedder
from retrieval.libraries.files import layout
from retrieval.libraries.files.library import ENCODER_DIR, read_manifest
from tests.harness.libraries import SEEDS, build_index

pytestmark = pytest.mark.runtimes

TEXTS = [
    "How much did Microsoft invest in OpenAI?",
    "a",
    "Microsoft is investing $1 billion in OpenAI to develop AI technologies on Azure. " * 30,  # truncated
    "Ünïcödé, emoji 🙂, and 東京 all tokenise.",
    *(line for path in sorted(SEEDS.glob("*.txt")) for line in path.read_text("utf-8").splitlines() if line),
]


@pytest.fixture(scope="module")
def onnxruntime_embedder() -> OnnxEmbedder:
    chosen = indexing_embedder("onnx", "all-MiniLM-L6-v2", runtime="onnxruntime")
    assert type(chosen) is OnnxEmbedder
    return chosen


@pytest.fixture(scope="module")
def openvino_embedder() -> OpenVinoEmbedder:
    chosen = indexing_embedder("onnx", "all-MiniLM-L6-v2", runtime="openvino")
    assert isinstance(chosen, OpenVinoEmbedder) and chosen.min_tokens == 0
    return chosen


def test_openvino_vectors_match_onnxruntime_in_f32(openvino_embedder, onnxruntime_embedder):
    seen = []
    vectors = openvino_embedder.embed_documents_progress(TEXTS, seen.append)
    assert openvino_embedder.runtime_used == "openvino"
    assert sum(seen) == len(TEXTS)  # the progress bar reaches the end
    reference = onnxruntime_embedder.embed_documents(TEXTS)
    assert vectors.shape == (len(TEXTS), 384) and vectors.dtype == np.float32
    assert np.min(np.sum(vectors * reference, axis=1)) >= 0.99999
    import openvino as ov

    assert openvino_embedder._compiled.get_property("INFERENCE_PRECISION_HINT") == ov.Type.f32


def test_index_built_with_openvino_serves_on_onnxruntime(openvino_embedder, tmp_path):
    build_index(SEEDS, tmp_path / "index", openvino_embedder, show_progress=False)
    generation = layout.current_generation(tmp_path / "index", "")
    assert read_manifest(generation, "", "").encoder == "onnx"
    assert MODEL_FILES["onnx"] in {p.name for p in (generation / ENCODER_DIR).iterdir()}
    assert "model-unfused.onnx" not in {p.name for p in (generation / ENCODER_DIR).iterdir()}


def test_small_calls_stay_on_onnxruntime(onnxruntime_embedder):
    auto = indexing_embedder("onnx", "all-MiniLM-L6-v2")  # the default: index_runtime auto
    assert isinstance(auto, OpenVinoEmbedder) and auto.min_tokens == 100_000
    vectors = auto.embed_documents(TEXTS)
    assert auto.runtime_used == "onnxruntime" and auto._compiled is None  # OpenVINO never loaded
    assert np.min(np.sum(vectors * onnxruntime_embedder.embed_documents(TEXTS), axis=1)) >= 0.9999


def test_missing_openvino_falls_back_with_one_log_line(monkeypatch, caplog, onnxruntime_embedder):
    monkeypatch.setitem(sys.modules, "openvino", None)  # `import openvino` raises ImportError
    embedder = OpenVinoEmbedder(onnxruntime_embedder.model_dir, min_tokens=0)
    with caplog.at_level(logging.INFO):
        first = embedder.embed_documents(TEXTS[:3])
        second = embedder.embed_documents(TEXTS[3:6])
    assert embedder.runtime_used == "onnxruntime" and first.shape == second.shape == (3, 384)
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("retrieval")]
    assert len(lines) == 1 and lines[0].startswith("OpenVINO unavailable (openvino is not installed")
    assert lines[0].endswith("; embedding with onnxruntime")


def test_disagreeing_openvino_is_not_used(monkeypatch, caplog, onnxruntime_embedder):
    monkeypatch.setattr(
        "retrieval.embedders.openvino_embedder.MIN_COSINE", 1.5
    )  # no runtime can agree this well
    embedder = OpenVinoEmbedder(onnxruntime_embedder.model_dir, min_tokens=0)
    with caplog.at_level(logging.WARNING):
        vectors = embedder.embed_documents(TEXTS[:4])
    assert embedder.runtime_used == "onnxruntime"
    assert np.allclose(vectors, onnxruntime_embedder.embed_documents(TEXTS[:4]), atol=1e-5)
    assert ["disagree with onnxruntime's" in r.getMessage() for r in caplog.records] == [True]


def test_runtime_choice():
    assert type(indexing_embedder("onnx-int8", "all-MiniLM-L6-v2", runtime="openvino")) is OnnxEmbedder
    assert type(indexing_embedder("onnx", "all-MiniLM-L6-v2", runtime="onnxruntime")) is OnnxEmbedder
    with pytest.raises(ValueError, match="unknown index runtime 'tvm'"):
        indexing_embedder("onnx", "all-MiniLM-L6-v2", runtime="tvm")


class _FailingQueue:
    """The real AsyncInferQueue, but the `fail_at`-th batch handed to it raises as OpenVINO does."""

    def __init__(self, queue, fail_at: int) -> None:
        self._queue, self._left = queue, fail_at

    def __len__(self) -> int:
        return len(self._queue)

    def __getattr__(self, name):
        return getattr(self._queue, name)

    def start_async(self, *args):
        self._left -= 1
        if self._left == 0:
            raise RuntimeError("Exception from src/inference/src/cpp/infer_request.cpp: injected")
        return self._queue.start_async(*args)


def test_openvino_failing_midway_finishes_on_onnxruntime(caplog, onnxruntime_embedder):
    embedder = OpenVinoEmbedder(onnxruntime_embedder.model_dir, min_tokens=0)
    embedder.embed_documents(TEXTS[:2])  # loads and verifies OpenVINO
    embedder._queue = _FailingQueue(embedder._queue, fail_at=3)
    seen = []
    with caplog.at_level(logging.WARNING):
        vectors = embedder.embed_documents_progress(TEXTS, seen.append)
        again = embedder.embed_documents(TEXTS[:5])
    reference = onnxruntime_embedder.embed_documents(TEXTS)
    assert np.min(np.sum(vectors * reference, axis=1)) >= 0.99999  # every text has its own vector
    assert sum(seen) == len(TEXTS)  # each text counted once by the progress bar
    assert embedder.runtime_used == "onnxruntime" and np.allclose(again, reference[:5], atol=1e-5)
    assert [r.getMessage().startswith("OpenVINO failed (RuntimeError") for r in caplog.records] == [True]
