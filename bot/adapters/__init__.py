"""The adapter contract and the registry `citebot run --adapter NAME` picks from.

An adapter is a chat platform's front end: built from the settings and the command table, it receives
messages, runs them through the table, renders the replies and sends them. Each adapter module is
imported only when chosen, so running one never loads the others' SDKs.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from bot.core.commands import CommandTable
    from bot.settings import Settings


class Adapter(Protocol):
    """What `citebot run` needs of an adapter."""

    def run(self) -> None:
        """Answer until stopped or interrupted (blocking)."""
        ...

    def stop(self) -> None:
        """Ask a running adapter to finish (from another thread or a signal handler)."""
        ...


# name -> the module that implements it, with `from_settings(settings, table) -> Adapter` and
# `required_secrets(settings) -> tuple of setting paths` (checked before the index is loaded).
ADAPTERS: dict[str, str] = {
    "console": "bot.adapters.console.adapter",
    "slack": "bot.adapters.slack.app",
    "discord": "bot.adapters.discord.client",
}


def required_secrets(name: str, settings: Settings) -> tuple[str, ...]:
    """The secret settings the adapter `name` cannot start without."""
    return tuple(import_module(ADAPTERS[name]).required_secrets(settings))


def build_adapter(name: str, settings: Settings, table: CommandTable) -> Adapter:
    """The adapter registered as `name`, built from the settings around the command table."""
    return import_module(ADAPTERS[name]).from_settings(settings, table)
