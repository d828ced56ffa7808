"""The Slack renderer: limits, escaping, links and buttons, on the hand-made stress replies."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from bot import messages
from bot.adapters.slack.render import (
    BUTTON_TEXT_CHARS,
    BUTTON_VALUE_CHARS,
    MAX_BLOCKS,
    SECTION_CHARS,
    SlackMessage,
    cut,
    escape,
    fit,
    link,
    render,
    split,
)
from bot.core.models import Answer, Citation, Location, Notice, PassageView, SourceList, SourceLookup
from tests.harness.libraries import ROOT
from tests.harness.sample_replies import LONG_PASSAGE, answers, other_replies

ALL_REPLIES = {**answers(), **other_replies()}
# What Slack would turn into a ping, a link to a user or channel, or a group mention.
SPECIAL = re.compile(r"<[!@#]")


def _texts(message: SlackMessage) -> list[str]:
    """Every mrkdwn/plain text in the message, the fallback included."""
    found = [message.text]

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") in ("mrkdwn", "plain_text"):
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(message.blocks)
    return found


def _buttons(message: SlackMessage) -> list[dict]:
    found = [e for b in message.blocks if b["type"] == "actions" for e in b["elements"]]
    return found + [b["accessory"] for b in message.blocks if "accessory" in b]


@pytest.mark.parametrize("name", sorted(ALL_REPLIES))
def test_every_sample_reply_fits_slack_limits(name):
    message = render(ALL_REPLIES[name])
    assert message.text.strip(), "a plain-text fallback is always there"
    assert 1 <= len(message.blocks) <= MAX_BLOCKS
    for block in message.blocks:
        if block["type"] == "section":
            assert 0 < len(block["text"]["text"]) <= SECTION_CHARS
        if block["type"] == "context":
            assert all(0 < len(e["text"]) <= SECTION_CHARS for e in block["elements"])
        if block["type"] == "actions":
            assert 1 <= len(block["elements"]) <= 25
    for button in _buttons(message):
        assert len(button["text"]["text"]) <= BUTTON_TEXT_CHARS
        assert 0 < len(button["value"]) <= BUTTON_VALUE_CHARS
    action_ids = [b["action_id"] for b in _buttons(message)]
    assert len(action_ids) == len(set(action_ids))


@pytest.mark.parametrize("name", sorted(ALL_REPLIES))
def test_document_text_never_becomes_a_mention_or_link(name):
    message = render(ALL_REPLIES[name])
    posted = json.dumps({"text": message.text, "blocks": message.blocks}, ensure_ascii=False)
    assert not SPECIAL.search(posted)
    for forbidden in ("<!channel>", "<!here>", "<!everyone>", "<@U", "<#C", "<!subteam"):
        assert forbidden not in posted
    for text in _texts(message):
        # every '<' left is the start of one of our own <https://…|title> links
        assert all(text[i:].startswith(("<http://", "<https://")) for i, c in enumerate(text) if c == "<")


def test_mentions_in_the_answer_and_passage_are_shown_escaped():
    message = render(answers()["mentions"])
    section = message.blocks[0]["text"]["text"]
    assert "&lt;!channel&gt;" in section and "&lt;@U1&gt;" in section
    context = message.blocks[1]["elements"][0]["text"]
    assert "&lt;!everyone&gt; @here" in context  # the title, escaped
    assert "&lt;!channel&gt;" in message.text


def test_markup_passage_escapes_ampersands_and_brackets():
    message = render(answers()["markup"])
    assert message.blocks[0]["text"]["text"] == "Margins &lt; 10% &amp; *bold* [1]."
    context = message.blocks[1]["elements"][0]["text"]
    assert "<https://example.com/doc|Q&amp;A &lt;draft&gt;>" in context
    assert "&lt;https://x.example|click&gt;" in context


def test_plain_answer_has_citation_context_buttons_and_fallback():
    message = render(answers()["plain"])
    assert message.blocks[0] == {
        "type": "section",
        "text": {"type": "mrkdwn", "text": "Microsoft invested $1 billion [1]."},
    }
    context = message.blocks[1]
    assert context["type"] == "context"
    lines = context["elements"][0]["text"].split("\n")
    assert lines == [
        "*[1]* <https://example.com/doc|Doc>",
        "“Microsoft has invested $1 billion in OpenAI.”",
        "doc1.txt, lines 3-7",
    ]
    show, feedback = message.blocks[2], message.blocks[3]
    assert show["elements"][0]["value"] == "doc1.txt#1"
    assert show["elements"][0]["text"]["text"] == "Show passage [1]"
    assert [(b["action_id"], b["value"]) for b in feedback["elements"]] == [
        ("citebot_vote_up", "a1"),
        ("citebot_vote_down", "a1"),
    ]
    assert message.text.startswith("Microsoft invested $1 billion [1].")
    assert "[1] Doc (https://example.com/doc)" in message.text


def test_citation_without_url_shows_the_title_alone():
    context = render(answers()["no_url"]).blocks[1]["elements"][0]["text"]
    assert context.startswith("*[1]* Doc\n")
    assert "<" not in context


@pytest.mark.parametrize(
    "url",
    ["!channel", "javascript:alert(1)", "mailto:a@b.c", "https://", "http://a b.c", "<!here>", "@everyone"],
)
def test_unsafe_urls_are_not_linked(url):
    assert link(url, "Title") == "Title"


def test_url_cannot_break_out_of_the_link():
    rendered = link("https://example.com/a|<!channel>?q=1&r=2", "T")
    assert rendered == "<https://example.com/a%7C&lt;!channel&gt;?q=1&amp;r=2|T>"


def test_quote_starts_at_the_quoted_sentence_when_it_lies_deep_in_the_passage():
    passage = "Filler sentence here. " * 40 + "The key fact is 42. More after."
    citation = Citation(1, "d#1", "d", "D", None, passage, 0.1, Location("d"), quote="The key fact is 42.")
    quote = render(Answer("q", "a [1]", False, (citation,))).blocks[1]["elements"][0]["text"].split("\n")[1]
    assert quote == "“… The key fact is 42. More after.”"


def test_long_passage_quote_is_cut_at_a_sentence():
    context = render(answers()["long_passage"]).blocks[1]["elements"][0]["text"]
    quote = context.split("\n")[1]
    assert quote.endswith("Azure. …”")
    assert len(quote) < 320


def test_long_answer_text_is_cut_to_one_section():
    section = render(answers()["long_answer"]).blocks[0]["text"]["text"]
    assert len(section) <= SECTION_CHARS
    assert section.endswith("answer. …")


def test_abstention_lists_the_closest_passages_as_places_to_look():
    message = render(answers()["abstained"])
    assert message.blocks[0]["text"]["text"] == f"{messages.ABSTAIN}\n{messages.ABSTAIN_SEE_ALSO}"
    contexts = [b for b in message.blocks if b["type"] == "context"]
    assert len(contexts) == 2
    assert contexts[0]["elements"][0]["text"].startswith("*[1]* <https://example.com/doc|Doc>")
    assert [b["value"] for b in message.blocks[3]["elements"]] == ["doc1.txt#1", "doc2.txt#2"]
    assert messages.ABSTAIN_SEE_ALSO in message.text


def test_many_citations_stay_within_50_blocks():
    citations = tuple(
        Citation(n, f"d.txt#{n}", "d.txt", f"T{n}", None, "Text.", 0.1, Location("d.txt", n))
        for n in range(1, 80)
    )
    message = render(Answer("q", "a", False, citations, answer_id="x"))
    assert len(message.blocks) <= MAX_BLOCKS
    assert "more not shown" in json.dumps(message.blocks)


def test_source_lookup_shows_the_whole_passage_across_sections():
    message = render(other_replies()["passage"])
    sections = [b["text"]["text"] for b in message.blocks if b["type"] == "section"]
    assert sections[0] == "*<https://example.com/doc|Doc &amp; &lt;b&gt;>*  `doc1.txt#1`"
    body = " ".join(sections[1:])
    assert body.replace(" ", "") == LONG_PASSAGE.replace(" ", "")
    assert all(len(s) <= SECTION_CHARS for s in sections)
    assert message.blocks[-1]["elements"][0]["text"] == "doc1.txt, lines 1-4"


def test_document_lookup_lists_its_passages():
    message = render(other_replies()["document"])
    text = json.dumps(message.blocks)
    assert "`doc1.txt#1`" in text and "`doc2.txt#2`" in text


def test_document_list_packs_many_documents_into_few_blocks():
    message = render(other_replies()["document_list"])
    assert message.blocks[0]["text"]["text"] == "79 documents:"
    assert len(message.blocks) < 10
    assert "Document &lt;1&gt; &amp; co" in message.blocks[1]["text"]["text"]


def test_hit_list_has_a_show_passage_button_per_hit():
    message = render(other_replies()["hit_list"])
    assert message.blocks[0]["text"]["text"] == "Best passages for “azure”:"
    assert [b["value"] for b in _buttons(message)] == ["doc1.txt#1", "doc2.txt#2"]
    assert "score" not in json.dumps(message.blocks)  # fusion scores mean nothing to a reader


def test_empty_lists_say_so():
    assert render(SourceList(None)).text == messages.NO_DOCUMENTS
    assert render(SourceList("zzz")).text == messages.NO_HITS
    assert render(SourceLookup("x")).text.startswith("No source or passage called")


def test_help_leaves_out_slash_help():
    message = render(other_replies()["help"])
    text = message.blocks[0]["text"]["text"]
    assert "`/ask QUESTION`  Ask." in text
    assert "/help" not in text


def test_notices():
    error = render(Notice("No source called 'x <!channel>'."))
    assert error.blocks[0]["text"]["text"] == ":warning: No source called 'x &lt;!channel&gt;'."
    thanks = render(Notice(messages.FEEDBACK_THANKS_UP, is_error=False))
    assert thanks.blocks[0]["text"]["text"] == messages.FEEDBACK_THANKS_UP
    apology = render(other_replies()["apology"])
    assert "abc123" in apology.text


def test_button_value_too_long_is_left_out():
    view = PassageView("x" * (BUTTON_VALUE_CHARS + 1), "s", "T", None, "Text.", Location("s"), 0.1)
    assert _buttons(render(SourceList("q", hits=(view,)))) == []


def test_cut_fit_and_split():
    assert cut("One. Two three four.", 12) == "One. …"
    assert cut("short", 10) == "short"
    assert cut("a" * 50, 10) == "aaaaaaaa …"
    assert fit("<" * 100, 20) == "&lt;" * 3 + " …"  # escaping never pushes past the limit
    assert len(fit("&" * 5000, 3000)) <= 3000
    pieces = split("First sentence. " * 400, 3000)
    assert all(len(p) <= 3000 for p in pieces) and all(p.endswith(".") for p in pieces)
    assert split("<&>" * 2000, 3000) and all(len(p) <= 3000 for p in split("<&>" * 2000, 3000))
    assert escape("a & <b>") == "a &amp; &lt;b&gt;"


def test_renderer_needs_no_slack_sdk():
    code = "import sys, bot.adapters.slack.render; print(sorted(m for m in sys.modules if m.startswith('slack')))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert result.stdout.strip() == "[]"


def test_inline_code_is_shown_in_backticks_escaped_and_whole():
    message = render(answers()["inline_code"])
    text = message.blocks[0]["text"]["text"]
    assert "`--api.insecure=true`" in text and "`--api.dashboard`" in text
    assert "`--api &amp; &lt;x&gt;`" in text  # escaped like the text around it
    assert "needs --api [1]" in text  # "--api" alone was no code span of the passage here
