"""Rendered messages as discord.py keyword arguments, always with AllowedMentions.none() so nothing can ping.

Sending itself (retries, fallbacks) is bot/adapters/discord/delivery.py."""

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
