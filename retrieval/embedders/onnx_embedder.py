"""The sentence-transformers model on onnxruntime + `tokenizers`: the same vectors, without importing torch.

An encoder folder (written by `retrieval.embedders.onnx_export` at index time) holds `model.onnx` (the transformer,
inputs `input_ids`/`attention_mask`/`token_type_ids`, output `last_hidden_state`), optionally
`model-int8.onnx` (its dynamically quantized twin), the model's `tokenizer.json`, and `encoder.json`
(dimension, max sequence length, how and when it was exported and verified). Pooling and normalisation
are done here, as sentence-transformers' `Pooling(mean)` + `Normalize` modules do for all-MiniLM-L6-v2.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

META_FILE = "encoder.json"
TOKENIZER_FILE = "tokenizer.json"
# Encoder name (the `encoder` config key) -> ONNX file in the encoder folder.
MODEL_FILES = {"onnx": "model.onnx", "onnx-int8": "model-int8.onnx"}
# The graph as exported (eager attention, plain ONNX ops), kept in the encoder cache only: the int8 variant
# is quantized from it, OpenVINO runs it at index time (it cannot read onnxruntime's fused ops), and the
# benchmarks count its MatMul FLOP. `model.onnx` is this graph with onnxruntime's transformer fusions.
UNFUSED_FILE = "model-unfused.onnx"
# Texts per onnxruntime call, at most; and padded tokens per call, at most (rows x longest text). A call
# of ~2,000 tokens keeps the matrix multiplies efficient while its activations stay in cache: measured on
# 2 cores (benchmarks/README.md, "Indexing at the limit"), 200-token passages ran 1.25x faster 8 to a call
# than 32, and 30-token sentences as fast 32 to a call as 8.
DEFAULT_BATCH = 32
DEFAULT_BATCH_TOKENS = 2048


@dataclass
class EncoderMeta:
    """What `encoder.json` records about an exported encoder."""

    model: str  # the configured model name, e.g. all-MiniLM-L6-v2
    dimension: int  # vector size (384 for all-MiniLM-L6-v2)
    max_seq_length: int  # tokens read per text, [CLS] and [SEP] included (256: sentence_bert_config.json)
    key: str  # cache key: model files + library versions + export version
    versions: dict[str, str] = field(default_factory=dict)
    # encoder name -> lowest cosine against sentence-transformers over the verification texts
    cosine: dict[str, float] = field(default_factory=dict)

    @classmethod
    def load(cls, directory: Path) -> EncoderMeta:
        """Read `encoder.json`; OSError / ValueError / TypeError when it is missing or malformed."""
        return cls(**json.loads((Path(directory) / META_FILE).read_text("utf-8")))

    def save(self, directory: Path) -> None:
        (Path(directory) / META_FILE).write_text(json.dumps(asdict(self), indent=1), "utf-8")


class OnnxEmbedder:
    """An `Embedder` running an exported encoder folder on onnxruntime; loads on first use, thread-safe.

    Texts are sorted by token count and embedded in batches of at most `batch_size` texts and
    `batch_tokens` padded tokens, so batches carry little padding and stay cache-sized; the next batch's arrays are built on a second thread while onnxruntime runs the current one. Vectors are
    float32, shape (len(texts), dimension), L2-normalised (inner product = cosine).
    """

    def __init__(
        self,
        model_dir: Path,
        encoder: str = "onnx",
        name: str | None = None,
        threads: int | None = None,
        batch_size: int = DEFAULT_BATCH,
        device: str | None = None,
        batch_tokens: int = DEFAULT_BATCH_TOKENS,
    ) -> None:
        if encoder not in MODEL_FILES:
            raise ValueError(f"unknown ONNX encoder {encoder!r}; choose one of {', '.join(MODEL_FILES)}")
        self.model_dir = Path(model_dir)
        self.encoder = encoder
        self.meta = EncoderMeta.load(self.model_dir)
        self.name = name or self.meta.model
        self._threads = threads
        self._batch_size = batch_size
        self._batch_tokens = batch_tokens
        self._device = device
        self._session = None
        self._tokenizer = None
        self._inputs: tuple[str, ...] = ()
        self._pad_id = 0
        self._lock = threading.Lock()
        self.runtime_used = ""  # what ran the last embedding call: "onnxruntime" (or "openvino", subclass)

    @property
    def dimension(self) -> int:
        return self.meta.dimension

    @property
    def files(self) -> list[Path]:
        """The files this encoder needs at serving time (stored with an index built by it)."""
        return [self.model_dir / name for name in (MODEL_FILES[self.encoder], TOKENIZER_FILE, META_FILE)]

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, None)

    def embed_documents(self, texts: list[str], show_progress: bool = False) -> np.ndarray:
        if not show_progress:
            return self._encode(texts, None)
        from tqdm import tqdm

        with tqdm(total=len(texts), desc="Embedding", unit="text") as bar:
            return self._encode(texts, bar.update)

    # -- loading -----------------------------------------------------------------------------------
    def load(self) -> None:
        """Open the tokenizer and the onnxruntime session now (otherwise: at the first embed)."""
        if self._session is None:
            self._load()

    def _load(self) -> None:
        with self._lock:
            if self._session is not None:
                return
            import onnxruntime as ort

            tokenizer = self._open_tokenizer()
            options = ort.SessionOptions()
            options.intra_op_num_threads = self._threads or os.cpu_count() or 1
            options.inter_op_num_threads = 1
            options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
            providers = ["CPUExecutionProvider"]
            if (self._device or "").startswith("cuda"):
                if "CUDAExecutionProvider" in ort.get_available_providers():
                    providers.insert(0, "CUDAExecutionProvider")
                else:
                    log.warning(
                        "device %s asked for, but onnxruntime has no CUDA provider: using CPU", self._device
                    )
            model_file = self.model_dir / MODEL_FILES[self.encoder]
            session = ort.InferenceSession(str(model_file), options, providers=providers)
            self._inputs = tuple(i.name for i in session.get_inputs())
            self._tokenizer = tokenizer
            self._session = session
            log.debug("loaded %s encoder from %s", self.encoder, model_file)

    def _open_tokenizer(self):
        """The model's `tokenizers.Tokenizer`, set to truncate as sentence-transformers does; sets the pad id."""
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(self.model_dir / TOKENIZER_FILE))
        # The shipped tokenizer.json pads every text to 128 and truncates there; sentence-transformers
        # truncates at max_seq_length and pads to the longest text of a batch (done in _feed).
        self._pad_id = (tokenizer.padding or {}).get("pad_id", 0)
        tokenizer.no_padding()
        tokenizer.enable_truncation(max_length=self.meta.max_seq_length)
        return tokenizer

    # -- encoding ----------------------------------------------------------------------------------
    def embed_documents_progress(self, texts: list[str], progress: Callable[[int], None]) -> np.ndarray:
        """`embed_documents`, calling `progress(n)` as each batch of n texts is done (for a progress bar)."""
        return self._encode(texts, progress)

    def _encode(self, texts: list[str], progress: Callable[[int], None] | None) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        if self._session is None:
            self._load()
        # Tokenise everything first (Rust, on every core: ~1% of the embedding time), then run the texts
        # in order of token count, so each batch is padded to little more than its own length.
        self.runtime_used = "onnxruntime"
        return self._embed_encodings(self._tokenizer.encode_batch(texts), progress)

    def _embed_encodings(self, encodings: list, progress: Callable[[int], None] | None) -> np.ndarray:
        """Vectors (len(encodings), dimension) of tokenised texts, run on onnxruntime in length order."""
        lengths, batches = self._batches(encodings, self._batch_tokens)
        out = np.empty((len(encodings), self.dimension), dtype=np.float32)
        if len(batches) == 1:
            out[batches[0]] = self._run(self._feed(encodings, batches[0], lengths))
        else:  # the next batch's arrays are built on a second thread while onnxruntime runs this one
            with ThreadPoolExecutor(max_workers=1, thread_name_prefix="batch") as pool:
                pending = pool.submit(self._feed, encodings, batches[0], lengths)
                for number, rows in enumerate(batches):
                    feed = pending.result()
                    if number + 1 < len(batches):
                        pending = pool.submit(self._feed, encodings, batches[number + 1], lengths)
                    out[rows] = self._run(feed)
                    if progress is not None:
                        progress(len(rows))
        if progress is not None and len(batches) == 1:
            progress(len(encodings))
        return out

    def _batches(self, encodings: list, batch_tokens: int) -> tuple[np.ndarray, list[np.ndarray]]:
        """(token count per text, the batches of row ids to run): texts grouped longest first into batches
        of at most `batch_tokens` padded tokens and the embedder's batch size, run in `mixed_order`."""
        lengths = np.fromiter((len(e.ids) for e in encodings), dtype=np.int64, count=len(encodings))
        order = np.argsort(-lengths, kind="stable")
        return lengths, mixed_order(token_batches(lengths, order, self._batch_size, batch_tokens))

    def _feed(self, encodings: list, rows: np.ndarray, lengths: np.ndarray) -> dict[str, np.ndarray]:
        """Padded int64 arrays (len(rows), longest) for the texts at `rows`."""
        width = int(lengths[rows].max())
        ids = np.full((len(rows), width), self._pad_id, dtype=np.int64)
        mask = np.zeros((len(rows), width), dtype=np.int64)
        types = np.zeros((len(rows), width), dtype=np.int64)
        for line, row in enumerate(rows):
            encoding = encodings[row]
            size = len(encoding.ids)
            ids[line, :size] = encoding.ids
            mask[line, :size] = 1
            types[line, :size] = encoding.type_ids
        feed = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feed["token_type_ids"] = types
        return feed

    def _run(self, feed: dict[str, np.ndarray]) -> np.ndarray:
        (tokens,) = self._session.run(["last_hidden_state"], feed)
        return mean_pool_normalize(tokens, feed["attention_mask"])


