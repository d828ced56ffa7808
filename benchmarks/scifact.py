"""Retrieval quality on a BEIR-format folder (SciFact): nDCG@10 and Recall@10/100, dense vs BM25 vs hybrid.

Documents go in through the project's real ingestion path (Markdown files with a `title:` front matter,
then `build_index` from tests/harness/libraries.py); passages are pooled into documents by their best passage.

    python -m benchmarks.scifact /work/shared/eval/scifact --index-dir /tmp/scifact-index --json out.json
"""

from __future__ import annotations

import argparse
import copy
import csv
import json
import logging
import math
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import quote

import numpy as np
import yaml

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from benchmarks import code_version  # noqa: E402
from bot.settings import RetrievalSettings  # noqa: E402
from retrieval.config import SearchParams
from retrieval.embedders.torch_embedder import Embedder, SentenceTransformerEmbedder  # noqa: E402
from retrieval.libraries.files.library import FilesLibrary  # noqa: E402
from retrieval.models import Hit  # noqa: E402
from retrieval.search.searcher import Searcher  # noqa: E402
from tests.harness.libraries import build_index  # noqa: E402

log = logging.getLogger(__name__)

DOCUMENT_DEPTH = 100  # documents ranked per query: enough for Recall@100
EVAL_CANDIDATES = 300  # passages per retriever before fusion; SciFact averages ~2.5 passages an abstract
BOT_DEFAULT = "hybrid, bot default"  # the variant other hybrids are compared with
BOOTSTRAP_SAMPLES = 2000
PUBLISHED = {  # nDCG@10 on the SciFact test claims (see /work/shared/eval/scifact/README.md)
    "BM25 (Anserini, title+text)": 0.679,
    "BM25 (BEIR paper)": 0.665,
    "all-MiniLM-L6-v2 (MTEB, dense only)": 0.645,
}


@dataclass(frozen=True)
class BeirData:
    corpus: dict[str, tuple[str, str]]  # doc id -> (title, text)
    queries: dict[str, str]  # query id -> text, only those judged in qrels
    qrels: dict[str, dict[str, int]]  # query id -> doc id -> graded relevance


@dataclass(frozen=True)
class Variant:
    name: str
    mode: str  # "dense" | "lexical" | "hybrid"
    params: SearchParams


@dataclass
class VariantScores:
    ndcg_10: float
    recall_10: float
    recall_100: float
    short_lists: int  # queries that got fewer than DOCUMENT_DEPTH documents
    search_ms_mean: float
    per_query_ndcg: tuple[float, ...] = ()
    delta_vs_default: tuple[float, float, float] | None = None  # nDCG@10 difference, 95% CI low, high


@dataclass
class Evaluation:
    dataset: str
    documents: int
    passages: int
    queries: int
    build_seconds: float
    embedded_passages: int
    query_embed_seconds: float
    results: dict[str, VariantScores] = field(default_factory=dict)

    def to_json(self) -> dict:
        return {
            "dataset": self.dataset,
            "code": code_version(),
            "documents": self.documents,
            "passages": self.passages,
            "queries": self.queries,
            "build_seconds": round(self.build_seconds, 1),
            "embedded_passages": self.embedded_passages,
            "query_embed_seconds": round(self.query_embed_seconds, 2),
            "published_ndcg_10": PUBLISHED,
            "results": {
                name: {
                    "ndcg@10": round(s.ndcg_10, 4),
                    "recall@10": round(s.recall_10, 4),
                    "recall@100": round(s.recall_100, 4),
                    "short_lists": s.short_lists,
                    "search_ms_mean": round(s.search_ms_mean, 2),
                    "ndcg@10_delta_vs_default": _rounded(s.delta_vs_default),
                }
                for name, s in self.results.items()
            },
        }


def _rounded(values: tuple[float, ...] | None) -> list[float] | None:
    return [round(v, 4) for v in values] if values is not None else None


# -- data ------------------------------------------------------------------------------------------


def load_beir(folder: Path, split: str = "test", limit: int | None = None) -> BeirData:
    """Corpus, the judged queries of `split` (the first `limit` of them) and their qrels."""
    folder = Path(folder)
    corpus: dict[str, tuple[str, str]] = {}
    for record in _read_jsonl(folder / "corpus.jsonl"):
        corpus[str(record["_id"])] = (record.get("title") or "", record.get("text") or "")
    qrels: dict[str, dict[str, int]] = {}
    with open(folder / "qrels" / f"{split}.tsv", encoding="utf-8", newline="") as rows:
        for row in csv.DictReader(rows, delimiter="\t"):
            qrels.setdefault(row["query-id"], {})[row["corpus-id"]] = int(row["score"])
    all_queries = {str(r["_id"]): r["text"] for r in _read_jsonl(folder / "queries.jsonl")}
    judged = [qid for qid in qrels if qid in all_queries and any(v > 0 for v in qrels[qid].values())]
    judged = judged[:limit] if limit else judged
    return BeirData(corpus, {qid: all_queries[qid] for qid in judged}, {qid: qrels[qid] for qid in judged})


