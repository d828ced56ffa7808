"""Client set-up (intents, command sync, command names, run_discord) and failure handling."""

from __future__ import annotations

import asyncio
import logging
import re
import threading
import time

import pytest

from bot import messages
from bot.adapters.discord.client import build_client, command_names, run_discord
from bot.core.commands import CommandTable
from bot.core.models import Notice, Origin, SourceList
from bot.settings import ConfigError, load_settings
from tests.harness.discord_harness import BOT_ID, EPHEMERAL, GUILD_ID, DiscordHarness
from tests.harness.libraries import make_settings

QUESTION = f"<@{BOT_ID}> how much did Microsoft invest?"
_REFERENCE = re.compile(r"reference ([0-9a-f]{8})")

NOWHERE = Origin()


class BrokenTable(CommandTable):
    """A table that breaks its promise never to raise: the adapter's own guard must catch it."""

    def dispatch(self, text: str, origin: Origin = NOWHERE):
        raise RuntimeError("secret internals /srv/index")

    def run(self, name: str, argument: str = "", origin: Origin = NOWHERE):
        raise RuntimeError("secret internals /srv/index")


class ExplodingService:
    """A service whose questions fail: the table turns that into a Notice with a reference id."""

    def ask(self, question: str):
        raise RuntimeError("index on fire")

    def source(self, key: str):
        raise RuntimeError("index on fire")

    def sources(self, words):
        return SourceList(None)

    def complete_source_ids(self, prefix: str, limit: int = 25):
        raise RuntimeError("index on fire")


class SlowTable(CommandTable):
    """Takes a while, in whatever thread it is called from, and remembers which one that was."""

    def __init__(self, table: CommandTable, seconds: float) -> None:
        super().__init__(table.service, table.feedback)
        self.seconds = seconds
        self.threads: list[int] = []

    def dispatch(self, text: str, origin: Origin = NOWHERE):
        return self.run("sources", "", origin)

    def run(self, name: str, argument: str = "", origin: Origin = NOWHERE):
        self.threads.append(threading.get_ident())
        time.sleep(self.seconds)
        return Notice("done", is_error=False)


def bot(table, seeds_index, tmp_path, **discord) -> DiscordHarness:
    return DiscordHarness(build_client(make_settings(seeds_index, tmp_path, discord=discord), table))


def test_intents_are_the_defaults_with_no_privileged_one(command_table, seeds_index, tmp_path):
    """Discord sends the content of messages that mention the bot, and of DMs, without Message Content."""
    client = build_client(make_settings(seeds_index, tmp_path), command_table)
    assert client.intents.guild_messages and client.intents.dm_messages
    assert not client.intents.message_content
    assert not client.intents.members and not client.intents.presences


def test_the_invite_asks_for_every_permission_the_bot_uses():
    from bot.adapters.discord.client import invite_permissions

    wanted = invite_permissions()
    assert wanted.view_channel and wanted.send_messages and wanted.send_messages_in_threads
    assert wanted.read_message_history and wanted.embed_links
    assert not wanted.administrator and not wanted.mention_everyone


def test_command_names_come_from_the_tree(command_table, seeds_index, tmp_path):
    client = build_client(make_settings(seeds_index, tmp_path), command_table)
    assert (
        command_names()
        == {c.name for c in client.tree.get_commands()}
        == {"ask", "source", "sources", "help"}
    )
    assert {c.name for c in command_table.commands} == command_names()


@pytest.mark.asyncio
async def test_commands_sync_to_each_configured_guild_at_startup(command_table, seeds_index, tmp_path):
    async with bot(command_table, seeds_index, tmp_path, guild_ids=[GUILD_ID]) as harness:
        sync, clear_global = harness.requests("PUT")
    assert clear_global.path == "/applications/{application_id}/commands" and clear_global.payload == []
    assert sync.path == "/applications/{application_id}/guilds/{guild_id}/commands"
    assert sync.url.endswith(f"/guilds/{GUILD_ID}/commands")
    commands = {c["name"]: c for c in sync.payload}
    assert set(commands) == {"ask", "source", "sources", "help"}
    [option] = commands["source"]["options"]
    assert (option["name"], option["autocomplete"], option["required"]) == ("id", True, True)
    assert commands["sources"]["options"][0]["required"] is False
    assert all(0 < len(c["description"]) <= 100 for c in sync.payload)


@pytest.mark.asyncio
async def test_per_guild_commands_still_answer_after_the_global_ones_are_cleared(
    command_table, seeds_index, tmp_path
):
    async with bot(command_table, seeds_index, tmp_path, guild_ids=[GUILD_ID]) as harness:
        assert {c.name for c in harness.client.tree.get_commands()} == {"ask", "source", "sources", "help"}
        harness.clear()
        await harness.slash("help", {})
        [response] = harness.interaction_responses()
        assert "/ask" in str(response.payload)


@pytest.mark.asyncio
async def test_commands_sync_globally_without_guild_ids(command_table, seeds_index, tmp_path):
    async with bot(command_table, seeds_index, tmp_path) as harness:
        [sync] = harness.requests("PUT")
    assert sync.path == "/applications/{application_id}/commands"


