"""The Q&A service over a live engine: switching to a rebuilt index without a restart."""

from __future__ import annotations

import shutil

import pytest

from bot.core.service import QAService
from retrieval import Query, Turn
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


class Thread:
    """A conversation kept in a list: what the command table's stored conversation does, in memory."""

    def __init__(self) -> None:
        self.kept: list[Turn] = []

    def turns(self) -> list[Turn]:
        return list(self.kept)

    def add(self, turn: Turn) -> None:
        self.kept.append(turn)


INVEST = "How much did Microsoft invest in OpenAI?"


def test_a_conversation_keeps_the_turn_the_engine_made_as_it_is(seeds_service):
    thread = Thread()
    first = seeds_service.ask(INVEST, thread)
    follow_up = seeds_service.ask("and who is its CEO?", thread)
    assert follow_up.context == INVEST  # read after the turn kept of the first question
    engine = seeds_service.engine
    alone = engine.answer(Query(INVEST))
    assert thread.kept == [alone.turn, engine.answer(Query("and who is its CEO?", (alone.turn,))).turn]
    assert thread.kept[0].answer == first.text  # no note on a short question: the answer as shown
    assert thread.kept[0].sources == tuple(dict.fromkeys(c.source for c in first.citations))


def test_a_message_of_several_questions_is_kept_as_one_turn(seeds_service):
    thread = Thread()
    answer = seeds_service.ask("Who is OpenAI's CTO and who is the CEO of Microsoft?", thread)
    [turn] = thread.kept
    assert len(answer.parts) == 2 and turn.question == answer.question and not turn.abstained
    assert {"openai", "cto", "ceo", "microsoft"} <= {word.lower() for word in turn.topic}
    assert turn.sources == tuple(dict.fromkeys(c.source for c in answer.citations))


def test_an_empty_question_leaves_the_conversation_as_it_was(seeds_service):
    thread = Thread()
    seeds_service.ask("   ", thread)
    assert thread.kept == []
