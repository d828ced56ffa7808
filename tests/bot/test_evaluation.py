"""Scoring question files: what counts as a pass, a miss, and a malformed file."""

from __future__ import annotations

import pytest

from bot import messages
from bot.core.models import Answer, Citation, Location, Notice
from bot.evaluation import EvalFileError, EvalQuestion, evaluate, load_questions, score, summary_json
from tests.harness.libraries import DATA


def question(kind="fact", answers=("$1 billion",), docs=("001",), forbid=()) -> EvalQuestion:
    return EvalQuestion("q1", "How much?", tuple(answers), tuple(docs), tuple(forbid), kind)


def citation(source="001_abc.txt", passage="Microsoft invested $1 billion.") -> Citation:
    return Citation(1, f"{source}#1", source, "Title", None, passage, 0.5, Location(source, 1, 1))


def answer(text="Microsoft invested $1 billion. [1]", abstained=False, citations=None) -> Answer:
    return Answer("How much?", text, abstained, (citation(),) if citations is None else citations)


def test_dev_and_extra_files_load():
    dev = load_questions(DATA / "seeds_dev.yaml")
    assert len(dev) == 16
    assert dev[0].id == "d01" and dev[0].answers == ("$1 billion", "1 billion")
    assert dev[15].kind == "noise" and "Log in" in dev[15].forbid
    extra = load_questions(DATA / "seeds_extra.yaml")
    assert {q.kind for q in extra} >= {"fact", "paraphrase", "typo", "unanswerable"}


def test_correct_answer_from_the_right_document_passes():
    assert score(question(), answer()).passed


def test_answer_match_folds_case_and_whitespace():
    assert score(question(answers=("$1  BILLION",)), answer()).passed


def test_wrong_answer_is_a_miss():
    result = score(question(answers=("Satya Nadella",)), answer())
    assert not result.passed and "answer lacks" in result.misses[0]


def test_citation_from_the_wrong_document_is_a_miss():
    result = score(question(docs=("003",)), answer())
    assert result.misses == ["no citation from ['003']"]


def test_docs_match_a_path_inside_the_corpus():
    cited = answer(citations=(citation(source="policies/expenses.html"),))
    assert score(question(answers=(), docs=("expenses",)), cited).passed
    assert score(question(answers=(), docs=("policies/",)), cited).passed


def test_abstaining_on_an_answerable_question_is_a_miss():
    result = score(question(), answer(messages.ABSTAIN, abstained=True, citations=()))
    assert result.misses == ["abstained on an answerable question"]


@pytest.mark.parametrize("kind", ["unanswerable", "noise"])
def test_unanswerable_questions_must_abstain(kind):
    assert score(question(kind=kind, answers=(), docs=()), answer(messages.ABSTAIN, True, ())).passed
    assert "should abstain" in score(question(kind=kind, answers=(), docs=()), answer()).misses[0]


def test_citing_page_chrome_is_a_miss_even_when_abstaining():
    chrome = citation(passage="API\nResearch\nBlog\nLog in")
    result = score(
        question(kind="noise", answers=(), docs=(), forbid=("Log in",)), answer(citations=(chrome,))
    )
    assert any("cited page chrome 'Log in'" in miss for miss in result.misses)


def test_a_notice_is_a_miss():
    result = score(question(), Notice("Please ask a question"))
    assert result.misses == ["no answer: Please ask a question"]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("questions: [1, 2\n", r"not valid YAML: .* \(line 2, column 1\)"),
        ("- q: hi\n", "top-level 'questions:'"),
        ("questions:\n  - {id: a}\n", "question 1 has no 'q'"),
        ("questions:\n  - {q: fine, answers: [x]}\n  - just a string\n", "question 2 has no 'q'"),
    ],
)
def test_malformed_question_files(tmp_path, text, problem):
    path = tmp_path / "questions.yaml"
    path.write_text(text)
    with pytest.raises(EvalFileError, match=problem):
        load_questions(path)


def test_missing_question_file(tmp_path):
    with pytest.raises(EvalFileError, match="Cannot read"):
        load_questions(tmp_path / "missing.yaml")


def test_defaults_for_optional_fields(tmp_path):
    path = tmp_path / "questions.yaml"
    path.write_text("questions:\n  - {q: Who, answers: [Ada]}\n")
    [only] = load_questions(path)
    assert (only.id, only.kind, only.answers, only.docs, only.forbid) == ("1", "fact", ("Ada",), (), ())


def test_evaluate_against_the_seeds(seeds_service, tmp_path):
    path = tmp_path / "questions.yaml"
    path.write_text(
        "questions:\n"
        "  - {id: a, q: 'How much did Microsoft invest in OpenAI?', answers: ['1 billion'], docs: ['00'], kind: fact}\n"
        "  - {id: b, q: 'What is the recipe for a chocolate cake?', kind: unanswerable}\n"
        "  - {id: c, q: 'How much did Microsoft invest in OpenAI?', answers: ['Satya Nadella'], kind: fact}\n"
    )
    results = evaluate(seeds_service, load_questions(path))
    assert [r.passed for r in results] == [True, True, False]
    summary = summary_json(results)
    assert (summary["passed"], summary["total"]) == (2, 3)
    assert [r["id"] for r in summary["results"]] == ["a", "b", "c"]
    assert summary["results"][2]["misses"]
