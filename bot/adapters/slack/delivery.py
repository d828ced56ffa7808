"""Getting a reply to the asker whatever Slack says: every path has a fallback, every failure a log line
naming the reference id and the asker, and replies the API cannot take now are held and sent later.

Paths and their fallbacks:
- chat.postMessage (thread reply, DM) with blocks -> blocks refused (invalid_blocks, msg_too_long…): the
  plain text alone -> the channel refused us (not_in_channel, channel_not_found, is_archived…): the answer
  in the asker's DM with the bot (chat.postMessage to the user id; needs no extra scope).
- response_url (/ask, buttons) -> 404 expired_url / 410 used_url: chat.postEphemeral to the asker (or
  chat.postMessage for an in-channel /ask) -> 400 invalid_blocks: the response_url again without blocks.
- 5xx, connection refused, time-outs, and 429 after the client's retries: held in the outbox (not before
  the Retry-After) and sent by the redelivery loop; the outage is logged once, its end once.
"""

from __future__ import annotations

import logging
import time
import weakref
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from bot import messages
from bot.adapters.slack.decorations import _retry_after
from bot.adapters.slack.render import SlackMessage
from bot.core.redelivery import SENT, Attempt, OutageLog, Outcome, Redelivery
from bot.state.answered import AnsweredMessages
from bot.state.outbox import HeldReply, Outbox

log = logging.getLogger(__name__)

PLATFORM = "slack"
# Errors that mean "these blocks", not "this message": the text alone will go through.
BLOCK_ERRORS = frozenset(
    {"invalid_blocks", "invalid_blocks_format", "msg_too_long", "too_many_blocks", "invalid_attachments"}
)
EXPIRED_URL_STATUSES = (404, 410)  # expired_url (after 30 minutes), used_url (after five replies)


@dataclass(frozen=True)
class Asker:
    """Who a reply is for, and the id the log lines about it carry."""

    user: str
    channel: str
    reference: str
    question: str = ""
    answer_key: str = ""  # where edits look the answer up (bot.state.answered); "" for replies not edited


_STARTED: weakref.WeakSet[SlackDelivery] = weakref.WeakSet()  # deliveries whose redelivery loop runs


def stop_deliveries() -> None:
    """Stop every redelivery loop this process started (the adapter's shutdown; tests between cases)."""
    for delivery in list(_STARTED):
        delivery.stop()


