"""Every Discord limit holds for any answer, after all formatting: notes added, then what is actually sent."""

from __future__ import annotations

import discord
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import messages
from bot.adapters.discord.render import Outgoing, add_note, fit, plain_text, render
from bot.adapters.discord.send import edit_arguments, message_arguments
from bot.core.models import Answer, Citation, Location
from tests.harness.discord_harness import limit_problems

# Text that stresses the renderer: markup, fences, mentions, long words, newlines, non-Latin script.
_PIECES = st.sampled_from(
    [
        "```",
        "`",
        "@everyone",
        "<@123>",
        "**",
        "\n",
        "\n\n",
        "> ",
        "[1]",
        "https://example.com/a b",
        "é",
        "日本語",
        "x" * 300,
        "word ",
    ]
)
_TEXT = st.lists(st.one_of(_PIECES, st.text(min_size=0, max_size=60)), max_size=80).map("".join)


@st.composite
def citations(draw: st.DrawFn, number: int) -> Citation:
    source = draw(st.text(min_size=1, max_size=300)).replace("\x00", "") or "doc.txt"
    return Citation(
        number=number,
        passage_id=f"{source}#{number}",
        source=source,
        title=draw(_TEXT),
        url=draw(st.one_of(st.none(), st.just("https://example.com/" + "p" * draw(st.integers(0, 600))))),
        passage=draw(_TEXT),
        score=0.5,
        location=Location(source, draw(st.one_of(st.none(), st.integers(1, 10**6))), None),
        quote=draw(_TEXT),
        also_in=tuple(draw(st.lists(st.text(max_size=200), max_size=5))),
    )


@st.composite
def answers(draw: st.DrawFn) -> Answer:
    text = draw(_TEXT) + draw(st.sampled_from(["", "x" * 2500, ("line of code\n" * 400)]))
    count = draw(st.integers(0, 40))
    cited = tuple(draw(citations(n)) for n in range(1, count + 1))
    code = tuple(
        draw(st.lists(st.sampled_from([text[:50], text[10:900], "line of code\n" * 200]), max_size=3))
    )
    abstained = draw(st.booleans())
    return Answer(
        question=draw(_TEXT),
        text=text,
        abstained=abstained,
        citations=() if abstained else cited,
        see_also=cited if abstained else (),
        answer_id=draw(st.one_of(st.none(), st.text("abcdef0123456789", min_size=1, max_size=120))),
        code=code,
        context=draw(st.one_of(st.none(), _TEXT)),
    )


def sent_payload(outgoing: Outgoing) -> dict:
    """The JSON discord.py would send for this message (embeds and the view serialised as it does)."""
    arguments = message_arguments(outgoing)
    payload = {
        "content": arguments.get("content"),
        "embeds": [e.to_dict() for e in arguments.get("embeds", [])],
    }
    if "view" in arguments:
        payload["components"] = arguments["view"].to_components()
    return payload


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answers(), st.booleans(), st.booleans())
def test_every_rendered_answer_fits_discord_after_notes(answer, attachment, edited):
    outgoing = render(answer)
    assert all(fit(message) == message for message in outgoing), "render left something for fit to cut"
    if attachment:
        outgoing = add_note(outgoing, messages.ATTACHMENTS_NOT_READ)
    if edited:
        outgoing = add_note(outgoing, messages.ANSWER_UPDATED)
    outgoing = add_note(outgoing, messages.discord_reply_forbidden("c" * 100), small=False)
    for message in outgoing:
        assert limit_problems(sent_payload(message)) == []
        assert limit_problems(sent_payload(plain_text(message))) == []


@settings(max_examples=40, deadline=None)
@given(
    st.text(max_size=3000),
    st.lists(
        st.fixed_dictionaries(
            {
                "title": st.text(max_size=400),
                "description": st.text(max_size=5000),
                "fields": st.lists(
                    st.fixed_dictionaries({"name": st.text(max_size=300), "value": st.text(max_size=1200)}),
                    max_size=30,
                ),
                "footer": st.fixed_dictionaries({"text": st.text(max_size=2100)}),
            }
        ),
        max_size=12,
    ),
)
def test_fit_cuts_any_message_to_discords_limits(content, embeds):
    fitted = fit(Outgoing(content=content or None, embeds=tuple(embeds)))
    assert limit_problems(sent_payload(fitted)) == []


def test_a_note_that_does_not_fit_goes_in_a_message_of_its_own():
    full = [Outgoing(content="x" * 1990)]
    noted = add_note(full, messages.ATTACHMENTS_NOT_READ)
    assert [m.content for m in noted] == [f"-# {messages.ATTACHMENTS_NOT_READ}", "x" * 1990]


def test_an_edit_clears_what_the_new_version_lacks():
    arguments = edit_arguments(Outgoing(content="only text"))
    assert arguments["content"] == "only text"
    assert arguments["embeds"] == [] and arguments["view"] is None
    assert isinstance(arguments["allowed_mentions"], discord.AllowedMentions)
