"""SciFact retrieval on both backends from the same passages and vectors: what the storage changes, alone.

    python -m benchmarks.scifact_backends /work/shared/eval/scifact --index /tmp/scifact-index [--json OUT]

A built files index of the SciFact corpus (from `benchmarks.scifact --index-dir`; its live generation's
passages.jsonl, documents.json and passage vectors, any format version) is written, without re-embedding,
into a new files library and into PostgreSQL (a throwaway server, bot/devdb.py) through their
LibraryWriters. Both are scored by `benchmarks.scifact.evaluate` with its default variants (dense, BM25,
hybrid; 300 candidates a retriever): files searches exactly (FAISS flat) with bm25s, postgres with pgvector
HNSW and BM25 in SQL. Per variant: nDCG@10 and Recall@10/100 on each backend, the paired nDCG@10
difference with a 95% bootstrap interval, and the mean search time a query.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import numpy as np  # noqa: E402

from benchmarks.scifact import default_variants, evaluate, file_name, load_beir  # noqa: E402
from retrieval.ingest.build import document_frequencies  # noqa: E402
from retrieval.manifest import FileEntry, Manifest  # noqa: E402
from retrieval.models import Document, Passage  # noqa: E402
from retrieval.parts import DocumentEntry  # noqa: E402


def load_entries(index: Path) -> tuple[list[DocumentEntry], dict]:
    """The live generation's documents with their passages and vectors, and its manifest as JSON."""
    generation = index / (index / "CURRENT").read_text("utf-8").strip()
    manifest = json.loads((generation / "manifest.json").read_text("utf-8"))
    documents = {
        d["source"]: Document(**d) for d in json.loads((generation / "documents.json").read_text("utf-8"))
    }
    with open(generation / "passages.jsonl", encoding="utf-8") as lines:
        passages = [Passage.from_record(json.loads(line)) for line in lines if line.strip()]
    vector_file = next(
        p for p in (generation / "passage_vectors.npy", generation / "embeddings.npy") if p.exists()
    )
    vectors = np.load(vector_file, allow_pickle=False)
    rows: dict[str, list[int]] = {}
    for row, passage in enumerate(passages):
        rows.setdefault(passage.source, []).append(row)
    entries = [
        DocumentEntry(documents[source], tuple(passages[r] for r in rows[source]), vectors[rows[source]])
        for source in sorted(rows)
    ]
    return entries, manifest


def write(writer, entries: list[DocumentEntry], raw: dict) -> float:
    started = time.perf_counter()
    for entry in entries:
        writer.add(entry)
    documents = [e.document for e in entries]
    writer.set_vocabulary(document_frequencies(documents, [p for e in entries for p in e.passages]))
    writer.publish(
        Manifest(
            model=raw["model"],
            dimension=raw["dimension"],
            max_words=raw["max_words"],
            overlap_sentences=raw["overlap_sentences"],
            index_type="flat",
            corpus=raw["corpus"],
            encoder=raw.get("encoder", "onnx"),
            files={
                e.document.source: FileEntry(e.document.sha256, len(e.passages), e.document.title)
                for e in entries
            },
            passage_count=sum(len(e.passages) for e in entries),
        )
    )
    return time.perf_counter() - started


def paired(
    files: Sequence[float], postgres: Sequence[float], samples: int = 2000
) -> tuple[float, float, float]:
    """Mean of postgres - files nDCG@10 over the queries, with a 95% bootstrap interval."""
    differences = np.asarray(postgres) - np.asarray(files)
    rng = np.random.default_rng(0)
    means = [differences[rng.integers(0, len(differences), len(differences))].mean() for _ in range(samples)]
    return float(differences.mean()), float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


def run(folder: Path, index: Path) -> dict:
    from bot import devdb
    from bot.state.migrations import migrate
    from retrieval.embedders.runtimes import indexing_embedder
    from retrieval.libraries.postgres import library as postgres
    from retrieval.registry import LIBRARIES
    from retrieval.search.searcher import Searcher

    data = load_beir(folder)
    entries, raw = load_entries(index)
    source_to_id = {file_name(doc_id): doc_id for doc_id in data.corpus}
    embedder = indexing_embedder(raw.get("encoder", "onnx"), raw["model"])
    server = devdb.start()
    report: dict = {
        "passages": sum(len(e.passages) for e in entries),
        "documents": len(entries),
        "variants": {},
    }
    try:
        import psycopg

        with psycopg.connect(server.url, autocommit=True) as connection:
            migrate(connection, server.url)
        with tempfile.TemporaryDirectory(prefix="scifact-backends-") as scratch:
            locations = {"files": str(Path(scratch) / "index"), "postgres": server.url}
            scores = {}
            for backend, location in locations.items():
                seconds = write(LIBRARIES[backend].writer(location, embedder), entries, raw)
                report[f"write_s_{backend}"] = round(seconds, 1)
                print(f"{backend}: written in {seconds:.1f} s", flush=True)
                searcher = Searcher(LIBRARIES[backend].open(location, ""), embedder)
                scores[backend], _ = evaluate(searcher, data, source_to_id, default_variants())
        for name in scores["files"]:
            files, pg = scores["files"][name], scores["postgres"][name]
            delta = paired(files.per_query_ndcg, pg.per_query_ndcg)
            row = {
                "files": [round(files.ndcg_10, 4), round(files.recall_10, 4), round(files.recall_100, 4)],
                "postgres": [round(pg.ndcg_10, 4), round(pg.recall_10, 4), round(pg.recall_100, 4)],
                "delta_ndcg_10": [round(v, 4) for v in delta],
                "search_ms": [round(files.search_ms_mean, 1), round(pg.search_ms_mean, 1)],
            }
            report["variants"][name] = row
            print(f"{name}: {json.dumps(row)}", flush=True)
    finally:
        postgres.close_pools()
        server.stop()
    return report


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="the BEIR folder (corpus.jsonl, queries.jsonl, qrels/)")
    parser.add_argument("--index", type=Path, required=True, help="a files index built over that corpus")
    parser.add_argument("--json", type=Path, dest="json_out")
    args = parser.parse_args(argv)
    report = run(args.folder, args.index)
    if args.json_out:
        args.json_out.write_text(json.dumps(report, indent=2) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
