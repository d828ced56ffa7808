"""The Q&A service over a live engine: switching to a rebuilt index without a restart."""

from __future__ import annotations

import shutil

import pytest

from bot.core.service import QAService
from retrieval import Query
from tests.harness.libraries import BACKENDS, SEEDS, backend_settings, build_library, new_location


@pytest.mark.parametrize("backend", BACKENDS)
def test_rebuilt_index_is_picked_up_at_the_next_question(tmp_path, embedder, request, backend):
    corpus, index_dir = tmp_path / "corpus", new_location(request, backend)
    corpus.mkdir()
    shutil.copy(SEEDS / "001_5290000ddb37cfaf.txt", corpus)
    build_library(backend, corpus, index_dir, embedder)
    service = QAService(backend_settings(backend, index_dir), embedder)
    before = service.engine._live()  # what a request under way holds: one opened generation
    assert service.ask("What is the office wifi password?").abstained

    (corpus / "wifi.md").write_text(
        "---\ntitle: Office wifi\n---\nThe office wifi password is PurpleElephant42, changed every quarter.\n"
    )
    build_library(backend, corpus, index_dir, embedder)

    in_flight = before.searcher.search("What is the office wifi password?", k=3)  # a request under way
    assert all(hit.passage.source != "wifi.md" for hit in in_flight)  # ...finishes on its generation
    answer = service.ask("What is the office wifi password?")
    assert not answer.abstained
    assert "PurpleElephant42" in answer.text
    assert answer.citations[0].source == "wifi.md"
    assert service.engine.loaded_generation() != before.library.generation
    assert service.engine.answer(Query("What is the office wifi password?")).documents["wifi.md"]
