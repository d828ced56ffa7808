"""The Discord bot: a thin discord.Client that routes events to the Responder; build_client and run_discord."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import discord
from discord import app_commands

from bot import messages
from bot.adapters.discord import slash
from bot.adapters.discord.ledger import PENDING_EXPIRY_S, PENDING_LIMIT, Ledger
from bot.adapters.discord.responder import Responder
from bot.adapters.discord.votes import VoteButton
from bot.core.commands import CommandTable
from bot.ops import CachedCheck, serve_in_background
from bot.settings import ConfigError, Settings

log = logging.getLogger(__name__)


class CitebotClient(discord.Client):
    """Holds the command tree and the Responder; all behaviour lives in those."""

    def __init__(self, settings: Settings, table: CommandTable) -> None:
        # The default intents, without the privileged Message Content one: Discord still sends the
        # content of messages that mention the bot and of DMs, the only ones it answers.
        intents = discord.Intents.default()
        super().__init__(intents=intents, allowed_mentions=discord.AllowedMentions.none())
        self.guild_ids = tuple(settings.discord.guild_ids)
        self.responder = Responder(table, settings.discord, ledger(settings, table))
        self.tree = app_commands.CommandTree(self)
        slash.register(self.tree, {command.name: command.summary for command in table.commands})

    async def setup_hook(self) -> None:
        """Before the gateway connects: make old answers' vote buttons work again, then sync commands."""
        self.add_dynamic_items(VoteButton)
        await slash.sync(self.tree, self.guild_ids)

    async def on_ready(self) -> None:
        log.info("connected to Discord as %s (%s guilds)", self.user, len(self.guilds))
        if self.application_id:
            log.info("invite link: %s", invite_url(self.application_id))
        await self.responder.redeliver(self)

    async def close(self) -> None:
        self.responder.stop()
        await super().close()

    async def on_message(self, message: discord.Message) -> None:
        if self.user is not None:
            await self.responder.on_message(message, self.user)

    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        """Raw, so an edit of a message from before a restart (not in the cache) is seen too."""
        if self.user is not None:
            await self.responder.on_edit(payload.message, self.user)

    async def on_raw_message_delete(self, payload: discord.RawMessageDeleteEvent) -> None:
        channel = self.get_partial_messageable(payload.channel_id, guild_id=payload.guild_id)
        await self.responder.on_delete(channel, payload.message_id)


def ledger(settings: Settings, table: CommandTable) -> Ledger:
    """Answers (and, unless the table shares claims, claims) beside the feedback file for backend files;
    for postgres the database's claims, answer map and held answers, shared by every replica."""
    claims = getattr(table, "claims", None)
    if settings.backend == "postgres":
        from bot.backends import answered_messages, event_claims, held_reply_store

        outbox = held_reply_store(settings, PENDING_LIMIT, PENDING_EXPIRY_S)
        return Ledger(None, claims or event_claims(settings), answered_messages(settings), outbox)
    return Ledger(Path(settings.feedback.path).expanduser().with_name("discord.sqlite3"), claims)


def invite_permissions() -> discord.Permissions:
    """Exactly what the bot uses: see the channel, send replies (also in threads), read the message it
    replies to, embeds."""
    return discord.Permissions(
        view_channel=True,
        send_messages=True,
        send_messages_in_threads=True,
        read_message_history=True,
        embed_links=True,
    )


def invite_url(application_id: int) -> str:
    """The OAuth2 link that adds the bot to a server with its slash commands and permissions."""
    return discord.utils.oauth_url(
        application_id, permissions=invite_permissions(), scopes=("bot", "applications.commands")
    )


def build_client(settings: Settings, table: CommandTable) -> CitebotClient:
    """The client, not yet connected: tests drive it with gateway payloads, run_discord with a token."""
    return CitebotClient(settings, table)


class DiscordAdapter:
    """The Discord front end as an `Adapter`: a gateway client with slash commands."""

    def __init__(self, settings: Settings, table: CommandTable) -> None:
        self.settings = settings
        self.client = build_client(settings, table)
        self.table = table

    def run(self) -> None:
        run_discord(self.settings, self.table, self.client)

    def stop(self) -> None:
        """Close the gateway connection; `run` then returns."""
        loop = getattr(self.client, "loop", None)
        if loop is not None and loop.is_running():
            asyncio.run_coroutine_threadsafe(self.client.close(), loop)


def required_secrets(settings: Settings) -> tuple[str, ...]:
    """The settings the bot cannot start without."""
    return ("discord.token",)


def from_settings(settings: Settings, table: CommandTable) -> DiscordAdapter:
    """The adapter registry's entry point."""
    return DiscordAdapter(settings, table)


def run_discord(settings: Settings, table: CommandTable, client: CitebotClient | None = None) -> None:
    """Connect with DISCORD_TOKEN and answer until interrupted (blocking); a bad token is a ConfigError."""
    settings.require(*required_secrets(settings))
    client = client or build_client(settings, table)
    if settings.health.port:
        connected = CachedCheck(lambda: client.is_ready() and not client.is_closed(), ttl=0)
        serve_in_background(settings.health.host, settings.health.port, table, connected)
    try:
        # What client.run does, minus swallowing Ctrl-C: the CLI says it stopped and exits 130.
        asyncio.run(_connect(client, settings.discord.token or ""))
    except discord.LoginFailure:
        raise ConfigError(messages.DISCORD_LOGIN_FAILED) from None


async def _connect(client: discord.Client, token: str) -> None:
    async with client:
        await client.start(token)


def command_names() -> set[str]:
    """The slash command names the tree registers, read from a tree built the same way as the bot's."""
    tree: app_commands.CommandTree[discord.Client] = app_commands.CommandTree(
        discord.Client(intents=discord.Intents.none())
    )
    slash.register(tree)
    return {command.name for command in tree.get_commands()}
