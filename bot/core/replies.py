"""What every adapter does the same way with a reply: dispatch it by type, apologise, and turn retrieval
errors into messages that are safe in chat."""

from __future__ import annotations

import logging
import re
import sys
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from bot import messages
from bot.core.models import Answer, HelpText, Notice, Reply, SourceList, SourceLookup
from retrieval import IndexIncompatibleError, IndexMissingError, RetrievalError

T = TypeVar("T")


@dataclass(frozen=True)
class Renderers(Generic[T]):
    """One platform's renderer for each kind of reply."""

    answer: Callable[[Answer], T]
    lookup: Callable[[SourceLookup], T]
    listing: Callable[[SourceList], T]
    help: Callable[[HelpText], T]
    notice: Callable[[Notice], T]

    def render(self, reply: Reply) -> T:
        """The reply rendered by the function for its type; TypeError for anything that is no Reply."""
        if isinstance(reply, Answer):
            return self.answer(reply)
        if isinstance(reply, SourceLookup):
            return self.lookup(reply)
        if isinstance(reply, SourceList):
            return self.listing(reply)
        if isinstance(reply, HelpText):
            return self.help(reply)
        if isinstance(reply, Notice):
            return self.notice(reply)
        raise TypeError(f"cannot render {type(reply).__name__}")


def new_reference() -> str:
    """A short id that appears both in chat and in the log line that explains it."""
    return uuid.uuid4().hex[:8]


def apology(log: logging.Logger, what: str, *args: object, error: BaseException | None = None) -> Notice:
    """Log what failed (with the traceback: the current exception, or `error`) under a fresh reference id,
    and return the apology that names it. `what` is a %-format for `args`."""
    reference = new_reference()
    log.error(what + " (reference %s)", *args, reference, exc_info=error or True)
    text = messages.database_lost if lost_database(error or sys.exc_info()[1]) else messages.apology
    return Notice(text(reference), reference=reference)


def lost_database(error: BaseException | None) -> bool:
    """A connection to PostgreSQL failed mid-request (backend postgres); the pool reconnects next time."""
    if error is None:
        return False
    module, name = type(error).__module__, type(error).__name__
    return module.startswith("psycopg") and name in (
        "OperationalError",
        "PoolTimeout",
        "InterfaceError",
        "AdminShutdown",
    )


def retrieval_notice(log: logging.Logger, error: RetrievalError) -> Notice:
    """A retrieval error as chat may show it: no paths; the detail goes to the log with the reference id."""
    reference = new_reference()
    log.warning("%s (reference %s)", error, reference)
    if isinstance(error, IndexMissingError | IndexIncompatibleError):
        return Notice(messages.index_unavailable(reference), reference=reference)
    return Notice(messages.retrieval_failed(reference), reference=reference)


_FENCED = re.compile(r"```.*?```", re.DOTALL)


def inline_code_places(text: str, spans: Sequence[str]) -> list[tuple[int, int]]:
    """(start, end) of each occurrence of an inline code span in `text`, in order, none overlapping.

    Longer spans win over their parts (`--api.insecure` over `--api`); a span counts only as a whole
    token, never inside a ``` block.
    """
    spans = sorted({s for s in spans if s.strip() and "`" not in s}, key=len, reverse=True)
    if not spans:
        return []
    pattern = re.compile(r"(?<![\w`])(" + "|".join(re.escape(s) for s in spans) + r")(?![\w`])")
    places, last = [], 0
    for fenced in [*_FENCED.finditer(text), None]:
        end = fenced.start() if fenced else len(text)
        places += [m.span() for m in pattern.finditer(text, last, end)]
        last = fenced.end() if fenced else end
    return places


def mark_inline_code(text: str, spans: Sequence[str], mark: Callable[[str], str]) -> str:
    """`text` with each inline code span (see inline_code_places) wrapped by `mark` (e.g. in backticks).

    `text` and `spans` must be escaped alike for the platform. Returns the text unchanged when there
    are no spans.
    """
    pieces, last = [], 0
    for start, end in inline_code_places(text, spans):
        pieces += [text[last:start], mark(text[start:end])]
        last = end
    return "".join(pieces) + text[last:]
