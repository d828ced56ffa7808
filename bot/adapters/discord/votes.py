"""The 👍/👎 buttons under an answer: persistent custom_ids, so a click works even after a restart."""

from __future__ import annotations

import re
from typing import Any

import discord

from bot import messages
from bot.adapters.discord.render import VOTE_PREFIX, vote_custom_id

_TEMPLATE = re.compile(rf"^{re.escape(VOTE_PREFIX)}:(?P<vote>up|down):(?P<answer_id>[A-Za-z0-9_-]{{1,80}})$")


class VoteButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=_TEMPLATE):
    """One button; the vote and the answer id live in its custom_id, nothing in memory."""

    def __init__(self, vote: str, answer_id: str) -> None:
        self.vote = vote
        self.answer_id = answer_id
        emoji = messages.DISCORD_VOTE_UP if vote == "up" else messages.DISCORD_VOTE_DOWN
        super().__init__(
            discord.ui.Button(
                style=discord.ButtonStyle.secondary, emoji=emoji, custom_id=vote_custom_id(vote, answer_id)
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> VoteButton:
        return cls(match["vote"], match["answer_id"])

    async def callback(self, interaction: discord.Interaction) -> None:
        responder = getattr(interaction.client, "responder", None)
        if responder is not None:
            await responder.vote(interaction, self.vote, self.answer_id)


def vote_view(answer_id: str) -> discord.ui.View:
    """A view with no timeout: the buttons stay clickable as long as the message exists."""
    view = discord.ui.View(timeout=None)
    view.add_item(VoteButton("up", answer_id))
    view.add_item(VoteButton("down", answer_id))
    return view
