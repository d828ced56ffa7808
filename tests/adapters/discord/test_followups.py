"""Follow-up questions in a Discord reply chain: gateway MESSAGE_CREATE in, recorded REST calls out."""

from __future__ import annotations

import pytest
import pytest_asyncio

from bot import messages
from bot.adapters.discord.client import build_client
from bot.adapters.discord.markdown import escape
from bot.core.commands import CommandTable
from bot.state.conversations import DM_CONTEXT_WINDOW_S, SqliteConversationStore
from tests.harness.clock import Clock
from tests.harness.discord_harness import (
    BOT_ID,
    CHANNEL_ID,
    GUILD_ID,
    DiscordHarness,
    message_payload,
    user_payload,
)
from tests.harness.libraries import make_settings

CEO = "Who runs OpenAI as its CEO?"
COFOUNDED = "who co-founded it?"
MENTION = {**user_payload(BOT_ID, "citebot", bot=True)}


@pytest_asyncio.fixture
async def discord_bot(seeds_service, seeds_index, tmp_path):
    table = CommandTable(seeds_service, conversations=SqliteConversationStore(tmp_path / "state.sqlite3"))
    async with DiscordHarness(build_client(make_settings(seeds_index, tmp_path), table)) as harness:
        harness.clear()
        yield harness


async def ask(harness: DiscordHarness, text: str, reply_to: str | None = None) -> dict:
    """A mention (optionally replying to a message); returns the bot's reply as Discord stored it."""
    extra = {}
    if reply_to:
        extra["message_reference"] = {
            "message_id": reply_to,
            "channel_id": str(CHANNEL_ID),
            "guild_id": str(GUILD_ID),
        }
    payload = message_payload(
        f"<@{BOT_ID}> {text}",
        author=user_payload(),
        channel_id=CHANNEL_ID,
        guild_id=GUILD_ID,
        mentions=[MENTION],
        **extra,
    )
    before = len(harness.channel_messages())
    await harness.feed("MESSAGE_CREATE", payload)
    return harness.channel_messages()[before].response


@pytest.mark.asyncio
async def test_a_reply_to_the_answer_is_read_as_a_follow_up(discord_bot):
    first = await ask(discord_bot, CEO)
    assert "Follow-up" not in first["content"]
    second = await ask(discord_bot, COFOUNDED, reply_to=first["id"])
    context = escape(messages.follow_up_context(CEO))
    assert second["content"].startswith(f"-# {context}\n")
    assert any(name in second["content"] for name in ("Ilya Sutskever", "Elon Musk"))
    third = await ask(discord_bot, "and where is it based?", reply_to=second["id"])  # the chain goes on
    assert third["content"].startswith("-# ")


@pytest.mark.asyncio
async def test_a_new_mention_starts_a_new_conversation(discord_bot):
    await ask(discord_bot, CEO)
    second = await ask(discord_bot, COFOUNDED)
    assert not second["content"].startswith("-# ")


@pytest.mark.asyncio
async def test_a_dm_is_one_conversation(discord_bot):
    await discord_bot.message(CEO, dm=True)
    await discord_bot.message(COFOUNDED, dm=True)
    first, second = (call.response for call in discord_bot.channel_messages())
    assert not first["content"].startswith("-# ")
    assert second["content"].startswith(f"-# {escape(messages.follow_up_context(CEO))}\n")


@pytest.mark.asyncio
async def test_a_discord_thread_is_one_conversation(discord_bot):
    thread_id = CHANNEL_ID + 500
    await discord_bot.feed(
        "THREAD_CREATE",
        {
            "id": str(thread_id),
            "type": 11,  # public thread
            "guild_id": str(GUILD_ID),
            "parent_id": str(CHANNEL_ID),
            "owner_id": str(user_payload()["id"]),
            "name": "questions",
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "message_count": 0,
            "member_count": 1,
            "thread_metadata": {
                "archived": False,
                "auto_archive_duration": 1440,
                "archive_timestamp": "2024-05-01T12:00:00.000000+00:00",
                "locked": False,
            },
            "newly_created": True,
        },
    )
    for text in (CEO, COFOUNDED):
        payload = message_payload(
            f"<@{BOT_ID}> {text}",
            author=user_payload(),
            channel_id=thread_id,
            guild_id=GUILD_ID,
            mentions=[MENTION],
        )
        await discord_bot.feed("MESSAGE_CREATE", payload)
    first, second = (call.response for call in discord_bot.channel_messages())
    assert not first["content"].startswith("-# ")
    assert second["content"].startswith(f"-# {escape(messages.follow_up_context(CEO))}\n")


@pytest_asyncio.fixture
async def timed_dm_bot(seeds_service, seeds_index, tmp_path):
    clock = Clock()
    store = SqliteConversationStore(tmp_path / "state.sqlite3", clock=clock)
    table = CommandTable(seeds_service, conversations=store)
    async with DiscordHarness(build_client(make_settings(seeds_index, tmp_path), table)) as harness:
        harness.clear()
        yield harness, clock


@pytest.mark.asyncio
async def test_a_dm_follow_up_within_minutes_is_read_in_context(timed_dm_bot):
    harness, clock = timed_dm_bot
    await harness.message(CEO, dm=True)
    clock.now += DM_CONTEXT_WINDOW_S - 60
    await harness.message(COFOUNDED, dm=True)
    _, second = (call.response for call in harness.channel_messages())
    assert second["content"].startswith(f"-# {escape(messages.follow_up_context(CEO))}\n")


@pytest.mark.asyncio
async def test_a_dm_question_after_a_break_is_answered_on_its_own(timed_dm_bot):
    harness, clock = timed_dm_bot
    await harness.message(CEO, dm=True)
    clock.now += DM_CONTEXT_WINDOW_S + 60
    await harness.message("what is the mission?", dm=True)
    _, second = (call.response for call in harness.channel_messages())
    assert not second["content"].startswith("-# ")
    assert "mission" in second["content"].lower()
