"""Shared by the sources tests: a real git repository made in the test, sources as the config gives
them, and the bag-of-words embedder (no model load)."""

from __future__ import annotations

import hashlib
import re
import subprocess
from pathlib import Path

import numpy as np

from bot.settings import SourceSettings
from retrieval.config import EngineConfig
from tests.retrieval.test_parts import WordsEmbedder

WORDS = WordsEmbedder()


class Words384(WordsEmbedder):
    """The bag of words in 384 dimensions: what the postgres backend's vector column holds."""

    dimension = 384

    def _embed(self, texts: list[str]) -> np.ndarray:
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                vectors[row, int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dimension] += 1
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.where(norms == 0, 1, norms)


def git(*args: str, cwd: Path) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", "-c", "init.defaultBranch=main",
         *args],
        cwd=cwd, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return done.stdout.strip()


def make_repository(folder: Path, files: dict[str, str]) -> str:
    """A git repository at `folder` with `files` committed on main; the commit."""
    folder.mkdir(parents=True, exist_ok=True)
    git("init", "--quiet", cwd=folder)
    return commit(folder, files, "first")


def commit(folder: Path, files: dict[str, str], message: str) -> str:
    """Write `files` (None deletes) and commit them; the new commit."""
    for name, text in files.items():
        path = folder / name
        if text is None:
            path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    git("add", "--all", cwd=folder)
    git("commit", "--quiet", "-m", message, cwd=folder)
    return git("rev-parse", "HEAD", cwd=folder)


def source(name: str, **location) -> SourceSettings:
    return SourceSettings(name=name, **location)


def engine_config(index: Path) -> EngineConfig:
    return EngineConfig(index=str(index), sentence_vectors=False)


HANDBOOK = {
    "docs/configuration.md": "# Configuration\n\nThe retention period for audit logs is ninety days.\n",
    "docs/deploy.md": "# Deploying\n\nDeploys happen every Tuesday after the change review.\n",
    "drafts/secret.md": "# Draft\n\nThe unreleased product is called Bluefin.\n",
    "README.md": "# Handbook\n\nThis repository holds the team handbook.\n",
}
