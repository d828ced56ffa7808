"""Slash commands, autocomplete and vote buttons, end to end through discord.py's real CommandTree and ViewStore."""

from __future__ import annotations

import pytest
import pytest_asyncio

from bot import messages
from bot.adapters.discord.client import build_client
from tests.harness.discord_harness import (
    BOT_ID,
    CHANNEL_ID,
    EPHEMERAL,
    GUILD_ID,
    OTHER_CHANNEL_ID,
    USER_ID,
    DiscordHarness,
    assert_sent_safely,
)
from tests.harness.libraries import make_settings

SEED = "000_a62311b28d2cec3e.txt"


@pytest_asyncio.fixture
async def discord_bot(command_table, seeds_index, tmp_path):
    settings = make_settings(seeds_index, tmp_path, discord={"guild_ids": [GUILD_ID]})
    async with DiscordHarness(build_client(settings, command_table)) as harness:
        harness.clear()
        yield harness


@pytest.mark.asyncio
async def test_ask_defers_then_follows_up_with_the_cited_answer(discord_bot):
    await discord_bot.slash("ask", {"question": "how much did Microsoft invest?"})

    [response] = discord_bot.interaction_responses()
    assert response.payload == {"type": 5}  # thinking…, visible to the channel
    [followup] = discord_bot.followups()
    assert "$1 billion" in followup.payload["content"]
    assert followup.payload["embeds"][0]["fields"][0]["value"].startswith("[1] ")
    assert not followup.flags & EPHEMERAL
    assert followup.payload["components"][0]["components"][0]["custom_id"].startswith("citebot:vote:up:")
    assert_sent_safely(discord_bot)


@pytest.mark.asyncio
async def test_source_answers_ephemerally_with_the_document(discord_bot):
    await discord_bot.slash("source", {"id": SEED})
    [response] = discord_bot.interaction_responses()
    assert response.payload["type"] == 4
    assert response.flags & EPHEMERAL
    embed = response.payload["data"]["embeds"][0]
    assert SEED in embed["description"]
    assert embed["fields"][0]["name"] == SEED.replace("_", "\\_") + "#1"
    assert_sent_safely(discord_bot)


@pytest.mark.asyncio
async def test_source_of_a_passage_shows_its_text(discord_bot):
    await discord_bot.slash("source", {"id": f"{SEED}#1"})
    [response] = discord_bot.interaction_responses()
    embed = response.payload["data"]["embeds"][0]
    assert "Microsoft has invested $1 billion" in embed["description"]
    assert response.flags & EPHEMERAL


@pytest.mark.asyncio
async def test_unknown_source_is_a_helpful_ephemeral_notice(discord_bot):
    await discord_bot.slash("source", {"id": "000_a62311b28d2cec3e.tx"})
    [response] = discord_bot.interaction_responses()
    assert response.flags & EPHEMERAL
    assert "Did you mean" in response.payload["data"]["content"]


@pytest.mark.asyncio
async def test_sources_lists_documents_ephemerally(discord_bot):
    await discord_bot.slash("sources")
    [response] = discord_bot.interaction_responses()
    assert response.payload["type"] == 4 and response.flags & EPHEMERAL
    embed = response.payload["data"]["embeds"][0]
    assert embed["title"] == messages.discord_documents_title(5)
    assert f"`{SEED}`" in embed["description"]
    assert_sent_safely(discord_bot)


@pytest.mark.asyncio
async def test_sources_with_a_query_lists_matching_passages(discord_bot):
    await discord_bot.slash("sources", {"query": "Azure supercomputing"})
    [response] = discord_bot.interaction_responses()
    assert response.flags & EPHEMERAL
    embed = response.payload["data"]["embeds"][0]
    assert embed["title"] == messages.discord_matches_title("Azure supercomputing")
    assert embed["fields"][0]["value"].startswith("[1] ")


@pytest.mark.asyncio
async def test_help_lists_the_commands_ephemerally(discord_bot):
    await discord_bot.slash("help")
    [response] = discord_bot.interaction_responses()
    assert response.flags & EPHEMERAL
    assert "/ask QUESTION" in response.payload["data"]["content"]


@pytest.mark.asyncio
async def test_source_id_autocompletes_file_names_and_titles(discord_bot):
    await discord_bot.autocomplete("source", "id", "000")
    [response] = discord_bot.interaction_responses()
    assert response.payload["type"] == 8
    choices = response.payload["data"]["choices"]
    assert SEED in [c["value"] for c in choices]
    assert 0 < len(choices) <= 25
    assert all(0 < len(c["name"]) <= 100 and len(c["value"]) <= 100 for c in choices)


@pytest.mark.asyncio
async def test_autocomplete_matches_titles_too(discord_bot):
    await discord_bot.autocomplete("source", "id", "why microsoft")
    values = [c["value"] for c in discord_bot.interaction_responses()[0].payload["data"]["choices"]]
    assert values == ["001_5290000ddb37cfaf.txt"]


@pytest.mark.asyncio
async def test_vote_click_is_stored_and_thanked_privately(discord_bot, command_table):
    await discord_bot.message(f"<@{BOT_ID}> how much did Microsoft invest?", mention_bot=True)
    [answer] = discord_bot.channel_messages()
    down = answer.payload["components"][0]["components"][1]["custom_id"]
    discord_bot.clear()

    await discord_bot.click(down, answer.response)

    [response] = discord_bot.interaction_responses()
    assert response.payload["type"] == 4 and response.flags & EPHEMERAL
    assert response.payload["data"]["content"] == messages.FEEDBACK_THANKS_DOWN
    [record] = command_table.feedback.feedback()
    assert (record.platform, record.user, record.vote) == ("discord", str(USER_ID), "down")
    assert record.channel == str(CHANNEL_ID) and "$1 billion" in record.answer


@pytest.mark.asyncio
async def test_vote_on_a_forgotten_answer_says_so(discord_bot, command_table):
    await discord_bot.message(f"<@{BOT_ID}> how much did Microsoft invest?", mention_bot=True)
    [answer] = discord_bot.channel_messages()
    forgotten = "citebot:vote:up:0123456789ab"  # e.g. the feedback file was reset since
    message = {
        **answer.response,
        "components": [
            {
                "type": 1,
                "components": [{**answer.response["components"][0]["components"][0], "custom_id": forgotten}],
            }
        ],
    }
    discord_bot.clear()
    await discord_bot.click(forgotten, message)
    [response] = discord_bot.interaction_responses()
    assert response.payload["data"]["content"] == messages.FEEDBACK_UNKNOWN_ANSWER
    assert response.flags & EPHEMERAL
    assert command_table.feedback.feedback() == []


@pytest.mark.asyncio
async def test_slash_commands_in_other_channels_get_a_private_notice(command_table, seeds_index, tmp_path):
    settings = make_settings(seeds_index, tmp_path, discord={"allowed_channels": [CHANNEL_ID]})
    async with DiscordHarness(build_client(settings, command_table)) as harness:
        harness.clear()
        await harness.slash(
            "ask", {"question": "how much did Microsoft invest?"}, channel_id=OTHER_CHANNEL_ID
        )
        [response] = harness.interaction_responses()
        assert response.flags & EPHEMERAL
        assert response.payload["data"]["content"] == messages.CHANNEL_NOT_ALLOWED
        assert harness.followups() == []


@pytest.mark.asyncio
async def test_slash_commands_work_in_dms(discord_bot):
    await discord_bot.slash("sources", dm=True)
    [response] = discord_bot.interaction_responses()
    assert response.payload["data"]["embeds"][0]["title"] == messages.discord_documents_title(5)
