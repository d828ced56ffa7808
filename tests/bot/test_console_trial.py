"""What a new user meets in the console: aligned help, no raw markdown, unknown ids said as such."""

from __future__ import annotations

import re

import pytest

from bot import cli, messages
from bot.core.models import Notice, SourceList
from tests.bot.test_cli import run  # noqa: F401 - the in-process `citebot` fixture
from tests.bot.test_console import CannedTable, converse


def test_help_rows_line_up_quit_included(command_table):
    printed = converse(command_table, "/help")
    rows = [line for line in printed.splitlines() if line.startswith("  /")]
    assert any(row.startswith("  /quit ") for row in rows)
    columns = {re.match(r"  \S+(?: \S+)*\s{2,}", row).end() for row in rows}  # where each summary starts
    assert len(columns) == 1, rows


def test_notices_show_no_raw_backticks():
    printed = converse(CannedTable(Notice(messages.EMPTY_SOURCE_ID)), "/source")
    assert "`" not in printed and "doc.txt#3" in printed


def test_an_unbalanced_backtick_is_left_as_typed():
    printed = converse(CannedTable(Notice("a ` b")), "x")
    assert "a ` b" in printed


@pytest.mark.parametrize("line", ["/source nope", "/source  nope "])
def test_source_of_an_unknown_word_says_there_is_none_then_suggests(command_table, line):
    reply = command_table.dispatch(line)
    assert isinstance(reply, Notice)
    assert reply.text.startswith(messages.unknown_source("nope", []).rstrip("."))
    assert "Did you mean" in reply.text
    printed = converse(command_table, line)
    assert "No source or passage called 'nope'" in printed


def test_source_of_several_words_still_searches(command_table):
    assert isinstance(command_table.dispatch("/source chief scientist Sutskever"), SourceList)


def test_the_cli_says_the_same_for_an_unknown_word(run):  # noqa: F811
    code, out, err = run("source", "nope")
    assert code == cli.EXIT_ERROR and out == ""
    assert "No source or passage called 'nope'. Did you mean" in err
