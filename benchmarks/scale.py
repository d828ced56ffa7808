"""Large corpora: build time, memory, search p50/p95 and recall@10 against exact search, per FAISS index type,
at 10k, 100k and 1M synthetic passages grown from real SciFact text; plus BM25 (bm25s) at the same sizes.

python -m benchmarks.scale [--sizes 10000,100000,1000000] [--types flat,hnsw,hnsw-sq8,ivf-sq8]
                           [--real 3000] [--queries 200] [--lexical-max 1000000] [--budget-s 2400] [--json OUT]

Vectors: `--real` SciFact abstracts (title + text) and `--queries` claims are embedded with the ONNX encoder.
Each synthetic vector is a random mix of a real passage vector and one of its 10 nearest real neighbours,
plus Gaussian noise (cosine ~0.9 to the mix), renormalised: the synthetic set keeps the real set's clusters
and density instead of filling the sphere uniformly (which would make every index look better than it is).
Queries are real claims. Recall@10 = |approximate top 10 ∩ exact top 10| / 10, averaged over queries, with
exact = FAISS flat over the same vectors. Search latency: one query at a time, single-threaded as the bot
searches. Memory: the index's serialized size (what it holds in RAM). Lexical: synthetic passages of 4-8
real sentences drawn at random, bm25s index build time, its size on disk, and query p50/p95 for the claims.
Every step checks `--budget-s`; what does not fit is reported as skipped.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import faiss  # noqa: E402
import numpy as np  # noqa: E402

from benchmarks.startup import machine  # noqa: E402
from retrieval.libraries.files.vector_index import FaissVectorIndex  # noqa: E402

SCIFACT = Path("/work/shared/eval/scifact")


def real_texts(folder: Path, documents: int, queries: int) -> tuple[list[str], list[str]]:
    corpus, claims = [], []
    with (folder / "corpus.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            corpus.append(f"{row['title']}\n{row['text']}")
            if len(corpus) >= documents:
                break
    with (folder / "queries.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            claims.append(json.loads(line)["text"])
            if len(claims) >= queries:
                break
    return corpus, claims


def embed(texts: list[str]) -> np.ndarray:
    from retrieval.embedders.onnx_embedder import OnnxEmbedder
    from retrieval.embedders.onnx_export import ensure_encoder

    return OnnxEmbedder(ensure_encoder("all-MiniLM-L6-v2", "onnx"), "onnx").embed_documents(texts)


def synthesize(real: np.ndarray, count: int, seed: int = 0) -> np.ndarray:
    """`count` unit vectors: mix(real i, one of its 10 nearest) + noise, renormalised; float32 (count, d)."""
    rng = np.random.default_rng(seed)
    exact = faiss.IndexFlatIP(real.shape[1])
    exact.add(real)
    _, neighbours = exact.search(real, 11)
    out = np.empty((count, real.shape[1]), dtype=np.float32)
    for start in range(0, count, 100_000):
        n = min(100_000, count - start)
        base = rng.integers(0, len(real), n)
        other = neighbours[base, rng.integers(1, 11, n)]
        weight = rng.uniform(0.5, 1.0, (n, 1)).astype(np.float32)
        mixed = weight * real[base] + (1 - weight) * real[other]
        mixed += rng.standard_normal(mixed.shape, dtype=np.float32) * (0.45 / np.sqrt(real.shape[1]))
        out[start : start + n] = mixed / np.linalg.norm(mixed, axis=1, keepdims=True)
    return out


def measure_vectors(vectors: np.ndarray, queries: np.ndarray, kind: str, exact_ids: np.ndarray) -> dict:
    started = time.perf_counter()
    index = FaissVectorIndex.build(vectors, kind)
    build_s = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "index.faiss"
        index.save(path)
        size = path.stat().st_size
    faiss.omp_set_num_threads(1)
    latencies, found = [], []
    for row in range(len(queries)):
        started = time.perf_counter()
        _, ids = index.search(queries[row : row + 1], 10)
        latencies.append((time.perf_counter() - started) * 1000)
        found.append(len(set(ids[0]) & set(exact_ids[row])) / 10)
    faiss.omp_set_num_threads(os.cpu_count() or 1)
    return {
        "index": kind,
        "build_s": round(build_s, 1),
        "memory_mib": round(size / 2**20, 1),
        "search_p50_ms": round(float(np.percentile(latencies, 50)), 3),
        "search_p95_ms": round(float(np.percentile(latencies, 95)), 3),
        "recall_at_10": round(float(np.mean(found)), 4),
    }


def measure_lexical(sentences: list[str], count: int, claims: list[str]) -> dict:
    from retrieval.libraries.files.keyword_index import LexicalIndex

    rng = random.Random(0)
    texts = [" ".join(rng.choices(sentences, k=rng.randint(4, 8))) for _ in range(count)]
    started = time.perf_counter()
    index = LexicalIndex.build(texts)
    build_s = time.perf_counter() - started
    del texts
    with tempfile.TemporaryDirectory() as scratch:
        index.save(Path(scratch) / "lexical")
        size = sum(p.stat().st_size for p in (Path(scratch) / "lexical").rglob("*") if p.is_file())
    latencies: dict[str, list[float]] = {"citebot": [], "bm25s": []}
    retriever = index._retriever
    for claim in claims:  # citebot's search, and bm25s' own retrieve on the same words, interleaved
        started = time.perf_counter()
        index.search(claim, 50)
        latencies["citebot"].append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        words = [w for w in LexicalIndex.query_words(claim) if w in retriever.vocab_dict]
        if words:
            retriever.retrieve([words], k=50, show_progress=False, n_threads=0)
        latencies["bm25s"].append((time.perf_counter() - started) * 1000)
    return {
        "build_s": round(build_s, 1),
        "disk_mib": round(size / 2**20, 1),
        "search_p50_ms": round(float(np.percentile(latencies["citebot"], 50)), 2),
        "search_p95_ms": round(float(np.percentile(latencies["citebot"], 95)), 2),
        "bm25s_retrieve_p50_ms": round(float(np.percentile(latencies["bm25s"], 50)), 2),
        "bm25s_retrieve_p95_ms": round(float(np.percentile(latencies["bm25s"], 95)), 2),
    }


def run(sizes, types, real_count, query_count, lexical_max, budget_s) -> dict:
    deadline = time.monotonic() + budget_s
    report: dict = {"machine": machine(), "rows": [], "lexical": [], "skipped": []}
    corpus, claims = real_texts(SCIFACT, real_count, query_count)
    started = time.perf_counter()
    real = embed(corpus)
    queries = embed(claims)
    report["embedding_s"] = round(time.perf_counter() - started, 1)
    sentences = [s.strip() for text in corpus for s in text.replace("\n", ". ").split(". ") if len(s) > 20]
    for size in sizes:
        vectors = synthesize(real, size)
        exact = faiss.IndexFlatIP(vectors.shape[1])
        exact.add(vectors)
        _, exact_ids = exact.search(queries, 10)
        del exact
        for kind in types:
            if time.monotonic() > deadline:
                report["skipped"].append(f"{kind} at {size}: time budget spent")
                continue
            if (
                kind.startswith("hnsw")
                and size > 100_000
                and time.monotonic() + _hnsw_estimate(report, kind, size) > deadline
            ):
                report["skipped"].append(f"{kind} at {size}: estimated build exceeds the time budget")
                continue
            row = {"passages": size, **measure_vectors(vectors, queries, kind, exact_ids)}
            report["rows"].append(row)
            print(json.dumps(row), flush=True)
        del vectors
        if size <= lexical_max and time.monotonic() < deadline:
            row = {"passages": size, **measure_lexical(sentences, size, claims)}
            report["lexical"].append(row)
            print(json.dumps({"lexical": row}), flush=True)
    report["machine"]["load_average_1m_at_end"] = f"{os.getloadavg()[0]:.2f}"
    return report


def _hnsw_estimate(report: dict, kind: str, size: int) -> float:
    """Seconds to build `kind` at `size`, extrapolated (n log n) from its largest measured build."""
    done = [r for r in report["rows"] if r["index"] == kind]
    if not done:
        return 0.0
    last = max(done, key=lambda r: r["passages"])
    return last["build_s"] * size / last["passages"] * np.log(size) / np.log(last["passages"])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--types", default="flat,hnsw,hnsw-sq8,ivf-sq8")
    parser.add_argument("--real", type=int, default=3000, help="real SciFact abstracts to embed")
    parser.add_argument("--queries", type=int, default=200, help="real SciFact claims to search with")
    parser.add_argument("--lexical-max", type=int, default=1_000_000, help="largest size indexed with BM25")
    parser.add_argument("--budget-s", type=float, default=2400, help="stop starting new steps after this")
    parser.add_argument("--json", type=Path, dest="json_out")
    args = parser.parse_args(argv)
    print(json.dumps(machine()), flush=True)
    report = run(
        [int(s) for s in args.sizes.split(",")],
        args.types.split(","),
        args.real,
        args.queries,
        args.lexical_max,
        args.budget_s,
    )
    if args.json_out:
        args.json_out.write_text(json.dumps(report, indent=2) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
