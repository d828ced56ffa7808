"""Which `Embedder` runs the model: a registry keyed by the `encoder` setting, for indexing and for serving.

- `onnx` (default): onnxruntime + `tokenizers`, fp32; the same vectors as sentence-transformers.
- `onnx-int8`: the same graph with int8 weights (onnxruntime dynamic quantization).
- `torch`: sentence-transformers itself (for a GPU through torch, or when ONNX is unavailable).

At index time the fp32 `onnx` encoder's documents run on OpenVINO when it is installed and agrees with
onnxruntime (`retrieval/embedders/openvino_embedder.py`: embeds ~13% faster on the CPU), unless `index_runtime` says
onnxruntime; the vectors are the same (cosine >= 0.99999) and the index keeps the onnxruntime files.

Indexing exports (and verifies) the ONNX model once, stores it in the index, and records the encoder in
the manifest. Serving runs the index's own encoder file and imports no torch, unless the setting is
`torch` or the index has no ONNX encoder (built by `torch`, or by an older citebot).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from retrieval.config import DEFAULT_RUNTIME
from retrieval.embedders.onnx_embedder import META_FILE, MODEL_FILES, EncoderMeta, OnnxEmbedder
from retrieval.embedders.torch_embedder import Embedder, SentenceTransformerEmbedder

log = logging.getLogger(__name__)

# What runs an fp32 `onnx` build's documents (the `index_runtime` setting; serving is always onnxruntime).
RUNTIMES = ("auto", "openvino", "onnxruntime")


def _onnx_for_indexing(encoder: str) -> Callable[..., Embedder]:
    def make(model: str, device: str | None, runtime: str = DEFAULT_RUNTIME) -> Embedder:
        try:
            from retrieval.embedders.onnx_export import ensure_encoder

            folder = ensure_encoder(model, encoder)
        except Exception as error:  # EncoderUnavailable, or onnx/onnxruntime not importable
            log.warning("ONNX encoder unavailable (%s); embedding with sentence-transformers", error)
            return SentenceTransformerEmbedder(model, device)
        if runtime not in RUNTIMES:
            raise ValueError(f"unknown index runtime {runtime!r}; choose one of {', '.join(RUNTIMES)}")
        on_cpu = not (device or "").startswith("cuda")
        if encoder == "onnx" and on_cpu and runtime in ("auto", "openvino"):
            from retrieval.embedders.openvino_embedder import OpenVinoEmbedder

            # auto: OpenVINO for calls big enough to repay loading it; openvino: for every call.
            return OpenVinoEmbedder(
                folder, name=model, **({"min_tokens": 0} if runtime == "openvino" else {})
            )
        return OnnxEmbedder(folder, encoder, name=model, device=device)

    return make


# encoder setting -> factory(model, device, runtime) used by `citebot index`.
EMBEDDERS: dict[str, Callable[..., Embedder]] = {
    "onnx": _onnx_for_indexing("onnx"),
    "onnx-int8": _onnx_for_indexing("onnx-int8"),
    "torch": lambda model, device, runtime=DEFAULT_RUNTIME: SentenceTransformerEmbedder(model, device),
}


def indexing_embedder(
    encoder: str, model: str, device: str | None = None, runtime: str = DEFAULT_RUNTIME
) -> Embedder:
    """The embedder `citebot index` uses. An ONNX one falls back to sentence-transformers, and OpenVINO to
    onnxruntime, with one log line each. `runtime` (the `index_runtime` setting) picks what runs the fp32
    `onnx` encoder's documents on the CPU: auto (OpenVINO for calls of 100,000 tokens or more, when it
    loads and agrees with onnxruntime), openvino (for every call) or onnxruntime. ValueError for an
    unknown encoder or runtime."""
    try:
        factory = EMBEDDERS[encoder]
    except KeyError:
        raise ValueError(f"unknown encoder {encoder!r}; choose one of {', '.join(EMBEDDERS)}") from None
    return factory(model, device, runtime)


def encoder_name(embedder: Embedder) -> str:
    """What the manifest records for vectors made by `embedder` (`torch` for any non-ONNX embedder)."""
    return getattr(embedder, "encoder", "torch")


def encoder_files(embedder: Embedder) -> list[Path]:
    """Files an index must keep so serving can run `embedder` without torch (none for torch)."""
    return list(getattr(embedder, "files", []))


class ServingEmbedders:
    """Picks and caches the query embedder for an index generation, as the `encoder` setting and the
    generation's manifest allow: the index's ONNX files when present, sentence-transformers otherwise."""

    def __init__(self, encoder: str, model: str, device: str | None = None) -> None:
        self.encoder = encoder
        self.model = model
        self.device = device
        self._cache: dict[str, Embedder] = {}
        self._lock = threading.Lock()

    def for_generation(self, folder: Path | None, manifest_encoder: str) -> Embedder:
        """The embedder for a generation whose manifest recorded `manifest_encoder` and whose encoder files
        are in `folder` (None: the library keeps none)."""
        usable = (
            folder is not None
            and self.encoder != "torch"
            and manifest_encoder in MODEL_FILES
            and (folder / MODEL_FILES[manifest_encoder]).exists()
        )
        with self._lock:
            if not usable:
                if "torch" not in self._cache:
                    if self.encoder != "torch":
                        log.info(
                            "index has no ONNX encoder (built with %s): answering with sentence-transformers; "
                            "rebuild the index to serve without torch",
                            manifest_encoder,
                        )
                    self._cache["torch"] = SentenceTransformerEmbedder(self.model, self.device)
                return self._cache["torch"]
            key = f"{manifest_encoder}:{_meta_key(folder)}"
            if key not in self._cache:
                # One thread per question: a query is ~10-30 tokens, too little work to split across cores
                # (2 threads were slower under load, 13 vs 8 ms p50), and concurrent questions then run
                # on separate cores.
                embedder = OnnxEmbedder(
                    folder, manifest_encoder, name=self.model, device=self.device, threads=1
                )
                embedder.load()  # now, while this generation's files are certainly there
                self._cache[key] = embedder
            return self._cache[key]


def _meta_key(folder: Path) -> str:
    try:
        return EncoderMeta.load(folder).key
    except (OSError, ValueError, TypeError):
        return str(folder / META_FILE)
