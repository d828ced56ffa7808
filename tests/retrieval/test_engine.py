"""The Engine over a real index: parts swapped by registry name, the verifier after every composer."""

from __future__ import annotations

import pytest

from retrieval import Engine, EngineConfig, IndexMissingError, Query
from retrieval.answering.compose import CitedPassage, Composition
from retrieval.registry import COMPOSERS


class MakingThingsUp:
    """A composer that invents a figure: what a careless generative composer could do."""

    def __init__(self, embedder, params) -> None:
        pass

    def compose(self, reading, hits, question_vector, library) -> Composition:
        hit = hits[0]
        invented = "Microsoft is investing $7 billion in OpenAI."
        return Composition(f"{invented} [1]", False, (CitedPassage(1, hit, invented),), tuple(hits[:3]))


@pytest.fixture
def engine(seeds_index, embedder) -> Engine:
    return Engine(EngineConfig(index=str(seeds_index)), embedder)


def test_answer_cites_and_carries_the_documents_of_its_hits(engine):
    answered = engine.answer(Query("How much did Microsoft invest in OpenAI?"))
    assert not answered.composition.abstained and "$1 billion" in answered.composition.text
    cited = answered.composition.cited[0].hit.passage.source
    assert answered.documents[cited].title
    assert set(answered.timings_ms) == {"embed", "search", "compose"}


def test_an_off_topic_question_abstains_without_see_also(engine):
    answered = engine.answer(Query("What is the weather in Paris tomorrow?"))
    assert answered.composition.abstained and answered.see_also == ()


def test_a_composer_is_chosen_by_name_and_its_inventions_are_caught(
    seeds_index, embedder, monkeypatch, caplog
):
    monkeypatch.setitem(COMPOSERS, "making-things-up", MakingThingsUp)
    engine = Engine(EngineConfig(index=str(seeds_index), composer="making-things-up"), embedder)
    answered = engine.answer(Query("How much did Microsoft invest in OpenAI?"))
    assert answered.composition.abstained and "$7 billion" not in answered.composition.text
    assert "failed verification" in caplog.text


def test_an_unknown_part_name_lists_the_choices(seeds_index):
    with pytest.raises(ValueError, match="extractive"):
        Engine(EngineConfig(index=str(seeds_index), composer="nope"))


def test_look_ups_suggestions_and_completion(engine):
    document = engine.documents()[0]
    first = engine.passages_of(document.source)[0]
    assert engine.passage(first.id) == first and engine.document(document.source) == document
    assert engine.suggest(first.id[:-1] + "9", search=False)  # a mistyped id: close ones
    assert engine.suggest("chief scientist of OpenAI")  # words: the best passages
    assert engine.complete(document.source[:5])[0][0] == document.source


def test_a_missing_index_says_how_to_rebuild(tmp_path):
    engine = Engine(EngineConfig(index=str(tmp_path / "none"), rebuild_hint="Rebuild it with: citebot index"))
    assert engine.generation is None
    with pytest.raises(IndexMissingError, match="citebot index"):
        engine.search("anything")
