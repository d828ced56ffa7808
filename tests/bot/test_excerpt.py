"""The excerpt of a citation is decided once in core; every adapter shows it (cut to its own limits)."""

from __future__ import annotations

from bot.adapters.console.render import render_answer as console_answer
from bot.adapters.discord.render import render as discord_render
from bot.adapters.slack.render import render as slack_render
from bot.core.models import Answer, Citation, Location

LEAD = "Background sentence number one says little. " * 8
PASSAGE = LEAD + "The default install path is /opt/tidewater. More text follows here."


def cited(quote: str) -> Citation:
    return Citation(1, "p#1", "p.md", "Paths", None, PASSAGE, 0.5, Location("p.md", 1, 3), quote=quote)


def test_a_deep_quote_is_shown_from_its_sentence_on():
    excerpt = cited("The default install path is /opt/tidewater.").excerpt
    assert excerpt.startswith("… The default install path is /opt/tidewater.")


def test_a_quote_near_the_start_shows_the_passage_from_its_start():
    assert cited("Background sentence number one says little.").excerpt.startswith("Background sentence")
    assert cited("").excerpt.startswith("Background sentence")


def test_every_adapter_shows_the_same_excerpt():
    citation = cited("The default install path is /opt/tidewater.")
    answer = Answer("Where?", "The default install path is /opt/tidewater. [1]", False, (citation,))
    slack = str(slack_render(answer).blocks)
    discord = str(discord_render(answer)[0].embeds)
    console = "".join(str(r) for r in console_answer(answer).renderables)
    for shown in (slack, discord, console):
        assert "… The default install path is /opt/tidewater." in shown
        assert "Background sentence" not in shown
