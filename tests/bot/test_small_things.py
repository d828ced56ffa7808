"""Small things users notice: plurals, readable `sources`, Ctrl-C at the prompt, escapes, the Discord invite."""

from __future__ import annotations

import io
import re

from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from rich.console import Console

from bot import messages
from bot.adapters.console.adapter import PROMPT, prompt_session
from bot.adapters.console.render import render as render_console
from bot.adapters.discord.client import invite_permissions, invite_url
from bot.adapters.discord.render import render as render_discord
from bot.adapters.slack.render import render as render_slack
from bot.core.models import Answer, DocumentView, Location, PassageView, SourceList, SourceLookup
from tests.harness.libraries import ROOT

INVEST = "How much did Microsoft invest in OpenAI?"


def printed(renderable) -> str:
    output = io.StringIO()
    Console(file=output, no_color=True, width=200).print(renderable)
    return output.getvalue()


def test_one_is_singular_everywhere():
    one = DocumentView("a.txt", "A", None, 1)
    listing = SourceList(None, documents=(one,))
    lookup = SourceLookup("a.txt", document=one)
    for text in (
        printed(render_console(listing)),
        printed(render_console(lookup)),
        str(render_slack(listing).blocks),
    ):
        assert "1 passage" in text and "1 passages" not in text
    assert render_slack(listing).text.startswith("1 document:")
    assert messages.index_built(1, 1, 1, 0, 0, 1.0).startswith("Indexed 1 document (1 passage) in")
    assert messages.discord_more_passages(1) == "…and 1 more passage. Open one with /source ID."
    assert (
        messages.plural(2, "passage") == "2 passages"
        and messages.plural(1_204, "document") == "1,204 documents"
    )


def test_sources_shows_no_meaningless_fusion_scores():
    hit = PassageView("a.txt#1", "a.txt", "A", None, "Some text.", Location("a.txt", 1, 2), score=0.032787)
    listing = SourceList("words", hits=(hit,))
    shown = [
        printed(render_console(listing)),
        str(render_slack(listing).blocks),
        str(render_discord(listing)),
    ]
    for text in shown:
        assert "Some text." in text
        assert "0.03" not in text and "score" not in text


def test_ctrl_c_with_a_half_typed_line_clears_it_and_on_an_empty_line_quits():
    with create_pipe_input() as pipe:
        session = prompt_session(input=pipe, output=DummyOutput())
        pipe.send_text("how much did Micro\x03" + INVEST + "\r")
        assert session.prompt(PROMPT) == INVEST  # the half line was cleared, not sent, and nothing quit
        pipe.send_text("\x03")
        try:
            session.prompt(PROMPT)
        except KeyboardInterrupt:
            pass
        else:
            raise AssertionError("Ctrl-C on an empty line should leave the console")


def test_an_escape_sequence_in_a_question_is_removed_whole(command_table):
    clean = command_table.dispatch("how much did microsoft invest?")
    dirty = command_table.dispatch("how much did\x1b[31m microsoft invest?")
    assert isinstance(dirty, Answer) and not dirty.abstained
    assert dirty.question == "how much did microsoft invest?"
    assert (dirty.text, dirty.citations) == (clean.text, clean.citations)


def test_the_discord_invite_asks_for_what_the_bot_uses_and_the_readme_agrees():
    permissions = invite_permissions()
    assert permissions.send_messages and permissions.send_messages_in_threads
    assert permissions.read_message_history and permissions.embed_links
    assert not permissions.add_reactions  # votes are buttons; the bot never reacts on Discord
    readme = (ROOT / "README.md").read_text("utf-8")
    url = invite_url(1234).replace("1234", "YOUR_APPLICATION_ID")
    assert url in readme
    used = re.findall(
        r"add_reaction", "".join(p.read_text() for p in (ROOT / "bot/adapters/discord").glob("*.py"))
    )
    assert used == []


def test_citations_name_slides_and_rows_the_way_their_formats_do():
    from bot.core.models import Location

    assert Location("talks/q3.pptx", page=4).describe() == "talks/q3.pptx, slide 4"
    assert Location("prices.xlsx", 7, 7).describe() == "prices.xlsx, row 7"
    assert Location("export.csv", 7, 9).describe() == "export.csv, rows 7-9"
    assert Location("guide.pdf", page=2).describe() == "guide.pdf, page 2"
    assert Location("guide.md", 40, 52).describe() == "guide.md, lines 40-52"
