"""Two Discord channels, two sets of sources: through discord.py's real client (gateway payloads in,
REST and webhook calls recorded) and the real command table, one channel sees the handbook, the other the
handbook and the private runbooks; mentions, slash commands and autocomplete follow the channel, and a
DM gets the `dm` entry's sources."""

from __future__ import annotations

import json

import pytest
import pytest_asyncio

from bot import messages
from bot.adapters.discord.client import build_client
from bot.core.commands import CommandTable
from bot.core.service import QAService
from tests.harness.discord_harness import (
    BOT_ID,
    CHANNEL_ID,
    GUILD_ID,
    OTHER_CHANNEL_ID,
    DiscordHarness,
    snowflake,
)
from tests.harness.libraries import build_library
from tests.harness.two_sources import (
    ANSWER_WORDS,
    QUESTION,
    RUNBOOK,
    RUNBOOK_TITLE,
    scoped_settings,
    write_corpus,
)

SUPPORT, ONCALL = CHANNEL_ID, OTHER_CHANNEL_ID  # the harness guild's two text channels
CHANNELS = {str(SUPPORT): ["handbook"], str(ONCALL): ["handbook", "runbooks"], "dm": ["handbook", "runbooks"]}


@pytest.fixture(scope="module")
def two_sources_index(tmp_path_factory, embedder) -> str:
    location = str(tmp_path_factory.mktemp("two-sources-index"))
    build_library("files", write_corpus(tmp_path_factory.mktemp("two-sources")), location, embedder)
    return location


@pytest_asyncio.fixture
async def discord_bot(two_sources_index, embedder, tmp_path):
    settings = scoped_settings(
        two_sources_index,
        channels=CHANNELS,
        discord={"guild_ids": [GUILD_ID]},
        feedback={"path": str(tmp_path / "f.sqlite3")},
    )
    table = CommandTable(QAService(settings, embedder))
    async with DiscordHarness(build_client(settings, table)) as harness:
        harness.clear()
        yield harness


def shown(calls) -> str:
    return json.dumps([call.payload for call in calls], ensure_ascii=False)


@pytest.mark.slow
@pytest.mark.asyncio
async def test_a_mention_is_answered_from_the_runbooks_on_call_only(discord_bot):
    await discord_bot.message(f"<@{BOT_ID}> {QUESTION}", mention_bot=True, channel_id=ONCALL)
    [oncall] = discord_bot.channel_messages()
    assert ANSWER_WORDS in oncall.payload["content"]
    discord_bot.clear()
    await discord_bot.message(f"<@{BOT_ID}> {QUESTION}", mention_bot=True, channel_id=SUPPORT)
    [support] = discord_bot.channel_messages()
    assert support.payload["content"].startswith(messages.ABSTAIN)
    assert ANSWER_WORDS not in shown([support]) and RUNBOOK_TITLE not in shown([support])


@pytest.mark.asyncio
async def test_a_dm_sees_the_dm_entrys_sources(discord_bot):
    await discord_bot.message(QUESTION, dm=True)
    [answer] = discord_bot.channel_messages()
    assert ANSWER_WORDS in answer.payload["content"]


@pytest.mark.asyncio
@pytest.mark.parametrize(("channel", "sees"), [(SUPPORT, False), (ONCALL, True)])
async def test_slash_commands_follow_the_channel(discord_bot, channel, sees):
    await discord_bot.slash("ask", {"question": QUESTION}, channel_id=channel)
    await discord_bot.slash("source", {"id": RUNBOOK}, channel_id=channel)
    await discord_bot.slash("sources", {}, channel_id=channel)
    replies = shown(discord_bot.followups() + discord_bot.interaction_responses())
    assert (ANSWER_WORDS in replies) is sees and (RUNBOOK_TITLE in replies) is sees
    if not sees:
        assert f"No source or passage called {RUNBOOK!r}" in replies


@pytest.mark.asyncio
@pytest.mark.parametrize(("channel", "sees"), [(SUPPORT, False), (ONCALL, True)])
async def test_autocomplete_offers_the_channels_sources_only(discord_bot, channel, sees):
    data = {
        "id": str(snowflake()),
        "name": "source",
        "type": 1,
        "options": [{"name": "id", "type": 3, "value": "failover", "focused": True}],
    }
    await discord_bot.feed("INTERACTION_CREATE", discord_bot.interaction_payload(4, data, channel_id=channel))
    [response] = discord_bot.interaction_responses()
    values = [c["value"] for c in response.payload["data"]["choices"]]
    assert values[:2] == ([RUNBOOK, f"{RUNBOOK}#1"] if sees else [])  # the document, then its passages


@pytest.mark.asyncio
async def test_a_slash_command_in_a_dm_sees_the_dm_entrys_sources(discord_bot):
    await discord_bot.slash("source", {"id": RUNBOOK}, dm=True)
    assert RUNBOOK_TITLE in shown(discord_bot.interaction_responses())
