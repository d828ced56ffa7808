"""Every Block Kit limit holds after *all* formatting (code marks, inline code, escaping), for any answer:
a property test over random answers with long code, many citations, long titles, emoji and backticks."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.adapters.slack.render import SlackMessage, clip_mrkdwn, render
from bot.core.models import Answer, Citation, Location

# Slack's published limits (api.slack.com/reference/block-kit), written out here, not imported.
LIMITS = {"text": 40_000, "blocks": 50, "section": 3000, "header": 150, "context_elements": 10}
LIMITS |= {"context_text": 3000, "actions": 25, "button_text": 75, "button_value": 2000}

_pieces = st.sampled_from(
    [
        "word",
        "`",
        "```",
        "&",
        "<",
        ">",
        "<@U1>",
        "<!channel>",
        "😀",
        "👍🏽",
        "日本語",
        " ",
        "\n",
        "*",
        "_",
        "~",
    ]
)
_texts = st.lists(st.one_of(_pieces, st.text(min_size=1, max_size=40)), max_size=60).map("".join)
_long = st.integers(min_value=0, max_value=4).map(lambda n: ("A sentence of the answer. " * 60) * n)
_code = st.lists(
    st.sampled_from(["pip install -U citebot", "for i in range(3):", "    print(i)", "x = `y`", "a & b < c"]),
    min_size=1,
    max_size=90,
).map("\n".join)


@st.composite
def answers(draw) -> Answer:
    code = draw(_code)
    lines = [line for line in code.splitlines() if line.strip()]
    parts = [draw(_long), draw(_texts), draw(st.sampled_from(["", "\n" + code + "\n", code])), draw(_texts)]
    text = "".join(draw(st.permutations(parts)))
    code_parts = tuple(draw(st.lists(st.sampled_from([code, *lines]), max_size=5)))
    inline = tuple(draw(st.lists(st.sampled_from(lines + ["--api", "--api.insecure"]), max_size=5)))
    number = draw(st.integers(min_value=0, max_value=30))
    cited = tuple(draw(citations(n)) for n in range(1, number + 1))
    abstained = draw(st.booleans())
    return Answer(
        draw(_texts),
        text,
        abstained,
        () if abstained else cited,
        cited if abstained else (),
        answer_id=draw(st.one_of(st.none(), st.text(min_size=1, max_size=30))),
        code=code_parts,
        inline_code=inline,
        context=draw(st.one_of(st.none(), _texts)),
    )


@st.composite
def citations(draw, number: int) -> Citation:
    passage = draw(_long) + draw(_texts) + draw(st.sampled_from(["", "```\ncode\n```"]))
    return Citation(
        number=number,
        passage_id=draw(st.text(min_size=1, max_size=2100)),
        source="doc.md",
        title=draw(st.one_of(_texts, st.text(min_size=200, max_size=600))),
        url=draw(st.sampled_from([None, "https://example.com/a", "https://example.com/" + "x" * 3000])),
        passage=passage,
        score=0.5,
        location=Location("doc.md", 1, 90),
        quote=passage[:80],
        also_in=tuple(draw(st.lists(_texts, max_size=3))),
    )


def violations(message: SlackMessage) -> list[str]:
    """What Slack would refuse in `message` (invalid_blocks, msg_too_long)."""
    found = []
    if not message.text or len(message.text) > LIMITS["text"]:
        found.append(f"text of {len(message.text)} chars")
    if len(message.blocks) > LIMITS["blocks"]:
        found.append(f"{len(message.blocks)} blocks")
    for block in message.blocks:
        found += _block_violations(block)
    action_ids = [e["action_id"] for b in message.blocks for e in b.get("elements", []) if "action_id" in e]
    if len(action_ids) != len(set(action_ids)):
        found.append("repeated action_id")
    return found


def _block_violations(block: dict[str, Any]) -> list[str]:
    found = []
    if block["type"] == "section":
        found += _text_violations(block["text"]["text"], LIMITS["section"], "section")
    elif block["type"] == "header":
        found += _text_violations(block["text"]["text"], LIMITS["header"], "header")
    elif block["type"] == "context":
        if len(block["elements"]) > LIMITS["context_elements"]:
            found.append("context elements")
        for element in block["elements"]:
            found += _text_violations(element["text"], LIMITS["context_text"], "context")
    elif block["type"] == "actions":
        if len(block["elements"]) > LIMITS["actions"]:
            found.append("actions")
        for button in block["elements"]:
            if len(button["text"]["text"]) > LIMITS["button_text"]:
                found.append("button text")
            if not 0 < len(button["value"]) <= LIMITS["button_value"]:
                found.append("button value")
    return found


def _text_violations(text: str, limit: int, where: str) -> list[str]:
    found = []
    if not text or len(text) > limit:
        found.append(f"{where} text of {len(text)} chars")
    return found


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answers())
def test_every_answer_renders_within_slack_limits(answer):
    message = render(answer)
    assert violations(message) == []


def test_code_marks_are_counted_in_the_section_limit():
    """The case that used to break: code marks added after the text was cut to 3,000 characters."""
    lines = [f"step_{n} --flag={n}" for n in range(400)]
    text = "\n".join(lines)
    answer = Answer("How?", text, False, code=tuple(lines), inline_code=("--flag",))
    (section,) = [b for b in render(answer).blocks if b["type"] == "section"]
    assert len(section["text"]["text"]) <= 3000
    assert "```step_0 --flag=0```" in section["text"]["text"]  # still marked as code, not dropped


def test_clipping_never_leaves_a_mark_open():
    text = "intro " + "```" + "x" * 5000 + "```"
    clipped = clip_mrkdwn(text, 3000)
    assert len(clipped) <= 3000 and clipped.count("```") == 0 and clipped.endswith("…")
    assert clip_mrkdwn("see <https://example.com/" + "a" * 4000 + "|docs>", 100) == "see…"
