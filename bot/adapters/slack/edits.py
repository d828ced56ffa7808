"""Edited and deleted questions on Slack: the bot's answer is updated in place (chat.update) or removed (chat.delete).

Slack sends both as `message` events, subtype `message_changed` (a deleted thread root with replies
becomes a `tombstone` this way too) or `message_deleted`: in DMs through the message.im subscription,
in channels only with message.channels / message.groups. The bot's answer to a question is found in a
small in-memory map, else by reading the thread (conversations.replies) or the DM (conversations.history)
for the bot's first message after the question, so an edit after a restart still finds it.

An edit that adds the mention is left to Slack's app_mention event (answered like a new question); an
edit that leaves the question's words as they were (a link unfurled) changes nothing.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import messages
from bot.adapters.slack.render import SlackMessage, escape, render
from bot.core.models import Origin, Reply

log = logging.getLogger(__name__)

REMEMBERED_ANSWERS = 2_000  # (channel, question ts) -> answer ts
LOOK_AHEAD = 50  # messages read after the question when looking for the bot's answer


class AnswerMap:
    """(channel, question ts) -> the ts of the bot's answer, bounded, thread-safe."""

    def __init__(self, capacity: int = REMEMBERED_ANSWERS) -> None:
        self.capacity = capacity
        self._answers: OrderedDict[tuple[str, str], str] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, channel: str, question_ts: str) -> str | None:
        with self._lock:
            return self._answers.get((channel, question_ts))

    def put(self, channel: str, question_ts: str, answer_ts: str) -> None:
        with self._lock:
            self._answers[(channel, question_ts)] = answer_ts
            self._answers.move_to_end((channel, question_ts))
            while len(self._answers) > self.capacity:
                self._answers.popitem(last=False)

    def pop(self, channel: str, question_ts: str) -> None:
        with self._lock:
            self._answers.pop((channel, question_ts), None)