def _read_jsonl(path: Path):
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)


def file_name(doc_id: str) -> str:
    """A safe, reversible `<id>.md`: anything but letters, digits, '-' and '_' is %-escaped.

    Dots are escaped too: a leading one would make the loader skip the file as hidden.
    """
    escaped = quote(doc_id, safe="-_").replace(".", "%2E").replace("~", "%7E")
    return f"{escaped}.md"


def write_corpus(corpus: dict[str, tuple[str, str]], folder: Path) -> dict[str, str]:
    """One Markdown file per document (title in YAML front matter); returns source name -> doc id."""
    folder.mkdir(parents=True, exist_ok=True)
    source_to_id: dict[str, str] = {}
    for doc_id, (title, text) in corpus.items():
        name = file_name(doc_id)
        front = yaml.safe_dump({"title": title}, allow_unicode=True, width=1_000_000, sort_keys=False)
        (folder / name).write_text(f"---\n{front}---\n\n{text}\n", encoding="utf-8")
        source_to_id[name] = doc_id
    return source_to_id


# -- metrics ---------------------------------------------------------------------------------------


def ndcg_at(ranked: Sequence[str], relevance: dict[str, int], k: int) -> float:
    """trec_eval / BEIR nDCG@k: linear gain, log2(rank + 1) discount, ideal ranking from the qrels."""
    dcg = sum(relevance.get(doc, 0) / math.log2(rank + 1) for rank, doc in enumerate(ranked[:k], start=1))
    ideal = sorted((g for g in relevance.values() if g > 0), reverse=True)[:k]
    idcg = sum(g / math.log2(rank + 1) for rank, g in enumerate(ideal, start=1))
    return dcg / idcg if idcg > 0 else 0.0


def recall_at(ranked: Sequence[str], relevance: dict[str, int], k: int) -> float:
    relevant = {doc for doc, grade in relevance.items() if grade > 0}
    return len(relevant & set(ranked[:k])) / len(relevant) if relevant else 0.0


def rank_documents(hits: Sequence[Hit], source_to_id: dict[str, str], depth: int) -> list[str]:
    """Documents by their best passage (max-pool). Hits come best first, so first sight is the max.

    A passage folded into a near-identical better one (`also_in`) ranks its document at the same place.
    """
    ranked: list[str] = []
    seen: set[str] = set()
    for hit in hits:
        for source in (hit.passage.source, *hit.also_in):
            doc_id = source_to_id.get(source)
            if doc_id is not None and doc_id not in seen:
                seen.add(doc_id)
                ranked.append(doc_id)
    return ranked[:depth]


# -- evaluation ------------------------------------------------------------------------------------


def default_variants(candidates: int = EVAL_CANDIDATES) -> list[Variant]:
    """Dense, BM25, the bot's default hybrid, and the alternatives to it, on one index.

    Fusion choices are compared at `candidates` (deep enough for Recall@100), then the default RRF and
    the 0.5 blend again at the bot's own candidate depth and at 100. Duplicates of the default are left out.
    """
    default = _bot_default()
    variants = [
        Variant("dense", "dense", replace(default, candidates=candidates)),
        Variant("bm25", "lexical", replace(default, candidates=candidates)),
        Variant(BOT_DEFAULT, "hybrid", default),
    ]
    hybrids = [(candidates, "rrf", k, 0.5) for k in (60, 10)]
    hybrids += [(candidates, "blend", 60, weight) for weight in (0.3, 0.5, 0.7)]
    hybrids += [
        (depth, fusion, 60, 0.5) for depth in (default.candidates, 100) for fusion in ("rrf", "blend")
    ]
    return _with_hybrids(variants, default, hybrids)


def grid_variants() -> list[Variant]:
    """A finer sweep around the default, at the bot's candidate depth, to see how flat each optimum is."""
    default = _bot_default()
    depth = default.candidates
    hybrids = [(depth, "rrf", k, 0.5) for k in (1, 5, 10, 20, 30, 60, 100)]
    hybrids += [(depth, "blend", 60, weight) for weight in (0.3, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7)]
    hybrids += [(c, fusion, 60, 0.5) for c in (20, 100, 300) for fusion in ("rrf", "blend")]
    return _with_hybrids([Variant(BOT_DEFAULT, "hybrid", default)], default, hybrids)


