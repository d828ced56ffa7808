"""Every kind of reply rendered for Discord stays within Discord's limits and shows what it should."""

from __future__ import annotations

import re

import pytest

from bot import messages
from bot.adapters.discord.markdown import fences_balanced
from bot.adapters.discord.render import (
    EMBEDS_PER_MESSAGE,
    Outgoing,
    embed_length,
    render,
    vote_custom_id,
)
from bot.core.models import Answer, Citation, Location, Notice
from tests.harness.discord_harness import limit_problems
from tests.harness.sample_replies import answers, other_replies

SAMPLES = {**answers(), **other_replies()}
_MASS_MENTION = re.compile(r"@(everyone|here)", re.IGNORECASE)


def texts(outgoing: Outgoing) -> list[str]:
    """Everything a user can read in a message."""
    found = [outgoing.content or ""]
    for embed in outgoing.embeds:
        found += [
            embed.get("title", ""),
            embed.get("description", ""),
            embed.get("footer", {}).get("text", ""),
        ]
        found += [part for field in embed.get("fields", ()) for part in (field["name"], field["value"])]
    return found


def as_payload(outgoing: Outgoing) -> dict:
    return {"content": outgoing.content, "embeds": list(outgoing.embeds)}


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_every_sample_fits_discord_limits(name):
    rendered = render(SAMPLES[name])
    assert rendered
    for outgoing in rendered:
        assert limit_problems(as_payload(outgoing)) == []
        assert len(outgoing.content or "") <= 2000
        assert len(outgoing.embeds) <= EMBEDS_PER_MESSAGE
        assert sum(embed_length(e) for e in outgoing.embeds) <= 6000


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_no_sample_can_ping_everyone_or_here(name):
    for outgoing in render(SAMPLES[name]):
        for text in texts(outgoing):
            assert not _MASS_MENTION.search(text), text


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_code_fences_are_balanced_in_every_chunk(name):
    for outgoing in render(SAMPLES[name]):
        for text in texts(outgoing):
            assert fences_balanced(text), text


def test_citation_field_links_the_title_quotes_the_passage_and_says_where():
    [message] = render(answers()["plain"])
    assert message.content == "Microsoft invested $1 billion [1]."
    [embed] = message.embeds
    assert embed["title"] == messages.DISCORD_SOURCES_TITLE
    [field] = embed["fields"]
    assert field["value"].startswith("[1] [Doc](<https://example.com/doc>)\n> ")
    assert "Microsoft has invested $1 billion in OpenAI." in field["value"]
    assert field["name"] == "doc1.txt, lines 3-7"


def test_citation_without_url_is_the_title_alone():
    [message] = render(answers()["no_url"])
    value = message.embeds[0]["fields"][0]["value"]
    assert value.startswith("[1] Doc\n") and "](" not in value


def test_markup_in_documents_is_shown_literally():
    [message] = render(answers()["markup"])
    value = message.embeds[0]["fields"][0]["value"]
    assert "[link](http://evil.example)" not in value  # no masked link from document text
    assert "\\*bold\\*" in value


def test_a_long_passage_is_cut_but_keeps_the_quoted_sentence():
    passage = "Filler words go here. " * 100 + "The quoted sentence. More filler after it. " * 5
    citation = Citation(
        1, "p#1", "p.txt", "P", None, passage, 1.0, Location("p.txt", 1, 9), quote="The quoted sentence."
    )
    value = render(Answer("q", "Answer [1].", False, (citation,)))[0].embeds[0]["fields"][0]["value"]
    assert len(value) <= 1024 and "The quoted sentence." in value
    assert value.startswith("[1] P\n> …")


def test_long_answer_is_split_and_buttons_go_on_the_last_message():
    rendered = render(answers()["long_answer"])
    assert len(rendered) >= 3
    assert all(len(o.content or "") <= 2000 for o in rendered)
    assert [o.vote_answer_id for o in rendered] == [None] * (len(rendered) - 1) + ["a8"]
    assert rendered[-1].embeds  # the citations follow the text they support


def test_many_citations_spread_over_messages_in_order():
    rendered = render(answers()["many"])
    fields = [f for o in rendered for e in o.embeds for f in e.get("fields", ())]
    assert [int(re.match(r"\[(\d+)\]", f["value"]).group(1)) for f in fields] == list(range(1, 13))


def test_abstention_says_so_and_lists_places_to_look():
    [message] = render(answers()["abstained"])
    assert message.content == f"{messages.ABSTAIN}\n{messages.ABSTAIN_SEE_ALSO}"
    embed = message.embeds[0]
    assert embed["title"] == messages.DISCORD_SEE_ALSO_TITLE
    assert [f["value"].split("\n")[0] for f in embed["fields"]] == [
        "[1] [Doc](<https://example.com/doc>)",
        "[2] Doc",
    ]


def test_abstention_without_passages_is_just_the_text():
    [message] = render(Answer("q", messages.ABSTAIN, True))
    assert message.content == messages.ABSTAIN and not message.embeds


def test_vote_buttons_carry_a_short_persistent_custom_id():
    [message] = render(answers()["plain"])
    assert message.vote_answer_id == "a1"
    assert vote_custom_id("down", "a1") == "citebot:vote:down:a1"
    [no_buttons] = render(Answer("q", "t", False, answer_id="x" * 120))
    assert no_buttons.vote_answer_id is None  # would not fit Discord's 100-character custom_id


def test_passage_lookup_shows_the_whole_passage():
    rendered = render(other_replies()["passage"])
    shown = " ".join(e.get("description", "") for o in rendered for e in o.embeds)
    assert shown.replace("\n", " ").split() == other_replies()["passage"].passage.text.split()
    first, last = rendered[0].embeds[0], rendered[-1].embeds[-1]
    assert first["title"] == "Doc & <b>" and first["url"] == "https://example.com/doc"
    assert last["footer"]["text"] == "doc1.txt#1 · doc1.txt, lines 1-4"


def test_document_lookup_lists_its_passages():
    [message] = render(other_replies()["document"])
    [embed] = message.embeds
    assert embed["title"] == "Doc" and "2 passages" in embed["description"]
    assert [f["name"] for f in embed["fields"]] == ["doc1.txt#1", "doc2.txt#2"]


def test_document_list_names_every_document():
    rendered = render(other_replies()["document_list"])
    listed = "\n".join(e["description"] for o in rendered for e in o.embeds)
    assert rendered[0].embeds[0]["title"] == "Documents (79)"
    assert all(f"`folder/doc{n}.txt`" in listed for n in range(1, 80))


def test_hit_list_numbers_the_passages():
    [message] = render(other_replies()["hit_list"])
    embed = message.embeds[0]
    assert embed["title"] == messages.discord_matches_title("azure")
    assert [f["value"][:3] for f in embed["fields"]] == ["[1]", "[2]"]


def test_help_lists_each_command_usage():
    [message] = render(other_replies()["help"])
    assert "`/ask QUESTION` — Ask." in message.content and messages.DISCORD_HELP_MENTION in message.content


def test_notice_is_plain_content_with_mentions_defused():
    [message] = render(Notice("Nothing for @everyone here."))
    assert message.content == "Nothing for @\u200beveryone here." and not message.embeds


def test_inline_code_is_shown_in_backticks_and_whole():
    (first, *_) = render(answers()["inline_code"])
    assert "`--api.insecure=true`" in first.content and "`--api.dashboard`" in first.content
    assert "needs --api [1]" in first.content
