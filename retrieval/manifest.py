"""The index manifest: how an index was built, so a mismatched one is refused with a way out."""

from __future__ import annotations

import json
import platform
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from retrieval.errors import IndexIncompatibleError

FORMAT_VERSION = 1
# Bump when loading, cleaning or chunking changes what passages a file yields: a refresh then
# re-reads every file instead of reusing passages made by the old code.
PIPELINE_VERSION = 10
MANIFEST_FILE = "manifest.json"


@dataclass
class FileEntry:
    sha256: str
    passages: int
    title: str


@dataclass
class Manifest:
    model: str
    dimension: int
    max_words: int
    overlap_sentences: int
    index_type: str
    corpus: str
    encoder: str = "torch"  # what made the vectors: onnx, onnx-int8 or torch (indexes before encoders: torch)
    files: dict[str, FileEntry] = field(default_factory=dict)
    passage_count: int = 0
    built_at: str = ""
    format_version: int = FORMAT_VERSION
    pipeline_version: int = PIPELINE_VERSION
    versions: dict[str, str] = field(default_factory=dict)

    def save(self, directory: Path) -> None:
        self.built_at = datetime.now(UTC).isoformat(timespec="seconds")
        self.versions = library_versions()
        (directory / MANIFEST_FILE).write_text(json.dumps(asdict(self), indent=1), "utf-8")

    @classmethod
    def load(cls, directory: Path, rebuild_hint: str) -> Manifest:
        path = directory / MANIFEST_FILE
        try:
            raw = json.loads(path.read_text("utf-8"))
            version = raw.get("format_version")
            if version != FORMAT_VERSION:
                raise IndexIncompatibleError(
                    f"Index at {directory} has format version {version}; this citebot reads version "
                    f"{FORMAT_VERSION}. {rebuild_hint}"
                )
            raw["files"] = {source: FileEntry(**entry) for source, entry in raw.get("files", {}).items()}
            return cls(**raw)
        except (OSError, ValueError, TypeError, AttributeError) as error:
            raise IndexIncompatibleError(
                f"Index manifest {path} is unreadable ({error.__class__.__name__}). {rebuild_hint}"
            ) from None


def library_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for package in ("citebot", "sentence-transformers", "faiss-cpu", "bm25s", "torch", "onnxruntime"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "unknown"
    return versions
