"""The engine reads a question once: one `read` (one `contextualise`) per question, and no text analysed
twice, whether it is answered alone, read as a follow-up or abstained on. Counted at run time over the
real seeds index; the reading made once is what search, the composer and the see-also filter use."""

from __future__ import annotations

import sys
from collections import Counter

import pytest

from retrieval import Engine, EngineConfig, Query, Turn
from retrieval.answering import followup, question, reading

INVEST = "How much did Microsoft invest in OpenAI?"
COUNTED = {"read": reading.read, "contextualise": followup.contextualise, "analyse": question.analyse}


@pytest.fixture
def engine(seeds_index, embedder) -> Engine:
    engine = Engine(EngineConfig(index=str(seeds_index)), embedder)
    engine.warm_up()
    return engine


@pytest.fixture
def calls(monkeypatch) -> Counter:
    """Counts of each counted function's calls (and, for `analyse`, of each text analysed), wherever a
    module of retrieval/ imported it."""
    counts: Counter = Counter()

    def counting(name, function):
        def counted(*args, **kwargs):
            counts[name] += 1
            if name == "analyse":
                counts[("analyse", args[0])] += 1
            return function(*args, **kwargs)

        return counted

    for module in [m for n, m in sys.modules.items() if n.startswith("retrieval.") and m is not None]:
        for name, function in COUNTED.items():
            if getattr(module, name, None) is function:
                monkeypatch.setattr(module, name, counting(name, function))
    return counts


def analysed_twice(counts: Counter) -> list[str]:
    return [key[1] for key, count in counts.items() if isinstance(key, tuple) and count > 1]


def test_a_question_answered_alone_is_read_and_analysed_once(engine, calls):
    answered = engine.answer(Query(INVEST))
    assert not answered.composition.abstained and answered.context is None
    assert (calls["read"], calls["contextualise"], calls["analyse"]) == (1, 1, 1)


def test_a_follow_up_is_read_once_its_own_words_and_the_carried_ones_analysed_once_each(engine, calls):
    earlier = engine.answer(Query(INVEST)).turn
    calls.clear()
    answered = engine.answer(Query("and who is its CEO?", (earlier,)))
    assert answered.context == INVEST
    assert (calls["read"], calls["contextualise"]) == (1, 1), dict(calls)
    # two texts, each analysed once: "and who is its CEO?", and it with the words carried ("microsoft ...")
    assert calls["analyse"] == 2 and not analysed_twice(calls)


def test_an_abstention_is_read_once_and_its_see_also_uses_that_reading(engine, calls):
    answered = engine.answer(Query("What is the weather in Paris tomorrow?"))
    assert answered.composition.abstained and answered.see_also == ()
    assert (calls["read"], calls["contextualise"], calls["analyse"]) == (1, 1, 1)


def test_the_turn_to_remember_is_complete(engine):
    answered = engine.answer(Query(INVEST))
    turn = answered.turn
    cited = tuple(dict.fromkeys(c.hit.passage.source for c in answered.composition.cited))
    assert turn == Turn(INVEST, answered.composition.text, False, cited, turn.topic)
    assert {"microsoft", "invest", "openai"} <= set(turn.topic)
