"""Index-time embedding on OpenVINO's CPU runtime: the exported fp32 graph, the same vectors, ~13% faster.

Why a second runtime: on onnxruntime, embedding the docs_dev corpus ran at 0.74-0.82 of this machine's
fp32 bound; OpenVINO runs the same ONNX file at 0.86-0.92 (benchmarks/README.md, "Indexing at the limit"),
because it fuses each MatMul's bias and GELU into the matrix multiply and runs one batch per core with
no hand-off between cores ("throughput" mode: as many streams and batches in flight as it picks for the
machine). Serving keeps onnxruntime: `import openvino` and compiling cost ~1 s and ~250 MiB, which a
question (~20 tokens) never earns back; for the same reason a small embedding call at index time (below
`min_tokens`) runs on onnxruntime too.

Only for the fp32 `onnx` encoder on the CPU: OpenVINO is told to compute in f32 (on CPUs with bf16
instructions it would otherwise pick bf16), and its vectors are checked against onnxruntime's on the
export's verification texts (cosine >= MIN_COSINE) before any document is embedded with it. The index
keeps the onnxruntime encoder files: what serves queries is what `citebot index` verified.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np

from retrieval.embedders.onnx_embedder import UNFUSED_FILE, OnnxEmbedder, mean_pool_normalize

log = logging.getLogger(__name__)

# Lowest cosine accepted between OpenVINO's and onnxruntime's vectors of the same texts: both run the
# same fp32 graph and differ only in summation order (measured: lowest 0.9999998).
MIN_COSINE = 0.99999
# Compile options: throughput mode (OpenVINO picks streams and threads for the cores), fp32 arithmetic,
# and threads not pinned to cores (a build may run beside a bot answering questions).
COMPILE_CONFIG = {
    "PERFORMANCE_HINT": "THROUGHPUT",
    "INFERENCE_PRECISION_HINT": "f32",
    "ENABLE_CPU_PINNING": False,
}
# Padded tokens per batch: one batch per stream (core), so ~1,000 tokens keep each core's activations
# within its own L2 cache; 512 and 2,048 measured the same or slower on 2 cores (benchmarks/README.md).
DEFAULT_BATCH_TOKENS = 1024
# Calls with fewer tokens run on onnxruntime: loading, compiling and verifying OpenVINO takes ~1.1 s,
# which its ~13% gain repays after ~10 s of embedding (~75,000 tokens on 2 cores).
DEFAULT_MIN_TOKENS = 100_000


class RuntimeUnavailable(Exception):
    """OpenVINO cannot run this encoder here; the message says why."""


class OpenVinoEmbedder(OnnxEmbedder):
    """The fp32 `onnx` encoder for documents: calls of at least `min_tokens` tokens run on OpenVINO,
    smaller ones (and every call after OpenVINO failed to load or verify, logged once) on onnxruntime.

    Same tokenisation, batching by token count, pooling and normalisation as `OnnxEmbedder`; OpenVINO
    batches run asynchronously, one per stream. Vectors: float32 (len(texts), dimension), L2-normalised.
    `encoder` and `files` are the onnxruntime fp32 encoder's, so an index built with it serves on
    onnxruntime. `runtime_used` says what embedded the last call ("openvino" or "onnxruntime").
    """

    def __init__(
        self, model_dir: Path, name: str | None = None, min_tokens: int = DEFAULT_MIN_TOKENS
    ) -> None:
        super().__init__(model_dir, "onnx", name=name)
        self.min_tokens = min_tokens
        self._compiled = None
        self._queue = None
        self._output = None
        self._failed: str | None = None  # why OpenVINO is not used, once it failed
        self._openvino_lock = threading.RLock()  # held while loading (verification embeds) and embedding

    def _encode(self, texts: list[str], progress: Callable[[int], None] | None) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        if self._tokenizer is None:
            with self._lock:
                if self._tokenizer is None:
                    self._tokenizer = self._open_tokenizer()
        encodings = self._tokenizer.encode_batch(texts)
        if sum(len(e.ids) for e in encodings) >= self.min_tokens and self._openvino_ready():
            vectors, done, error = self._embed_openvino(encodings, progress)
            if error is None:
                self.runtime_used = "openvino"
                return vectors
            # Verified, yet failed on these texts: keep its finished batches, embed the rest on onnxruntime.
            self._failed = _why(error)
            self._compiled = self._queue = None  # not used again by this embedder
            log.warning("OpenVINO failed (%s); embedding the rest with onnxruntime", self._failed)
            rest = np.flatnonzero(~done)
            vectors[rest] = self._onnxruntime([encodings[i] for i in rest], progress)
            return vectors
        return self._onnxruntime(encodings, progress)

    def _onnxruntime(self, encodings: list, progress: Callable[[int], None] | None) -> np.ndarray:
        if self._session is None:
            self._load()
        self.runtime_used = "onnxruntime"
        return self._embed_encodings(encodings, progress)

    # -- OpenVINO ----------------------------------------------------------------------------------
    def _openvino_ready(self) -> bool:
        """Load, compile and verify OpenVINO on first use; False (logged once) when it cannot be used."""
        with self._openvino_lock:
            if self._compiled is None and self._failed is None:
                try:
                    self._load_openvino()
                    self._verify()
                    log.debug("embedding documents with OpenVINO (%d batches in flight)", len(self._queue))
                except RuntimeUnavailable as error:
                    self._compiled = self._queue = None
                    self._failed = str(error)
                    log.warning("OpenVINO unavailable (%s); embedding with onnxruntime", error)
            return self._compiled is not None

    def _load_openvino(self) -> None:
        graph = self.model_dir / UNFUSED_FILE
        if not graph.exists():
            raise RuntimeUnavailable(f"{UNFUSED_FILE} is not in {self.model_dir}")
        try:
            import openvino as ov
        except ImportError as error:
            raise RuntimeUnavailable(f"openvino is not installed ({error})") from error
        try:
            core = ov.Core()
            compiled = core.compile_model(core.read_model(str(graph)), "CPU", COMPILE_CONFIG)
            # Twice the requests OpenVINO can run at once: when a stream finishes a batch, the next one
            # is already waiting (its arrays built while the others ran).
            requests = 2 * max(1, int(compiled.get_property("OPTIMAL_NUMBER_OF_INFER_REQUESTS")))
            self._queue = ov.AsyncInferQueue(compiled, requests)
            self._output = compiled.output("last_hidden_state")
            inputs = {name for port in compiled.inputs for name in port.get_names()}
        except Exception as error:  # OpenVINO reports unreadable graphs and devices as RuntimeError
            raise RuntimeUnavailable(_why(error)) from error
        self._inputs = tuple(
            name for name in ("input_ids", "attention_mask", "token_type_ids") if name in inputs
        )
        self._compiled = compiled

    def _verify(self) -> None:
        """RuntimeUnavailable unless OpenVINO's vectors match onnxruntime's on the verification texts."""
        from retrieval.embedders.onnx_export import (
            VERIFY_TEXTS,  # constants only: torch loads inside its functions
        )

        reference = OnnxEmbedder(self.model_dir, "onnx", threads=1).embed_documents(VERIFY_TEXTS)
        encodings = self._tokenizer.encode_batch(VERIFY_TEXTS)
        vectors, _, error = self._embed_openvino(encodings, None)
        if error is not None:
            raise RuntimeUnavailable(_why(error)) from error
        lowest = float(np.min(np.sum(vectors * reference, axis=1)))
        if lowest < MIN_COSINE:
            raise RuntimeUnavailable(f"its vectors disagree with onnxruntime's (cosine {lowest:.6f})")

    def _embed_openvino(
        self, encodings: list, progress: Callable[[int], None] | None
    ) -> tuple[np.ndarray, np.ndarray, RuntimeError | None]:
        """(vectors (n, dimension), done (n,) bool, OpenVINO's error or None): rows not done are unset."""
        lengths, batches = self._batches(encodings, DEFAULT_BATCH_TOKENS)
        out = np.empty((len(encodings), self.dimension), dtype=np.float32)
        done = np.zeros(len(encodings), dtype=bool)
        failures: list[BaseException] = []

        def finished(request, job) -> None:  # on an OpenVINO thread, as each batch completes
            rows, mask = job
            try:
                out[rows] = mean_pool_normalize(request.get_tensor(self._output).data, mask)
                done[rows] = True
                if progress is not None:
                    progress(len(rows))
            except BaseException as error:  # our own fault: raised again below, on the caller's thread
                failures.append(error)

        error = None
        with self._openvino_lock:  # one call at a time: the queue and its callback are shared
            self._queue.set_callback(finished)
            try:
                for rows in batches:
                    feed = self._feed(encodings, rows, lengths)
                    self._queue.start_async(feed, (rows, feed["attention_mask"]))
                self._queue.wait_all()
            except RuntimeError as raised:  # how OpenVINO reports a request it could not run
                error = raised
                self._drain()
        if failures:
            raise failures[0]
        return out, done, error

    def _drain(self) -> None:
        """Wait until no request is in flight, whatever they end with."""
        for _ in range(len(self._queue) + 1):
            try:
                self._queue.wait_all()
                return
            except RuntimeError:
                continue


def _why(error: BaseException) -> str:
    """One line for the fallback log: the error's type and message, at most 300 characters."""
    return f"{error.__class__.__name__}: {error}".strip()[:300]
