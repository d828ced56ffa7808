"""Discord failing in each way a busy server sees: the asker still gets the answer (or is told), the log says so once.

Failures are scripted in the harness and answered through discord.py's own request loops, so its
rate-limit handling runs too; these tests check what citebot adds on top.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time

import pytest
import pytest_asyncio

from bot import messages
from bot.adapters.discord.client import build_client
from bot.adapters.discord.delivery import RetryPolicy
from tests.harness.discord_harness import (
    BOT_ID,
    CHANNEL_ID,
    DM_CHANNEL_ID,
    REFUSED,
    USER_ID,
    DiscordHarness,
    assert_sent_safely,
    forbidden,
    rate_limited,
    server_error,
)
from tests.harness.libraries import make_settings

QUESTION = f"<@{BOT_ID}> how much did Microsoft invest?"
MESSAGES = "/channels/{channel_id}/messages"
TYPING = "/channels/{channel_id}/typing"
FOLLOWUP = "/webhooks/{webhook_id}/{webhook_token}"
CALLBACK = "/interactions/{webhook_id}/{webhook_token}/callback"
FAST = RetryPolicy(backoff_s=(0.05, 0.1), give_up_after_s=5.0)


@pytest_asyncio.fixture
async def discord_bot(command_table, seeds_index, tmp_path):
    client = build_client(make_settings(seeds_index, tmp_path), command_table)
    client.responder.delivery.policy = FAST
    async with DiscordHarness(client) as harness:
        harness.clear()
        yield harness


def lines(caplog, level: int) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == level and r.name.startswith("bot.")]


def attempts(harness: DiscordHarness, path: str = MESSAGES) -> list:
    return harness.requests("POST", path)


# -- decoration never holds up the answer ------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.asyncio
async def test_a_rate_limited_typing_indicator_does_not_delay_the_answer(discord_bot, caplog):
    caplog.set_level(logging.INFO)
    discord_bot.fail("POST", TYPING, rate_limited(10.0))
    loop = asyncio.get_running_loop()
    started = loop.time()
    question = await discord_bot.message(QUESTION, mention_bot=True)

    [sent] = discord_bot.channel_messages()
    assert "$1 billion" in sent.payload["content"]
    assert sent.at - started < 5.0  # not the 10 s the typing call was told to wait
    assert loop.time() - started < 5.0  # and nothing was left waiting on it either
    [line] = [m for m in lines(caplog, logging.INFO) if m.startswith("answered message")]
    assert re.fullmatch(
        rf"answered message {question['id']} from user {USER_ID} in \d+ ms "
        r"\(claim \d+ ms, embed \d+ ms, search \d+ ms, compose \d+ ms, answer \d+ ms, deliver \d+ ms\)",
        line,
    )


# -- rate limits -------------------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_a_429_is_waited_out_for_its_retry_after_then_answered_once(discord_bot):
    discord_bot.fail("POST", MESSAGES, rate_limited(0.3))
    await discord_bot.message(QUESTION, mention_bot=True)

    refused, accepted = attempts(discord_bot)
    assert (refused.status, accepted.status) == (429, 200)
    assert accepted.at - refused.at >= 0.3
    [sent] = discord_bot.channel_messages()
    assert "$1 billion" in sent.payload["content"]


@pytest.mark.slow  # waits real Retry-After seconds
@pytest.mark.asyncio
async def test_retry_after_is_honoured_on_every_retry_even_after_discord_py_gives_up(discord_bot):
    discord_bot.fail("POST", MESSAGES, *[rate_limited(0.15)] * 6)  # discord.py tries 5 times, then raises
    await discord_bot.message(QUESTION, mention_bot=True)

    tries = attempts(discord_bot)
    assert [c.status for c in tries] == [429] * 6 + [200]
    gaps = [later.at - earlier.at for earlier, later in zip(tries, tries[1:], strict=False)]
    assert min(gaps) >= 0.15
    assert len(discord_bot.channel_messages()) == 1


@pytest.mark.asyncio
async def test_a_rate_limited_interaction_reply_is_retried(discord_bot):
    discord_bot.fail("POST", CALLBACK, rate_limited(0.2))
    await discord_bot.slash("help")

    statuses = [c.status for c in discord_bot.requests("POST", CALLBACK)]
    assert statuses == [429, 200]
    assert_sent_safely(discord_bot)


# -- 5xx and outages ---------------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_a_5xx_is_retried_and_logged_as_one_outage(discord_bot, caplog):
    caplog.set_level(logging.INFO)
    discord_bot.fail("POST", MESSAGES, server_error(503), server_error(503))
    await discord_bot.message(QUESTION, mention_bot=True)

    assert [c.status for c in attempts(discord_bot)] == [503, 503, 200]
    assert len(discord_bot.channel_messages()) == 1
    [warning] = lines(caplog, logging.WARNING)
    assert warning.startswith("Discord API unavailable (503")
    assert any(m.startswith("Discord API available again") for m in lines(caplog, logging.INFO))
    assert not lines(caplog, logging.ERROR)


@pytest.mark.asyncio
async def test_questions_asked_during_an_outage_are_answered_when_it_ends(discord_bot, caplog):
    caplog.set_level(logging.INFO)
    discord_bot.outage = REFUSED
    first = await discord_bot.message(QUESTION, mention_bot=True, settle=False)
    second = await discord_bot.message(f"<@{BOT_ID}> who founded OpenAI?", mention_bot=True, settle=False)
    await asyncio.sleep(0.6)
    assert discord_bot.channel_messages() == []  # nothing got through yet
    discord_bot.outage = None
    await discord_bot.settle()

    replied_to = {str(c.payload["message_reference"]["message_id"]) for c in discord_bot.channel_messages()}
    assert replied_to == {first["id"], second["id"]}
    assert len(discord_bot.channel_messages()) == 2
    warnings = lines(caplog, logging.WARNING)
    assert warnings == [warnings[0]] and warnings[0].startswith(
        "Discord API unavailable (ConnectionRefusedError)"
    )
    assert len([m for m in lines(caplog, logging.INFO) if m.startswith("Discord API available again")]) == 1
    assert not [r for r in caplog.records if r.exc_info]  # no tracebacks for an outage


@pytest.mark.asyncio
async def test_an_answer_that_cannot_be_delivered_is_logged_once_with_the_asker(discord_bot, caplog):
    discord_bot.client.responder.delivery.policy = RetryPolicy(backoff_s=(0.05,), give_up_after_s=0.3)
    discord_bot.outage = REFUSED
    question = await discord_bot.message(QUESTION, mention_bot=True)

    assert discord_bot.channel_messages() == []
    [error] = lines(caplog, logging.ERROR)
    assert f"user {USER_ID}'s message {question['id']} in channel {CHANNEL_ID}" in error
    assert "ConnectionRefusedError" in error and re.search(r"\(reference [0-9a-f]{8}\)$", error)
    assert len(lines(caplog, logging.WARNING)) == 1
    assert not [r for r in caplog.records if r.exc_info]


# -- permissions ---------------------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_missing_permission_in_the_channel_answers_the_asker_by_dm(discord_bot, caplog):
    discord_bot.fail("POST", MESSAGES, forbidden())
    question = await discord_bot.message(QUESTION, mention_bot=True)

    [dm] = discord_bot.channel_messages()
    assert dm.url.endswith(f"/channels/{DM_CHANNEL_ID}/messages")
    assert dm.payload["content"].startswith(messages.discord_reply_forbidden("general"))
    assert "$1 billion" in dm.payload["content"]
    [opened] = discord_bot.requests("POST", "/users/@me/channels")
    assert int(opened.payload["recipient_id"]) == USER_ID
    [warning] = lines(caplog, logging.WARNING)
    assert warning == (
        f"no permission to reply in #general (403 Forbidden (code 50013)); answered user {USER_ID}'s "
        f"message {question['id']} by DM instead"
    )
    assert_sent_safely(discord_bot)


@pytest.mark.asyncio
async def test_missing_permission_and_closed_dms_log_one_clear_line(discord_bot, caplog):
    discord_bot.fail("POST", MESSAGES, forbidden(), forbidden(50007, "Cannot send messages to this user"))
    question = await discord_bot.message(QUESTION, mention_bot=True)

    assert discord_bot.channel_messages() == []
    [error] = lines(caplog, logging.ERROR)
    assert f"user {USER_ID}'s message {question['id']}" in error
    assert "403 Forbidden (code 50013), then by DM: 403 Forbidden (code 50007)" in error
    assert not [r for r in caplog.records if r.exc_info]


@pytest.mark.asyncio
async def test_a_refused_follow_up_reaches_the_asker_by_dm_with_a_reference(discord_bot, caplog):
    discord_bot.fail("POST", FOLLOWUP, forbidden())
    await discord_bot.slash("ask", {"question": "how much did Microsoft invest?"})

    [dm] = discord_bot.channel_messages()
    assert dm.url.endswith(f"/channels/{DM_CHANNEL_ID}/messages")
    reference = re.search(r"reference ([0-9a-f]{8})", dm.payload["content"]).group(1)
    assert dm.payload["content"].startswith(messages.discord_reply_not_delivered(reference))
    assert "$1 billion" in dm.payload["content"]
    assert "components" not in dm.payload or not dm.payload["components"]  # no vote buttons in the DM
    [warning] = [m for m in lines(caplog, logging.WARNING) if "interaction" in m]
    assert f"user {USER_ID}'s interaction" in warning and reference in warning


@pytest.mark.asyncio
async def test_a_rejected_reply_falls_back_to_plain_text(discord_bot):
    from tests.harness.discord_harness import Failure

    discord_bot.fail("POST", MESSAGES, Failure(400, code=50035, message="Invalid Form Body"))
    await discord_bot.message(QUESTION, mention_bot=True)

    [sent] = discord_bot.channel_messages()
    assert "$1 billion" in sent.payload["content"]
    assert "message_reference" not in sent.payload and not sent.payload.get("embeds")
    assert "[1]" in sent.payload["content"]  # the sources, folded into the text


def limited(command_table, seeds_index, tmp_path, **allowed: bool) -> DiscordHarness:
    """A harness where the bot has only the named channel permissions (no administrator)."""
    import discord

    client = build_client(make_settings(seeds_index, tmp_path), command_table)
    client.responder.delivery.policy = FAST
    return DiscordHarness(client, permissions=discord.Permissions(**allowed).value)


@pytest.mark.asyncio
async def test_without_embed_links_the_sources_are_sent_as_text(command_table, seeds_index, tmp_path, caplog):
    allowed = {"view_channel": True, "send_messages": True, "read_message_history": True}
    async with limited(command_table, seeds_index, tmp_path, **allowed) as harness:
        harness.clear()
        await harness.message(QUESTION, mention_bot=True)
        await harness.message(f"<@{BOT_ID}> who founded OpenAI?", mention_bot=True)
        first, second = harness.channel_messages()
    for sent in (first, second):
        assert not sent.payload.get("embeds")
        assert "[1]" in sent.payload["content"] and messages.DISCORD_SOURCES_TITLE in sent.payload["content"]
        assert sent.payload["components"]  # the vote buttons stay
    assert "$1 billion" in first.payload["content"]
    [warning] = lines(caplog, logging.WARNING)
    assert warning == f"no Embed Links permission in channel {CHANNEL_ID}: sources are sent as text there"


@pytest.mark.asyncio
async def test_without_read_message_history_the_answer_is_not_a_reply(command_table, seeds_index, tmp_path):
    allowed = {"view_channel": True, "send_messages": True, "embed_links": True}
    async with limited(command_table, seeds_index, tmp_path, **allowed) as harness:
        harness.clear()
        await harness.message(QUESTION, mention_bot=True)
        [sent] = harness.channel_messages()
    assert "message_reference" not in sent.payload
    assert "$1 billion" in sent.payload["content"] and sent.payload["embeds"]


@pytest.mark.asyncio
async def test_a_slash_answer_logs_its_stages(discord_bot, caplog):
    caplog.set_level(logging.INFO)
    await discord_bot.slash("ask", {"question": "how much did Microsoft invest?"})
    [line] = [m for m in lines(caplog, logging.INFO) if m.startswith("answered /ask")]
    assert re.fullmatch(
        rf"answered /ask \(interaction \d+\) from user {USER_ID} in \d+ ms "
        r"\(embed \d+ ms, search \d+ ms, compose \d+ ms, answer \d+ ms, deliver \d+ ms\)",
        line,
    )


@pytest.mark.asyncio
async def test_an_answer_on_its_way_when_the_bot_stopped_is_delivered_at_the_next_start(
    command_table, seeds_index, tmp_path, caplog
):
    caplog.set_level(logging.INFO)
    client = build_client(make_settings(seeds_index, tmp_path), command_table)
    client.responder.delivery.policy = FAST
    before = DiscordHarness(client)
    await before.start()
    before.outage = REFUSED
    question = await before.message(QUESTION, mention_bot=True, settle=False)
    await before.until_requested("POST", MESSAGES)  # the answer is ready and Discord refused it once
    await before.kill()  # the process stops with the answer undelivered
    assert before.channel_messages() == []

    async with DiscordHarness(build_client(make_settings(seeds_index, tmp_path), command_table)) as after:
        [sent] = after.channel_messages()  # delivered on READY
        assert str(sent.payload["message_reference"]["message_id"]) == question["id"]
        assert "$1 billion" in sent.payload["content"]
        after.clear()
        await after.feed("MESSAGE_CREATE", question)  # Discord delivers the question again: answered once
        assert after.channel_messages() == []
    assert any("held over a restart" in m for m in lines(caplog, logging.INFO))


@pytest.mark.asyncio
async def test_an_answer_held_too_long_is_replaced_by_asking_again(
    command_table, seeds_index, tmp_path, caplog
):
    from bot.adapters.discord.ledger import Ledger

    two_hours_ago = Ledger(tmp_path / "discord.sqlite3", clock=lambda: time.time() - 7200)
    two_hours_ago.hold(1_100_000_000_000_009_001, CHANNEL_ID, USER_ID, [{"content": "a stale answer"}])

    async with DiscordHarness(build_client(make_settings(seeds_index, tmp_path), command_table)) as harness:
        [sent] = harness.channel_messages()
    reference = re.search(r"reference ([0-9a-f]{8})", sent.payload["content"]).group(1)
    assert sent.payload["content"] == messages.discord_answer_expired(reference)
    assert str(sent.payload["message_reference"]["message_id"]) == "1100000000000009001"
    [warning] = lines(caplog, logging.WARNING)
    assert f"user {USER_ID}'s message 1100000000000009001" in warning and reference in warning