@pytest.mark.asyncio
async def test_a_failing_table_gets_an_apology_with_a_reference_never_a_traceback(
    command_table, seeds_index, tmp_path, caplog
):
    broken = BrokenTable(command_table.service, command_table.feedback)
    async with bot(broken, seeds_index, tmp_path) as harness:
        harness.clear()
        await harness.message(QUESTION, mention_bot=True)
        [sent] = harness.channel_messages()
    content = sent.payload["content"]
    reference = _REFERENCE.search(content).group(1)
    assert content == messages.apology(reference)
    assert "secret internals" not in content and "Traceback" not in content
    assert sent.payload["allowed_mentions"] == {"parse": []}
    logged = [r for r in caplog.records if reference in r.getMessage()]
    assert logged and logged[0].levelno == logging.ERROR and logged[0].exc_info


@pytest.mark.asyncio
async def test_a_failing_handler_inside_the_table_gets_the_tables_apology(seeds_index, tmp_path, caplog):
    table = CommandTable(ExplodingService())
    async with bot(table, seeds_index, tmp_path) as harness:
        harness.clear()
        await harness.message(QUESTION, mention_bot=True)
        await harness.slash("source", {"id": "anything"})
        await harness.autocomplete("source", "id", "any")
        [sent] = harness.channel_messages()
        [source, completions] = harness.interaction_responses()
    reference = _REFERENCE.search(sent.payload["content"]).group(1)
    assert any(reference in r.getMessage() for r in caplog.records)
    assert "index on fire" not in sent.payload["content"]
    assert source.flags & EPHEMERAL and _REFERENCE.search(source.payload["data"]["content"])
    assert completions.payload == {"type": 8, "data": {"choices": []}}


@pytest.mark.asyncio
async def test_a_failing_slash_command_apologises_after_deferring(command_table, seeds_index, tmp_path):
    broken = BrokenTable(command_table.service, command_table.feedback)
    async with bot(broken, seeds_index, tmp_path) as harness:
        harness.clear()
        await harness.slash("ask", {"question": "anything"})
        [deferral] = harness.interaction_responses()
        [followup] = harness.followups()
    assert deferral.payload == {"type": 5}
    assert _REFERENCE.search(followup.payload["content"])
    assert "secret internals" not in followup.payload["content"]


@pytest.mark.asyncio
async def test_the_table_runs_off_the_event_loop(command_table, seeds_index, tmp_path):
    slow = SlowTable(command_table, seconds=0.3)
    ticks = 0

    async def heartbeat() -> None:
        nonlocal ticks
        while not slow.threads or ticks < 5:
            ticks += 1
            await asyncio.sleep(0.02)

    async with bot(slow, seeds_index, tmp_path) as harness:
        harness.clear()
        beating = asyncio.create_task(heartbeat())
        await harness.message(QUESTION, mention_bot=True)
        await beating
    assert slow.threads and slow.threads[0] != threading.get_ident()
    assert ticks >= 5  # the loop kept running while the table worked


@pytest.mark.asyncio
async def test_a_slow_source_lookup_defers_instead_of_timing_out(
    command_table, seeds_index, tmp_path, monkeypatch
):
    from bot.adapters.discord import responder

    monkeypatch.setattr(responder, "QUICK_REPLY_S", 0.05)
    async with bot(SlowTable(command_table, seconds=0.3), seeds_index, tmp_path) as harness:
        harness.clear()
        await harness.slash("sources")
        [deferral] = harness.interaction_responses()
        [followup] = harness.followups()
    assert deferral.payload["type"] == 5 and deferral.flags & EPHEMERAL
    assert followup.payload["content"] == "done" and followup.flags & EPHEMERAL


def test_run_discord_without_a_token_names_the_variable(seeds_index, tmp_path, monkeypatch, command_table):
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    config = tmp_path / "citebot.yaml"
    config.write_text(f"index: {seeds_index}\n", "utf-8")
    with pytest.raises(ConfigError, match="DISCORD_TOKEN"):
        run_discord(load_settings(config), command_table)


def test_a_rejected_token_is_a_config_error(seeds_index, tmp_path, command_table, monkeypatch):
    """The real login path (client.start → static_login) against a Discord that answers 401."""
    from bot.adapters.discord import client as client_module

    harnesses: list[DiscordHarness] = []

    def build_rejected(settings, table):
        built = build_client(settings, table)
        harnesses.append(DiscordHarness(built))
        harnesses[-1].install(reject_token=True)
        return built

    monkeypatch.setattr(client_module, "build_client", build_rejected)
    settings = make_settings(seeds_index, tmp_path, discord={"token": "not-a-token"})
    try:
        with pytest.raises(ConfigError, match="DISCORD_TOKEN"):
            run_discord(settings, command_table)
    finally:
        for harness in harnesses:
            harness.uninstall()
    assert [c.path for c in harnesses[0].calls] == ["/users/@me"]


class OddTable(CommandTable):
    """Returns something no renderer knows: the adapter's own code fails, after the table succeeded."""

    def dispatch(self, text: str, origin: Origin = NOWHERE):
        return object()

    def run(self, name: str, argument: str = "", origin: Origin = NOWHERE):
        return object()


@pytest.mark.asyncio
async def test_the_adapters_own_failures_are_apologised_for_and_logged(
    command_table, seeds_index, tmp_path, caplog
):
    odd = OddTable(command_table.service, command_table.feedback)
    async with bot(odd, seeds_index, tmp_path) as harness:
        harness.clear()
        await harness.message(QUESTION, mention_bot=True)
        await harness.slash("sources")
        [sent] = harness.channel_messages()
        [response] = harness.interaction_responses()
    for content in (sent.payload["content"], response.payload["data"]["content"]):
        reference = _REFERENCE.search(content).group(1)
        assert any(reference in r.getMessage() and r.exc_info for r in caplog.records)
    assert response.flags & EPHEMERAL
