"""The console adapter: a REPL over the shared command table (same commands as Slack and Discord)."""

from __future__ import annotations

import sys
import uuid
from pathlib import Path
from typing import TextIO

from rich.console import Console

from bot import messages
from bot.adapters.console.render import render
from bot.core.commands import CommandTable
from bot.core.models import Origin

QUIT_COMMANDS = {"/quit", "/exit", "/q"}


class ConsoleAdapter:
    """Reads lines, answers them. Streams are injectable so tests drive it without patching builtins."""

    def __init__(
        self,
        table: CommandTable,
        input_stream: TextIO | None = None,
        output_stream: TextIO | None = None,
        color: bool | None = None,
        history_file: str = "",
    ) -> None:
        self.table = table
        self.input = input_stream or sys.stdin
        output = output_stream or sys.stdout
        self.console = Console(
            file=output,
            force_terminal=color,
            no_color=color is False,
            highlight=False,
            soft_wrap=True,
            emoji=False,
            markup=False,
        )
        self.history_file = history_file
        # One session is one conversation: a follow-up is read with the questions asked before it.
        self.origin = Origin("console", "console", "local", thread=uuid.uuid4().hex)

    def run(self, welcome: str = "") -> None:
        if welcome:
            self.console.print(welcome, style="dim")
        read_line = self._line_reader()
        while True:
            try:
                line = read_line()
            except (EOFError, KeyboardInterrupt):
                break
            if line is None:
                break
            if not line.strip():
                continue
            if line.strip().lower() in QUIT_COMMANDS:
                break
            self.handle(line)
        self.console.print(messages.CONSOLE_BYE, style="dim")

    def handle(self, line: str) -> None:
        self.console.print(render(self.table.dispatch(line, self.origin)))

    def _line_reader(self):
        """prompt_toolkit (line editing, history) on a real terminal; plain reads otherwise."""
        if self.input is sys.stdin and sys.stdin.isatty() and sys.stdout.isatty():
            from prompt_toolkit import PromptSession
            from prompt_toolkit.history import FileHistory, InMemoryHistory

            history = (
                FileHistory(str(Path(self.history_file).expanduser()))
                if self.history_file
                else InMemoryHistory()
            )
            session: PromptSession = PromptSession(history=history)
            return lambda: session.prompt("citebot> ")

        def read() -> str | None:
            line = self.input.readline()
            return None if line == "" else line.rstrip("\n")

        return read