class SlackDelivery:
    """Sends replies through the Web API or a response_url; holds them in `outbox` while Slack is down."""

    def __init__(
        self, client: WebClient, outbox: Outbox | None = None, answered: AnsweredMessages | None = None
    ) -> None:
        """`answered`: where a held answer, once sent, is recorded for its question's edits."""
        self.client = client
        self.outbox = outbox
        self.answered = answered
        self.outage = OutageLog("the Slack API", log)
        self.redelivery: Redelivery | None = None
        if outbox is not None:
            self.redelivery = Redelivery(PLATFORM, outbox, self.send_held, self.tell_expired, self.outage)

    def start(self) -> SlackDelivery:
        """Start sending what an earlier run held (and what this one will)."""
        if self.redelivery is not None:
            self.redelivery.start()
            _STARTED.add(self)
        return self

    def stop(self) -> None:
        if self.redelivery is not None:
            self.redelivery.stop()
        _STARTED.discard(self)

    # -- the answer path ---------------------------------------------------------------------------
    def post(self, channel: str, thread_ts: str | None, message: SlackMessage, asker: Asker) -> Attempt:
        """A thread reply or DM. Its outcome: SENT (with the receipt: where it was posted), DOWN (held for
        later) or GONE (not deliverable; logged)."""
        payload = {"channel": channel, "thread_ts": thread_ts, "text": message.text, "blocks": message.blocks}
        return self._deliver("post", payload, asker)

    def respond(self, response_url: str, message: SlackMessage, response_type: str, asker: Asker) -> Attempt:
        """A reply through a slash command's or a button's response_url; outcomes as for `post`."""
        payload = {
            "response_url": response_url,
            "response_type": response_type,
            "text": message.text,
            "blocks": message.blocks,
        }
        return self._deliver("respond", payload, asker)

    def update(self, where: dict[str, str], message: SlackMessage, asker: Asker) -> Attempt:
        """Replace a reply already posted (an edited question's answer) with chat.update; blocks refused:
        the text alone; the reply gone (message_not_found, cant_update_message): GONE, logged, for the
        caller to post anew. Not held when Slack is down: the caller posts it (which holds it)."""
        arguments = {"channel": where["channel"], "ts": where["ts"], "text": message.text or " "}
        attempt = self._api_call(self.client.chat_update, {**arguments, "blocks": message.blocks})
        if attempt.outcome is Outcome.GONE and attempt.detail in BLOCK_ERRORS:
            attempt = self._api_call(self.client.chat_update, {**arguments, "blocks": []})
        if attempt.outcome is Outcome.SENT:
            return Attempt(Outcome.SENT, receipt=dict(where))
        log.warning(
            "could not update the answer in %s (%s) for reference %s, asker %s; posting it anew",
            where.get("channel"),
            attempt.detail,
            asker.reference,
            asker.user,
        )
        return attempt

    def _deliver(self, kind: str, payload: dict[str, Any], asker: Asker) -> Attempt:
        attempt = self._send(kind, payload, asker)
        if attempt.outcome is Outcome.SENT:
            self.outage.succeeded(self.outbox.count(PLATFORM) if self.outbox else 0)
            return attempt
        if attempt.outcome is Outcome.GONE:
            return attempt
        self.outage.failed(attempt.detail)
        if self.outbox is None:
            log.error("reply lost: %s (reference %s, asker %s)", attempt.detail, asker.reference, asker.user)
            return Attempt(Outcome.GONE, detail=attempt.detail)
        stored = {**payload, "question": asker.question, "answer_key": asker.answer_key}
        not_before = time.time() + (attempt.retry_after or 0.0)
        self.outbox.hold(PLATFORM, kind, stored, asker.reference, asker.user, asker.channel, not_before)
        log.debug(  # the caller's line names the reference and the asker at INFO
            "holding reply (reference %s, asker %s in %s) until Slack is back: %s",
            asker.reference,
            asker.user,
            asker.channel,
            attempt.detail,
        )
        if self.redelivery is not None:
            self.redelivery.wake()
        return attempt

    # -- the redelivery loop's side ----------------------------------------------------------------
    def send_held(self, held: HeldReply) -> Attempt:
        """Send a held reply; once sent, record it for edits of its question as an answer on time is."""
        question, key = held.payload.get("question", ""), held.payload.get("answer_key", "")
        payload = {k: v for k, v in held.payload.items() if k not in ("question", "answer_key")}
        attempt = self._send(
            held.kind, payload, Asker(held.asker, held.channel, held.reference, question, key)
        )
        if attempt.outcome is Outcome.SENT and key and attempt.receipt and self.answered is not None:
            try:
                self.answered.remember(key, attempt.receipt, question)
            except Exception:  # noqa: BLE001 - only edits lose out: never the answer
                log.warning("could not record the held answer (reference %s) for edits", held.reference)
        return attempt

    def tell_expired(self, held: HeldReply) -> Attempt:
        text = messages.held_reply_expired(held.reference, held.payload.get("question", ""))
        asker = Asker(held.asker, held.channel, held.reference)
        return self._post_message({"channel": held.asker, "text": text}, asker)

    # -- sending -----------------------------------------------------------------------------------
    def _send(self, kind: str, payload: dict[str, Any], asker: Asker) -> Attempt:
        if kind == "respond":
            return self._respond(payload, asker)
        return self._post_message(payload, asker)

    def _post_message(self, payload: dict[str, Any], asker: Asker) -> Attempt:
        """chat.postMessage (or chat.postEphemeral when `payload` names a `user`), with its fallbacks."""
        attempt = self._api_post(payload)
        if attempt.outcome is not Outcome.GONE or attempt.detail not in BLOCK_ERRORS:
            return self._to_dm_if_refused(payload, asker, attempt)
        log.warning(
            "Slack refused the blocks (%s) for reference %s, asker %s in %s; sending the text alone",
            attempt.detail,
            asker.reference,
            asker.user,
            asker.channel,
        )
        plain = {**payload, "blocks": None}
        return self._to_dm_if_refused(plain, asker, self._api_post(plain))

    def _to_dm_if_refused(self, payload: dict[str, Any], asker: Asker, attempt: Attempt) -> Attempt:
        """A channel that refused the reply: send it to the asker's DM with the bot instead."""
        if attempt.outcome is not Outcome.GONE or attempt.detail in BLOCK_ERRORS:
            return attempt
        channel = str(payload.get("channel") or "")
        if not asker.user or channel == asker.user or channel.startswith("D") or payload.get("user"):
            log.error(
                "reply not delivered: Slack said %s (reference %s, asker %s in %s)",
                attempt.detail,
                asker.reference,
                asker.user,
                asker.channel,
            )
            return attempt
        log.warning(
            "Slack refused the reply in %s (%s) for reference %s, asker %s; sending it to their DM",
            payload.get("channel"),
            attempt.detail,
            asker.reference,
            asker.user,
        )
        text = f"{messages.slack_fallback_post(str(payload.get('channel')))}\n{payload.get('text', '')}"
        dm = {"channel": asker.user, "text": text, "blocks": payload.get("blocks")}
        return self._post_message(dm, asker)

    def _api_post(self, payload: dict[str, Any]) -> Attempt:
        arguments = {
            "channel": payload["channel"],
            "text": payload.get("text") or " ",
            "unfurl_links": False,
            "unfurl_media": False,
        }
        if payload.get("blocks"):
            arguments["blocks"] = payload["blocks"]
        if payload.get("thread_ts"):
            arguments["thread_ts"] = payload["thread_ts"]
        if payload.get("user"):
            return self._api_call(self.client.chat_postEphemeral, {"user": payload["user"], **arguments})
        return self._api_call(self.client.chat_postMessage, arguments)

    @staticmethod
    def _api_call(method: Any, arguments: dict[str, Any]) -> Attempt:
        """One Web API call, its failure classified: DOWN (5xx, 429 after retries, no connection) or GONE."""
        try:
            response = method(**arguments)
        except SlackApiError as error:
            return _api_failure(error)
        except Exception as error:  # noqa: BLE001 - connection refused, time-out, DNS: Slack is down for us
            return Attempt(Outcome.DOWN, detail=_connection_failure(error))
        channel, ts = response.get("channel"), response.get("ts")
        receipt = {"channel": str(channel), "ts": str(ts)} if channel and ts else None
        return Attempt(Outcome.SENT, receipt=receipt)

    def _respond(self, payload: dict[str, Any], asker: Asker) -> Attempt:
        """The response_url; when it is expired or used up the Web API takes over (see the module doc)."""
        attempt, status, body = self._webhook(payload, with_blocks=True)
        if attempt.outcome is not Outcome.GONE:
            return attempt
        if status == 400 and "block" in body and payload.get("blocks"):
            log.warning(
                "the response_url refused the blocks (%s) for reference %s, asker %s in %s; sending the text alone",
                body,
                asker.reference,
                asker.user,
                asker.channel,
            )
            attempt, status, body = self._webhook(payload, with_blocks=False)
            if attempt.outcome is not Outcome.GONE:
                return attempt
        # expired_url, used_url, or anything else the URL will not take: the Web API can still reach the
        # asker (ephemeral for a private reply, the channel for an in-channel /ask).
        private = payload.get("response_type") != "in_channel"
        log.warning(
            "the response_url refused the reply (%s %s) for reference %s, asker %s in %s; posting it with %s",
            status,
            body or "-",
            asker.reference,
            asker.user,
            asker.channel,
            "chat.postEphemeral" if private else "chat.postMessage",
        )
        post = {"channel": asker.channel, "text": payload.get("text"), "blocks": payload.get("blocks")}
        if private:
            post["user"] = asker.user
        return self._post_message(post, asker)

    @staticmethod
    def _webhook(payload: dict[str, Any], with_blocks: bool) -> tuple[Attempt, int, str]:
        body = {
            "text": payload.get("text") or " ",
            "response_type": payload.get("response_type", "ephemeral"),
            "replace_original": False,
            "unfurl_links": False,
            "unfurl_media": False,
        }
        if with_blocks and payload.get("blocks"):
            body["blocks"] = payload["blocks"]
        try:
            response = WebhookClient(payload["response_url"], timeout=10).send_dict(body)
        except Exception as error:  # noqa: BLE001 - connection refused, time-out: down
            return Attempt(Outcome.DOWN, detail=_connection_failure(error)), 0, ""
        status, text = response.status_code, (response.body or "").strip()
        if 200 <= status < 300:
            return SENT, status, text
        if status == 429 or status >= 500:
            retry = _retry_after(response.headers) if status == 429 else None
            return Attempt(Outcome.DOWN, retry, f"response_url HTTP {status}"), status, text
        return Attempt(Outcome.GONE, detail=text or f"HTTP {status}"), status, text


