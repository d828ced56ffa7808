"""The command table every adapter shares (console, Slack, Discord): ask, source, sources, help.

`dispatch` never raises: a user error becomes a Notice with its message, a retrieval error a safe
message (no paths), anything unexpected an apology; both with a reference id that is also logged.

Each call's `Origin` decides which sources it may see (`scope_of`: the channel's entry of `channels:`,
a DM's, a thread's channel's; the console and the CLI as channel None), so one table serves every
channel and no command, completion or hint reaches past the channel's sources.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace

from bot import messages
from bot.core.metrics import Metrics
from bot.core.models import Answer, CommandHelp, HelpText, Notice, Origin, Reply
from bot.core.replies import apology, retrieval_notice
from bot.core.service import QAService, Scope, scoped
from bot.settings import ConfigError
from bot.state.conversations import ConversationStore, context_window_s, conversation_key
from bot.state.feedback import VOTES, FeedbackStore
from retrieval import RetrievalError, Turn

log = logging.getLogger(__name__)
BARE_HELP = ("help", "/help")  # a line that is only this runs /help rather than asking the documents
LOCAL_PLATFORMS = ("console", "cli")  # the person is at the terminal: answer lines are debug logs there


@dataclass(frozen=True)
class StoredConversation:
    """One conversation of a `ConversationStore`, by its key: what the service reads a question after
    and adds each answer's turn to (the `Conversation` of bot/core/service.py)."""

    store: ConversationStore
    key: str
    max_age_s: float | None = None  # only turns this recent are context (a DM timeline: context_window_s)

    def turns(self) -> list[Turn]:
        return self.store.turns(self.key, self.max_age_s)

    def add(self, turn: Turn) -> None:
        self.store.add(self.key, turn)


@dataclass(frozen=True)
class Command:
    name: str
    usage: str
    summary: str
    handler: Callable[[str, Scope], Reply]  # (argument, the sources the asker may see)


