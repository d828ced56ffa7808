"""Indexing at the hardware's limit: this machine's fp32 bound, the encoders' texts/s against it, and full
builds (time vs answer quality vs warm latency) for each encoder and runtime, with and without sentence
vectors.

python -m benchmarks.throughput [--corpus DIR] [--questions FILE] [--runs 3] [--skip-torch] [--json OUT]

The bound: the model's FLOP per text are counted from the exported ONNX graph: 2 x K x N per token for
every MatMul with a weight matrix (all-MiniLM-L6-v2: 6 layers x (4 x 384^2 + 2 x 384 x 1536) = 10.6 M
weights, 21.2 MFLOP a token), plus the attention products QK^T and AV, 2 x 2 x n x 384 per token per
layer for a text of n tokens ([CLS] and [SEP] included, no padding): FLOP(text) = 21.2e6 n + 9216 n^2.
That is the forward-pass count of Kaplan et al. 2020 ("Scaling Laws for Neural Language Models", table 1)
with the full (bidirectional) context; both products are matrix multiplies the model cannot skip (6% of
the FLOP of a 110-token passage, 2% of a 33-token sentence). The fraction counting the weight MatMuls
only is reported too. The machine's fp32 rate is float32 matrix multiply through numpy's BLAS on all
cores, in the shape of the model's largest layer (4096 tokens x 384 times 384 x 1536) and a large square,
the better of the two, measured right before and right after each pass (load moves both alike); a pass's
fraction = FLOP of its texts / (seconds x that rate); the table gives the median over `--runs` passes.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import numpy as np  # noqa: E402

from benchmarks.startup import machine  # noqa: E402
from retrieval.config import ChunkingParams
from retrieval.embedders.onnx_embedder import OnnxEmbedder  # noqa: E402
from retrieval.embedders.onnx_export import UNFUSED_FILE  # noqa: E402
from retrieval.ingest.build import embedding_text  # noqa: E402
from retrieval.ingest.chunking import chunk_document  # noqa: E402
from retrieval.ingest.cleaning import clean_blocks  # noqa: E402
from retrieval.ingest.loader import iter_corpus_files, load_document  # noqa: E402
from retrieval.text.sentences import passage_units  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DOCS_DEV = ROOT / "tests" / "data" / "docs_dev"  # the project's copy of ../shared/eval/docs_dev
CITEBOT = str(Path(sys.executable).with_name("citebot"))


# -- the bound -------------------------------------------------------------------------------------
def matmul_gflops(runs: int = 3) -> dict[str, float]:
    """Best float32 GFLOP/s over `runs` for two shapes (numpy's BLAS, all cores)."""
    rng = np.random.default_rng(0)
    shapes = {"4096x384 @ 384x1536": (4096, 384, 1536), "2048^3": (2048, 2048, 2048)}
    rates = {}
    for label, (m, k, n) in shapes.items():
        a = rng.standard_normal((m, k), dtype=np.float32)
        b = rng.standard_normal((k, n), dtype=np.float32)
        a @ b  # warm up
        best = 0.0
        for _ in range(runs):
            started = time.perf_counter()
            repeats = 0
            while time.perf_counter() - started < 0.5:
                a @ b
                repeats += 1
            best = max(best, 2 * m * k * n * repeats / (time.perf_counter() - started) / 1e9)
        rates[label] = round(best, 1)
    return rates


def flop_per_token(model_file: Path) -> dict[str, float]:
    """2 x K x N summed over MatMul nodes whose second input is a weight; attention FLOP per token per token."""
    import onnx
    from onnx import numpy_helper

    graph = onnx.load(str(model_file)).graph
    weights = {init.name: numpy_helper.to_array(init).shape for init in graph.initializer}
    total = 0
    layers = 0
    hidden = 0
    for node in graph.node:
        if node.op_type == "MatMul" and node.input[1] in weights and len(weights[node.input[1]]) == 2:
            k, n = weights[node.input[1]]
            total += 2 * k * n
            hidden = max(hidden, min(k, n))
        if node.op_type == "Softmax":
            layers += 1
    return {
        "matmul_flop_per_token": float(total),
        # QK^T and attention x V: 2 x 2 x tokens x hidden per token per layer
        "attention_flop_per_token_per_context_token": float(4 * hidden * layers),
    }


# -- texts ---------------------------------------------------------------------------------------
def corpus_texts(corpus: Path) -> tuple[list[str], list[str]]:
    """(passage texts, unique sentence texts) exactly as `citebot index` embeds them."""
    passages, sentences = [], {}
    for path in iter_corpus_files(corpus):
        loaded = load_document(path, corpus)
        scraped = path.suffix.lower() == ".txt"
        blocks = clean_blocks(loaded.blocks, loaded.document.title, scraped=scraped)
        chunks = chunk_document(
            path.relative_to(corpus).as_posix(), blocks, ChunkingParams(), scraped=scraped
        )
        for passage in chunks:
            passages.append(embedding_text(loaded.document, passage))
            for unit in passage_units(passage):
                sentences.setdefault(unit, None)
    return passages, list(sentences)


def token_counts(embedder: OnnxEmbedder, texts: list[str]) -> np.ndarray:
    embedder.load()
    tokenizer = embedder._tokenizer
    return np.array([sum(e.attention_mask) for e in tokenizer.encode_batch(texts)])


def model_flop(tokens: np.ndarray, flops: dict[str, float]) -> tuple[float, float]:
    """(weight-MatMul FLOP, attention-product FLOP) of texts with these token counts (module docstring)."""
    counts = tokens.astype(np.float64)
    return (
        flops["matmul_flop_per_token"] * counts.sum(),
        flops["attention_flop_per_token_per_context_token"] * (counts**2).sum(),
    )


def matmul_rate() -> float:
    """This machine's fp32 GFLOP/s now: the better of the two shapes, one short measurement each."""
    return max(matmul_gflops(runs=1).values())


def throughput(corpus: Path, runs: int, include_torch: bool, sample: int) -> dict:
    """texts/s of each encoder on (a random sample of) the corpus' passages and unique sentences, each pass
    as a fraction of the fp32 bound measured around it; passes interleaved across encoders."""
    from retrieval.embedders.onnx_export import ensure_encoder
    from retrieval.embedders.openvino_embedder import OpenVinoEmbedder

    passages, sentences = corpus_texts(corpus)
    rng = np.random.default_rng(0)
    if sample:
        passages = [passages[i] for i in sorted(rng.choice(len(passages), min(sample, len(passages)), False))]
        sentences = [
            sentences[i] for i in sorted(rng.choice(len(sentences), min(sample * 4, len(sentences)), False))
        ]
    folder = ensure_encoder("all-MiniLM-L6-v2", "onnx-int8")
    fp32 = OnnxEmbedder(folder, "onnx")
    flops = flop_per_token(folder / UNFUSED_FILE)  # MatMuls as exported (the fused graph packs them)
    result: dict = {"flop": flops, "rows": []}
    encoders = {
        "onnx (onnxruntime)": fp32,
        "onnx (OpenVINO)": OpenVinoEmbedder(folder, min_tokens=0),
        "onnx-int8 (onnxruntime)": OnnxEmbedder(folder, "onnx-int8"),
    }
    if include_torch:
        from retrieval.embedders.torch_embedder import SentenceTransformerEmbedder

        encoders["torch (sentence-transformers, batch 64)"] = SentenceTransformerEmbedder()
    for kind, texts in (("passages", passages), ("sentences", sentences)):
        tokens = token_counts(fp32, texts)
        weights, attention = model_flop(tokens, flops)
        for embedder in encoders.values():
            embedder.embed_documents(texts[:64])  # load and warm up
        passes: dict[str, list[tuple[float, float, float]]] = {name: [] for name in encoders}
        for _ in range(runs):
            for name, embedder in encoders.items():
                before = matmul_rate()
                started = time.perf_counter()
                embedder.embed_documents(texts)
                seconds = time.perf_counter() - started
                rate = (before + matmul_rate()) / 2 * 1e9
                passes[name].append(
                    (seconds, (weights + attention) / seconds / rate, weights / seconds / rate)
                )
        for name, measured in passes.items():
            seconds = statistics.median(m[0] for m in measured)
            result["rows"].append(
                {
                    "texts": kind,
                    "count": len(texts),
                    "mean_tokens": round(float(tokens.mean()), 1),
                    "encoder": name,
                    "texts_per_s": round(len(texts) / seconds, 1),
                    "tokens_per_s": round(float(tokens.sum()) / seconds, 0),
                    "fraction_of_bound": round(statistics.median(m[1] for m in measured), 3),
                    "fraction_weights_only": round(statistics.median(m[2] for m in measured), 3),
                    "fractions_min_max": [
                        round(min(m[1] for m in measured), 3),
                        round(max(m[1] for m in measured), 3),
                    ],
                    "attention_share_of_flop": round(attention / (weights + attention), 3),
                    "load_average_1m": round(os.getloadavg()[0], 2),
                }
            )
            print(json.dumps(result["rows"][-1]), flush=True)
    result["gflops_fp32"] = matmul_gflops(runs=2)
    return result


_EVAL = """
import json, sys
from benchmarks.latency import warm_latency
from bot.core.service import QAService
from bot.evaluation import evaluate, load_questions
from bot.settings import load_settings
service = QAService(load_settings(sys.argv[1]))
questions = load_questions(sys.argv[2])
results = evaluate(service, questions)
warm = warm_latency(service, [q.question for q in questions], 2)
print(json.dumps({"passed": sum(r.passed for r in results), "total": len(results),
                  "answer_ms_p50": warm["total"].p50, "answer_ms_p95": warm["total"].p95}))
"""


# -- full builds -----------------------------------------------------------------------------------
def build_matrix(
    corpus: Path, questions: Path, include_torch: bool, encoders: Sequence[str] = ()
) -> list[dict]:
    """Fresh `citebot index` per configuration, timed; then `citebot eval` and warm latency on that index."""
    configs = [
        ("onnx", "auto", True),
        ("onnx", "onnxruntime", True),
        ("onnx", "auto", False),
        ("onnx-int8", "onnxruntime", True),
    ]
    if include_torch:
        configs.insert(0, ("torch", "onnxruntime", True))
    if encoders:
        configs = [c for c in configs if c[0] in encoders]
    rows = []
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    env.pop("CITEBOT_CONFIG", None)
    with tempfile.TemporaryDirectory(prefix="bench-builds-") as scratch:
        for encoder, runtime, sentence_vectors in configs:
            index = Path(scratch) / f"index-{encoder}-{runtime}-{sentence_vectors}"
            config = index.with_suffix(".yaml")
            config.write_text(
                f"encoder: {encoder}\nindex_runtime: {runtime}\ncorpus: {corpus}\nindex: {index}\n"
                f"feedback: {{path: {Path(scratch) / 'fb.sqlite3'}}}\n"
                f"retrieval: {{sentence_vectors: {str(sentence_vectors).lower()}}}\n",
                "utf-8",
            )
            started = time.perf_counter()
            subprocess.run([CITEBOT, "--config", str(config), "index", "--quiet"], check=True, env=env)
            seconds = time.perf_counter() - started
            done = subprocess.run(
                [sys.executable, "-c", _EVAL, str(config), str(questions)],
                capture_output=True,
                text=True,
                env=env,
                cwd=ROOT,
            )
            if done.returncode != 0:
                raise RuntimeError(done.stderr[-2000:])
            quality = json.loads(done.stdout.strip().splitlines()[-1])
            rows.append(
                {
                    "encoder": encoder,
                    "index_runtime": runtime,
                    "sentence_vectors": sentence_vectors,
                    "build_s": round(seconds, 1),
                    **quality,
                    "load_average_1m": round(os.getloadavg()[0], 2),
                }
            )
            print(json.dumps(rows[-1]), flush=True)
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DOCS_DEV / "corpus")
    parser.add_argument("--questions", type=Path, default=DOCS_DEV / "questions.yaml")
    parser.add_argument("--runs", type=int, default=3, help="passes per encoder (median)")
    parser.add_argument("--skip-torch", action="store_true", help="leave sentence-transformers out")
    parser.add_argument("--skip-builds", action="store_true", help="only the embedding rates")
    parser.add_argument("--skip-rates", action="store_true", help="only the full builds")
    parser.add_argument("--encoders", nargs="*", default=(), help="builds only with these encoders")
    parser.add_argument(
        "--sample", type=int, default=0, help="passages (and 4x sentences) sampled for the rates; 0: all"
    )
    parser.add_argument("--json", type=Path, dest="json_out")
    args = parser.parse_args(argv)
    report = {"machine": machine()}
    print(json.dumps(report["machine"]), flush=True)
    if not args.skip_rates:
        report["throughput"] = throughput(args.corpus, args.runs, not args.skip_torch, args.sample)
    if not args.skip_builds:
        report["builds"] = build_matrix(args.corpus, args.questions, not args.skip_torch, args.encoders)
    report["machine"]["load_average_1m_at_end"] = f"{os.getloadavg()[0]:.2f}"
    if args.json_out:
        args.json_out.write_text(json.dumps(report, indent=2) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
