"""Questions as people paste them (issue 19), answered by the real model over a small handbook
(tests/data/pasted): a traceback, a log excerpt, a long story with the error in the middle, several
questions in one message, and a message too long to read whole."""

from __future__ import annotations

import json

import pytest

from bot.core.service import QAService
from retrieval import Query
from tests.harness.libraries import DATA, make_settings
from tests.pasted_samples import LOG_PASTE, LONG_STORY, TRACEBACK

CORPUS = DATA / "pasted" / "corpus"


@pytest.fixture(scope="module")
def service(tmp_path_factory, embedder) -> QAService:
    from tests.harness.libraries import build_index

    index_dir = tmp_path_factory.mktemp("pasted-index")
    build_index(CORPUS, index_dir, embedder, show_progress=False)
    return QAService(make_settings(index_dir), embedder)


def test_a_pasted_python_traceback_is_answered_from_the_section_on_its_exception(service):
    answer = service.ask(TRACEBACK)
    assert not answer.abstained
    assert "pip install pyyaml" in answer.text
    assert answer.citations[0].passage_id.startswith("troubleshooting.md")


def test_a_pasted_log_excerpt_is_answered_from_its_error_line(service):
    answer = service.ask(LOG_PASTE)
    assert not answer.abstained
    assert "systemctl start ledger-db" in answer.text


def test_a_110_word_message_with_the_error_in_the_middle_is_answered(service):
    assert 100 <= len(LONG_STORY.split()) <= 130
    answer = service.ask(LONG_STORY)
    assert not answer.abstained
    assert "thousands" in answer.text
    assert answer.note is None  # its question and error line fit the encoder's window: nothing cut


def test_a_message_too_long_to_read_whole_says_how_much_was_read(service):
    story = " ".join(s for s in LONG_STORY.split(". ") if "Error" not in s and "?" not in s)
    answer = service.ask(". ".join([story] * 3))
    assert answer.note and "first 150 of" in answer.note
    assert answer.note in answer.text  # every adapter shows it
    assert answer.to_json()["note"] == answer.note


def test_two_questions_in_one_message_are_both_answered(service):
    answer = service.ask("what's a posting and when does the service desk close on Fridays?")
    assert not answer.abstained
    assert [p.question for p in answer.parts] == [
        "what's a posting?",
        "when does the service desk close on Fridays?",
    ]
    assert not any(p.abstained for p in answer.parts)
    assert "One amount moved between two accounts" in answer.text
    assert "16:00 on Fridays" in answer.text
    # citations numbered on through the parts, each [n] marker with its citation
    assert [c.number for c in answer.citations] == list(range(1, len(answer.citations) + 1))
    assert "[1]" in answer.parts[0].text and "[2]" in answer.parts[1].text
    assert answer.parts[1].citations[0].source == "service-desk.md"


def test_a_part_the_sources_do_not_cover_is_named(service):
    answer = service.ask("when does the service desk close on Fridays? What is the capital of Peru?")
    assert not answer.abstained
    assert "16:00 on Fridays" in answer.text
    assert "I found nothing on: What is the capital of Peru?" in answer.text
    assert [p.abstained for p in answer.parts] == [False, True]


def test_parts_in_the_json_contract(service):
    value = json.loads(
        json.dumps(service.ask("what's a posting and how tall is the Eiffel tower?").to_json())
    )
    assert {"answer", "citations", "abstained"} <= set(value)
    assert [p["question"] for p in value["parts"]] == ["what's a posting?", "how tall is the Eiffel tower?"]
    assert [p["abstained"] for p in value["parts"]] == [False, True]
    assert value["parts"][0]["citations"][0]["source"] == "glossary.md"
    assert "how tall is the Eiffel tower?" in value["answer"]


def test_a_plain_question_is_asked_exactly_as_before(service):
    """One question, one line: no parts, no note, and the engine is asked the question itself."""
    question = "When does the service desk close on Fridays?"
    answer = service.ask(question)
    assert answer.parts == () and answer.note is None
    direct = service.engine.answer(Query(question)).composition
    assert answer.text == direct.text


PROMETHEUS = DATA / "owndocs" / "corpus" / "prometheus" / "docs"
PROMETHEUS_PAGES = ("feature_flags.md", "migration.md", "configuration/recording_rules.md", "storage.md")


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory, embedder) -> QAService:
    """Four real Prometheus pages (tests/data/owndocs, Apache-2.0), read in place."""
    import shutil

    from tests.harness.libraries import build_index

    corpus = tmp_path_factory.mktemp("prometheus-pages")
    for page in PROMETHEUS_PAGES:
        shutil.copy(PROMETHEUS / page, corpus / page.replace("/", "-"))
    index_dir = tmp_path_factory.mktemp("prometheus-index")
    build_index(corpus, index_dir, embedder, show_progress=False)
    return QAService(make_settings(index_dir), embedder)


@pytest.mark.slow
def test_a_pasted_prometheus_log_line_is_answered_from_the_page_naming_its_error(prometheus):
    """The logfmt record's err= value is in feature_flags.md; the question alone says nothing."""
    pasted = (
        "what does this mean?\n"
        'ts=2026-11-30T08:12:44.101Z caller=manager.go:663 level=warn component="rule manager" '
        'file=/etc/prometheus/rules.yml group=node msg="Evaluating rule failed" '
        'err="vector cannot contain metrics with the same labelset"\n'
    )
    answer = prometheus.ask(pasted)
    assert not answer.abstained
    assert "vector cannot contain metrics with the same labelset" in answer.text
    assert answer.citations[0].source == "feature_flags.md"