def _bot_default() -> SearchParams:
    bot = RetrievalSettings()
    return SearchParams(bot.candidates, bot.fusion, bot.rrf_k, bot.dense_weight)


def _with_hybrids(variants: list[Variant], default: SearchParams, hybrids) -> list[Variant]:
    """Append (candidates, fusion, rrf_k, dense_weight) hybrids, skipping any already in the list."""
    for depth, fusion, rrf_k, weight in hybrids:
        params = replace(default, candidates=depth, fusion=fusion, rrf_k=rrf_k, dense_weight=weight)
        label = f"rrf k={rrf_k}" if fusion == "rrf" else f"blend w={weight}"
        if all(v.params != params or v.mode != "hybrid" for v in variants):
            variants.append(Variant(f"hybrid {label}, candidates={depth}", "hybrid", params))
    return variants


def evaluate(
    retriever: Searcher,
    data: BeirData,
    source_to_id: dict[str, str],
    variants: Sequence[Variant],
    depth: int = DOCUMENT_DEPTH,
) -> tuple[dict[str, VariantScores], float]:
    """Scores per variant over the same index and the same query vectors; also the query-embedding time."""
    query_ids = list(data.queries)
    started = time.perf_counter()
    vectors = retriever.embedder.embed_queries([data.queries[qid] for qid in query_ids])
    embed_seconds = time.perf_counter() - started
    results: dict[str, VariantScores] = {}
    for variant in variants:
        view = copy.copy(retriever)  # same index, model and sentence vectors; other search parameters
        view.params = variant.params
        per_query: list[tuple[float, float, float]] = []
        short = 0
        started = time.perf_counter()
        for qid, vector in zip(query_ids, vectors, strict=True):
            ranked = _documents_for(view, data.queries[qid], vector, variant, source_to_id, depth)
            short += len(ranked) < depth
            relevance = data.qrels[qid]
            per_query.append(
                (
                    ndcg_at(ranked, relevance, 10),
                    recall_at(ranked, relevance, 10),
                    recall_at(ranked, relevance, 100),
                )
            )
        elapsed_ms = (time.perf_counter() - started) * 1000
        count = max(1, len(per_query))
        results[variant.name] = VariantScores(
            *(sum(scores[i] for scores in per_query) / count for i in range(3)),
            short_lists=short,
            search_ms_mean=elapsed_ms / count,
            per_query_ndcg=tuple(scores[0] for scores in per_query),
        )
        log.info("%s: nDCG@10 %.4f", variant.name, results[variant.name].ndcg_10)
    _compare_with_default(results)
    return results, embed_seconds


def _compare_with_default(results: dict[str, VariantScores]) -> None:
    """Paired bootstrap over queries: each hybrid's nDCG@10 minus the bot default's, with a 95% interval."""
    reference = results.get(BOT_DEFAULT)
    if reference is None or not reference.per_query_ndcg:
        return
    base = np.asarray(reference.per_query_ndcg)
    resamples = np.random.default_rng(0).integers(0, len(base), (BOOTSTRAP_SAMPLES, len(base)))
    for scores in results.values():
        difference = np.asarray(scores.per_query_ndcg) - base
        low, high = np.percentile(difference[resamples].mean(axis=1), [2.5, 97.5])
        scores.delta_vs_default = (float(difference.mean()), float(low), float(high))


def _documents_for(view, query, vector, variant, source_to_id, depth) -> list[str]:
    """Ask for enough passages to fill `depth` documents, widening k while the candidates allow more."""
    pool = variant.params.candidates * (2 if variant.mode == "hybrid" else 1)
    k = min(pool, 2 * depth)
    while True:
        hits = view.search(query, k=k, mode=variant.mode, query_vector=vector)
        ranked = rank_documents(hits, source_to_id, depth)
        if len(ranked) >= depth or len(hits) < k or k >= pool:
            return ranked
        k = min(pool, k * 2)


