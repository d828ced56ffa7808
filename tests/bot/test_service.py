"""The Q&A service over a live engine: switching to a rebuilt index without a restart."""

from __future__ import annotations

import shutil

from bot.core.service import QAService
from retrieval import Query
from retrieval.indexer import build_index
from tests.conftest import SEEDS, make_settings


def test_rebuilt_index_is_picked_up_at_the_next_question(tmp_path, embedder):
    corpus, index_dir = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    shutil.copy(SEEDS / "001_5290000ddb37cfaf.txt", corpus)
    build_index(corpus, index_dir, embedder, show_progress=False)
    service = QAService(make_settings(index_dir), embedder)
    before = service.engine._live()  # what a request under way holds: one opened generation
    assert service.ask("What is the office wifi password?").abstained

    (corpus / "wifi.md").write_text(
        "---\ntitle: Office wifi\n---\nThe office wifi password is PurpleElephant42, changed every quarter.\n"
    )
    build_index(corpus, index_dir, embedder, show_progress=False)

    in_flight = before.searcher.search("What is the office wifi password?", k=3)  # a request under way
    assert all(hit.passage.source != "wifi.md" for hit in in_flight)  # ...finishes on its generation
    answer = service.ask("What is the office wifi password?")
    assert not answer.abstained
    assert "PurpleElephant42" in answer.text
    assert answer.citations[0].source == "wifi.md"
    assert service.engine.loaded_generation() != before.library.generation
    assert service.engine.answer(Query("What is the office wifi password?")).documents["wifi.md"]
