"""Small stand-ins for the command table (no mocks): one that blows up, one that waits, one that records."""

from __future__ import annotations

import threading

from bot.core.models import CommandHelp, Notice, Origin, Reply

COMMANDS = (
    CommandHelp("ask", "/ask QUESTION", "Ask."),
    CommandHelp("source", "/source ID", "Source."),
    CommandHelp("sources", "/sources [WORDS]", "Sources."),
    CommandHelp("help", "/help", "Help."),
)


class ExplodingTable:
    """Every call raises, as a bug in the service or the table itself would."""

    commands = COMMANDS

    def dispatch(self, text: str, origin: Origin) -> Reply:
        raise RuntimeError("the index caught fire")

    def run(self, name: str, argument: str, origin: Origin) -> Reply:
        raise RuntimeError("the index caught fire")

    def vote(self, answer_id: str, vote: str, origin: Origin) -> Notice:
        raise RuntimeError("the feedback store caught fire")


class RecordingTable:
    """Answers with a Notice echoing what it was given, and keeps (name, argument, origin) for asserts.

    With `gate` set, each call waits for it: a stand-in for a slow, CPU-bound answer.
    """

    commands = COMMANDS

    def __init__(self, gate: threading.Event | None = None) -> None:
        self.calls: list[tuple[str, str, Origin]] = []
        self.gate = gate

    def dispatch(self, text: str, origin: Origin) -> Reply:
        return self.run("ask", text, origin)

    def run(self, name: str, argument: str, origin: Origin) -> Reply:
        if self.gate is not None:
            self.gate.wait(30)
        self.calls.append((name, argument, origin))
        return Notice(f"{name}: {argument}", is_error=False)

    def vote(self, answer_id: str, vote: str, origin: Origin) -> Notice:
        self.calls.append((f"vote_{vote}", answer_id, origin))
        return Notice("thanks", is_error=False)
