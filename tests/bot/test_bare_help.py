"""A bare `help` runs the help command on every platform (the command table's dispatch decides, once)."""

from __future__ import annotations

import pytest

from bot.core.models import HelpText, Origin
from tests.bot.test_console import converse


@pytest.mark.parametrize("line", ["help", "  Help ", "/help", "HELP"])
@pytest.mark.parametrize("platform", ["console", "slack", "discord", "cli"])
def test_a_bare_help_is_the_help_command_not_a_question(command_table, line, platform):
    reply = command_table.dispatch(line, Origin(platform, "c1", "u1"))
    assert isinstance(reply, HelpText)
    assert {c.name for c in reply.commands} == {"ask", "source", "sources", "help"}


def test_help_inside_a_question_is_still_a_question(command_table):
    assert not isinstance(command_table.dispatch("help me rotate the keys"), HelpText)


def test_the_console_answers_a_bare_help_with_the_command_list(command_table):
    printed = converse(command_table, "help")
    for usage in ("/ask QUESTION", "/source ID", "/sources [WORDS]", "/quit"):
        assert usage in printed


def test_slack_no_longer_special_cases_help():
    from bot.adapters.slack import handlers

    source = open(handlers.__file__, encoding="utf-8").read()
    assert '"help"' not in source  # the rule lives in CommandTable.dispatch
