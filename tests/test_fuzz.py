"""Whatever a user types, no traceback reaches them: random text into the command table and the CLI.

Bounded hypothesis runs (a few dozen examples each) over the real seeds index and model.
"""

from __future__ import annotations

import contextlib
import io
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import cli
from bot.core.models import Answer, HelpText, Notice, Origin, SourceList, SourceLookup
from bot.core.service import QAService
from bot.settings import CONFIG_ENV

FUZZ = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
ESCAPES = st.sampled_from(
    [
        "\x1b[31m",
        "\x1b[0m",
        "\x1b]0;title\x07",
        "\x1b]8;;http://x\x1b\\",
        "\x9b2J",
        "\x1bc",
        "\x00",
        "\r",
        "\b",
        "\u202e",
    ]
)
# Text a user might paste: any characters, terminal escapes, commands, and now and then something huge.
USER_TEXT = st.one_of(
    st.text(max_size=300),
    st.lists(st.one_of(st.text(max_size=20), ESCAPES), max_size=12).map("".join),
    st.tuples(
        st.sampled_from(["/ask ", "/source ", "/sources ", "/help ", "/", "/nope "]), st.text(max_size=80)
    ).map("".join),
    st.integers(min_value=2_000, max_value=200_000).map(lambda n: "why " * (n // 4)),
    st.binary(max_size=200).map(lambda b: b.decode("latin-1")),
)


@FUZZ
@given(text=USER_TEXT)
def test_the_command_table_answers_anything_without_raising(command_table, text):
    reply = command_table.dispatch(text, Origin("fuzz", "C1", "U1", "t1"))
    assert isinstance(reply, Answer | Notice | SourceLookup | SourceList | HelpText)
    if isinstance(reply, Notice):
        assert "Traceback" not in reply.text and "\n" not in reply.text.strip()


ARGUMENTS = st.one_of(
    st.sampled_from(
        [
            "ask",
            "sources",
            "source",
            "eval",
            "status",
            "feedback",
            "gaps",
            "index",
            "run",
            "--json",
            "--batch",
            "--threads",
            "-k",
            "--index",
            "--corpus",
            "--config",
            "--adapter",
            "slack",
            "-",
            "0",
            "-1",
            "nowhere/",
            "/dev/null",
            "/etc/passwd",
            "..",
            "README.md",
            "\x1b[31m",
            "",
        ]
    ),
    st.text(max_size=40),
)


@pytest.fixture
def in_process(seeds_index, embedder, monkeypatch, tmp_path):
    monkeypatch.delenv(CONFIG_ENV, raising=False)
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "DISCORD_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(cli, "_service", lambda settings: QAService(settings, embedder))
    return seeds_index


@FUZZ
@given(argv=st.lists(ARGUMENTS, max_size=6), stdin=st.text(max_size=200))
def test_the_cli_never_shows_a_traceback(in_process, monkeypatch, argv, stdin):
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli.main(argv)
        except SystemExit as exit_:  # argparse: usage and one error line
            code = exit_.code
    assert "Traceback" not in err.getvalue() + out.getvalue()
    assert code in (0, 1, 2, 130)
