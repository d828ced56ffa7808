"""What a new user meets at the command line: help, empty questions, hints that work as printed."""

from __future__ import annotations

import json

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


def test_db_migrate_with_the_files_backend_says_there_is_nothing_to_migrate(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv(CONFIG_ENV, raising=False)
    monkeypatch.delenv("CITEBOT_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    assert cli.main(["db", "migrate"]) == cli.EXIT_OK
    captured = capsys.readouterr()
    assert "backend: files" in captured.out and "needs no migration" in captured.out
    assert "CITEBOT_DATABASE_URL" not in captured.out + captured.err
    assert not (tmp_path / ".index").exists()  # nothing was created


def test_db_migrate_with_backend_postgres_still_needs_the_url(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv(CONFIG_ENV, raising=False)
    monkeypatch.delenv("CITEBOT_DATABASE_URL", raising=False)
    config = tmp_path / "pg.yaml"
    config.write_text("backend: postgres\n", "utf-8")
    assert cli.main(["--config", str(config), "db", "migrate"]) != cli.EXIT_OK
    assert "CITEBOT_DATABASE_URL" in capsys.readouterr().err


def test_run_slack_names_every_missing_variable_in_one_line(tmp_path, monkeypatch, capsys):
    for variable in ("CITEBOT_TEST_BOT", "CITEBOT_TEST_APP"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.delenv(CONFIG_ENV, raising=False)
    config = tmp_path / "slack.yaml"
    config.write_text(
        "slack:\n  mode: socket\n  bot_token: ${CITEBOT_TEST_BOT}\n  app_token: ${CITEBOT_TEST_APP}\n",
        "utf-8",
    )
    assert cli.main(["--config", str(config), "run", "--adapter", "slack"]) == cli.EXIT_ERROR
    [line] = capsys.readouterr().err.splitlines()
    assert "CITEBOT_TEST_BOT" in line and "CITEBOT_TEST_APP" in line


def test_a_corpus_of_skipped_files_names_them_and_why_in_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv(CONFIG_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    corpus = tmp_path / "docs"
    corpus.mkdir()
    (corpus / "image.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")  # a binary renamed .md
    (corpus / "title-only.md").write_text("# Just a heading\n", "utf-8")
    code = cli.main(["index", "--quiet", "--corpus", str(corpus), "--index", str(tmp_path / "idx")])
    assert code == cli.EXIT_ERROR
    lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith("citebot:")]
    [line] = lines
    assert f"No readable documents in {corpus}" in line
    assert "image.md (" in line and "title-only.md (" in line


def test_status_says_which_state_file_it_counts_feedback_in(run, tmp_path):  # noqa: F811
    state = (tmp_path / ".citebot" / "feedback.sqlite3").resolve()  # the current directory's, not the index's
    code, out, err = run("status", "--json")
    assert code == 0, err
    assert json.loads(out)["state"] == str(state)
    code, out, _ = run("status")
    assert f"state:       {state} (feedback.path" in out
    labels = [line.split(":")[0] for line in out.splitlines()]
    assert labels.index("state") < labels.index("feedback")
