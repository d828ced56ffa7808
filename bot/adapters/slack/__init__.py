"""The Slack adapter: Bolt app (socket or HTTP mode), handlers, Block Kit rendering.

Import `run_slack`/`build_app` from `bot.adapters.slack.app`; this module stays free of SDK imports.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.core.models import CommandHelp

NOT_SLASH_COMMANDS = ("help",)  # Slack keeps /help for itself; "@citebot help" covers it


def slash_commands(commands: Iterable[CommandHelp]) -> tuple[str, ...]:
    """The slash command names (without '/') the app registers and the manifest must declare."""
    return tuple(c.name for c in commands if c.name not in NOT_SLASH_COMMANDS)
