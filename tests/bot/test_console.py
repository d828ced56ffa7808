"""The console adapter, driven through its injectable streams: what a person at the terminal sees."""

from __future__ import annotations

import io

from bot import messages
from bot.adapters.console.adapter import ConsoleAdapter
from bot.core.models import Answer, Citation, Location, Origin, PassageView, SourceList, SourceLookup
from tests.harness.libraries import SEEDS

SEED_001 = next(SEEDS.glob("001_*.txt")).name
SEED_NAMES = sorted(p.name for p in SEEDS.glob("*.txt"))


def converse(table, *lines: str, welcome: str = "") -> str:
    """Feed lines to a console session and return everything it printed."""
    output = io.StringIO()
    ConsoleAdapter(table, io.StringIO("".join(f"{line}\n" for line in lines)), output, color=False).run(
        welcome
    )
    return output.getvalue()


class CannedTable:
    """A command table that always gives the same reply, and remembers what it was asked."""

    def __init__(self, reply) -> None:
        self.reply = reply
        self.lines: list[str] = []

    def dispatch(self, line: str, origin: Origin = Origin()):
        self.lines.append(line)
        return self.reply


def test_question_prints_the_answer_with_numbered_citations(command_table):
    printed = converse(command_table, "How much did Microsoft invest in OpenAI?")
    assert "1 billion" in printed
    assert "[1]" in printed
    answer = command_table.dispatch("How much did Microsoft invest in OpenAI?")
    first = answer.citations[0]
    assert first.title in printed
    assert first.location.describe() in printed
    assert "\x1b[" not in printed  # color=False: no escape codes


def test_abstention_prints_the_closest_passages(command_table):
    printed = converse(command_table, "How many GPUs will the Azure platform have?")
    assert messages.ABSTAIN in printed
    assert messages.ABSTAIN_SEE_ALSO in printed


def test_an_off_topic_question_lists_no_unrelated_passages(command_table):
    for question in ("What is the weather in Paris tomorrow?", "What is the recipe for a chocolate cake?"):
        answer = command_table.dispatch(question)
        assert answer.abstained and answer.see_also == ()
        printed = converse(command_table, question)
        assert messages.ABSTAIN in printed and messages.ABSTAIN_SEE_ALSO not in printed


def test_sources_lists_the_seed_files(command_table):
    printed = converse(command_table, "/sources")
    for name in SEED_NAMES:
        assert name in printed
    assert "Why Microsoft is Investing $1 Billion in OpenAI" in printed


def test_source_prints_the_passage(command_table):
    passage_id = f"{SEED_001}#4"
    printed = converse(command_table, f"/source {passage_id}")
    passage = command_table.dispatch(f"/source {passage_id}").passage
    assert passage_id in printed
    assert passage.text in printed
    assert passage.location.describe() in printed


def test_unknown_source_prints_suggestions(command_table):
    printed = converse(command_table, f"/source {SEED_001}#99")
    assert "Did you mean" in printed and f"{SEED_001}#" in printed


def test_help_lists_the_commands(command_table):
    printed = converse(command_table, "/help")
    for usage in ("/ask QUESTION", "/source ID", "/sources [WORDS]", "/help", "/quit"):
        assert usage in printed


def test_quit_ends_the_session_before_later_lines():
    table = CannedTable(SourceList(None))
    printed = converse(table, "first", "/quit", "never read")
    assert table.lines == ["first"]
    assert printed.rstrip().endswith(messages.CONSOLE_BYE)


def test_exit_and_q_also_quit():
    for command in ("/exit", "/q", "/QUIT", "quit", "Exit", "  quit  "):
        table = CannedTable(SourceList(None))
        converse(table, command, "after")
        assert table.lines == []


def test_end_of_input_ends_the_session():
    table = CannedTable(SourceList(None))
    printed = converse(table, "one", "two", welcome="hello there")
    assert table.lines == ["one", "two"]
    assert printed.startswith("hello there")
    assert printed.rstrip().endswith(messages.CONSOLE_BYE)


def test_blank_lines_are_ignored():
    table = CannedTable(SourceList(None))
    converse(table, "", "   ", "\t", "real question", "")
    assert table.lines == ["real question"]


def test_document_text_with_markup_is_printed_literally():
    passage = "Use [bold]brackets[/bold] and [link=https://evil.example]this[/link] as written :smile:"
    citation = Citation(
        number=1,
        passage_id="doc.txt#1",
        source="doc.txt",
        title="[red]Styled title[/red]",
        url=None,
        passage=passage,
        score=0.9,
        location=Location("doc.txt", 3, 4),
    )
    answer = Answer("q", "Use [bold]brackets[/bold] [1]", False, (citation,))
    printed = converse(CannedTable(answer), "q")
    assert "Use [bold]brackets[/bold] [1]" in printed
    assert passage in printed
    assert "[red]Styled title[/red]" in printed
    assert "doc.txt, lines 3-4" in printed


def test_error_notice_is_printed(command_table):
    printed = converse(command_table, "/nope")
    assert "Unknown command /nope" in printed


def test_inline_code_is_shown_in_the_code_colour():
    from bot.adapters.console.render import render_answer
    from tests.harness.sample_replies import answers

    answer = answers()["inline_code"]
    text = render_answer(answer).renderables[0]
    cyan = {text.plain[s.start : s.end] for s in text.spans if "cyan" in str(s.style)}
    assert cyan == {"--api.insecure=true", "--api & <x>", "--api.dashboard"}


def test_the_welcome_names_the_folder_the_index_was_built_from(seeds_index, embedder, tmp_path):
    """`citebot run --index X` over another team's index: the welcome names that index's folder, not the
    configured `corpus` (seeds by default)."""
    from bot.core.commands import CommandTable
    from bot.core.service import QAService
    from bot.state.feedback import SqliteFeedbackStore
    from tests.harness.libraries import make_settings

    settings = make_settings(seeds_index, tmp_path, corpus=str(tmp_path / "configured-elsewhere"))
    service = QAService(settings, embedder)
    table = CommandTable(service, SqliteFeedbackStore(tmp_path / "feedback.sqlite3"))
    adapter = ConsoleAdapter.from_settings(settings, table)
    assert str(SEEDS.name) in adapter.welcome
    assert "configured-elsewhere" not in adapter.welcome


def _table_passage() -> PassageView:
    return PassageView(
        "services.md#1",
        "services.md",
        "Services",
        None,
        "The services listen on these ports.\nService | Port | Protocol\nmetrics | 9102 | HTTP",
        Location("services.md", 3, 7),
    )


def test_source_indents_every_line_of_the_passage_under_it():
    printed = converse(CannedTable(SourceLookup("services.md#1", passage=_table_passage())), "/source x")
    lines = printed.split("\n")
    for line in ("The services listen on these ports.", "Service | Port | Protocol", "metrics | 9102 | HTTP"):
        assert f"    {line}" in lines, printed


def test_closest_passages_indent_every_line_under_their_id():
    printed = converse(CannedTable(SourceList("ports", hits=(_table_passage(),))), "/sources ports")
    lines = printed.split("\n")
    assert "    Service | Port | Protocol" in lines and "    metrics | 9102 | HTTP" in lines, printed
    assert not any(line.startswith(("Service", "metrics")) for line in lines)