def run(
    folder: Path,
    index_dir: Path | None = None,
    limit: int | None = None,
    embedder: Embedder | None = None,
    variants: Sequence[Variant] | None = None,
    show_progress: bool = False,
    sentence_vectors: bool = True,
    corpus_subset: int | None = None,
) -> Evaluation:
    """Ingest the BEIR folder through build_index (reusing `index_dir` when it holds this corpus) and score.

    `corpus_subset` keeps every document judged for the scored queries plus the first N others (a cheaper
    corpus for paired comparisons, e.g. of two encoders; absolute scores are then higher than on the full one).
    """
    folder = Path(folder)
    data = load_beir(folder, limit=limit)
    if corpus_subset is not None:
        judged = {doc for relevance in data.qrels.values() for doc in relevance}
        others = [doc for doc in data.corpus if doc not in judged][:corpus_subset]
        keep = judged | set(others)
        corpus = {doc: text for doc, text in data.corpus.items() if doc in keep}
        data = BeirData(corpus, data.queries, data.qrels)
    embedder = embedder or SentenceTransformerEmbedder()
    with tempfile.TemporaryDirectory(prefix="beir-") as scratch:
        corpus_dir = Path(scratch) / "corpus"
        source_to_id = write_corpus(data.corpus, corpus_dir)
        target = Path(index_dir) if index_dir else Path(scratch) / "index"
        report = build_index(
            corpus_dir, target, embedder, show_progress=show_progress, sentence_vectors=sentence_vectors
        )
        log.info(
            "index: %d files, %d passages, %d embedded, %.1fs",
            report.files,
            report.passages,
            report.embedded_passages,
            report.seconds,
        )
        retriever = Searcher(FilesLibrary.open(target), embedder)
        results, embed_seconds = evaluate(retriever, data, source_to_id, variants or default_variants())
    evaluation = Evaluation(
        dataset=folder.name,
        documents=report.files,
        passages=report.passages,
        queries=len(data.queries),
        build_seconds=report.seconds,
        embedded_passages=report.embedded_passages,
        query_embed_seconds=embed_seconds,
        results=results,
    )
    return evaluation


# -- output ----------------------------------------------------------------------------------------


def format_table(evaluation: Evaluation) -> str:
    lines = [
        f"{evaluation.dataset}: {evaluation.queries} judged queries, {evaluation.documents} documents, "
        f"{evaluation.passages} passages",
        "",
        "| retrieval | nDCG@10 | Δ vs bot default [95% CI] | Recall@10 | Recall@100 | <100 docs | ms/query |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, s in evaluation.results.items():
        delta = "" if s.delta_vs_default is None else "{:+.4f} [{:+.4f}, {:+.4f}]".format(*s.delta_vs_default)
        lines.append(
            f"| {name} | {s.ndcg_10:.4f} | {delta} | {s.recall_10:.4f} | {s.recall_100:.4f} | {s.short_lists} "
            f"| {s.search_ms_mean:.1f} |"
        )
    lines += [
        "",
        f"Bot default: {_describe_default()}. Rows with fewer than {DOCUMENT_DEPTH} documents for some queries "
        "(candidates too shallow) understate Recall@100. ms/query includes widening k to fill "
        f"{DOCUMENT_DEPTH} documents, so it is not the bot's latency (see benchmarks/latency.py).",
        "",
        "Published nDCG@10 (same test claims):",
        "",
    ]
    lines += [f"- {name}: {score:.3f}" for name, score in PUBLISHED.items()]
    return "\n".join(lines)


def _describe_default() -> str:
    bot = RetrievalSettings()
    fusion = f"rrf k={bot.rrf_k}" if bot.fusion == "rrf" else f"blend w={bot.dense_weight}"
    return f"{fusion}, candidates={bot.candidates} (bot/settings.py RetrievalSettings)"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="BEIR folder: corpus.jsonl, queries.jsonl, qrels/test.tsv")
    parser.add_argument("--index-dir", type=Path, help="keep (and reuse) the index here; default: a temp dir")
    parser.add_argument("--limit", type=int, help="score only the first N judged test queries")
    parser.add_argument("--json", type=Path, dest="json_out", help="also write the figures to this file")
    parser.add_argument(
        "--grid", action="store_true", help="a finer fusion sweep instead of the standard table"
    )
    parser.add_argument(
        "--encoder",
        choices=("onnx", "onnx-int8", "torch"),
        default="torch",
        help="what embeds passages and claims (torch: sentence-transformers, as the figures below)",
    )
    parser.add_argument(
        "--corpus-subset",
        type=int,
        metavar="N",
        help="index only the judged documents plus the first N others (paired comparisons)",
    )
    parser.add_argument(
        "--passages-only",
        action="store_true",
        help="skip the sentence vectors (answers use them; retrieval metrics do not)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    variants = grid_variants() if args.grid else default_variants()
    from retrieval.embedders.runtimes import indexing_embedder

    evaluation = run(
        args.folder,
        args.index_dir,
        args.limit,
        embedder=indexing_embedder(args.encoder, "all-MiniLM-L6-v2"),
        variants=variants,
        show_progress=True,
        sentence_vectors=not args.passages_only,
        corpus_subset=args.corpus_subset,
    )
    print(format_table(evaluation))
    if args.json_out:
        args.json_out.write_text(json.dumps(evaluation.to_json(), indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
