"""Rendered messages out through discord.py, always with AllowedMentions.none() so nothing can ping."""

from __future__ import annotations

from typing import Any

import discord

from bot.adapters.discord.render import Outgoing, fit
from bot.adapters.discord.votes import vote_view


def message_arguments(outgoing: Outgoing) -> dict[str, Any]:
    """Keyword arguments for send/reply/followup.send: only what the message has, cut to Discord's limits."""
    outgoing = fit(outgoing)
    arguments: dict[str, Any] = {"allowed_mentions": discord.AllowedMentions.none()}
    if outgoing.content:
        arguments["content"] = outgoing.content
    if outgoing.embeds:
        arguments["embeds"] = [discord.Embed.from_dict(embed) for embed in outgoing.embeds]
    if outgoing.vote_answer_id:
        arguments["view"] = vote_view(outgoing.vote_answer_id)
    return arguments


def edit_arguments(outgoing: Outgoing) -> dict[str, Any]:
    """Keyword arguments for Message.edit: as message_arguments, and clearing what the new version lacks."""
    arguments = message_arguments(outgoing)
    arguments.setdefault("content", None)
    arguments.setdefault("embeds", [])
    arguments.setdefault("view", None)
    return arguments


async def reply_to(message: discord.Message, outgoing: list[Outgoing]) -> list[discord.Message]:
    """The first message as a reply to the question (a message reference); the rest follow it."""
    first, *rest = outgoing
    sent = [await message.reply(**message_arguments(first))]
    for following in rest:
        sent.append(await message.channel.send(**message_arguments(following)))
    return sent


async def respond(interaction: discord.Interaction, outgoing: list[Outgoing], *, ephemeral: bool) -> None:
    """The interaction's response if it is still open, else follow-ups (after a deferral)."""
    pending = list(outgoing)
    if not interaction.response.is_done():
        await interaction.response.send_message(**message_arguments(pending.pop(0)), ephemeral=ephemeral)
    for following in pending:
        await interaction.followup.send(**message_arguments(following), ephemeral=ephemeral)
