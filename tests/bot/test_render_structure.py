"""Quotes keep their structure on every platform: a table's rows and a YAML file's keys stay one per line
(code-like ones with their indent), an excerpt that only repeats the answer is not shown beside it, and
no quote opens with two quotation marks."""

from __future__ import annotations

import json
import re

from hypothesis import example, given
from hypothesis import strategies as st

from bot.adapters.console.render import render_answer as console_answer
from bot.adapters.discord.markdown import fences_balanced
from bot.adapters.discord.render import render as discord_render
from bot.adapters.slack.render import render as slack_render
from bot.core.models import Answer, Citation, Location
from bot.core.quotes import excerpt_lines, quote_marks, repeats
from tests.harness.discord_harness import limit_problems

TABLE = (
    "The timeouts of an entry point:\n"
    "Field | Description | Default\n"
    "readTimeout | How long to read a request | 60s\n"
    "writeTimeout | How long to write a response | 0s\n"
    "idleTimeout | How long an idle connection stays open | 180s"
)
YAML = (
    "To enable the dashboard, add:\n"
    "api:\n"
    "  dashboard: true\n"
    "  insecure: false\n"
    "entryPoints:\n"
    "  web:\n"
    '    address: ":80"'
)


def _cited(passage: str, quote: str, number: int = 1) -> Citation:
    return Citation(
        number, f"c.md#{number}", "c.md", "Config", None, passage, 0.5, Location("c.md", 1, 9), quote=quote
    )


def _slack(answer: Answer) -> str:
    return "\n".join(
        e["text"] for b in slack_render(answer).blocks if b["type"] == "context" for e in b["elements"]
    )


def _discord(answer: Answer) -> str:
    return "\n".join(
        f["value"] for o in discord_render(answer) for e in o.embeds for f in e.get("fields", ())
    )


def _console(answer: Answer) -> str:
    return "\n".join(str(r) for r in console_answer(answer).renderables)


def test_a_table_keeps_one_row_per_line_in_every_quote():
    row = "readTimeout | How long to read a request | 60s"
    answer = Answer("What is the read timeout?", f"{row} [1]", False, (_cited(TABLE, row),))
    rows = ["readTimeout", "writeTimeout", "idleTimeout"]
    slack = _slack(answer)
    assert [line for line in slack.split("\n") if any(r in line for r in rows)] and all(
        sum(r in line for r in rows) <= 1 for line in slack.split("\n")
    )
    discord = _discord(answer)
    for row in rows:
        assert re.search(rf"^> {row} \\?\| ", discord, re.M), discord  # "|" escaped (spoiler marks)
    console = _console(answer)
    for row in rows:
        assert re.search(rf"^    “?{row} \| ", console, re.M), console


def test_yaml_keeps_its_lines_and_indents_in_every_quote():
    answer = Answer("What address does the web entry point use?", 'address: ":80" [1]', False,
                    (_cited(YAML, 'address: ":80"'),))  # fmt: skip
    slack = _slack(answer)
    assert "```" in slack and "\n  dashboard: true\n" in slack and '\n    address: ":80"' in slack
    discord = _discord(answer)
    assert "```" in discord and "\n  dashboard: true\n" in discord and fences_balanced(discord)
    console = _console(answer)
    assert "\n      dashboard: true" in console  # the quote's indent, then the key's own
    assert "\n        address" in console


def test_a_quote_that_repeats_the_answer_is_shown_once():
    sentence = "The default install path is /opt/tidewater."
    answer = Answer("Where?", f"{sentence} [1]", False, (_cited(sentence, sentence),))
    for shown in (_slack(answer), _discord(answer)):  # the citations: they name the source, no second copy
        assert "/opt/tidewater" not in shown and "Config" in shown, shown
    assert _console(answer).count("/opt/tidewater") == 1  # the answer and its citation, in the terminal
    assert json.loads(json.dumps(answer.to_json()))["citations"][0]["passage"] == sentence  # JSON unchanged
    other = Answer(
        "Where?", f"{sentence} [1]", False, (_cited(sentence + " Logs go to /var/log.", sentence),)
    )
    assert "/var/log" in _slack(other) and "/var/log" in _discord(other) and "/var/log" in _console(other)


def test_repeats_reads_words_not_marks():
    assert repeats("Run “make install” [1].", "Run make install")
    assert not repeats("Run make.", "Run make install")
    assert not repeats("Anything.", "")


def test_excerpt_lines_keep_indents_and_drop_blank_lines():
    assert excerpt_lines("a:\n\n  b:   1\n\tc: 2") == "a:\n  b: 1\n    c: 2"


_QUOTE_START = st.sampled_from(["", "“", '"', "‘", "«", "'"])
_WORDS = st.text(st.sampled_from("abc xyz.;:|-\n  "), min_size=1, max_size=80)


@given(_QUOTE_START, _WORDS, _QUOTE_START)
@example("", ":\n.;", "")  # the passage's own ".;" on a line of its own, after the quote's "> "
@example("", ":  .;", "")  # the passage's own " .;" once an excerpt collapses its spaces (":  .;")
def test_no_quote_opens_with_two_quotation_marks_or_joins_with_dot_semicolon(start, body, end):
    passage = f"{start}{body}{end}".strip() or "x"
    answer = Answer("Q?", "Something else entirely. [1]", False, (_cited(passage, passage.split("\n")[0]),))
    opening, closing = quote_marks(passage)
    assert not (opening and passage[:1] in "“\"‘«„'")
    doubled = re.compile(r"[“\"‘«„'][“\"‘«„']")
    for shown in (_slack(answer), _discord(answer), _console(answer)):
        for found in doubled.findall(shown):
            assert found in passage, (found, shown)  # two marks in a row only where the passage has them
        # No join of ours reads " .;" (the passage's own text, once its markup escapes are undone, may;
        # a quote shows it a line at a time, each line after a "> " or an indent).
        ours = shown.replace("\\", "")
        for line in sorted(passage.replace("\\", "").split("\n"), key=len, reverse=True):
            ours = ours.replace(line.strip(), "") if line.strip() else ours
            ours = ours.replace(" ".join(line.split()), "") if line.strip() else ours  # as excerpts show it
        assert " .;" not in ours
    for outgoing in discord_render(answer):
        assert not limit_problems({"content": outgoing.content, "embeds": list(outgoing.embeds)})
