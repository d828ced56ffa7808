"""`citebot ask --json --batch FILE --threads`: JSON lines in, each thread one conversation, JSON lines out."""

from __future__ import annotations

import io
import json
import sys

import pytest

from bot import cli, messages
from bot.core.service import QAService
from bot.settings import CONFIG_ENV
from tests.bot.test_cli import CITATION_KEYS, error_lines, json_lines

CEO = "Who runs OpenAI as its CEO?"
COFOUNDED = "who co-founded it?"
ANSWER_KEYS = {"question", "answer", "abstained", "citations", "see_also"}


@pytest.fixture
def run(seeds_index, embedder, monkeypatch, capsys, tmp_path):
    """`citebot ARGS` in-process against the seeds index; returns (exit code, stdout, stderr)."""
    monkeypatch.delenv(CONFIG_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(cli, "_service", lambda settings: QAService(settings, embedder))

    def invoke(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
        if stdin is not None:
            monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        code = cli.main([args[0], "--index", str(seeds_index), *args[1:]])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return invoke


def lines(*turns: tuple[str, object]) -> str:
    return "".join(json.dumps({"question": q, "thread": t}) + "\n" for q, t in turns)


def test_each_thread_is_one_conversation_answered_in_order(run):
    stdin = lines((CEO, "a"), (CEO, 7), (COFOUNDED, "a"), (COFOUNDED, "b"), (COFOUNDED, 7))
    code, out, err = run("ask", "--json", "--batch", "-", "--threads", stdin=stdin)
    assert code == 0, err
    answers = json_lines(out)
    assert [a["question"] for a in answers] == [CEO, CEO, COFOUNDED, COFOUNDED, COFOUNDED]
    for answer in answers:
        assert ANSWER_KEYS <= set(answer) <= ANSWER_KEYS | {"context", "confidence", "abstained_by"}
        for citation in answer["citations"] + answer["see_also"]:
            assert CITATION_KEYS <= set(citation)
    assert "context" not in answers[0] and "context" not in answers[1]
    assert answers[2]["context"] == CEO and answers[4]["context"] == CEO  # threads "a" and 7
    assert "context" not in answers[3]  # thread "b" has no earlier turn
    assert not answers[2]["abstained"]
    assert any(name in answers[2]["answer"] for name in ("Ilya Sutskever", "Elon Musk"))


def test_bad_lines_are_reported_one_line_each_and_the_rest_answered(run, tmp_path):
    batch = tmp_path / "turns.jsonl"
    batch.write_text(
        "not json\n" + '["a list"]\n' + '{"question": "", "thread": "a"}\n'
        '{"question": "How much did Microsoft invest?"}\n' + lines((CEO, "a")),
        "utf-8",
    )
    code, out, err = run("ask", "--json", "--batch", str(batch), "--threads")
    assert code != 0
    problems = error_lines(err)
    assert len(problems) == 4
    assert [p.split(", line ")[1].split(":")[0] for p in problems] == ["1", "2", "3", "4"]
    assert "Traceback" not in err
    assert [a["question"] for a in json_lines(out)] == [CEO]


def test_threads_without_batch_is_a_usage_error(run):
    code, out, err = run("ask", "--threads", CEO)
    assert code == 2 and out == ""
    assert error_lines(err) == [f"citebot: {messages.THREADS_NEED_BATCH}"]
