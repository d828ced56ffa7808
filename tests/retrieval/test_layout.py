"""Index generations behind the CURRENT pointer: publish, prune, discard, and a missing index."""

from __future__ import annotations

import os
import time

import pytest

from retrieval.errors import IndexMissingError
from retrieval.libraries.files import layout


def stage(index_dir, content: str):
    staging = layout.new_staging_dir(index_dir)
    (staging / "payload.txt").write_text(content)
    return staging


def test_no_index_yet(tmp_path):
    assert layout.generation_id(tmp_path / "index") is None
    with pytest.raises(IndexMissingError, match="rebuild me"):
        layout.current_generation(tmp_path / "index", "rebuild me")


def test_publish_makes_the_staging_folder_the_live_generation(tmp_path):
    index = tmp_path / "index"
    staging = stage(index, "one")
    assert staging.name.startswith(".staging-")
    generation = layout.publish(index, staging)
    assert not staging.exists()
    assert layout.current_generation(index, "") == generation
    assert layout.generation_id(index) == generation.name
    assert (generation / "payload.txt").read_text() == "one"
    # The pointer's temporary file is gone.
    assert not [p for p in index.iterdir() if p.name.startswith(".CURRENT")]


def test_a_new_publish_switches_and_keeps_two_generations(tmp_path):
    index = tmp_path / "index"
    published = [layout.publish(index, stage(index, str(n))) for n in range(4)]
    assert layout.current_generation(index, "") == published[-1]
    assert sorted(p.name for p in index.glob("gen-*")) == sorted(p.name for p in published[-2:])


def test_discard_removes_staging(tmp_path):
    index = tmp_path / "index"
    staging = stage(index, "half-written")
    layout.discard(staging)
    assert not staging.exists()
    assert layout.generation_id(index) is None


def test_stale_staging_folders_are_pruned_but_fresh_ones_kept(tmp_path):
    index = tmp_path / "index"
    stale, fresh = stage(index, "crashed"), stage(index, "in progress")
    old = time.time() - 2 * 3600
    os.utime(stale, (old, old))
    layout.publish(index, stage(index, "done"))
    assert not stale.exists()
    assert fresh.exists()  # another build may still be writing it


def test_pointer_to_a_missing_generation(tmp_path):
    index = tmp_path / "index"
    index.mkdir()
    (index / layout.POINTER).write_text("gen-gone\n")
    with pytest.raises(IndexMissingError, match="gen-gone"):
        layout.current_generation(index, "")


def test_empty_pointer(tmp_path):
    index = tmp_path / "index"
    index.mkdir()
    (index / layout.POINTER).write_text("\n")
    assert layout.generation_id(index) is None
    with pytest.raises(IndexMissingError):
        layout.current_generation(index, "")
