"""The slash commands in the Slack manifest, the Discord command tree, the README and the command table agree."""

import re

import yaml

from bot.adapters.discord.client import command_names as discord_command_names
from bot.adapters.slack import NOT_SLASH_COMMANDS
from tests.harness.libraries import ROOT


def _table_commands(command_table) -> set[str]:
    return {c.name for c in command_table.commands}


def _manifest_commands() -> set[str]:
    manifest = yaml.safe_load((ROOT / "config" / "slack-app-manifest.yaml").read_text("utf-8"))
    return {c["command"].lstrip("/") for c in manifest["features"]["slash_commands"]}


def _readme_commands() -> set[str]:
    readme = (ROOT / "README.md").read_text("utf-8")
    section = readme.split("## Slash commands", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `/(\w+)` \|", section, flags=re.MULTILINE))


def test_slack_manifest_declares_the_table_commands_slack_allows(command_table):
    assert _manifest_commands() == _table_commands(command_table) - set(NOT_SLASH_COMMANDS)


def test_discord_tree_registers_every_table_command(command_table):
    assert discord_command_names() == _table_commands(command_table)


def test_readme_documents_the_slash_commands_both_platforms_share(command_table):
    shared = _manifest_commands() & discord_command_names()
    assert _readme_commands() == shared
    readme = (ROOT / "README.md").read_text("utf-8")
    for name in discord_command_names() - shared:
        assert f"`/{name}`" in readme  # Discord-only commands are mentioned too