class _OutageNoise(logging.Filter):
    """slack_sdk logs an ERROR for every request that could not be sent, and INFO lines for each retry:
    hundreds in an outage, naming neither answer nor asker. Ours say it once (OutageLog) and per reply
    (reference, asker), so theirs go down to DEBUG."""

    NOISE = ("Failed to send a request to Slack API server", "A retry handler found", "Going to retry")

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno > logging.DEBUG and record.getMessage().startswith(self.NOISE):
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return True


_OUTAGE_NOISE = _OutageNoise()


def quiet_sdk_outage_noise() -> None:
    """Demote slack_sdk's per-request connection errors to DEBUG (idempotent)."""
    for name in ("slack_sdk.web.base_client", "slack_sdk.webhook.client"):
        logging.getLogger(name).addFilter(_OUTAGE_NOISE)


def _api_failure(error: SlackApiError) -> Attempt:
    status = error.response.status_code
    code = str(error.response.get("error") or f"HTTP {status}") if _is_json(error) else f"HTTP {status}"
    if status == 429:  # still limited after the client's own retries: hold it, not before Retry-After
        retry = _retry_after(error.response.headers)
        return Attempt(Outcome.DOWN, retry, f"rate limited, Retry-After {retry:.0f} s")
    if status >= 500:
        return Attempt(Outcome.DOWN, detail=f"HTTP {status}")
    return Attempt(Outcome.GONE, detail=code)


def _is_json(error: SlackApiError) -> bool:
    return isinstance(error.response.data, dict)


def _connection_failure(error: Exception) -> str:
    reason = getattr(error, "reason", None)
    return f"{error.__class__.__name__}: {reason or error}".splitlines()[0][:200]
