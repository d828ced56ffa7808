"""Index directory layout: generations published by an atomic pointer swap.

index/CURRENT names the live generation (index/gen-*/). A build writes a new generation beside
it and then replaces CURRENT with os.replace, so a crash mid-build leaves the previous index
usable and a running bot sees either the old or the new index, never half of one.
"""

from __future__ import annotations

import os
import shutil
import uuid
from datetime import UTC, datetime
from pathlib import Path

from retrieval.errors import IndexMissingError

POINTER = "CURRENT"
_KEEP_GENERATIONS = 2


def current_generation(index_dir: Path, rebuild_hint: str) -> Path:
    pointer = index_dir / POINTER
    if index_dir.exists() and not index_dir.is_dir():
        raise IndexMissingError(f"{index_dir} is a file, not an index folder. {rebuild_hint}")
    try:
        name = pointer.read_text("utf-8").strip()
    except FileNotFoundError:
        raise IndexMissingError(f"No index at {index_dir}. {rebuild_hint}") from None
    except OSError as error:
        raise IndexMissingError(
            f"Cannot read the index at {index_dir} ({error.strerror}). {rebuild_hint}"
        ) from None
    generation = index_dir / name
    if not name or not generation.is_dir():
        raise IndexMissingError(f"Index at {index_dir} points to a missing build ({name!r}). {rebuild_hint}")
    return generation


def generation_id(index_dir: Path) -> str | None:
    """The live generation's name, cheaply, for noticing a rebuild; None when there is no index."""
    try:
        return (index_dir / POINTER).read_text("utf-8").strip() or None
    except OSError:
        return None


def new_staging_dir(index_dir: Path) -> Path:
    if index_dir.exists() and not index_dir.is_dir():
        raise IndexMissingError(f"{index_dir} is a file; give --index a folder for the index.")
    index_dir.mkdir(parents=True, exist_ok=True)
    staging = index_dir / f".staging-{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    return staging


def publish(index_dir: Path, staging: Path) -> Path:
    """Turn a finished staging folder into the live generation, then prune old ones."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")  # sorts by age, even within a second
    generation = index_dir / f"gen-{stamp}-{uuid.uuid4().hex[:6]}"
    staging.rename(generation)
    pointer_tmp = index_dir / f".{POINTER}.{uuid.uuid4().hex[:6]}"
    pointer_tmp.write_text(generation.name + "\n", "utf-8")
    os.replace(pointer_tmp, index_dir / POINTER)
    _prune(index_dir, keep=generation.name)
    return generation


def discard(staging: Path) -> None:
    shutil.rmtree(staging, ignore_errors=True)


def _prune(index_dir: Path, keep: str) -> None:
    """Keep the newest generations (an open reader may still be loading the previous one)."""
    generations = sorted((p for p in index_dir.glob("gen-*") if p.is_dir()), key=lambda p: p.name)
    for old in generations[:-_KEEP_GENERATIONS]:
        if old.name != keep:
            shutil.rmtree(old, ignore_errors=True)
    for stale in index_dir.glob(".staging-*"):
        if stale.is_dir():
            age = datetime.now(UTC).timestamp() - stale.stat().st_mtime
            if age > 3600:  # leftovers of a crashed build
                shutil.rmtree(stale, ignore_errors=True)
