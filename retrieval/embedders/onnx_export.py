"""Export a sentence-transformers model to ONNX at index time (offline, from the local model files).

The export runs once per model and library versions and is cached under
`$CITEBOT_CACHE_DIR/encoders/` (default `~/.cache/citebot`, or `$XDG_CACHE_HOME/citebot`); each index built
with it keeps its own copy (a hard link where the file system allows), so a bot never needs the cache.
Every export is verified against sentence-transformers itself before it is used. This module imports
torch: serving never imports it.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import shutil
import tempfile
from importlib import metadata
from pathlib import Path

import numpy as np

from retrieval.embedders.onnx_embedder import (
    MODEL_FILES,
    TOKENIZER_FILE,
    UNFUSED_FILE,
    EncoderMeta,
    OnnxEmbedder,
)
from retrieval.embedders.torch_embedder import resolve_model_path

log = logging.getLogger(__name__)

# Bump when the exported graph or the files written change: older cache entries are then ignored.
EXPORT_VERSION = 2
OPSET = 17
# Lowest cosine accepted between an export's vectors and sentence-transformers' on VERIFY_TEXTS.
# fp32 must be numerically the same model; int8 weights move vectors a little (measured: lowest 0.989,
# median 0.994 over these texts and the seeds' first lines).
MIN_COSINE = {"onnx": 0.9999, "onnx-int8": 0.98}
VERIFY_TEXTS = [
    "how much did Microsoft invest?",
    "Microsoft is investing $1 billion in OpenAI to develop AI technologies on Azure.",
    "Café déjà vu: naïve Unicode, emoji 🙂 and CJK 東京 survive tokenisation.",
    "a",
    # Longer than max_seq_length tokens: checks truncation matches.
    " ".join(["The partnership covers supercomputing, research and commercial products."] * 40),
]
_VERSIONED = ("torch", "transformers", "sentence-transformers", "onnx", "onnxruntime", "tokenizers")


class EncoderUnavailable(Exception):
    """The ONNX encoder could not be produced or verified; the message says why."""


def cache_root() -> Path:
    """Where exported encoders are cached: $CITEBOT_CACHE_DIR, else $XDG_CACHE_HOME/citebot, else ~/.cache/citebot."""
    explicit = os.environ.get("CITEBOT_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "citebot"


def _versions() -> dict[str, str]:
    found = {}
    for package in _VERSIONED:
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = "missing"
    return found


def encoder_key(model: str) -> str:
    """A short hash of the model's files (names, sizes, mtimes), the library versions and EXPORT_VERSION."""
    path = Path(resolve_model_path(model))
    digest = hashlib.blake2b(digest_size=8)
    digest.update(f"{model}|{EXPORT_VERSION}|{OPSET}|{sorted(_versions().items())}".encode())
    if path.is_dir():
        for file in sorted(p for p in path.rglob("*") if p.is_file()):
            stat = file.stat()
            digest.update(f"{file.relative_to(path)}|{stat.st_size}|{int(stat.st_mtime)}".encode())
    return digest.hexdigest()


def ensure_encoder(model: str, encoder: str = "onnx", cache: Path | None = None) -> Path:
    """The folder holding a verified `encoder` export of `model`, exporting it first when not cached.

    Raises EncoderUnavailable (with the reason) when the model is not local, a library is missing, the
    export fails, or its vectors differ from sentence-transformers' (cosine below MIN_COSINE[encoder]).
    """
    if encoder not in MODEL_FILES:
        raise EncoderUnavailable(f"unknown ONNX encoder {encoder!r}")
    path = Path(resolve_model_path(model))
    if not path.is_dir():
        raise EncoderUnavailable(f"model {model!r} is not a local folder, so it cannot be exported offline")
    key = encoder_key(model)
    folder = (cache or cache_root()) / "encoders" / f"{path.name}-{key}"
    meta = _cached_meta(folder)
    if meta is not None and encoder in meta.cosine and (folder / MODEL_FILES[encoder]).exists():
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".export-", dir=folder.parent))
    try:
        if meta is not None:  # keep what is there (e.g. fp32) and add the missing variant
            for existing in folder.iterdir():
                shutil.copy2(existing, work / existing.name)
        _build(model, path, key, encoder, work)
        _replace_folder(work, folder)
    except EncoderUnavailable:
        raise
    except Exception as error:  # an exporter or a missing library: say which, fall back upstream
        raise EncoderUnavailable(f"{error.__class__.__name__}: {error}".strip()[:300]) from error
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return folder


