"""Bolt listeners: a Slack event, command or click -> the command table -> render -> Slack. Never raises."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from typing import Any, Protocol

from slack_bolt import Ack, App, BoltResponse

from bot import messages
from bot.adapters.slack import slash_commands
from bot.adapters.slack.decorations import Decorations
from bot.adapters.slack.dedupe import RecentKeys
from bot.adapters.slack.delivery import Asker, SlackDelivery
from bot.adapters.slack.render import (
    SHOW_PASSAGE_ACTION,
    VOTE_ACTION,
    SlackMessage,
    render,
    render_notice,
    unescape,
    with_note,
)
from bot.core.models import Answer, CommandHelp, Notice, Origin, Reply
from bot.core.redelivery import Attempt, Outcome
from bot.core.replies import apology as core_apology
from bot.core.replies import new_reference
from bot.settings import SlackSettings
from bot.state.answered import AnsweredMessages

log = logging.getLogger(__name__)

ARRIVED = "citebot_arrived"  # context key: time.monotonic() when the request reached the app
# Message subtypes that are a person saying something new; edits, deletions, joins and bots are not.
_ANSWERED_SUBTYPES = (None, "file_share", "thread_broadcast")
_LEADING_MENTION = re.compile(r"^\s*<@[A-Z0-9]+(\|[^>]*)?>[\s,:]*")
# What Slack sends when a message goes (docs.slack.dev/reference/events/message/message_deleted): a `message`
# event, subtype `message_deleted`, with the gone message's ts as `deleted_ts`. A thread's first message
# deleted while replies remain (a channel question citebot answered in its thread) stays as a tombstone
# instead: subtype `message_changed` whose `message` has subtype `tombstone`, its ts the question's.
_TOMBSTONE = "tombstone"


class Commands(Protocol):
    """The slice of bot.core.commands.CommandTable the adapter uses (tests pass a small stand-in)."""

    @property
    def commands(self) -> tuple[CommandHelp, ...]: ...

    def dispatch(self, text: str, origin: Origin) -> Reply: ...

    def run(self, name: str, argument: str, origin: Origin) -> Reply: ...

    def vote(self, answer_id: str, vote: str, origin: Origin) -> Notice: ...


class Claims(Protocol):
    """RecentKeys (memory), SqliteEventClaims (the state file) or PostgresEventClaims (shared)."""

    def first_time(self, key: str) -> bool: ...


class SlackHandlers:
    """Every listener citebot puts on a Bolt app, sharing the table, the settings, the dedupe memory,
    the delivery (fallbacks, held replies) and the background reactions."""

    def __init__(
        self,
        table: Commands,
        settings: SlackSettings,
        seen: Claims | None = None,
        delivery: SlackDelivery | None = None,
        decorations: Decorations | None = None,
        answered: AnsweredMessages | None = None,
    ) -> None:
        self.table = table
        self.settings = settings
        self.answered = answered
        self.seen = seen if seen is not None else RecentKeys()  # an empty store has len() 0
        self.delivery = delivery
        self.decorations = decorations

    def register(self, app: App) -> None:
        if self.delivery is None:
            self.delivery = SlackDelivery(app.client)
        if self.decorations is None:
            self.decorations = Decorations(app.client)
        app.use(self.skip_channel_chatter)
        app.use(self.skip_repeated_events)
        app.event("app_mention")(self.on_mention)
        app.event("message")(self.on_message)
        for name in slash_commands(self.table.commands):
            app.command(f"/{name}")(self.on_command)
        app.action(SHOW_PASSAGE_ACTION)(self.on_show_passage)
        app.action(VOTE_ACTION)(self.on_vote)
        app.error(self.on_error)

    # -- middleware --------------------------------------------------------------------------------
    @staticmethod
    def skip_channel_chatter(body: dict[str, Any], next_: Callable[[], None]) -> BoltResponse | None:
        """Subscribed to message.channels / message.groups (docs.slack.dev/reference/events/message.channels),
        the app receives every message of every channel it is in (`channel_type` "channel" or "group"). Of
        those only a deleted question concerns citebot: mentions come as app_mention, and Slack sends an
        edited mention again as app_mention with the same ts. The rest is acknowledged here, before it is
        claimed, logged, handed to a worker thread or reacted to: a busy channel costs a dict lookup."""
        event = body.get("event") or {}
        in_a_channel = event.get("type") == "message" and not is_direct(
            event.get("channel", ""), event.get("channel_type")
        )
        if in_a_channel and deleted_ts(event) is None:
            return BoltResponse(status=200, body="")
        next_()
        return None

    def skip_repeated_events(
        self, body: dict[str, Any], context: dict[str, Any], next_: Callable[[], None]
    ) -> BoltResponse | None:
        """Slack re-delivers an event it thinks we missed (X-Slack-Retry-Num); answer it once. Notes when
        the request arrived, for the per-answer timing line."""
        context[ARRIVED] = time.monotonic()
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id and not self.seen.first_time(f"event:{event_id}"):
            log.info("skipping a repeat delivery of event %s", event_id)
            return BoltResponse(status=200, body="")
        next_()
        return None

    # -- events ------------------------------------------------------------------------------------
    def on_mention(self, event: dict[str, Any], context: dict[str, Any]) -> None:
        """@citebot in a channel: answer in a thread under the question (or in its thread)."""
        self._answer(event, context, thread_ts=event.get("thread_ts") or event.get("ts"))

    def on_message(self, event: dict[str, Any], context: dict[str, Any]) -> None:
        """A direct message: answer in the DM; an answered one edited: update the answer. An answered
        question deleted, in a DM or a channel: say so in its answer's place. Other message events are
        acknowledged and left alone."""
        subtype, channel = event.get("subtype"), event.get("channel", "")
        gone = deleted_ts(event)
        if gone is not None:
            self._note_deleted(channel, gone)
        elif not is_direct(channel, event.get("channel_type")):
            return  # a channel message: mentions arrive as app_mention, edits of them too
        elif subtype == "message_changed":
            edited = event.get("message") or {}
            if self._is_from_a_person({**edited, "subtype": None}):
                self._answer_edit(channel, edited, context, thread_ts=edited.get("thread_ts"))
        elif subtype != "message_deleted":
            self._answer(event, context, thread_ts=event.get("thread_ts"))

    def _answer(self, event: dict[str, Any], context: dict[str, Any], thread_ts: str | None) -> None:
        channel, ts = event.get("channel", ""), event.get("ts", "")
        if not self._is_from_a_person(event) or not self.channel_allowed(channel):
            return
        if not self.seen.first_time(f"message:{channel}:{ts}"):  # app_mention and message.im for one message
            if event.get("edited"):  # Slack sends an edited mention again, with the same ts
                self._answer_edit(channel, event, context, thread_ts)
            return
        clock = _Stages(context.get(ARRIVED))
        ticket = self.decorations.working(channel, ts) if self.decorations else None
        question = question_text(event.get("text", ""), context.get("bot_user_id"))
        user = event.get("user", "")
        # A thread is a conversation; so is a DM's main timeline (follow-ups read with earlier turns).
        direct = is_direct(channel, event.get("channel_type"))
        origin = Origin("slack", channel, user, thread=thread_ts or "dm", direct=direct)
        reply, message = _answered(lambda: self._ask(question, origin), clock, "answering a message")
        if event.get("files"):  # a file shared with the question: say it was not read, never drop it silently
            message = with_note(message, messages.ATTACHMENTS_NOT_READ)
        clock.lap("render")
        asker = Asker(user, channel, _reference(reply, message), question, _answer_key(channel, ts))
        attempt = self.delivery.post(channel, thread_ts, message, asker)
        clock.lap("deliver")
        self._remember(channel, ts, attempt, question)
        if ticket is not None:
            self.decorations.done(ticket)
        _log_answered("a message", attempt.outcome, asker, clock)

    def _answer_edit(
        self, channel: str, edited: dict[str, Any], context: dict[str, Any], thread_ts: str | None
    ) -> None:
        """An answered question edited: answer the new text and update the answer in place (chat.update),
        or post it anew when the old answer is gone. An unanswered or unchanged message is left alone
        (Slack also reports link previews as edits)."""
        ts = edited.get("ts", "")
        record = self.answered.find(_answer_key(channel, ts)) if self.answered else None
        question = question_text(edited.get("text", ""), context.get("bot_user_id"))
        if record is None or question == record.question or not self.channel_allowed(channel):
            return
        clock = _Stages(context.get(ARRIVED))
        user = edited.get("user", "")
        origin = Origin("slack", channel, user, thread=thread_ts or "dm", direct=is_direct(channel))
        reply, message = _answered(lambda: self._ask(question, origin), clock, "answering an edited message")
        clock.lap("render")
        asker = Asker(user, channel, _reference(reply, message), question, _answer_key(channel, ts))
        attempt = self.delivery.update(record.reply, message, asker)
        if attempt.outcome is not Outcome.SENT:
            attempt = self.delivery.post(channel, thread_ts, message, asker)
        clock.lap("deliver")
        self._remember(channel, ts, attempt, question)
        _log_answered("an edited message", attempt.outcome, asker, clock)

    def _note_deleted(self, channel: str, ts: str) -> None:
        """A deleted question: its answer is replaced by a note saying so, rather than left answering
        nothing. A message citebot never answered is left alone. (Channels report deletions only to an app
        subscribed to message.channels / message.groups; without them a channel answer stays.)"""
        record = self.answered.find(_answer_key(channel, ts)) if self.answered else None
        if record is None:
            return
        note = render_notice(Notice(messages.QUESTION_DELETED, is_error=False))
        self.delivery.update(record.reply, note, Asker("", channel, new_reference()))

    def _remember(self, channel: str, ts: str, attempt: Attempt, question: str) -> None:
        if self.answered is None or attempt.receipt is None:
            return
        try:
            self.answered.remember(_answer_key(channel, ts), attempt.receipt, question)
        except Exception:  # noqa: BLE001 - only edits lose out: never the answer
            log.warning("could not record the answer to %s:%s for edits", channel, ts, exc_info=True)

    def _ask(self, text: str, origin: Origin) -> Reply:
        return self.table.dispatch(text, origin)

    @staticmethod
    def _is_from_a_person(event: dict[str, Any]) -> bool:
        return not event.get("bot_id") and event.get("subtype") in _ANSWERED_SUBTYPES

    def channel_allowed(self, channel: str) -> bool:
        """Direct messages are always answered; channels only when listed (an empty list allows all)."""
        allowed = self.settings.allowed_channels
        return not allowed or channel in allowed or channel.startswith("D")

    # -- slash commands ----------------------------------------------------------------------------
    def on_command(self, ack: Ack, command: dict[str, Any], context: dict[str, Any]) -> None:
        """/ask, /source, /sources: ack at once (Slack waits 3 s), then answer through the response_url."""
        ack()
        clock = _Stages(context.get(ARRIVED))
        name = command.get("command", "").lstrip("/")
        channel, user = command.get("channel_id", ""), command.get("user_id", "")
        text = unescape(command.get("text", ""))
        response_url = command.get("response_url", "")
        if not self.channel_allowed(channel):
            notice = render_notice(Notice(messages.CHANNEL_NOT_ALLOWED))
            self.delivery.respond(response_url, notice, "ephemeral", Asker(user, channel, new_reference()))
            return
        direct = is_direct(channel, "im" if command.get("channel_name") == "directmessage" else None)
        origin = Origin("slack", channel, user, direct=direct)
        reply, message = _answered(lambda: self.table.run(name, text, origin), clock, f"/{name}")
        clock.lap("render")
        public = name == "ask" and self.settings.ask_visibility == "channel" and isinstance(reply, Answer)
        asker = Asker(user, channel, _reference(reply, message), text)
        attempt = self.delivery.respond(response_url, message, "in_channel" if public else "ephemeral", asker)
        clock.lap("deliver")
        _log_answered(f"/{name}", attempt.outcome, asker, clock)

    # -- buttons -----------------------------------------------------------------------------------
    def on_show_passage(self, ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        """The Show-passage button: the full passage, to the person who clicked only."""
        ack()
        origin = _origin(body)
        try:
            message = render(self.table.run("source", action.get("value", ""), origin))
        except Exception:
            message = apology("showing a passage")
        self._to_clicker(body, message, origin)

    def on_vote(self, ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        """👍/👎: record the vote against the answer id the button carried; thank the voter privately."""
        ack()
        vote = "up" if action.get("action_id", "").endswith("_up") else "down"
        origin = _origin(body)
        try:
            message = render(self.table.vote(action.get("value", ""), vote, origin))
        except Exception:
            message = apology("recording a vote")
        self._to_clicker(body, message, origin)

    def _to_clicker(self, body: dict[str, Any], message: SlackMessage, origin: Origin) -> None:
        asker = Asker(origin.user, origin.channel, new_reference())
        self.delivery.respond(body.get("response_url", ""), message, "ephemeral", asker)

    # -- errors ------------------------------------------------------------------------------------
    @staticmethod
    def on_error(error: Exception, body: dict[str, Any]) -> None:
        """Anything that escaped a listener (the listeners guard themselves): log it with a reference."""
        core_apology(log, "Slack request of type %s failed", body.get("type"), error=error)


def is_direct(channel: str, channel_type: str | None = None) -> bool:
    """Whether a conversation is a direct message with the bot: Slack says so (`channel_type` "im"), or
    its id does (DM ids start with D; a group DM's do not, and it is a channel for `channels:`)."""
    return channel_type == "im" or channel.startswith("D")


def deleted_ts(event: dict[str, Any]) -> str | None:
    """The ts of the message a `message` event says was deleted (`message_deleted`, or a thread's first
    message turned into a tombstone); None for any other event."""
    subtype = event.get("subtype")
    if subtype == "message_deleted":
        return event.get("deleted_ts") or None
    if subtype == "message_changed":
        message = event.get("message") or {}
        if message.get("subtype") == _TOMBSTONE:
            return message.get("ts") or None
    return None


def question_text(text: str, bot_user_id: str | None) -> str:
    """The question as typed: the bot's own @mention removed and Slack's escaping undone."""
    if bot_user_id:
        text = re.sub(rf"<@{re.escape(bot_user_id)}(\|[^>]*)?>[\s,:]*", " ", text)
    else:
        text = _LEADING_MENTION.sub("", text)
    return unescape(text).strip()


class _Stages:
    """Milliseconds per stage of one answer, from the request's arrival to the reply's delivery."""

    def __init__(self, arrived: float | None) -> None:
        now = time.monotonic()
        self.stages: dict[str, float] = {"wait": (now - arrived) * 1000 if arrived else 0.0}
        self._last = now

    def lap(self, stage: str) -> None:
        now = time.monotonic()
        self.stages[stage] = self.stages.get(stage, 0.0) + (now - self._last) * 1000
        self._last = now

    def asked(self, reply: Reply) -> None:
        """The command table's time, split into the engine's stages (embed, search, compose) and the rest."""
        now = time.monotonic()
        total = (now - self._last) * 1000
        engine = getattr(reply, "timings_ms", None) or {}
        for stage, ms in engine.items():
            self.stages[stage] = float(ms)
        self.stages["other" if engine else "answer"] = max(0.0, total - sum(engine.values()))
        self._last = now

    def line(self) -> str:
        return ", ".join(f"{stage} {ms:.0f}" for stage, ms in self.stages.items())

    @property
    def total_ms(self) -> float:
        return sum(self.stages.values())


def _log_answered(what: str, outcome: Outcome, asker: Asker, clock: _Stages) -> None:
    """The per-answer line: from arrival to delivery, by stage, with the reference id and the asker."""
    verb = {Outcome.SENT: "answered", Outcome.DOWN: "held the answer to", Outcome.GONE: "could not deliver"}
    log.log(
        logging.WARNING if outcome is Outcome.GONE else logging.INFO,
        "%s %s in %.0f ms (%s) (reference %s, asker %s in %s)",
        verb[outcome],
        what,
        clock.total_ms,
        clock.line(),
        asker.reference,
        asker.user,
        asker.channel,
    )


def _answer_key(channel: str, ts: str) -> str:
    return f"slack:{channel}:{ts}"


def _reference(reply: Reply | None, message: SlackMessage) -> str:
    """The id the log lines about this reply carry: the answer id, the notice's reference, or a new one."""
    for name in ("answer_id", "reference"):
        value = getattr(reply, name, None)
        if value:
            return str(value)
    return new_reference()


def _answered(ask: Callable[[], Reply], clock: _Stages, what: str) -> tuple[Reply | None, SlackMessage]:
    """The reply `ask` gives and its rendering, timed on `clock`; an apology for `what` (and the reply, if
    there was one) when asking or rendering fails."""
    reply: Reply | None = None
    try:
        reply = ask()
        clock.asked(reply)
        return reply, render(reply)
    except Exception:
        return reply, apology(what)


def apology(what: str) -> SlackMessage:
    """A short apology whose reference id is also in the log, next to the traceback."""
    return render_notice(core_apology(log, "Slack %s failed", what))


def _origin(body: dict[str, Any]) -> Origin:
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id", "")
    return Origin("slack", channel, (body.get("user") or {}).get("id", ""), direct=is_direct(channel))
