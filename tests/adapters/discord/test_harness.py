"""The Discord test harness still fits the discord.py it patches: fail loudly here, not mysteriously elsewhere."""

from __future__ import annotations

import discord
import pytest

from bot.adapters.discord.client import build_client
from tests.harness.discord_harness import DiscordHarness, limit_problems, self_check, webhook_recording_active
from tests.harness.libraries import make_settings


def test_discord_internals_the_harness_relies_on_are_still_there():
    assert self_check() == [], f"discord.py {discord.__version__} moved internals the harness uses"


def test_limit_checker_flags_what_discord_would_reject():
    too_much = {
        "content": "x" * 2001,
        "embeds": [{"title": "t" * 257, "fields": [{"name": "", "value": "v"}]}] * 11,
    }
    problems = limit_problems(too_much)
    assert any("content" in p for p in problems)
    assert any("11 embeds" in p for p in problems)
    assert any("title" in p for p in problems)
    assert any("field sizes" in p for p in problems)
    assert limit_problems({"content": "fine", "embeds": [{"title": "ok"}]}) == []


@pytest.mark.asyncio
async def test_harness_restores_the_webhook_adapter(seeds_index, tmp_path, command_table):
    assert not webhook_recording_active()
    async with DiscordHarness(build_client(make_settings(seeds_index, tmp_path), command_table)) as harness:
        assert webhook_recording_active()
        assert [c.path for c in harness.requests("GET")] == ["/users/@me", "/oauth2/applications/@me"]
    assert not webhook_recording_active()
