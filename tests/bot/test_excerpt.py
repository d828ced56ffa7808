"""The excerpt of a citation is decided once in core; every adapter shows it (cut to its own limits)."""

from __future__ import annotations

from dataclasses import replace

from bot.adapters.console.render import render_answer as console_answer
from bot.adapters.discord.render import render as discord_render
from bot.adapters.slack.render import render as slack_render
from bot.core.models import Answer, Citation, Location
from bot.core.quotes import cut_lines
from tests.harness.libraries import SEEDS

SEED_001 = next(SEEDS.glob("001_*.txt")).name

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


def test_a_long_cited_line_after_a_short_one_is_shown_cut_not_dropped():
    """seeds/001 lines 6-8: a one-line teaser, then the long paragraph whose first sentence [1] cites.
    Each adapter's limit fits the teaser but not the paragraph: the excerpt must still show the start
    of the cited sentence, not the teaser and a lone "…"."""
    lines = (SEEDS / SEED_001).read_text(encoding="utf-8").split("\n")
    passage = f"{lines[5]}\n\n{lines[7]}"
    quote = lines[7].split(". ")[0] + "."
    citation = Citation(
        1, f"{SEED_001}#1", SEED_001, "Why", None, passage, 0.5, Location(SEED_001, 8, 8), quote=quote
    )
    answer = Answer("How much?", f"{quote} [1]", False, (citation,))
    excerpt = citation.excerpt
    assert excerpt.startswith(lines[5][:40])  # the quote is near the start: shown from the passage's start
    slack = str(slack_render(replace(answer, text="Other words. [1]")).blocks)
    discord = str(discord_render(replace(answer, text="Other words. [1]"))[0].embeds)
    console = "".join(str(r) for r in console_answer(replace(answer, text="Other words. [1]")).renderables)
    for shown in (slack, discord, console):
        assert "Recently, Microsoft revealed that it was investing $1 billion" in shown, shown
    for limit in (300, 600):
        cut = cut_lines(excerpt, limit)
        assert len(cut) <= limit
        assert "Recently, Microsoft revealed" in cut and cut.endswith("…"), (limit, cut)