def _cached_meta(folder: Path) -> EncoderMeta | None:
    try:
        return EncoderMeta.load(folder)
    except (OSError, ValueError, TypeError):
        return None


def _replace_folder(work: Path, folder: Path) -> None:
    """Publish `work` as `folder`; another process finishing first is fine (same key, same content)."""
    old = folder.with_name(folder.name + f".old-{os.getpid()}")
    if folder.exists():
        folder.rename(old)
    try:
        work.rename(folder)
    except OSError:
        if not folder.exists():
            raise
    shutil.rmtree(old, ignore_errors=True)


def _build(model: str, path: Path, key: str, encoder: str, work: Path) -> None:
    from sentence_transformers import SentenceTransformer

    reference_model = SentenceTransformer(str(path), device="cpu")
    reference = reference_model.encode(VERIFY_TEXTS, normalize_embeddings=True, convert_to_numpy=True)
    meta = _cached_meta(work) or EncoderMeta(
        model=model,
        dimension=int(reference.shape[1]),
        max_seq_length=int(reference_model.max_seq_length),
        key=key,
        versions=_versions(),
    )
    fused = False
    if not (work / MODEL_FILES["onnx"]).exists():
        _export_fp32(reference_model, work / UNFUSED_FILE)
        config = reference_model[0].auto_model.config
        heads, hidden = getattr(config, "num_attention_heads", 0), getattr(config, "hidden_size", 0)
        fused = _fuse(work / UNFUSED_FILE, work / MODEL_FILES["onnx"], heads, hidden)
        shutil.copy2(path / TOKENIZER_FILE, work / TOKENIZER_FILE)
        meta.cosine.pop("onnx", None)
    if encoder == "onnx-int8":
        _quantize(work / UNFUSED_FILE, work / MODEL_FILES["onnx-int8"])
    meta.save(work)
    for variant in ("onnx", encoder):
        if variant in meta.cosine:
            continue
        lowest = _lowest_cosine(work, variant, reference)
        if variant == "onnx" and fused and lowest < MIN_COSINE[variant]:
            log.info("fused graph disagrees (cosine %.6f): using the graph as exported", lowest)
            shutil.copy2(work / UNFUSED_FILE, work / MODEL_FILES["onnx"])
            lowest = _lowest_cosine(work, variant, reference)
        if lowest < MIN_COSINE[variant]:
            raise EncoderUnavailable(
                f"{variant} export disagrees with sentence-transformers (cosine {lowest:.5f} < "
                f"{MIN_COSINE[variant]})"
            )
        meta.cosine[variant] = round(lowest, 6)
        log.info("%s encoder verified: lowest cosine to sentence-transformers %.6f", variant, lowest)
    meta.save(work)


def _lowest_cosine(work: Path, variant: str, reference: np.ndarray) -> float:
    """Lowest cosine between `variant`'s vectors of VERIFY_TEXTS and sentence-transformers' (`reference`)."""
    vectors = OnnxEmbedder(work, variant, threads=1).embed_documents(VERIFY_TEXTS)
    return float(np.min(np.sum(vectors * reference, axis=1)))


