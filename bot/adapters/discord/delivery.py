"""Getting a reply to the asker on Discord whatever Discord answers: retries, fallbacks, one line per outage.

discord.py already waits out a 429's Retry-After a few times and retries some 5xx itself; what it finally
raises comes here. A 429 is waited out again (its Retry-After, never less), a 5xx or an unreachable API is
retried with back-off for up to `give_up_after_s` (the answer is kept meanwhile), and the first such
failure logs one warning, the first success after it one recovery line. Every reply path then has a
fallback: a channel reply without its message reference, then plain text, then a DM to the asker with a
note (a 403: missing permission); an interaction reply falls back to a follow-up, then a DM. What still
fails is logged once, naming the asker, the message or interaction and a reference id.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any, TypeVar

import aiohttp
import discord

from bot import messages
from bot.adapters.discord.render import Outgoing, add_note, plain_text
from bot.adapters.discord.send import edit_arguments, message_arguments
from bot.core.replies import new_reference

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """How long and how often to try; tests shrink the waits."""

    backoff_s: tuple[float, ...] = (1.0, 2.0, 5.0, 10.0, 30.0, 60.0)  # after a 5xx/unreachable; last repeats
    give_up_after_s: float = 600.0  # an answer is kept and retried this long while Discord is down
    max_retry_after_s: float = 300.0  # a longer Retry-After is not waited for
    max_waiting: int = 200  # answers kept waiting at once; beyond that a failure gives up at once


class Undelivered(Exception):
    """Nothing reached the asker; already logged with this reference id."""

    def __init__(self, reference: str) -> None:
        super().__init__(reference)
        self.reference = reference


class Outage:
    """One warning when Discord stops answering, one info line when it answers again; nothing in between."""

    def __init__(self) -> None:
        self.down_since: float | None = None
        self.failures = 0

    def failed(self, error: BaseException, give_up_after_s: float) -> None:
        self.failures += 1
        if self.down_since is None:
            self.down_since = time.monotonic()
            log.warning(
                "Discord API unavailable (%s); answers are kept and retried for up to %.0f s",
                describe(error),
                give_up_after_s,
            )

    def recovered(self) -> None:
        if self.down_since is not None:
            log.info(
                "Discord API available again after %.1f s (%d failed attempts)",
                time.monotonic() - self.down_since,
                self.failures,
            )
            self.down_since, self.failures = None, 0


def describe(error: BaseException) -> str:
    """A short, single-line name for a failure: `403 Forbidden (code 50013)`, `ConnectionRefusedError`."""
    if isinstance(error, discord.HTTPException):
        return f"{error.status} {getattr(error.response, 'reason', '')} (code {error.code})".replace(
            "  ", " "
        )
    return error.__class__.__name__


def _expected(error: BaseException) -> bool:
    """What Discord or the network does to a request, as opposed to a bug in this code."""
    return isinstance(error, (discord.HTTPException, OSError, aiohttp.ClientError, asyncio.TimeoutError))


def unavailable(error: BaseException) -> bool:
    """Discord is down or unreachable (worth waiting for), as opposed to refusing this request."""
    if isinstance(error, discord.HTTPException):
        return error.status >= 500
    return isinstance(error, (OSError, aiohttp.ClientError, asyncio.TimeoutError))


def retry_after(error: BaseException) -> float | None:
    """The seconds a 429 asks us to wait (its Retry-After header; 1 s without one); None for anything else."""
    if isinstance(error, discord.RateLimited):
        return float(error.retry_after)
    if not isinstance(error, discord.HTTPException) or error.status != 429:
        return None
    headers = getattr(error.response, "headers", None) or {}
    try:
        return max(0.0, float(headers.get("Retry-After", 1.0)))
    except ValueError:
        return 1.0


def _permissions(channel: Any) -> discord.Permissions | None:
    """What the bot may do in a guild channel or thread; None in DMs or when Discord has not said."""
    guild = getattr(channel, "guild", None)
    me = getattr(guild, "me", None)
    if guild is None or me is None or not hasattr(channel, "permissions_for"):
        return None
    return channel.permissions_for(me)


class Delivery:
    """Sends with retries and fallbacks; one per client, sharing the outage state."""

    def __init__(self, policy: RetryPolicy | None = None) -> None:
        self.policy = policy or RetryPolicy()
        self.outage = Outage()
        self._waiting = 0
        self._warned_embeds: set[int] = set()

    async def attempt(self, send: Callable[[], Awaitable[T]]) -> T:
        """`send()` until it succeeds, honouring Retry-After and backing off while Discord is unavailable."""
        started = time.monotonic()
        tries = 0
        while True:
            try:
                result = await send()
            except Exception as error:
                delay = self._delay(error, tries, started)
                if delay is None:
                    raise
                tries += 1
                self._waiting += 1
                try:
                    await asyncio.sleep(delay)
                finally:
                    self._waiting -= 1
                continue
            self.outage.recovered()
            return result

    def _delay(self, error: BaseException, tries: int, started: float) -> float | None:
        policy = self.policy
        elapsed = time.monotonic() - started
        wait = retry_after(error)
        if wait is not None:
            if wait > policy.max_retry_after_s or elapsed + wait > policy.give_up_after_s:
                return None
            log.debug("rate limited; retrying in %.2f s as Discord asked", wait)
            return wait
        if not unavailable(error):
            return None
        self.outage.failed(error, policy.give_up_after_s)
        if self._waiting >= policy.max_waiting:
            return None
        wait = policy.backoff_s[min(tries, len(policy.backoff_s) - 1)]
        return wait if elapsed + wait <= policy.give_up_after_s else None

    # -- messages --------------------------------------------------------------------------------------
    async def reply(self, message: discord.Message, outgoing: list[Outgoing]) -> list[discord.Message]:
        """Answer `message` where it was asked; fall back as the module says. Raises Undelivered."""
        outgoing = self._as_allowed(message, outgoing)
        try:
            return await self._in_channel(message, outgoing)
        except discord.Forbidden as error:
            if isinstance(message.channel, discord.DMChannel):
                raise self.undelivered(message, error) from None
            return await self._by_dm(message, outgoing, error)
        except Exception as error:
            raise self.undelivered(message, error) from None

    def _as_allowed(self, message: discord.Message, outgoing: list[Outgoing]) -> list[Outgoing]:
        """Without Embed Links Discord posts a message but drops its embeds (the sources) without a word:
        send them as text instead, and say so in the log once per channel."""
        allowed = _permissions(message.channel)
        if allowed is None or allowed.embed_links or not any(o.embeds for o in outgoing):
            return outgoing
        if message.channel.id not in self._warned_embeds:
            self._warned_embeds.add(message.channel.id)
            log.warning(
                "no Embed Links permission in channel %s: sources are sent as text there", message.channel.id
            )
        return [replace(plain_text(o), vote_answer_id=o.vote_answer_id) for o in outgoing]

    async def _in_channel(self, message: discord.Message, outgoing: list[Outgoing]) -> list[discord.Message]:
        first, *rest = outgoing
        allowed = _permissions(message.channel)
        # A reply (a message reference) needs Read Message History; without it, a plain message.
        history = allowed is None or allowed.read_message_history
        send_first = message.reply if history else message.channel.send
        try:
            sent = [await self.attempt(lambda: send_first(**message_arguments(first)))]
        except discord.Forbidden:
            raise
        except discord.HTTPException as error:
            if error.status != 400:
                raise
            # A rejected reference (the question was deleted) or a rejected embed: plain text, no reference.
            log.warning(
                "reply to message %s refused (%s); sending it as plain text", message.id, describe(error)
            )
            sent = [await self.attempt(lambda: message.channel.send(**message_arguments(plain_text(first))))]
        for following in rest:
            sent.append(await self.attempt(lambda f=following: message.channel.send(**message_arguments(f))))
        return sent

    async def _by_dm(
        self, message: discord.Message, outgoing: list[Outgoing], refusal: discord.HTTPException
    ) -> list[discord.Message]:
        """No permission in the channel: tell the asker by DM, with the answer."""
        channel = getattr(message.channel, "name", None) or str(message.channel.id)
        noted = add_note(outgoing, messages.discord_reply_forbidden(channel), small=False)
        try:
            sent = [
                await self.attempt(lambda o=o: message.author.send(**message_arguments(o)))  # type: ignore[misc]
                for o in noted
            ]
        except Exception as error:
            raise self.undelivered(message, error, refusal) from None
        log.warning(
            "no permission to reply in #%s (%s); answered user %s's message %s by DM instead",
            channel,
            describe(refusal),
            message.author.id,
            message.id,
        )
        return sent

    def undelivered(
        self, message: discord.Message, error: BaseException, first: BaseException | None = None
    ) -> Undelivered:
        """Log, once, that the answer to `message` reached nobody (why, the asker, a reference id)."""
        reference = new_reference()
        why = describe(error) if first is None else f"{describe(first)}, then by DM: {describe(error)}"
        log.error(
            "could not deliver the answer to user %s's message %s in channel %s: %s (reference %s)",
            message.author.id,
            message.id,
            message.channel.id,
            why,
            reference,
            exc_info=None if _expected(error) else error,  # a bug gets its traceback; Discord's refusals not
        )
        return Undelivered(reference)

    async def resend(self, question: Any, user_id: int, outgoing: list[Outgoing]) -> list[int]:
        """An answer held over a restart, to `question` (a PartialMessage): a reply, or a plain message in
        its channel when the question is gone. Returns the message ids; raises Undelivered (logged)."""
        first, *rest = outgoing
        channel = question.channel
        try:
            try:
                sent = [await self.attempt(lambda: question.reply(**message_arguments(first)))]
            except discord.HTTPException as error:
                if error.status not in (400, 404):
                    raise
                sent = [await self.attempt(lambda: channel.send(**message_arguments(first)))]
            for part in rest:
                sent.append(await self.attempt(lambda part=part: channel.send(**message_arguments(part))))
        except Exception as error:
            reference = new_reference()
            log.error(
                "could not deliver the held answer to user %s's message %s in channel %s: %s (reference %s)",
                user_id,
                question.id,
                channel.id,
                describe(error),
                reference,
                exc_info=None if _expected(error) else error,
            )
            raise Undelivered(reference) from None
        return [m.id for m in sent]

    async def replace(
        self, channel: discord.abc.Messageable | Any, answer_ids: tuple[int, ...], outgoing: list[Outgoing]
    ) -> list[int]:
        """Edit an earlier answer in place: its messages edited, any surplus deleted, any extra sent.

        Returns the ids of the messages that now make up the answer.
        """
        kept: list[int] = []
        for index, part in enumerate(outgoing):
            if index < len(answer_ids):
                old = channel.get_partial_message(answer_ids[index])
                await self.attempt(lambda old=old, part=part: old.edit(**edit_arguments(part)))
                kept.append(answer_ids[index])
            else:
                sent = await self.attempt(lambda part=part: channel.send(**message_arguments(part)))
                kept.append(sent.id)
        await self.remove(channel, answer_ids[len(outgoing) :])
        return kept

    async def remove(self, channel: discord.abc.Messageable | Any, message_ids: tuple[int, ...]) -> None:
        """Delete the bot's own messages; one already gone is fine."""
        for message_id in message_ids:
            try:
                await self.attempt(lambda m=message_id: channel.get_partial_message(m).delete())
            except discord.NotFound:
                continue

    # -- interactions ----------------------------------------------------------------------------------
    async def respond(
        self, interaction: discord.Interaction, outgoing: list[Outgoing], *, ephemeral: bool
    ) -> None:
        """The interaction's response (or follow-ups after a deferral); when Discord refuses them, a DM.

        Raises Undelivered after logging when the asker could not be reached at all.
        """
        pending = list(outgoing)
        try:
            if not interaction.response.is_done():
                await self._plain_if_refused(
                    lambda part: interaction.response.send_message(
                        **message_arguments(part), ephemeral=ephemeral
                    ),
                    pending[0],
                )
                pending.pop(0)
            while pending:
                await self._plain_if_refused(
                    lambda part: interaction.followup.send(**message_arguments(part), ephemeral=ephemeral),
                    pending[0],
                )
                pending.pop(0)
        except Exception as error:
            await self._interaction_by_dm(interaction, pending, error)

    async def _plain_if_refused(self, send: Callable[[Outgoing], Awaitable[Any]], part: Outgoing) -> Any:
        """Send `part`; should Discord reject it (400: an embed or component it will not take), its plain text."""
        try:
            return await self.attempt(lambda: send(part))
        except discord.HTTPException as error:
            if error.status != 400:
                raise
            log.warning("Discord refused a message (%s); sending its plain text", describe(error))
            return await self.attempt(lambda: send(plain_text(part)))

    async def _interaction_by_dm(
        self, interaction: discord.Interaction, pending: list[Outgoing], error: BaseException
    ) -> None:
        reference = new_reference()
        user = interaction.user
        try:
            note = messages.discord_reply_not_delivered(reference)
            for part in add_note([replace(p, vote_answer_id=None) for p in pending], note, small=False):
                await self.attempt(lambda part=part: user.send(**message_arguments(part)))
        except Exception as dm_error:
            log.error(
                "could not deliver the reply to user %s's interaction %s: %s, then by DM: %s (reference %s)",
                user.id,
                interaction.id,
                describe(error),
                describe(dm_error),
                reference,
            )
            raise Undelivered(reference) from None
        log.warning(
            "could not reply to user %s's interaction %s (%s); sent the reply by DM (reference %s)",
            user.id,
            interaction.id,
            describe(error),
            reference,
        )
