"""A Discord mention that says only `help` gets the command list, as Slack and the console do."""

from __future__ import annotations

import json

import pytest

from bot.adapters.discord.client import build_client
from tests.harness.discord_harness import BOT_ID, DiscordHarness
from tests.harness.libraries import make_settings


@pytest.mark.asyncio
@pytest.mark.parametrize("text", ["help", "/help"])
async def test_a_mention_saying_help_lists_the_commands(command_table, seeds_index, tmp_path, text):
    settings = make_settings(seeds_index, tmp_path)
    async with DiscordHarness(build_client(settings, command_table)) as harness:
        harness.clear()
        await harness.message(f"<@{BOT_ID}> {text}", mention_bot=True)
        [sent] = harness.channel_messages()
    shown = json.dumps(sent.payload)
    assert "/ask QUESTION" in shown and "/sources [WORDS]" in shown
