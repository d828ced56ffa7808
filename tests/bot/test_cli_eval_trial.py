"""`citebot eval` for a new user: one-line errors naming where, validated questions, a --min-score gate."""

from __future__ import annotations

import pytest

from bot import cli, messages
from bot.evaluation import EvalFileError, load_questions
from tests.bot.test_cli import run  # noqa: F401 - the in-process `citebot` fixture
from tests.harness.libraries import DATA


def _eval_file(tmp_path, text: str):
    path = tmp_path / "questions.yaml"
    path.write_text(text, "utf-8")
    return path


def test_broken_yaml_is_one_line_with_line_and_column(run, tmp_path):  # noqa: F811
    path = _eval_file(tmp_path, "questions:\n  - q: Who?\n    answers: [a, b\n  - q: next\n")
    code, out, err = run("eval", str(path))
    assert code == cli.EXIT_USAGE and out == ""
    [line] = err.strip().splitlines()
    assert line.startswith(f"citebot: Question file {path} is not valid YAML: ")
    assert "(line " in line and ", column " in line


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "questions:\n  - {id: w1, q: Who, kind: weird, answers: [x]}\n",
            "question w1: unknown kind 'weird'",
        ),
        ("questions:\n  - {id: n1, q: Who}\n", "question n1 (kind fact) has no 'answers:'"),
        ("questions:\n  - {id: p1, q: Who, kind: paraphrase, docs: [a.txt]}\n", "question p1"),
    ],
)
def test_questions_are_validated_with_one_line_naming_the_id(tmp_path, text, expected):
    with pytest.raises(EvalFileError) as raised:
        load_questions(_eval_file(tmp_path, text))
    assert expected in str(raised.value) and "\n" not in str(raised.value)


def test_an_unanswerable_question_needs_no_answers(tmp_path):
    [question] = load_questions(
        _eval_file(tmp_path, "questions:\n  - {id: u1, q: Who, kind: unanswerable}\n")
    )
    assert question.kind == "unanswerable" and question.answers == ()


def test_the_shipped_question_files_still_load():
    for name in ("seeds_dev.yaml", "seeds_extra.yaml", "handbook_questions.yaml"):
        assert load_questions(DATA / name)


def test_min_score_fails_the_run_below_it(run, tmp_path):  # noqa: F811
    # the seeds index cannot answer this, so the score is 0%
    path = _eval_file(
        tmp_path, "questions:\n  - {id: z, q: 'What colour is the office cat?', answers: [tabby]}\n"
    )
    code, out, err = run("eval", "--min-score", "0.5", str(path))
    assert code == cli.EXIT_ERROR
    assert "score: 0/1 passed (0%)" in out
    assert messages.eval_below_minimum(0.0, 0.5) in err
    code, _, _ = run("eval", "--min-score", "0", str(path))
    assert code == cli.EXIT_OK


def test_min_score_is_checked_and_documented(run, capsys):  # noqa: F811
    with pytest.raises(SystemExit) as exited:
        cli.main(["eval", "--min-score", "80", "q.yaml"])
    assert exited.value.code == cli.EXIT_USAGE
    assert "0.8 means 80%" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.main(["eval", "--help"])
    assert "--min-score FRACTION" in capsys.readouterr().out