def _fuse(source: Path, target: Path, heads: int, hidden: int) -> bool:
    """onnxruntime's transformer fusions (one Attention op per layer, SkipLayerNormalization, BiasGelu):
    fewer passes over memory, 1.05-1.12x the texts/s of the plain graph when indexing on 2 cores
    (benchmarks/README.md). `heads` and `hidden` (the model config's attention heads and hidden size) let
    the fusion split the packed projections. Writes `target`; a copy of `source` when the graph has no
    fusable attention (another architecture) or the optimizer fails. Returns whether it was fused."""
    try:
        from onnxruntime.transformers.optimizer import optimize_model

        with _quiet_info_logs():
            optimized = optimize_model(
                str(source), model_type="bert", num_heads=heads, hidden_size=hidden, opt_level=1
            )
            if optimized.get_fused_operator_statistics().get("Attention", 0) > 0:
                optimized.save_model_to_file(str(target))
                return True
        log.info("no attention to fuse in %s: the graph is used as exported", source.name)
    except Exception as error:  # an optimizer that cannot read this graph: the plain graph still works
        log.info("transformer fusions unavailable (%s): the graph is used as exported", error)
    shutil.copy2(source, target)
    return False


@contextlib.contextmanager
def _quiet_info_logs():
    """No INFO records for the block: onnxruntime's optimizer logs each fusion at INFO ("Fused Gelu: 6", a
    dict of operator counts) under top-level logger names of its own modules, which `citebot index`
    would otherwise print on first use. (Process-wide while it lasts: the export runs once, at index time.)"""
    previous = logging.root.manager.disable
    logging.disable(max(previous, logging.INFO))
    try:
        yield
    finally:
        logging.disable(previous)


def _export_fp32(reference_model, target: Path) -> None:
    """torch.onnx.export of the transformer module (TorchScript exporter; onnxscript is not needed)."""
    import torch

    transformer = reference_model[0].auto_model.eval()
    # Eager attention exports as plain MatMul/Softmax, which onnxruntime fuses into one Attention op;
    # PyTorch's scaled-dot-product attention exports with Where/IsNaN masking that it cannot fuse.
    attention = getattr(transformer.config, "_attn_implementation", None)
    if attention not in (None, "eager") and hasattr(transformer, "set_attn_implementation"):
        transformer.set_attn_implementation("eager")

    class LastHiddenState(torch.nn.Module):
        def __init__(self, inner: torch.nn.Module) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.inner(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    import warnings

    sample = torch.ones((2, 16), dtype=torch.long)
    names = ["input_ids", "attention_mask", "token_type_ids"]
    axes = {name: {0: "batch", 1: "tokens"} for name in [*names, "last_hidden_state"]}
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer warnings about shape-dependent branches: verified below
        torch.onnx.export(
            LastHiddenState(transformer),
            (sample, sample, torch.zeros_like(sample)),
            str(target),
            input_names=names,
            output_names=["last_hidden_state"],
            dynamic_axes=axes,
            opset_version=OPSET,
            dynamo=False,
        )
    if attention not in (None, "eager") and hasattr(transformer, "set_attn_implementation"):
        transformer.set_attn_implementation(attention)


def _quantize(source: Path, target: Path) -> None:
    """onnxruntime dynamic quantization: int8 weights for the weight MatMuls, activations quantized per call.

    Per-channel weights and the attention products left in fp32 (MatMulConstBOnly) keep vectors close to
    fp32 (per-tensor weights with everything quantized: cosine down to 0.87); reduce_range (7-bit weights)
    avoids the saturation of AVX2's u8s8 16-bit accumulation (0.985 -> 0.989 lowest cosine).
    """
    from onnxruntime.quantization import QuantType, quantize_dynamic

    root = logging.getLogger()
    advice = _DropPreprocessingAdvice()
    root.addFilter(advice)  # the quantizer's generic "consider pre-processing" warning is not actionable here
    try:
        _quantize_dynamic(quantize_dynamic, QuantType, source, target)
    finally:
        root.removeFilter(advice)


class _DropPreprocessingAdvice(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return "pre-processing before quantization" not in record.getMessage()


def _quantize_dynamic(quantize_dynamic, QuantType, source: Path, target: Path) -> None:  # noqa: N803
    quantize_dynamic(
        str(source),
        str(target),
        weight_type=QuantType.QInt8,
        op_types_to_quantize=["MatMul"],
        per_channel=True,
        reduce_range=True,
        extra_options={"MatMulConstBOnly": True},
    )
