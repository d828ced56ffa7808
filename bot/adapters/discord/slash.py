"""The slash commands (/ask, /source, /sources, /help) on an app_commands.CommandTree, and their sync."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

import discord
from discord import app_commands

from bot import messages
from bot.adapters.discord.markdown import truncate
from bot.core.replies import apology

log = logging.getLogger(__name__)

DESCRIPTION_LIMIT = 100


def register(tree: app_commands.CommandTree[Any], summaries: Mapping[str, str] | None = None) -> None:
    """Add the commands; their descriptions are the command table's summaries.

    The callbacks find the Responder on `interaction.client`, so the tree's shape does not depend on
    a running bot (command_names() builds one just to read the names).
    """
    summaries = summaries or {}

    def description(name: str) -> str:
        return truncate(summaries.get(name) or name, DESCRIPTION_LIMIT)

    @app_commands.command(name="ask", description=description("ask"))
    @app_commands.describe(question=messages.DISCORD_ASK_QUESTION)
    async def ask(interaction: discord.Interaction, question: str) -> None:
        await _responder(interaction).command(interaction, "ask", question, ephemeral=False, slow=True)

    @app_commands.command(name="source", description=description("source"))
    @app_commands.rename(source_id="id")
    @app_commands.describe(source_id=messages.DISCORD_SOURCE_ID)
    async def source(interaction: discord.Interaction, source_id: str) -> None:
        await _responder(interaction).command(interaction, "source", source_id, ephemeral=True, slow=False)

    @source.autocomplete("source_id")
    async def complete_source(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return await _responder(interaction).complete_source(current, interaction)

    @app_commands.command(name="sources", description=description("sources"))
    @app_commands.describe(query=messages.DISCORD_SOURCES_QUERY)
    async def sources(interaction: discord.Interaction, query: str | None = None) -> None:
        await _responder(interaction).command(interaction, "sources", query or "", ephemeral=True, slow=False)

    @app_commands.command(name="help", description=description("help"))
    async def help_(interaction: discord.Interaction) -> None:
        await _responder(interaction).command(interaction, "help", "", ephemeral=True, slow=False)

    for command in (ask, source, sources, help_):
        tree.add_command(command)
    tree.error(on_tree_error)


async def on_tree_error(interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
    """Errors before a callback runs (a stale command, a failed check): an apology, never a traceback."""
    notice = apology(log, "slash command failed", error=error)
    await _responder(interaction).apologise(interaction, notice)  # delivery: retries, fallbacks, logged


async def sync(tree: app_commands.CommandTree[Any], guild_ids: Iterable[int]) -> None:
    """Per guild (copy_global_to: shows up at once) when guild ids are configured, else globally."""
    guild_ids = list(guild_ids)
    if not guild_ids:
        synced = await tree.sync()
        log.info("synced %d slash commands globally (may take up to an hour to appear)", len(synced))
        return
    synced_somewhere = False
    for guild_id in guild_ids:
        guild = discord.Object(id=guild_id)
        tree.copy_global_to(guild=guild)
        try:
            synced = await tree.sync(guild=guild)
        except discord.HTTPException as error:
            log.error("%s", messages.discord_sync_failed(guild_id, str(error)))
        else:
            synced_somewhere = True
            log.info("synced %d slash commands to guild %s", len(synced), guild_id)
    if synced_somewhere:
        await _clear_global_commands(tree)


async def _clear_global_commands(tree: app_commands.CommandTree[Any]) -> None:
    """Per-guild now: unregister the global copies an earlier global sync left (else each shows twice).

    The local tree keeps its commands; only Discord's global registration is emptied.
    """
    commands = tree.get_commands()
    tree.clear_commands(guild=None)
    try:
        await tree.sync()
    except discord.HTTPException as error:
        log.warning("could not remove the global slash commands: %s", error)
    else:
        log.info("removed the global slash commands (commands are per guild now)")
    finally:
        for command in commands:
            tree.add_command(command)


def _responder(interaction: discord.Interaction) -> Any:
    return interaction.client.responder  # type: ignore[attr-defined]