class CommandTable:
    def __init__(
        self,
        service: QAService,
        feedback: FeedbackStore | None = None,
        conversations: ConversationStore | None = None,
        metrics: Metrics | None = None,
        claims=None,
    ) -> None:
        self.service = service
        self.feedback = feedback
        self.conversations = conversations
        self.metrics = metrics or Metrics()
        # `first_time(key)` shared by replicas (backend: postgres); adapters fall back to in-process memory.
        self.claims = claims
        self._commands = {
            c.name: c
            for c in (
                Command(
                    "ask",
                    "/ask QUESTION",
                    messages.COMMAND_SUMMARIES["ask"],
                    lambda question, scope: service.ask(question, **scoped(scope)),
                ),
                Command(
                    "source",
                    "/source ID",
                    messages.COMMAND_SUMMARIES["source"],
                    lambda key, scope: service.source(key, **scoped(scope)),
                ),
                Command(
                    "sources",
                    "/sources [WORDS]",
                    messages.COMMAND_SUMMARIES["sources"],
                    lambda words, scope: service.sources(words or None, **scoped(scope)),
                ),
                Command("help", "/help", messages.COMMAND_SUMMARIES["help"], lambda _, __: self.help()),
            )
        }

    @property
    def commands(self) -> tuple[CommandHelp, ...]:
        return tuple(CommandHelp(c.name, c.usage, c.summary) for c in self._commands.values())

    def help(self) -> HelpText:
        return HelpText(self.commands)

    def scope_of(self, origin: Origin) -> Scope:
        """The source names a request from `origin` may see (None: all). The console and the CLI are
        channel None (or the channel `citebot ask --channel` names); a thread with no entry of its own
        has its channel's."""
        settings = getattr(self.service, "settings", None)  # a stand-in service may have none
        if settings is None:
            return None
        if origin.platform in LOCAL_PLATFORMS:  # `parent`: the channel the terminal answers as (--channel)
            return settings.source_scope(origin.parent or None)
        channel = origin.channel
        if origin.parent and channel not in settings.channels:
            channel = origin.parent
        return settings.source_scope(channel, direct=origin.direct)

    def complete(self, prefix: str, limit: int = 25, origin: Origin = Origin()) -> list[tuple[str, str]]:
        """Autocomplete for `/source`: (id, label) pairs, of the sources `origin` may see, whose id or
        title contains the typed text."""
        return self.service.complete_source_ids(prefix, limit, **scoped(self.scope_of(origin)))

    def dispatch(self, text: str, origin: Origin = Origin()) -> Reply:
        """A line of user input: '/name argument' runs a command, a bare `help` the help command (on every
        platform: nobody asks the documents that one word), anything else is a question."""
        stripped = text.strip()
        if stripped.lower() in BARE_HELP:
            return self.run("help", "", origin)
        if stripped.startswith("/") and len(stripped) > 1:
            name, _, argument = stripped[1:].partition(" ")
            return self.run(name.lower(), argument, origin)
        return self.run("ask", stripped, origin)

    def run(self, name: str, argument: str = "", origin: Origin = Origin()) -> Reply:
        """Run one command; an Answer comes back with an answer_id when feedback is being recorded."""
        command = self._commands.get(name)
        if command is None:
            return Notice(messages.unknown_command(name, list(self._commands)))
        started = time.perf_counter()
        try:
            scope = self.scope_of(origin)
            if name == "ask":
                reply = self._ask(argument.strip(), origin, scope)
            else:
                reply = command.handler(argument.strip(), scope)
            if isinstance(reply, Answer) and self.feedback is not None:
                reply = self._record(reply, origin)
            if isinstance(reply, Answer):
                self._answered(reply, origin, time.perf_counter() - started)
            return reply
        except RetrievalError as error:
            return retrieval_notice(log, error)
        except ConfigError as error:
            return Notice(str(error))
        except Exception:
            self.metrics.errors.labels(name).inc()
            return apology(log, "command /%s failed", name)

    def _answered(self, answer: Answer, origin: Origin, seconds: float) -> None:
        """One log line per answer composed (the table's time, not delivery: adapters log the time from
        the question's arrival to the answer's delivery) and the Prometheus counters."""
        reference = answer.answer_id or uuid.uuid4().hex[:12]
        log.log(
            logging.DEBUG if origin.platform in LOCAL_PLATFORMS else logging.INFO,  # no noise in a terminal
            "composed an answer on %s in %.0f ms (reference %s, %s%s%s)",
            origin.platform,
            seconds * 1000,
            reference,
            "abstained" if answer.abstained else f"{len(answer.citations)} cited",
            ", follow-up" if answer.context else "",
            f", {len(answer.parts)} questions" if answer.parts else "",
        )
        try:  # metrics never cost anyone an answer
            self.metrics.answered(origin.platform, answer.abstained, seconds)
            self.metrics.set_generation(self.service.generation())
        except Exception:
            log.warning("updating metrics failed", exc_info=True)

    def _ask(self, question: str, origin: Origin, scope: Scope) -> Reply:
        """A question, read in its conversation when the origin names one (and remembered for the next)."""
        key = conversation_key(origin) if self.conversations is not None else None
        if key is None:
            return self.service.ask(question, **scoped(scope))
        conversation = StoredConversation(self.conversations, key, context_window_s(origin))
        return self.service.ask(question, conversation, **scoped(scope))

    def _record(self, answer: Answer, origin: Origin) -> Answer:
        passage_ids = tuple(c.passage_id for c in answer.citations)
        answer_id = self.feedback.record_answer(
            origin.platform, origin.channel, answer.question, answer.text, answer.abstained, passage_ids
        )
        return replace(answer, answer_id=answer_id)

    def vote(self, answer_id: str, vote: str, origin: Origin) -> Notice:
        """A 👍/👎 click. Safe to call with whatever a button carried back."""
        if self.feedback is None or vote not in VOTES:
            return Notice(messages.FEEDBACK_UNAVAILABLE)
        try:
            known = self.feedback.record_vote(answer_id, origin.user or "anonymous", vote)
        except Exception:
            return apology(log, "recording a vote failed")
        if not known:
            return Notice(messages.FEEDBACK_UNKNOWN_ANSWER)
        text = messages.FEEDBACK_THANKS_UP if vote == "up" else messages.FEEDBACK_THANKS_DOWN
        return Notice(text, is_error=False)