def token_batches(lengths: np.ndarray, order: np.ndarray, max_rows: int, max_tokens: int) -> list[np.ndarray]:
    """Split `order` (indices into `lengths`, longest text first) into consecutive batches of at most
    `max_rows` texts whose padded size (rows x the first, longest, text's tokens) stays within
    `max_tokens`; a text longer than `max_tokens` gets a batch of its own. Returns index arrays."""
    batches = []
    start = 0
    while start < len(order):
        width = max(int(lengths[order[start]]), 1)
        rows = max(1, min(max_rows, max_tokens // width))
        batches.append(order[start : start + rows])
        start += rows
    return batches


def mixed_order(batches: list[np.ndarray]) -> list[np.ndarray]:
    """The batches longest, shortest, second longest, second shortest, ...: the same work in an order
    whose texts/s from the start is close to the average, so a progress bar's time left is right early
    (longest first, the bar opened at 8 minutes left for a 33-second build)."""
    mixed = []
    low, high = 0, len(batches) - 1
    while low <= high:
        mixed.append(batches[low])
        if high != low:
            mixed.append(batches[high])
        low, high = low + 1, high - 1
    return mixed


def mean_pool_normalize(tokens: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """sentence-transformers' mean pooling then L2 normalisation.

    tokens: (batch, seq, dim) float32 token embeddings; mask: (batch, seq) 0/1 attention mask.
    Returns (batch, dim) float32 unit vectors. The clamps are sentence-transformers' own (1e-9 on the
    token count, 1e-12 on the norm, as torch.nn.functional.normalize).
    """
    weights = mask.astype(np.float32)[:, :, None]
    summed = (tokens * weights).sum(axis=1)
    counts = np.clip(weights.sum(axis=1), 1e-9, None)
    pooled = summed / counts
    norms = np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
    return (pooled / norms).astype(np.float32)