class SlackEdits:
    """The message_changed / message_deleted listeners; `ask` is how the handlers answer a question."""

    def __init__(
        self,
        ask: Callable[[str, Origin], Reply],
        channel_allowed: Callable[[str], bool],
        question_text: Callable[[str, str | None], str],
        answers: AnswerMap | None = None,
    ) -> None:
        self.ask = ask
        self.channel_allowed = channel_allowed
        self.question_text = question_text
        self.answers = answers or AnswerMap()

    def register(self, app: App) -> None:
        """Before the catch-all `message` listener: Bolt runs the first listener that matches."""
        app.event({"type": "message", "subtype": "message_changed"})(self.on_changed)
        app.event({"type": "message", "subtype": "message_deleted"})(self.on_deleted)

    # -- listeners ---------------------------------------------------------------------------------
    def on_changed(self, event: dict[str, Any], client: WebClient, context: dict[str, Any]) -> None:
        """An edited question that was answered: the answer re-asked and updated in place."""
        channel = event.get("channel", "")
        message, previous = event.get("message") or {}, event.get("previous_message") or {}
        try:
            if message.get("subtype") == "tombstone":  # a deleted thread root that had replies
                self._remove(client, context, event, {**message, "text": previous.get("text", "")})
                return
            if not self._a_persons_question(event, message, context) or not self.channel_allowed(channel):
                return
            bot_user_id = context.get("bot_user_id")
            question = self.question_text(message.get("text", ""), bot_user_id)
            if question == self.question_text(previous.get("text", ""), bot_user_id):
                return  # an unfurl, a pin, a reaction: not a new question
            answer_ts = self._find(client, context, event, message)
            if answer_ts is None:
                return
            thread = message.get("thread_ts") or (
                "dm" if event.get("channel_type") == "im" else message.get("ts")
            )
            reply = self.ask(question, Origin("slack", channel, message.get("user", ""), thread=thread))
            self._update(client, channel, answer_ts, _noted(render(reply), messages.ANSWER_UPDATED))
            log.info(
                "updated answer %s in %s after question %s was edited", answer_ts, channel, message.get("ts")
            )
        except Exception:
            log.exception("updating the answer to edited message %s in %s failed", message.get("ts"), channel)

    def on_deleted(self, event: dict[str, Any], client: WebClient, context: dict[str, Any]) -> None:
        """A deleted question: its answer is deleted too."""
        previous = event.get("previous_message") or {}
        try:
            self._remove(
                client, context, event, {**previous, "ts": event.get("deleted_ts") or previous.get("ts")}
            )
        except Exception:
            log.exception("removing the answer to deleted message %s failed", event.get("deleted_ts"))

    # -- helpers -----------------------------------------------------------------------------------
    @staticmethod
    def _a_persons_question(event: dict[str, Any], message: dict[str, Any], context: dict[str, Any]) -> bool:
        """A person's message (not a bot's, not our own update) that mentions the bot, or any DM."""
        if (
            message.get("bot_id")
            or not message.get("user")
            or message.get("user") == context.get("bot_user_id")
        ):
            return False
        bot_user_id = context.get("bot_user_id") or ""
        return event.get("channel_type") == "im" or f"<@{bot_user_id}" in message.get("text", "")

    def _remove(
        self, client: WebClient, context: dict[str, Any], event: dict[str, Any], question: dict
    ) -> None:
        if question.get("bot_id") or not question.get("ts"):
            return
        bot_user_id = context.get("bot_user_id") or ""
        if event.get("channel_type") != "im" and f"<@{bot_user_id}" not in question.get("text", "<@"):
            return  # nobody asked the bot anything there
        channel = event.get("channel", "")
        answer_ts = self._find(client, context, event, question)
        if answer_ts is None:
            return
        try:
            client.chat_delete(channel=channel, ts=answer_ts)
        except SlackApiError as error:
            if error.response.get("error") != "message_not_found":
                raise
        self.answers.pop(channel, question["ts"])
        log.info("question %s in %s was deleted; removed its answer %s", question["ts"], channel, answer_ts)

    def _find(
        self, client: WebClient, context: dict[str, Any], event: dict[str, Any], question: dict[str, Any]
    ) -> str | None:
        """The ts of the bot's answer to `question`: remembered, else its first message after the question
        in the question's thread (a channel question is answered in a thread under it) or in the DM."""
        channel, ts = event.get("channel", ""), question.get("ts", "")
        known = self.answers.get(channel, ts)
        if known:
            return known
        thread = question.get("thread_ts") or (None if event.get("channel_type") == "im" else ts)
        if thread:
            found = client.conversations_replies(channel=channel, ts=thread, oldest=ts, limit=LOOK_AHEAD)
        else:
            found = client.conversations_history(
                channel=channel, oldest=ts, inclusive=False, limit=LOOK_AHEAD
            )
        mine = [
            m["ts"]
            for m in found.get("messages") or []
            if float(m.get("ts", 0)) > float(ts) and _from_this_bot(m, context)
        ]
        if not mine:
            return None
        answer_ts = min(mine, key=float)
        self.answers.put(channel, ts, answer_ts)
        return answer_ts

    @staticmethod
    def _update(client: WebClient, channel: str, ts: str, message: SlackMessage) -> None:
        """chat.update with blocks; should Slack refuse them, the plain text alone."""
        try:
            client.chat_update(channel=channel, ts=ts, text=message.text, blocks=message.blocks)
            return
        except SlackApiError as error:
            log.warning(
                "chat.update with blocks failed (%s); updating with the text alone",
                error.response.get("error"),
            )
        client.chat_update(channel=channel, ts=ts, text=message.text, blocks=[])


def _from_this_bot(message: dict[str, Any], context: dict[str, Any]) -> bool:
    bot_id, bot_user_id = context.get("bot_id"), context.get("bot_user_id")
    return bool(
        (bot_id and message.get("bot_id") == bot_id) or (bot_user_id and message.get("user") == bot_user_id)
    )


def _noted(message: SlackMessage, note: str) -> SlackMessage:
    """A small context line above the answer (when the 50-block limit leaves room)."""
    if len(message.blocks) >= 50:
        return message
    block = {"type": "context", "elements": [{"type": "mrkdwn", "text": f"_{escape(note)}_"}]}
    return SlackMessage(text=f"{note}\n{message.text}", blocks=[block, *message.blocks])
