"""What a new user meets at the command line: help, empty questions, hints that work as printed."""

from __future__ import annotations

import pytest

from bot import cli, messages
from bot.settings import CONFIG_ENV
from tests.bot.test_cli import run  # noqa: F401 - the in-process `citebot` fixture


@pytest.mark.parametrize("word", ["help", "HELP", "/help"])
def test_ask_help_points_at_the_clis_help_instead_of_searching(run, word):  # noqa: F811
    code, out, err = run("ask", word)
    assert code == 0 and err == ""
    assert out.strip() == messages.CLI_HELP_HINT
    assert "citebot --help" in out


@pytest.mark.parametrize("question", ["", "   "])
def test_an_empty_question_names_the_cli_command_not_a_chat_command(question, tmp_path, monkeypatch, capsys):
    monkeypatch.delenv(CONFIG_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    assert cli.main(["ask", "--index", str(tmp_path / "idx"), question]) == cli.EXIT_USAGE
    err = capsys.readouterr().err
    assert "citebot sources" in err and "/sources" not in err


def _missing_index_error(tmp_path, monkeypatch, capsys, *config: str) -> str:
    monkeypatch.delenv(CONFIG_ENV, raising=False)
    monkeypatch.chdir(tmp_path)  # no seeds/ here
    assert cli.main([*config, "ask", "--index", str(tmp_path / "nope"), "a question"]) == cli.EXIT_ERROR
    [line] = capsys.readouterr().err.splitlines()
    return line


def test_the_rebuild_hint_names_no_corpus_folder_that_does_not_exist(tmp_path, monkeypatch, capsys):
    line = _missing_index_error(tmp_path, monkeypatch, capsys)
    assert "--corpus seeds" not in line
    assert f"citebot index --corpus DIR --index {tmp_path / 'nope'}" in line
    assert "the folder of your documents" in line


def test_the_rebuild_hint_names_a_configured_corpus_that_exists(tmp_path, monkeypatch, capsys):
    (tmp_path / "handbook").mkdir()
    config = tmp_path / "citebot.yaml"
    config.write_text(f"corpus: {tmp_path / 'handbook'}\n", "utf-8")
    line = _missing_index_error(tmp_path, monkeypatch, capsys, "--config", str(config))
    assert f"--corpus {tmp_path / 'handbook'} --index {tmp_path / 'nope'} --config {config}" in line
    assert "DIR" not in line
