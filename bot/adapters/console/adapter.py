"""The console adapter: a REPL over the shared command table (same commands as Slack and Discord)."""

from __future__ import annotations

import sys
import uuid
from pathlib import Path
from typing import Any, TextIO

from prompt_toolkit import PromptSession
from prompt_toolkit.history import FileHistory, InMemoryHistory
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
from rich.console import Console

from bot import messages
from bot.adapters.console.render import render
from bot.core.commands import CommandTable
from bot.core.models import Origin
from bot.settings import Settings

# A bare "quit" or "exit" leaves too: nobody asks the documents that one word, and people type it.
QUIT_COMMANDS = {"/quit", "/exit", "/q", "quit", "exit"}
PROMPT = "citebot> "


def prompt_session(history_file: str = "", **io: Any) -> PromptSession:
    """Line editing with history. Ctrl-C clears a half-typed line; on an empty line it quits.

    `io` passes prompt_toolkit's `input`/`output` through (tests use a pipe and a dummy output).
    """
    history = FileHistory(str(Path(history_file).expanduser())) if history_file else InMemoryHistory()
    bindings = KeyBindings()

    @bindings.add("c-c")
    def _interrupt(event: KeyPressEvent) -> None:
        if event.current_buffer.text:
            event.current_buffer.reset()
        else:
            event.app.exit(exception=KeyboardInterrupt, style="class:aborting")

    return PromptSession(history=history, key_bindings=bindings, **io)


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
        self.welcome = ""
        self._stopped = False
        # One session is one conversation: a follow-up is read with the questions asked before it.
        self.origin = Origin("console", "console", "local", thread=uuid.uuid4().hex)

    @classmethod
    def from_settings(cls, settings: Settings, table: CommandTable) -> ConsoleAdapter:
        """The adapter for `citebot run`: colour and history as configured, the welcome naming the corpus."""
        color = {"always": True, "never": False}.get(settings.console.color)
        adapter = cls(table, color=color, history_file=settings.console.history)
        adapter.welcome = messages.CONSOLE_WELCOME.format(corpus=table.service.corpus())
        return adapter

    def stop(self) -> None:
        """Finish after the current line."""
        self._stopped = True

    def run(self, welcome: str = "") -> None:
        """Read and answer lines until /quit, end of input, Ctrl-C on an empty line, or `stop`."""
        welcome = welcome or self.welcome
        if welcome:
            self.console.print(welcome, style="dim")
        read_line = self._line_reader()
        while True:
            try:
                line = read_line()
            except (EOFError, KeyboardInterrupt):
                break
            if line is None or self._stopped:
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
            session = prompt_session(self.history_file)
            return lambda: session.prompt(PROMPT)

        def read() -> str | None:
            line = self.input.readline()
            return None if line == "" else line.rstrip("\n")

        return read


def required_secrets(settings: Settings) -> tuple[str, ...]:
    """The console needs none."""
    return ()


def from_settings(settings: Settings, table: CommandTable) -> ConsoleAdapter:
    """The adapter registry's entry point."""
    return ConsoleAdapter.from_settings(settings, table)
