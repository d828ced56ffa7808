"""Bolt listeners: a Slack event, command or click -> the command table -> render -> Slack. Never raises."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from typing import Any, Protocol

from slack_bolt import Ack, App, BoltResponse, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import messages
from bot.adapters.slack import slash_commands
from bot.adapters.slack.dedupe import RecentKeys
from bot.adapters.slack.render import (
    SHOW_PASSAGE_ACTION,
    VOTE_ACTION,
    SlackMessage,
    render,
    render_notice,
    unescape,
)
from bot.core.models import Answer, CommandHelp, Notice, Origin, Reply
from bot.core.replies import apology as core_apology
from bot.settings import SlackSettings

log = logging.getLogger(__name__)

WORKING_REACTION = "eyes"
# Message subtypes that are a person saying something new; edits, deletions, joins and bots are not.
_ANSWERED_SUBTYPES = (None, "file_share", "thread_broadcast")
_LEADING_MENTION = re.compile(r"^\s*<@[A-Z0-9]+(\|[^>]*)?>[\s,:]*")


class Commands(Protocol):
    """The slice of bot.core.commands.CommandTable the adapter uses (tests pass a small stand-in)."""

    @property
    def commands(self) -> tuple[CommandHelp, ...]: ...

    def dispatch(self, text: str, origin: Origin) -> Reply: ...

    def run(self, name: str, argument: str, origin: Origin) -> Reply: ...

    def vote(self, answer_id: str, vote: str, origin: Origin) -> Notice: ...


class SlackHandlers:
    """Every listener citebot puts on a Bolt app, sharing the table, the settings and the dedupe memory."""

    def __init__(self, table: Commands, settings: SlackSettings, seen: RecentKeys | None = None) -> None:
        self.table = table
        self.settings = settings
        self.seen = seen or RecentKeys()

    def register(self, app: App) -> None:
        app.use(self.skip_repeated_events)
        app.event("app_mention")(self.on_mention)
        app.event("message")(self.on_message)
        for name in slash_commands(self.table.commands):
            app.command(f"/{name}")(self.on_command)
        app.action(SHOW_PASSAGE_ACTION)(self.on_show_passage)
        app.action(VOTE_ACTION)(self.on_vote)
        app.error(self.on_error)

    # -- middleware --------------------------------------------------------------------------------
    def skip_repeated_events(self, body: dict[str, Any], next_: Callable[[], None]) -> BoltResponse | None:
        """Slack re-delivers an event it thinks we missed (X-Slack-Retry-Num); answer it once."""
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id and not self.seen.first_time(f"event:{event_id}"):
            log.info("skipping a repeat delivery of event %s", event_id)
            return BoltResponse(status=200, body="")
        next_()
        return None

    # -- events ------------------------------------------------------------------------------------
    def on_mention(self, event: dict[str, Any], client: WebClient, context: dict[str, Any]) -> None:
        """@citebot in a channel: answer in a thread under the question (or in its thread)."""
        self._answer(
            event, client, context.get("bot_user_id"), thread_ts=event.get("thread_ts") or event.get("ts")
        )

    def on_message(self, event: dict[str, Any], client: WebClient, context: dict[str, Any]) -> None:
        """A direct message: answer in the DM (other message events are acknowledged and left alone)."""
        if event.get("channel_type") != "im":
            return
        self._answer(event, client, context.get("bot_user_id"), thread_ts=event.get("thread_ts"))

    def _answer(
        self, event: dict[str, Any], client: WebClient, bot_user_id: str | None, thread_ts: str | None
    ) -> None:
        channel, ts = event.get("channel", ""), event.get("ts", "")
        if not self._is_from_a_person(event) or not self.channel_allowed(channel):
            return
        if not self.seen.first_time(f"message:{channel}:{ts}"):  # app_mention and message.im for one message
            return
        started = time.monotonic()
        self._react(client.reactions_add, channel, ts)
        try:
            try:
                # A thread is a conversation; so is a DM's main timeline (follow-ups read with earlier turns).
                origin = Origin("slack", channel, event.get("user", ""), thread=thread_ts or "dm")
                message = render(self._ask(question_text(event.get("text", ""), bot_user_id), origin))
            except Exception:
                message = apology("answering a message")
            self._post(client, channel, thread_ts, message)
        finally:
            self._react(client.reactions_remove, channel, ts)
        log.debug("replied to a message in %s in %.1fs", channel, time.monotonic() - started)

    def _ask(self, text: str, origin: Origin) -> Reply:
        if text.strip().lower() in ("help", "/help"):
            return self.table.run("help", "", origin)
        return self.table.dispatch(text, origin)

    @staticmethod
    def _is_from_a_person(event: dict[str, Any]) -> bool:
        return not event.get("bot_id") and event.get("subtype") in _ANSWERED_SUBTYPES

    def channel_allowed(self, channel: str) -> bool:
        """Direct messages are always answered; channels only when listed (an empty list allows all)."""
        allowed = self.settings.allowed_channels
        return not allowed or channel in allowed or channel.startswith("D")

    @staticmethod
    def _react(call: Callable[..., Any], channel: str, ts: str) -> None:
        try:
            call(channel=channel, timestamp=ts, name=WORKING_REACTION)
        except SlackApiError as error:  # already_reacted, no_reaction, missing_scope: not worth failing over
            log.warning(
                "reaction %s on %s failed: %s", WORKING_REACTION, channel, error.response.get("error")
            )
        except Exception:
            log.warning("reaction %s on %s failed", WORKING_REACTION, channel, exc_info=True)

    @staticmethod
    def _post(client: WebClient, channel: str, thread_ts: str | None, message: SlackMessage) -> None:
        """Post with blocks; should Slack refuse them, post the plain text so the asker still gets an answer."""
        try:
            client.chat_postMessage(
                channel=channel,
                thread_ts=thread_ts,
                text=message.text,
                blocks=message.blocks,
                unfurl_links=False,
                unfurl_media=False,
            )
            return
        except SlackApiError as error:
            log.warning(
                "chat.postMessage with blocks failed (%s); posting the text alone",
                error.response.get("error"),
            )
        except Exception:
            log.exception("chat.postMessage to %s failed", channel)
            return
        try:
            client.chat_postMessage(
                channel=channel,
                thread_ts=thread_ts,
                text=message.text,
                unfurl_links=False,
                unfurl_media=False,
            )
        except Exception:
            log.exception("chat.postMessage to %s failed", channel)

    # -- slash commands ----------------------------------------------------------------------------
    def on_command(self, ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        """/ask, /source, /sources: ack at once (Slack waits 3 s), then answer through the response_url."""
        ack()
        started = time.monotonic()
        name = command.get("command", "").lstrip("/")
        channel = command.get("channel_id", "")
        if not self.channel_allowed(channel):
            self._respond(respond, render_notice(Notice(messages.CHANNEL_NOT_ALLOWED)), "ephemeral")
            return
        reply: Reply | None = None
        try:
            origin = Origin("slack", channel, command.get("user_id", ""))
            reply = self.table.run(name, unescape(command.get("text", "")), origin)
            message = render(reply)
        except Exception:
            message = apology(f"/{name}")
        public = name == "ask" and self.settings.ask_visibility == "channel" and isinstance(reply, Answer)
        self._respond(respond, message, "in_channel" if public else "ephemeral")
        log.debug("replied to /%s in %s in %.1fs", name, channel, time.monotonic() - started)

    @staticmethod
    def _respond(respond: Respond, message: SlackMessage, response_type: str) -> None:
        try:
            respond(
                text=message.text,
                blocks=message.blocks,
                response_type=response_type,
                replace_original=False,
                unfurl_links=False,
                unfurl_media=False,
            )
        except Exception:
            log.exception("replying through the response_url failed")

    # -- buttons -----------------------------------------------------------------------------------
    def on_show_passage(
        self, ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond
    ) -> None:
        """The Show-passage button: the full passage, to the person who clicked only."""
        ack()
        try:
            message = render(self.table.run("source", action.get("value", ""), _origin(body)))
        except Exception:
            message = apology("showing a passage")
        self._respond(respond, message, "ephemeral")

    def on_vote(self, ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        """👍/👎: record the vote against the answer id the button carried; thank the voter privately."""
        ack()
        vote = "up" if action.get("action_id", "").endswith("_up") else "down"
        try:
            message = render(self.table.vote(action.get("value", ""), vote, _origin(body)))
        except Exception:
            message = apology("recording a vote")
        self._respond(respond, message, "ephemeral")

    # -- errors ------------------------------------------------------------------------------------
    @staticmethod
    def on_error(error: Exception, body: dict[str, Any]) -> None:
        """Anything that escaped a listener (the listeners guard themselves): log it with a reference."""
        core_apology(log, "Slack request of type %s failed", body.get("type"), error=error)


def question_text(text: str, bot_user_id: str | None) -> str:
    """The question as typed: the bot's own @mention removed and Slack's escaping undone."""
    if bot_user_id:
        text = re.sub(rf"<@{re.escape(bot_user_id)}(\|[^>]*)?>[\s,:]*", " ", text)
    else:
        text = _LEADING_MENTION.sub("", text)
    return unescape(text).strip()


def apology(what: str) -> SlackMessage:
    """A short apology whose reference id is also in the log, next to the traceback."""
    return render_notice(core_apology(log, "Slack %s failed", what))


def _origin(body: dict[str, Any]) -> Origin:
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id", "")
    return Origin("slack", channel, (body.get("user") or {}).get("id", ""))
